use hearth::prelude::*;

#[module]
enum AppModule {}

fn main() {}
