//! Regenerate, destroy, rolling and absolute expiry, flash messages, key rotation.

use std::time::{Duration, Instant};

use hearth::prelude::*;
use hearth::session::StoreConfig;

use crate::support::*;

#[tokio::test]
async fn regenerate_changes_the_id_keeps_data_and_kills_the_old_id() {
    let app = start(options()).await;
    let anon = app.cookie(&app.post("/set?v=42", None).await);
    let logged_in = app.login("alice", Some(&anon)).await;
    assert_ne!(id_of(&anon), id_of(&logged_in), "login regenerates the id");
    let res = app.get("/whoami", Some(&logged_in)).await;
    assert_eq!(res.json()["user"], "alice");
    assert_eq!(res.json()["n"], 42, "data carried over");
    // The pre-login id (which an attacker might have planted) is worthless now.
    let res = app.get("/whoami", Some(&anon)).await;
    assert_eq!(res.json()["n"], Value::Null);
    assert_eq!(res.json()["new"], true);
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn destroy_expires_the_cookie_and_a_replay_is_anonymous() {
    let store = fresh_store();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    assert_eq!(store.len().await, 1);
    let res = app.post("/logout", Some(&c)).await;
    let set = app.session_set_cookie(&res).expect("cookie expired");
    assert_eq!(attr(&set, "Max-Age"), Some("0"), "{set}");
    assert!(set.starts_with(&format!("{}=;", app.name)), "{set}");
    assert!(store.is_empty().await, "record deleted");
    // Replaying the old cookie gives an anonymous session.
    assert_eq!(app.user(&c).await, Value::Null);
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn rolling_sessions_are_extended_by_every_request() {
    let store = fresh_store();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        max_age: Duration::from_secs(100),
        ..options()
    })
    .await;
    let svc = hearth::session::session_middleware(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .unwrap()
    .service();
    let c = app.login("alice", None).await;
    let id = id_of(&c).to_owned();
    let first = svc.record(&id).await.unwrap().unwrap().expires_at;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // A request that never reads the session: store TTL and cookie are extended.
    let res = app.get("/noop", Some(&c)).await;
    let set = app.session_set_cookie(&res).expect("cookie re-sent");
    let max_age: u64 = attr(&set, "Max-Age").unwrap().parse().unwrap();
    assert!((99..=100).contains(&max_age), "{set}");
    let second = svc.record(&id).await.unwrap().unwrap().expires_at;
    assert!(second > first, "store expiry extended");
    // A request that reads it: the same.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let res = app.get("/whoami", Some(&c)).await;
    assert!(app.session_set_cookie(&res).is_some());
    assert!(svc.record(&id).await.unwrap().unwrap().expires_at >= second);
    app.server.shutdown().await.unwrap();

    // rolling = false: only writes extend.
    let store = fresh_store();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        max_age: Duration::from_secs(100),
        rolling: false,
        ..options()
    })
    .await;
    let svc = hearth::session::session_middleware(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .unwrap()
    .service();
    let c = app.login("alice", None).await;
    let id = id_of(&c).to_owned();
    let first = svc.record(&id).await.unwrap().unwrap().expires_at;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for path in ["/noop", "/whoami"] {
        let res = app.get(path, Some(&c)).await;
        assert!(app.session_set_cookie(&res).is_none(), "{path}");
    }
    assert_eq!(svc.record(&id).await.unwrap().unwrap().expires_at, first);
    let res = app.post("/set?v=2", Some(&c)).await;
    assert_eq!(id_of(&app.cookie(&res)), id);
    assert!(svc.record(&id).await.unwrap().unwrap().expires_at > first);
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn absolute_timeout_ends_a_busy_session() {
    let app = start(SessionOptions {
        max_age: Duration::from_secs(60),
        absolute_timeout: Some(Duration::from_secs(2)),
        ..options()
    })
    .await;
    let started = Instant::now();
    let c = app.login("alice", None).await;
    assert_eq!(app.user(&c).await, "alice");
    // Keep the session busy (reads and writes) until it ends.
    let mut i = 0;
    loop {
        i += 1;
        let path = if i % 2 == 0 { "/whoami" } else { "/noop" };
        let res = app.get(path, Some(&c)).await;
        assert_eq!(res.status, 200);
        let _ = app.post("/set", Some(&c)).await;
        if app.user(&c).await.is_null() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the session outlived its absolute timeout"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "ended by the absolute timeout, not earlier"
    );
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn flash_messages_are_read_once() {
    let app = start(options()).await;
    let c = app.cookie(&app.post("/flash", None).await);
    let res = app.get("/flash", Some(&c)).await;
    assert_eq!(res.json()["msg"], "hello");
    let res = app.get("/flash", Some(&c)).await;
    assert_eq!(res.json()["msg"], Value::Null, "read once");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn key_rotation_accepts_old_cookies_and_re_signs_them() {
    let store = fresh_store();
    let old = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let c = old.login("alice", None).await;
    old.server.shutdown().await.unwrap();

    let rotated = start(SessionOptions {
        secret: OTHER_SECRET.into(),
        previous_secrets: vec![SECRET.into()],
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let res = rotated.get("/whoami", Some(&c)).await;
    assert_eq!(res.json()["user"], "alice", "old-key cookie accepted");
    let re_signed = rotated.cookie(&res);
    assert_eq!(id_of(&re_signed), id_of(&c), "same session");
    assert_ne!(re_signed, c, "re-signed with the new key");
    rotated.server.shutdown().await.unwrap();

    // Once the old key is retired, only the re-signed cookie works.
    let retired = start(SessionOptions {
        secret: OTHER_SECRET.into(),
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    assert_eq!(retired.user(&c).await, Value::Null);
    assert_eq!(retired.user(&re_signed).await, "alice");
    retired.server.shutdown().await.unwrap();

    // Also without rolling: a loaded session is re-signed.
    let no_roll = start(SessionOptions {
        secret: OTHER_SECRET.into(),
        previous_secrets: vec![SECRET.into()],
        store: StoreConfig::custom(store.clone()),
        rolling: false,
        ..options()
    })
    .await;
    let c2 = {
        let old = start(SessionOptions {
            store: StoreConfig::custom(store.clone()),
            ..options()
        })
        .await;
        let c2 = old.login("bob", None).await;
        old.server.shutdown().await.unwrap();
        c2
    };
    let res = no_roll.get("/whoami", Some(&c2)).await;
    assert_eq!(res.json()["user"], "bob");
    assert_ne!(no_roll.cookie(&res), c2);
    no_roll.server.shutdown().await.unwrap();
}
