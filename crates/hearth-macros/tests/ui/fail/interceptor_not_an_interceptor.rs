use hearth::prelude::*;

#[injectable]
struct NotAnInterceptor;

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    #[use_interceptors(NotAnInterceptor)]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
