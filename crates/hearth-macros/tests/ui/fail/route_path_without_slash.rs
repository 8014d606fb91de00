use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("users")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
