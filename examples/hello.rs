//! The README's hello world: `cargo run --example hello`, then
//! `curl localhost:3000/hello/world`.

use hearth::prelude::*;

#[controller("/")]
struct HelloController;

#[routes]
impl HelloController {
    #[get("/")]
    async fn index(&self) -> &'static str {
        "Hello, World!"
    }

    #[get("/hello/:name")]
    async fn hello(&self, #[param("name")] name: String) -> Json<Value> {
        Json(json!({ "message": format!("Hello, {name}!") }))
    }
}

#[module(controllers = [HelloController])]
struct AppModule;

fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    Application::create::<AppModule>()?.run(port)
}
