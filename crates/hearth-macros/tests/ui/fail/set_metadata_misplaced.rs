use hearth::prelude::*;

struct Public;

// A struct that is no controller.
#[set_metadata(Public)]
struct NotAController;

// A free function.
#[set_metadata(Public)]
fn not_a_route() {}

fn main() {
    let _ = NotAController;
    not_a_route();
}
