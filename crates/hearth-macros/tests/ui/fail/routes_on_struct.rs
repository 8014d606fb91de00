use hearth::prelude::*;

#[routes]
struct C;

fn main() {}
