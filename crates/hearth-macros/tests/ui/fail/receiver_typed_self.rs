use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(self: Arc<Self>) -> &'static str {
        "x"
    }
}

fn main() {}
