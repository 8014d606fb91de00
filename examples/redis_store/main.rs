//! The seed's "Redis Session Store": an explicit `RedisSessionStore` (host, port, password,
//! db, key prefix, ttl) handed to `SessionModule::for_root` as its store.
//!
//! `REDIS_URL=redis://127.0.0.1:6379 cargo run --example redis_store`

use std::time::Duration;

use hearth::prelude::*;
use hearth::session::{RedisOptions, RedisSessionStore};

#[controller]
struct CounterController;

#[routes]
impl CounterController {
    #[post("/count")]
    async fn count(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let n = session.get::<u64>("count")?.unwrap_or(0) + 1;
        session.insert("count", &n)?;
        Ok(Json(json!({ "count": n })))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);

    // new RedisSessionStore({ host, port, password, db, keyPrefix, ttl })
    let redis_store = RedisSessionStore::new(RedisOptions {
        url: std::env::var("REDIS_URL").ok(), // or host/port/password below
        host: "localhost".into(),
        port: 6379,
        password: std::env::var("REDIS_PASSWORD").ok(),
        db: 0,
        key_prefix: "myapp:session:".into(),
        ttl: Some(Duration::from_secs(86_400)), // 24 hours
        ..Default::default()
    })?;

    let sessions = SessionModule::for_root(SessionOptions {
        secret: std::env::var("SESSION_SECRET")
            .unwrap_or_else(|_| "development-secret-development-secret-0123456789".into()),
        store: redis_store.into(),
        ..Default::default()
    });
    let root = ModuleDef::new("AppModule")
        .import(sessions)
        .controller::<CounterController>();

    tokio::runtime::Runtime::new()?
        .block_on(async { Application::from_module(root)?.listen(port).await })?;
    Ok(())
}
