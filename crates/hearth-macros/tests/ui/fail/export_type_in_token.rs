use hearth::prelude::*;

#[injectable]
pub struct Repo;

#[injectable]
pub struct UserService {
    repo: Arc<Repo>,
}

pub const LIMIT: u32 = 10;

#[module(
    providers = [Repo, UserService],
    exports = [token(UserService), token(Repo), token(LIMIT)],
)]
pub struct M;

fn main() {}
