use hearth::prelude::*;

#[module(controllers = [make_controller()])]
struct AppModule;

fn main() {}
