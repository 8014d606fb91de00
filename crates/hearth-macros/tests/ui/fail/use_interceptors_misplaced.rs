use hearth::prelude::*;

#[injectable]
struct Timing;
impl Interceptor for Timing {
    async fn intercept(&self, req: Request, next: CallHandler) -> Response {
        next.handle(req).await
    }
}

struct Plain;

// A method of an impl block without `#[routes]`.
impl Plain {
    #[use_interceptors(Timing)]
    fn helper(&self) {}
}

// An enum.
#[use_interceptors(Timing)]
enum Choice {
    A,
}

fn main() {
    Plain.helper();
    let _ = Choice::A;
}
