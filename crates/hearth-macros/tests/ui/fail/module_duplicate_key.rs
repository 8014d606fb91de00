use hearth::prelude::*;

#[injectable]
struct A;

#[module(providers = [A], providers = [])]
struct AppModule;

fn main() {}
