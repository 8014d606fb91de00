use hearth::prelude::*;

// A battery route attribute's function must return a `RouteAttribute`.
fn roles(_: &str) -> String {
    String::new()
}

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    #[roles("admin")]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
