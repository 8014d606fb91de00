use hearth::prelude::*;

#[injectable]
enum Service {
    A,
}

fn main() {}
