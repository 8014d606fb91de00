use hearth::prelude::*;

// Below `#[controller]`, a battery attribute applies to the controller's metadata: its
// function must return a `RouteAttribute` too.
fn public() -> bool {
    true
}

#[controller]
#[public]
struct C;

fn main() {}
