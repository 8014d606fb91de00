use hearth::prelude::*;

#[controller("/api", prefix = "/v1")]
struct C;

fn main() {}
