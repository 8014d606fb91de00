use hearth::prelude::*;

#[injectable]
struct AuthService {
    #[inject]
    secret: Arc<String>,
}

fn main() {}
