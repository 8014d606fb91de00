use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl Default for C {
    fn default() -> Self {
        C
    }
}

fn main() {}
