use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
