use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[session] session: String) -> String {
        session
    }
}

fn main() {}
