use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    async fn helper(&self, #[query("q")] q: String) -> String {
        q
    }
}

fn main() {}
