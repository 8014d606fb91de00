use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/users/{id")]
    async fn user(&self, #[param] id: u64) -> String {
        id.to_string()
    }
}

fn main() {}
