use hearth::prelude::*;

#[injectable(lifetime = request)]
struct S;

fn main() {}
