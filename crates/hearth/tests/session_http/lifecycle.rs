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
    let svc = service_of(&store, Duration::from_secs(100));
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
    let svc = service_of(&store, Duration::from_secs(100));
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

/// A `SessionService` over `store` with the app's `max_age`, to read records as the store
/// has them (with Redis, the expiry comes from the key's TTL).
fn service_of(store: &TestStore, max_age: Duration) -> SessionService {
    hearth::session::session_middleware(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        max_age,
        ..options()
    })
    .unwrap()
    .service()
}

const HOUR: u64 = 3600;
const MONTH: u64 = 30 * 24 * HOUR;

/// An app whose sessions live `max_age` seconds unless they set their own lifetime, on a
/// fresh store, and a `SessionService` over that store.
async fn start_lifetimes(max_age: u64, expire_on_close: bool) -> (TestApp, SessionService) {
    let store = fresh_store();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        max_age: Duration::from_secs(max_age),
        expire_on_close,
        ..options()
    })
    .await;
    (app, service_of(&store, Duration::from_secs(max_age)))
}

/// The `Max-Age` of the session cookie a response sets.
fn max_age_set(app: &TestApp, res: &Res) -> u64 {
    let set = app.session_set_cookie(res).expect("session cookie set");
    attr(&set, "Max-Age").unwrap().parse().unwrap()
}

/// Asserts that the record of `id` expires `secs` from now (to within 5 s).
async fn assert_expires_in(svc: &SessionService, id: &str, secs: u64, what: &str) {
    let expires_at = svc.record(id).await.unwrap().expect("record").expires_at;
    let left = expires_at.saturating_sub(hearth::session::now_ms()) / 1000;
    assert!(
        left.abs_diff(secs) <= 5,
        "{what}: the record expires in {left} s, not {secs} s"
    );
}

#[tokio::test]
async fn remember_me_gives_one_session_a_longer_rolling_lifetime() {
    let (app, svc) = start_lifetimes(HOUR, false).await;
    let res = app.post("/login?user=alice", None).await;
    assert_eq!(max_age_set(&app, &res), HOUR, "the default lifetime");
    let c = app.cookie(&res);
    let other = app.login("bob", None).await;

    let res = app.post("/remember?days=30", Some(&c)).await;
    assert_eq!(res.json()["maxAge"], MONTH);
    assert_eq!(max_age_set(&app, &res), MONTH);
    assert_expires_in(&svc, id_of(&c), MONTH, "after set_max_age").await;

    // Kept on every later request: one that reads the session, one that never loads it;
    // both extend the record and the cookie by the session's own lifetime.
    for path in ["/whoami", "/noop"] {
        let res = app.get(path, Some(&c)).await;
        assert_eq!(max_age_set(&app, &res), MONTH, "{path}");
        assert_expires_in(&svc, id_of(&c), MONTH, path).await;
    }
    // Other sessions keep the default.
    let res = app.get("/whoami", Some(&other)).await;
    assert_eq!(max_age_set(&app, &res), HOUR);
    assert_expires_in(&svc, id_of(&other), HOUR, "another session").await;
    assert!(svc.touch(id_of(&other)).await.unwrap());
    assert_expires_in(&svc, id_of(&other), HOUR, "another session, touched").await;

    // A new id (login again) carries the lifetime over, as it does the data.
    let res = app.post("/login?user=alice", Some(&c)).await;
    let c2 = app.cookie(&res);
    assert_ne!(id_of(&c2), id_of(&c));
    assert_eq!(max_age_set(&app, &res), MONTH);
    assert_expires_in(&svc, id_of(&c2), MONTH, "after regenerate").await;
    // SessionService::touch extends by it as well.
    assert!(svc.touch(id_of(&c2)).await.unwrap());
    assert_expires_in(&svc, id_of(&c2), MONTH, "SessionService::touch").await;

    // Back to the default.
    let res = app.post("/forget", Some(&c2)).await;
    assert_eq!(res.json()["maxAge"], HOUR);
    assert_eq!(max_age_set(&app, &res), HOUR);
    assert_expires_in(&svc, id_of(&c2), HOUR, "after reset_max_age").await;
    let res = app.get("/noop", Some(&c2)).await;
    assert_eq!(max_age_set(&app, &res), HOUR);
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn session_service_sets_a_sessions_lifetime_by_id() {
    let (app, svc) = start_lifetimes(HOUR, false).await;
    let c = app.login("alice", None).await;
    let id = id_of(&c);
    assert!(
        svc.set_max_age(id, Duration::from_secs(MONTH))
            .await
            .unwrap()
    );
    assert_expires_in(&svc, id, MONTH, "at once").await;
    // The cookie follows on the session's next request.
    let res = app.get("/whoami", Some(&c)).await;
    assert_eq!(max_age_set(&app, &res), MONTH);
    assert!(
        svc.set_max_age(id, Duration::from_secs(HOUR))
            .await
            .unwrap()
    );
    assert_expires_in(&svc, id, HOUR, "back to the default").await;
    assert_eq!(max_age_set(&app, &app.get("/noop", Some(&c)).await), HOUR);
    // A lifetime out of range, an unknown session.
    let err = svc
        .set_max_age(id, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("between SessionOptions::max_age"),
        "{err}"
    );
    let unknown = hearth::session::new_id();
    assert!(
        !svc.set_max_age(&unknown, Duration::from_secs(MONTH))
            .await
            .unwrap()
    );
    assert_eq!(app.user(&c).await, "alice", "the session is unchanged");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn expire_on_close_sends_browser_session_cookies_unless_remembered() {
    let (app, svc) = start_lifetimes(HOUR, true).await;
    let session_only = |res: &Res| {
        let set = app.session_set_cookie(res).expect("session cookie set");
        assert!(
            attr(&set, "Max-Age").is_none() && attr(&set, "Expires").is_none(),
            "not a browser-session cookie: {set}"
        );
    };
    let res = app.post("/login?user=alice", None).await;
    session_only(&res);
    let c = app.cookie(&res);
    let first = svc.record(id_of(&c)).await.unwrap().unwrap().expires_at;
    assert_expires_in(&svc, id_of(&c), HOUR, "the store still ends it").await;

    // Nothing to renew in the browser; the store still extends the session.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for path in ["/whoami", "/noop"] {
        let res = app.get(path, Some(&c)).await;
        assert_eq!(res.status, 200);
        assert!(
            app.session_set_cookie(&res).is_none(),
            "{path}: {:?}",
            res.set_cookies
        );
    }
    assert_eq!(app.user(&c).await, "alice");
    assert!(svc.record(id_of(&c)).await.unwrap().unwrap().expires_at > first);
    // A write sends the cookie again, still without an expiry.
    session_only(&app.post("/set?v=3", Some(&c)).await);

    // "Remember me": a persistent cookie, renewed by every request.
    let res = app.post("/remember?days=30", Some(&c)).await;
    assert_eq!(max_age_set(&app, &res), MONTH);
    for path in ["/whoami", "/noop"] {
        assert_eq!(
            max_age_set(&app, &app.get(path, Some(&c)).await),
            MONTH,
            "{path}"
        );
    }
    // Forgotten: a browser-session cookie again.
    session_only(&app.post("/forget", Some(&c)).await);
    let res = app.get("/noop", Some(&c)).await;
    assert!(app.session_set_cookie(&res).is_none());
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_lifetime_out_of_range_is_an_error_naming_the_range() {
    let (app, svc) = start_lifetimes(2 * 24 * HOUR, false).await;
    let c = app.login("alice", None).await;
    for days in [1, 401] {
        let res = app.post(&format!("/remember?days={days}"), Some(&c)).await;
        assert_eq!(res.status, 500, "days={days}: {}", res.body);
        assert!(
            !res.body.contains("set_max_age"),
            "nothing internal leaks: {}",
            res.body
        );
        let res = app
            .post(&format!("/remember?days={days}&explain"), Some(&c))
            .await;
        let message = res.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.contains("between SessionOptions::max_age (172800s) and 400 days"),
            "{message}"
        );
    }
    // The session is unchanged, and the default (and the longest) lifetime are accepted.
    assert_eq!(app.user(&c).await, "alice");
    assert_expires_in(&svc, id_of(&c), 2 * 24 * HOUR, "unchanged").await;
    for days in [2, 400] {
        let res = app.post(&format!("/remember?days={days}"), Some(&c)).await;
        assert_eq!(res.status, 200, "days={days}: {}", res.body);
        assert_eq!(max_age_set(&app, &res), days * 24 * HOUR);
    }
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
    // "Remember me" does not lift the deadline either.
    let res = app.post("/remember?days=30", Some(&c)).await;
    let max_age = max_age_set(&app, &res);
    assert!(max_age <= 2, "capped by the deadline: {max_age}");
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
