use hearth::prelude::*;

struct Auth;
impl Auth {
    fn new() -> Self {
        Auth
    }
}

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    #[use_guards(Auth::new())]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
