use hearth::prelude::*;

#[injectable]
struct NotAGuard;

#[controller("/admin")]
#[use_guards(NotAGuard)]
struct C;

fn main() {}
