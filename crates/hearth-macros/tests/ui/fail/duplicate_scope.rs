use hearth::prelude::*;

#[injectable(scope = request, scope = transient)]
struct Service;

fn main() {}
