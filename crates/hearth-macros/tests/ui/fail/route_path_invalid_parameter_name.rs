use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/:user-id")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
