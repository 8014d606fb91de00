use hearth::prelude::*;

#[controller("/api")]
fn handler() {}

fn main() {}
