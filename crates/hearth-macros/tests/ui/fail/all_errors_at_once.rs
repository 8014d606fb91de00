// Every error of one item is reported, not only the first.
use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/a/:id")]
    fn a(&self) -> &'static str {
        "x"
    }

    #[post("b")]
    async fn b(self) -> &'static str {
        "x"
    }
}

fn main() {}
