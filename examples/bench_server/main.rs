//! The benchmark server (`bench/CONTRACT.md`): `cargo run --release --example bench_server`
//! with `PORT` (default 3000) and `STORE=memory|redis` (+ `REDIS_URL`).

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
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| hearth::Error::Io {
            context: "cannot start the tokio runtime".into(),
            source: e,
        })?
        .block_on(async move { Application::create::<AppModule>()?.listen(port).await })
}
