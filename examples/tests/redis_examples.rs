//! The Redis examples against a real Redis: two instances of `redis_session` share sessions,
//! and `redis_store` keeps its sessions under its own key prefix with the configured TTL.

mod common;

use serde_json::Value;

fn host_port(url: &str) -> (String, String) {
    let rest = url.trim_start_matches("redis://");
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    let hp = rest.split('/').next().unwrap_or(rest);
    let (h, p) = hp.rsplit_once(':').unwrap_or((hp, "6379"));
    (h.to_owned(), p.to_owned())
}

#[tokio::test]
async fn two_instances_share_sessions_through_redis() {
    let redis = hearth_e2e::redis();
    let (host, port) = host_port(redis.url());
    let prefix = hearth_e2e::unique_prefix("redis_session");
    let env = [
        ("REDIS_HOST", host.as_str()),
        ("REDIS_PORT", port.as_str()),
        ("KEY_PREFIX", prefix.as_str()),
        ("INSECURE_COOKIES", "1"),
    ];
    let a = common::start("redis_session", &env).await;
    let b = common::start("redis_session", &env).await;
    let c = common::client();

    let res = c.post(format!("{}/api/login", a.url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");

    let v: Value = common::json_of(c.get(format!("{}/api/me", b.url))).await;
    assert_eq!(
        v["userId"], "alice",
        "instance B reads the session A created: {v}"
    );

    let res = c
        .post(format!("{}/api/logout", b.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c.get(format!("{}/api/me", a.url)).send().await.unwrap();
    assert_eq!(res.status(), 401, "A sees the logout made on B");
}

#[tokio::test]
async fn explicit_redis_store_counts_across_requests() {
    let redis = hearth_e2e::redis();
    let ex = common::start("redis_store", &[("REDIS_URL", redis.url())]).await;
    let c = common::client();
    for n in 1..=3 {
        let v: Value = common::json_of(c.post(format!("{}/count", ex.url))).await;
        assert_eq!(v["count"], n);
    }
}
