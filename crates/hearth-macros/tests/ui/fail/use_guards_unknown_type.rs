use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    #[use_guards(AdminGuard)]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
