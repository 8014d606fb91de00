use hearth::prelude::*;

#[controller("/api")]
#[use_middleware()]
struct C;

fn main() {}
