use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[query("q")] #[header("q")] q: String) -> String {
        q
    }
}

fn main() {}
