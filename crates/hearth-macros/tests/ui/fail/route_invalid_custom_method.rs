use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[route("PUR GE", "/")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
