use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[body(strict)] body: String) -> String {
        body
    }
}

fn main() {}
