use hearth::prelude::*;

#[injectable]
struct UserService;

#[controller]
struct UserController;

#[routes]
impl UserController {}

#[module(
    controllers = [UserController, UserController],
    providers = [UserService, Provider::value(1u8), UserService],
)]
struct AppModule;

fn main() {}
