use hearth::prelude::*;

#[controller("api")]
struct C;

fn main() {}
