use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index<T: Default>(&self) -> &'static str {
        "x"
    }
}

fn main() {}
