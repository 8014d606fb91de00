use hearth::prelude::*;

struct Public;

#[controller]
struct C;

#[routes]
impl C {
    #[set_metadata(Public)]
    fn helper(&self) {}
}

fn main() {}
