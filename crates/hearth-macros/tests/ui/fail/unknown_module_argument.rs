use hearth::prelude::*;

#[module(imports = [], provders = [])]
struct AppModule;

fn main() {}
