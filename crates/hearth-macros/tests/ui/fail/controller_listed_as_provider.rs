use hearth::prelude::*;

#[controller("/users")]
struct UserController;

#[routes]
impl UserController {
    #[get]
    async fn list(&self) -> &'static str {
        "[]"
    }
}

#[module(providers = [UserController])]
struct AppModule;

fn main() {}
