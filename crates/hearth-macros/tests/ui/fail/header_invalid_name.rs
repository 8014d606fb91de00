use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[header("x key")] key: String) -> String {
        key
    }
}

fn main() {}
