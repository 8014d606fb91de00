// A macro on the wrong kind of item reports that one mistake, and the item stays usable: no
// follow-up "cannot find" errors where it is used.
use hearth::prelude::*;

#[injectable]
enum Service {
    A,
}

#[controller("/api")]
fn handler() -> Service {
    Service::A
}

#[module(providers = [Service])]
enum AppModule {
    Only,
}

#[routes]
struct Routes;

fn main() {
    let _ = handler();
    let _ = (AppModule::Only, Routes);
}
