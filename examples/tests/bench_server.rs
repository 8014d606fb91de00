//! `examples/bench_server` answers every route of the benchmark contract, with the memory
//! store and with Redis.

mod common;

use serde_json::{Value, json};

async fn walk(url: &str) {
    let c = common::client();
    assert_eq!(
        c.get(format!("{url}/plaintext"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Hello, World!"
    );
    let res = c.get(format!("{url}/json")).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().await.unwrap(), r#"{"message":"Hello, World!"}"#);

    let res = c.get(format!("{url}/api/profile")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session for an anonymous read"
    );

    let res = c
        .post(format!("{url}/api/login"))
        .json(&json!({ "email": "alice@example.com", "password": "pw" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sessionId="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Max-Age=86400", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "message": "Logged in" })
    );

    let v: Value = c
        .get(format!("{url}/api/profile"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({ "userId": "alice@example.com" }));
    let v: Value = c
        .get(format!("{url}/api/activity"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["userId"], "alice@example.com");
    assert!(v["lastActivity"].as_u64().unwrap() > 0);

    for n in 1..=2 {
        let v: Value = c
            .post(format!("{url}/api/cart/add"))
            .json(&json!({ "sku": format!("sku-{n}"), "qty": n }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v.as_array().unwrap().len(), n, "{v}");
    }

    let res = c.post(format!("{url}/api/logout")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let res = c.get(format!("{url}/api/profile")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn contract_routes_with_memory_store() {
    let ex = common::start("bench_server", &[("STORE", "memory")]).await;
    // The memory store keeps no per-thread state: work stealing (Scheduler::Auto).
    assert!(ex.banner.contains("work stealing"), "{}", ex.banner);
    walk(&ex.url).await;
}

#[tokio::test]
async fn contract_routes_with_redis_store() {
    let redis = hearth_e2e::redis();
    let ex = common::start(
        "bench_server",
        &[("STORE", "redis"), ("REDIS_URL", redis.url())],
    )
    .await;
    // One Redis connection per worker thread: thread per core (Scheduler::Auto).
    assert!(ex.banner.contains("thread per core"), "{}", ex.banner);
    walk(&ex.url).await;
}
