use hearth::prelude::*;

#[module]
struct AppModule<const N: usize>;

fn main() {}
