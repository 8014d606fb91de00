//! The benchmark server (`bench/CONTRACT.md`): `cargo run --release --example bench_server`
//! with `PORT` (default 3000) and `STORE=memory|redis` (+ `REDIS_URL`).
//!
//! It serves thread per core (`Application::run`): one single-threaded runtime per CPU
//! core, each serving its connections and their session-store round trips start to finish.

mod app;

use hearth::prelude::*;

#[module(imports = [SessionModule::for_root(app::options(app::store_from_env())), app::RoutesModule])]
struct AppModule;

fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let workers = std::env::var("WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Application::create::<AppModule>()?
        .configure(|c| c.workers = workers)
        .run(port)
}
