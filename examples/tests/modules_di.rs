//! `examples/modules_di`: a global config module, a feature module with a private repository,
//! a request-scoped provider and a lifecycle hook, walked over HTTP.

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn modules_and_di_example() {
    let ex = common::start("modules_di", &[]).await;
    let c = common::client();

    // Seeded by the repository's on_module_init hook; greeting from the global module's token.
    let v: Value = common::json_of(c.get(format!("{}/users/1", ex.url))).await;
    assert_eq!(v["message"], "Hello, Ada!");
    assert_eq!(v["sameInstance"], true, "one RequestInfo per request");
    let first = v["request"].as_u64().unwrap();

    let v: Value = common::json_of(c.get(format!("{}/users/1", ex.url))).await;
    assert_ne!(
        v["request"].as_u64().unwrap(),
        first,
        "a new RequestInfo for each request"
    );

    let res = c
        .post(format!("{}/users", ex.url))
        .json(&json!({ "name": "Grace" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let user: Value = res.json().await.unwrap();
    let id = user["id"].as_u64().unwrap();
    let v: Value = common::json_of(c.get(format!("{}/users/{id}", ex.url))).await;
    assert_eq!(v["message"], "Hello, Grace!");

    let res = c.get(format!("{}/users/999", ex.url)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = c.get(format!("{}/users/abc", ex.url)).send().await.unwrap();
    assert_eq!(res.status(), 400);
}
