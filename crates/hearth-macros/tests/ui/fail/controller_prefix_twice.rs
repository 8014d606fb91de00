use hearth::prelude::*;

#[controller("/a", "/b")]
struct C;

fn main() {}
