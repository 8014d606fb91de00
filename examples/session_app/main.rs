//! The session example app: `cargo run --example session_app` (memory store), or
//! `STORE=redis REDIS_URL=redis://127.0.0.1:6379 cargo run --example session_app`.
//!
//! Try it:
//!
//! ```text
//! curl -i -c jar -H 'content-type: application/json' \
//!      -d '{"username":"alice","password":"password123"}' localhost:3100/api/auth/login
//! curl -b jar localhost:3100/api/auth/me
//! # "remember me": the cookie lasts 30 days instead of one
//! curl -i -c jar -H 'content-type: application/json' \
//!      -d '{"username":"alice","password":"password123","rememberMe":true}' localhost:3100/api/auth/login
//! curl -b jar -c jar -H 'content-type: application/json' -d '{"item":"book"}' localhost:3100/api/cart/add
//! curl -b jar localhost:3100/api/session/info
//! curl -b jar -c jar -X POST localhost:3100/api/auth/logout
//! ```
//!
//! Open <http://localhost:3100/login> for the form login with flash messages.

mod app;

use hearth::prelude::*;

#[module(
    imports = [SessionModule::for_root(app::session_options(app::store_from_env())), app::FeatureModule],
)]
struct AppModule;

#[tokio::main]
async fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3100);
    Application::create::<AppModule>()?
        .use_global_interceptor(app::ActivityTracker {
            limit: app::INACTIVITY_LIMIT,
        })
        .listen(port)
        .await
}
