use hearth::prelude::*;

#[controller("/admin", guards = [AdminGuard])]
struct C;

fn main() {}
