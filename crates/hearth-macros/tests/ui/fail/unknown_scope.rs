use hearth::prelude::*;

#[injectable(scope = session)]
struct S;

fn main() {}
