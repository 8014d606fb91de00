use hearth::prelude::*;

// A guard, but not `#[injectable]`: listed by type, it must be built by DI.
struct Auth;
impl Guard for Auth {
    async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        Ok(true)
    }
}

#[controller]
#[use_guards(Auth)]
struct C;

fn main() {}
