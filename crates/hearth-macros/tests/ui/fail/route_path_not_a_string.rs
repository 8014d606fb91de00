use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[route(GET, 5)]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
