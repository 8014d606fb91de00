use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/a")]
    #[post("/a")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
