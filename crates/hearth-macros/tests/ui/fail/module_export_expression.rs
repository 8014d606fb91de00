use hearth::prelude::*;

#[module(exports = [Token::<String>::new("X")])]
struct AppModule;

fn main() {}
