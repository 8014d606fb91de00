use hearth::prelude::*;

#[injectable]
struct Service<T> {
    inner: Arc<T>,
}

fn main() {}
