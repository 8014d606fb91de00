//! The benchmark server (`bench/CONTRACT.md`): `cargo run --release --example bench_server`
//! with `PORT` (default 3000) and `STORE=memory|redis` (+ `REDIS_URL`).
//!
//! It serves with `Application::run` and the default `Scheduler::Auto`: work stealing with the
//! memory store; thread per core with Redis (one single-threaded runtime per CPU core, each
//! serving its connections and their Redis round trips start to finish). `WORKERS` sets the
//! number of worker threads, `SCHEDULER=thread-per-core|work-stealing` overrides the choice,
//! `YIELD_WHEN_IDLE=0` turns off `ServerConfig::yield_when_idle`.
//! `USER_KEY` names the session key of the per-user index (default `userId`, which login
//! writes); a key login never writes (`USER_KEY=none`) leaves the index out, which is the
//! work actix-session does (it keeps no index, so it cannot log a user out everywhere).

mod app;
mod ceiling;

use hearth::prelude::*;

#[module(imports = [SessionModule::for_root(app::options(app::store_from_env())), app::RoutesModule, ceiling::CeilingModule])]
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
    let scheduler = match std::env::var("SCHEDULER").as_deref() {
        Ok("thread-per-core") => Scheduler::ThreadPerCore,
        Ok("work-stealing") => Scheduler::WorkStealing,
        _ => Scheduler::Auto,
    };
    Application::create::<AppModule>()?
        .configure(|c| {
            c.workers = workers;
            c.scheduler = scheduler;
            c.yield_when_idle = std::env::var("YIELD_WHEN_IDLE").as_deref() != Ok("0");
        })
        .run(port)
}
