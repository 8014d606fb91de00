// An item whose attribute has an error keeps the impls its attribute stands for, so the
// items that use it compile on: one mistake, one error.
use hearth::prelude::*;

#[injectable]
struct Repo {
    count: u32,
}

#[controller("api")]
struct C {
    repo: Arc<Repo>,
}

#[routes]
impl C {
    #[get("/a")]
    fn a(&self) -> &'static str {
        "x"
    }
}

#[module(controllers = [C], providers = [Repo], unknown)]
struct Feature;

#[module(imports = [Feature])]
struct AppModule;

fn main() {
    let _ = Application::create::<AppModule>();
}
