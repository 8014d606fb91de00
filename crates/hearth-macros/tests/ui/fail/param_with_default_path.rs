use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[route(GET)]
    async fn index(&self, #[param] id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
