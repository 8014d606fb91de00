//! The memory store's background sweeper really frees expired sessions: 50,000 sessions with
//! a one-second lifetime, nobody reads them again, and the store ends up empty by itself
//! (no read, no explicit purge). Without the sweeper, a server whose clients never come back
//! would keep every session it ever made.

use std::time::{Duration, Instant};

use hearth::extract::FromRequestParts;
use hearth::http::Method;
use hearth::prelude::*;
use hearth::session::MemoryStore;

const SECRET: &str = "memory-sweep-secret-0123456789abcdef-0123456789abcdef";
const SESSIONS: usize = 50_000;
const OVER_HTTP: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_freed_by_the_sweeper() {
    // The default sweep runs every minute; a shorter one keeps the test short.
    let store = MemoryStore::with_sweep_interval(Duration::from_millis(200));
    let options = SessionOptions {
        secret: SECRET.into(),
        max_age: Duration::from_secs(1),
        store: StoreConfig::custom(store.clone()),
        ..Default::default()
    };
    let module = ModuleDef::new("MemorySweep")
        .import(SessionModule::for_root(options.clone()))
        .route(Method::POST, "/login", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let s = Session::from_request_parts(&mut parts).await?;
            s.regenerate();
            s.insert("userId", "alice")?;
            HttpResult::Ok("welcome")
        });
    let app = Application::from_module(module)
        .unwrap()
        .build()
        .await
        .unwrap();
    let server = app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());

    // Some through the login route, the rest through SessionService on the same store.
    let client = reqwest::Client::new();
    for _ in 0..OVER_HTTP {
        let res = client
            .post(format!("{}/login", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let svc = hearth::session::session_middleware(options)
        .unwrap()
        .service();
    for i in OVER_HTTP..SESSIONS {
        svc.create(&json!({ "userId": format!("user-{}", i % 1000) }))
            .await
            .unwrap();
    }
    let created = store.len();
    // Some may already be gone if creating them took longer than their lifetime.
    assert!(created > 0 && created <= SESSIONS, "{created}");

    // Expiry (1 s) plus a few sweeps; the bound is generous.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !store.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} of {SESSIONS} expired sessions are still held",
            store.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // And no user still lists them.
    assert!(svc.sessions_of("user-7").await.unwrap().is_empty());
    assert!(svc.sessions_of("alice").await.unwrap().is_empty());
    server.shutdown().await.unwrap();
}
