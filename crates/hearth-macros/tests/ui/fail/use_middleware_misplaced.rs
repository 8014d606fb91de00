use hearth::prelude::*;

struct Logger;
impl Middleware for Logger {
    async fn handle(&self, req: Request, next: Next) -> Response {
        next.run(req).await
    }
}

#[use_middleware(Logger)]
struct NotAController;

#[use_middleware(Logger)]
fn not_a_route() {}

fn main() {
    let _ = NotAController;
    not_a_route();
}
