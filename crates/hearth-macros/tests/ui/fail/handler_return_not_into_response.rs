use hearth::prelude::*;

struct NotAResponse;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self) -> NotAResponse {
        NotAResponse
    }
}

fn main() {}
