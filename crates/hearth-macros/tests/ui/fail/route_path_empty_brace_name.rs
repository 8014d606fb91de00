use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/users/{}")]
    async fn user(&self) -> &'static str {
        "x"
    }
}

fn main() {}
