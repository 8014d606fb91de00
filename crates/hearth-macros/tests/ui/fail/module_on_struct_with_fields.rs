use hearth::prelude::*;

#[module(providers = [])]
struct AppModule {
    name: String,
}

fn main() {}
