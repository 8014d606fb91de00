use hearth::prelude::*;

#[injectable]
struct UserService;

#[module(controllers = [UserService], providers = [UserService])]
struct AppModule;

fn main() {}
