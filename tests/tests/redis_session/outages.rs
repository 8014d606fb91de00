//! What only Redis can show: two instances sharing one Redis, outages (`CLIENT KILL`, Redis
//! stopped and restarted), the start-up check, and the keys a session leaves in Redis.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{self, Res, TestApp, id_of, options, start};
use deadpool_redis::redis::{self, AsyncCommands};
use hearth::prelude::*;
use hearth::session::store::{RedisOptions, StartupCheck};

/// A generous upper bound for anything that must not hang.
const PATIENCE: Duration = Duration::from_secs(10);

fn redis_options(url: &str, prefix: &str) -> RedisOptions {
    RedisOptions {
        url: Some(url.to_owned()),
        key_prefix: prefix.to_owned(),
        // Generous: a loaded CI machine must not turn slow answers into 503s. An outage is
        // still seen at once (refused connections, closed sockets).
        command_timeout: Duration::from_secs(3),
        connect_timeout: Duration::from_secs(3),
        ..Default::default()
    }
}

fn with_redis(url: &str, prefix: &str) -> SessionOptions {
    SessionOptions {
        store: StoreConfig::redis(redis_options(url, prefix)),
        ..options()
    }
}

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("connect to the test Redis")
}

/// The session records (not the user indexes) under `prefix`.
async fn record_keys(url: &str, prefix: &str) -> Vec<String> {
    let keys: Vec<String> = raw(url).await.keys(format!("{prefix}*")).await.unwrap();
    keys.into_iter()
        .filter(|k| !k[prefix.len()..].contains(':'))
        .collect()
}

async fn timed(app: &TestApp, method: http::Method, path: &str, cookie: Option<&str>) -> Res {
    let started = Instant::now();
    let res = tokio::time::timeout(PATIENCE, app.send(method, path, cookie))
        .await
        .unwrap_or_else(|_| panic!("{path} hung"));
    assert!(started.elapsed() < PATIENCE, "{path} took too long");
    res
}

/// While Redis is out of reach: routes that use the session (with `cookie`, or creating
/// one) answer 503 without store details, within `PATIENCE`; routes that never open their
/// session are unaffected, cookie or not.
async fn assert_store_unavailable(app: &TestApp, cookie: &str) {
    let res = timed(app, http::Method::GET, "/whoami", Some(cookie)).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(
        res.body.contains("Session store unavailable"),
        "{}",
        res.body
    );
    assert!(
        !res.body.contains("redis"),
        "no store details: {}",
        res.body
    );
    let res = timed(app, http::Method::POST, "/login", None).await;
    assert_eq!(res.status, 503, "{}", res.body);
    let res = timed(app, http::Method::GET, "/noop", Some(cookie)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = timed(app, http::Method::GET, "/noop", None).await;
    assert_eq!(res.status, 200);
}

/// Logs `user` in, retrying until Redis answers again (at most `PATIENCE`); the cookie.
async fn login_when_back(app: &TestApp, user: &str) -> String {
    let started = Instant::now();
    loop {
        let res = timed(
            app,
            http::Method::POST,
            &format!("/login?user={user}"),
            None,
        )
        .await;
        if res.status == 200 {
            return app.cookie(&res);
        }
        assert!(
            started.elapsed() < PATIENCE,
            "never recovered: {}",
            res.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions() {
    let redis = hearth_e2e::redis();
    let prefix = hearth_e2e::unique_prefix("two-instances");
    let a = start(with_redis(redis.url(), &prefix)).await;
    let b = start(with_redis(redis.url(), &prefix)).await;
    assert_ne!(a.url, b.url);

    let c = a.login("alice", None).await;
    assert_eq!(b.user(&c).await, "alice", "B reads A's session");
    let res = b.post("/set?v=7", Some(&c)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = a.get("/whoami", Some(&c)).await;
    assert_eq!(res.json()["n"], 7, "A sees B's write");
    let res = b.get("/admin/sessions?user=alice", None).await;
    assert_eq!(res.json(), json!([id_of(&c)]), "the user index is shared");

    let res = b.post("/logout", Some(&c)).await;
    assert_eq!(res.status, 200);
    assert_eq!(a.user(&c).await, Value::Null, "A sees the logout");
    assert_eq!(a.get("/whoami", Some(&c)).await.json()["new"], true);
    assert!(record_keys(redis.url(), &prefix).await.is_empty());
    a.server.shutdown().await.unwrap();
    b.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_one_key_with_the_session_ttl() {
    let redis = hearth_e2e::redis();
    let prefix = hearth_e2e::unique_prefix("keys");
    let app = start(SessionOptions {
        max_age: Duration::from_secs(3600),
        ..with_redis(redis.url(), &prefix)
    })
    .await;
    // Read-only requests without a cookie store nothing.
    for path in ["/whoami", "/noop", "/cart", "/flash"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.set_cookies.is_empty(), "{path}");
    }
    let keys: Vec<String> = raw(redis.url())
        .await
        .keys(format!("{prefix}*"))
        .await
        .unwrap();
    assert!(keys.is_empty(), "{keys:?}");

    let c = app.login("alice", None).await;
    let records = record_keys(redis.url(), &prefix).await;
    assert_eq!(records, vec![format!("{prefix}{}", id_of(&c))]);
    let mut conn = raw(redis.url()).await;
    let pttl: i64 = conn.pttl(&records[0]).await.unwrap();
    assert!(
        (3_590_000..=3_600_000).contains(&pttl),
        "TTL ≈ max_age: {pttl}"
    );
    let json: String = conn.get(&records[0]).await.unwrap();
    let record: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(record["data"]["userId"], "alice");

    let res = app.post("/logout", Some(&c)).await;
    assert_eq!(res.status, 200);
    assert!(record_keys(redis.url(), &prefix).await.is_empty());
    app.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_connections_are_replaced_without_losing_sessions() {
    let redis = hearth_e2e::spawn_redis();
    let prefix = hearth_e2e::unique_prefix("client-kill");
    let app = Arc::new(start(with_redis(redis.url(), &prefix)).await);
    let cookies: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..8 {
            v.push(app.login(&format!("user{i}"), None).await);
        }
        v
    };
    // Requests flow on every session while Redis kills every client connection, twice.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = cookies
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, c)| {
            let (app, stop, ok, failed) = (app.clone(), stop.clone(), ok.clone(), failed.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let res =
                        timed(&app, http::Method::POST, &format!("/set?v={n}"), Some(&c)).await;
                    if res.status == 200 {
                        ok.fetch_add(1, Ordering::SeqCst);
                        let who = timed(&app, http::Method::GET, "/whoami", Some(&c)).await;
                        if who.status == 200 {
                            assert_eq!(who.json()["user"], format!("user{i}"), "session lost");
                        }
                    } else {
                        assert_eq!(res.status, 503, "{}", res.body);
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    let mut admin = raw(redis.url()).await;
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _: redis::Value = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("normal")
            .arg("SKIPME")
            .arg("yes")
            .query_async(&mut admin)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }
    // Afterwards every session is still there and every request succeeds.
    for (i, c) in cookies.iter().enumerate() {
        for _ in 0..3 {
            let res = app.get("/whoami", Some(c)).await;
            assert_eq!(res.status, 200, "{}", res.body);
            assert_eq!(res.json()["user"], format!("user{i}"), "no session lost");
        }
    }
    assert!(ok.load(Ordering::SeqCst) > 0);
    let failed = failed.load(Ordering::SeqCst);
    // A brief error window only: the requests in flight at each kill, and a few that met a
    // dead connection before it was replaced (the exact number depends on timing).
    assert!(
        failed <= 4 * 8 * 2,
        "{failed} failures for 2 kills and 8 clients"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_means_503_for_session_routes_only_and_service_resumes() {
    let mut redis = hearth_e2e::spawn_redis();
    let prefix = hearth_e2e::unique_prefix("outage");
    let app = start(with_redis(redis.url(), &prefix)).await;
    let c = app.login("alice", None).await;
    assert_eq!(app.user(&c).await, "alice");

    redis.stop();
    for _ in 0..3 {
        assert_store_unavailable(&app, &c).await;
    }

    redis.restart();
    // Back without restarting the application (this redis-server keeps no data, so sessions
    // from before the outage are gone; the CLIENT KILL test covers "no session lost").
    let c = login_when_back(&app, "bob").await;
    for _ in 0..5 {
        assert_eq!(app.user(&c).await, "bob");
        let res = app.post("/set?v=1", Some(&c)).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    app.server.shutdown().await.unwrap();
}

/// A Redis that keeps its connections open but stops answering (frozen with SIGSTOP): each
/// session request ends in a 503 after the command timeout instead of hanging, and service
/// resumes when Redis does, with the sessions from before.
#[tokio::test]
async fn redis_that_stops_answering_means_503_after_the_command_timeout() {
    let redis = hearth_e2e::spawn_redis();
    let prefix = hearth_e2e::unique_prefix("frozen");
    let mut redis_options = redis_options(redis.url(), &prefix);
    // Shorter than the others' (each frozen round trip waits it out), still far above a
    // loaded machine's answer time.
    redis_options.command_timeout = Duration::from_millis(1500);
    redis_options.connect_timeout = Duration::from_millis(1500);
    let app = start(SessionOptions {
        store: StoreConfig::redis(redis_options),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    assert_eq!(app.user(&c).await, "alice");

    redis.pause();
    assert_store_unavailable(&app, &c).await;

    redis.resume();
    // The session written before the freeze is still there.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let res = timed(&app, http::Method::GET, "/whoami", Some(&c)).await;
        if res.status == 200 {
            assert_eq!(res.json()["user"], "alice", "{}", res.body);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Redis answers again: {}",
            res.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.server.shutdown().await.unwrap();
}

fn unreachable() -> (String, u16) {
    // A port nothing listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    (format!("redis://127.0.0.1:{port}"), port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_redis_at_start_up_is_an_error_naming_it() {
    let (url, _) = unreachable();
    let module = support::routes(
        ModuleDef::new("AppModule").import(SessionModule::for_root(with_redis(&url, "x:"))),
        Arc::default(),
    );
    let started = Instant::now();
    let e = Application::from_module(module)
        .expect("the module graph is fine")
        .build()
        .await
        .map(|_| ())
        .expect_err("start-up must fail")
        .to_string();
    assert!(started.elapsed() < PATIENCE);
    assert!(e.contains(&format!("cannot reach Redis at {url}")), "{e}");
    assert!(e.contains("start Redis or fix RedisOptions"), "{e}");

    // The password never appears in the message.
    let module = ModuleDef::new("AppModule").import(SessionModule::for_root(with_redis(
        &url.replace("redis://", "redis://:hunter2@"),
        "x:",
    )));
    let e = Application::from_module(module)
        .unwrap()
        .build()
        .await
        .map(|_| ())
        .expect_err("start-up must fail")
        .to_string();
    assert!(!e.contains("hunter2") && e.contains(":***@"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_starts_without_redis_and_recovers_when_it_comes() {
    let mut redis = hearth_e2e::spawn_redis();
    let url = redis.url().to_owned();
    redis.stop();
    let prefix = hearth_e2e::unique_prefix("warn");
    let app = start(SessionOptions {
        store: StoreConfig::redis(RedisOptions {
            startup: StartupCheck::Warn,
            ..redis_options(&url, &prefix)
        }),
        ..options()
    })
    .await;
    let res = timed(&app, http::Method::POST, "/login", None).await;
    assert_eq!(res.status, 503, "{}", res.body);
    let res = timed(&app, http::Method::GET, "/noop", None).await;
    assert_eq!(res.status, 200);

    redis.restart();
    let c = login_when_back(&app, "carol").await;
    assert_eq!(app.user(&c).await, "carol");
    app.server.shutdown().await.unwrap();
}
