use hearth::prelude::*;

#[module(imports)]
struct AppModule;

fn main() {}
