use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&mut self) -> &'static str {
        "x"
    }
}

fn main() {}
