use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[query(page)] page: u32) -> String {
        page.to_string()
    }
}

fn main() {}
