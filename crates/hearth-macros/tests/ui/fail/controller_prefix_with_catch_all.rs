use hearth::prelude::*;

#[controller("/files/*path")]
struct C;

fn main() {}
