use hearth::prelude::*;

#[controller]
struct C;

#[routes("/api")]
impl C {}

fn main() {}
