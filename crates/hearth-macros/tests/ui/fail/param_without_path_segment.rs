use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/users/:id")]
    async fn user(&self, #[param] id: u64, #[param("slug")] slug: String) -> String {
        format!("{id}{slug}")
    }
}

fn main() {}
