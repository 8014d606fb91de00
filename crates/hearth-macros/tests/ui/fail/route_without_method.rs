use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[route]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
