use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/:id/:id")]
    async fn index(&self, #[param] id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
