use hearth::prelude::*;

#[controller("/api")]
#[injectable]
struct C;

fn main() {}
