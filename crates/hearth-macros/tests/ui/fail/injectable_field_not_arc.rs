use hearth::prelude::*;

#[injectable]
struct UserService;

#[injectable]
struct AuthService {
    users: Arc<UserService>,
    retries: u32,
}

fn main() {}
