use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index() -> &'static str {
        "x"
    }
}

fn main() {}
