use hearth::prelude::*;

#[controller("/users/:id")]
struct C;

fn main() {}
