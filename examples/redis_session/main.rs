//! The seed's "Redis session (production)" setup: `SessionModule::for_root` with the Redis
//! store, so that several instances behind a load balancer share sessions.
//!
//! `REDIS_HOST=127.0.0.1 REDIS_PORT=6379 cargo run --example redis_session`, start a second
//! copy with `PORT=3001`, log in on one and read the session on the other:
//!
//! ```text
//! curl -c jar -X POST localhost:3000/api/login
//! curl -b jar localhost:3001/api/me
//! ```

use std::time::Duration;

use hearth::prelude::*;
use hearth::session::RedisOptions;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The seed's production options: Redis, `SameSite=Strict`; `secure` is on unless
/// `INSECURE_COOKIES=1` (for trying it over plain `http://localhost`).
fn redis_session_options() -> SessionOptions {
    SessionOptions {
        secret: env("SESSION_SECRET")
            .unwrap_or_else(|| "development-secret-development-secret-0123456789".into()),
        store: StoreConfig::redis(RedisOptions {
            host: env("REDIS_HOST").unwrap_or_else(|| "localhost".into()),
            port: env("REDIS_PORT")
                .and_then(|p| p.parse().ok())
                .unwrap_or(6379),
            password: env("REDIS_PASSWORD"),
            key_prefix: env("KEY_PREFIX").unwrap_or_else(|| "session:".into()),
            ..Default::default()
        }),
        name: "sessionId".into(),
        max_age: Duration::from_secs(24 * 60 * 60),
        http_only: true,
        secure: env("INSECURE_COOKIES").is_none(),
        same_site: SameSite::Strict,
        ..Default::default()
    }
}

#[controller("/api")]
struct AccountController;

#[routes]
impl AccountController {
    #[post("/login")]
    async fn login(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        session.regenerate();
        session.insert("userId", "alice")?;
        Ok(Json(
            json!({ "message": "Logged in", "instance": instance() }),
        ))
    }

    #[get("/me")]
    async fn me(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let id: String = session
            .get("userId")?
            .ok_or(UnauthorizedException::new("Not logged in"))?;
        Ok(Json(json!({ "userId": id, "instance": instance() })))
    }

    #[post("/logout")]
    async fn logout(&self, #[session] session: Session) -> Json<Value> {
        session.destroy();
        Json(json!({ "message": "Logged out", "instance": instance() }))
    }
}

fn instance() -> String {
    std::env::var("PORT").unwrap_or_else(|_| "3000".into())
}

#[module(imports = [SessionModule::for_root(redis_session_options())], controllers = [AccountController])]
struct AppModule;

#[tokio::main]
async fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    Application::create::<AppModule>()?.listen(port).await
}
