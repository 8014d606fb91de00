use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/", name = "index")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
