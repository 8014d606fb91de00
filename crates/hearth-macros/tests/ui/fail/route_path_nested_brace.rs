use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/users/{a{b}}")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
