use hearth::prelude::*;

#[injectable]
struct Timing;
impl Interceptor for Timing {
    async fn intercept(&self, req: Request, next: CallHandler) -> Response {
        next.handle(req).await
    }
}

#[controller]
struct C;

#[routes]
impl C {
    #[use_interceptors(Timing)]
    async fn helper(&self) {}
}

fn main() {}
