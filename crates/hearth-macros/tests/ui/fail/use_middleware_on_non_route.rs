use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[use_middleware(from_fn(|req: Request, next: Next| next.run(req)))]
    async fn helper(&self) {}
}

fn main() {}
