//! The examples that mirror single snippets of the seed guide, started and walked over HTTP:
//! `session_service` (SessionService through SESSION_SERVICE_TOKEN), `session_middleware`
//! (sessions with `use_middleware` and activity tracking) and `secure_session` (`__Host-`).

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn session_service_example_manages_sessions_without_a_request() {
    let ex = common::start("session_service", &[]).await;
    let c = common::client();
    let url = &ex.url;

    let res = c
        .post(format!("{url}/sessions"))
        .json(&json!({ "userId": "u1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("sessionId=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The cookie the service signed works for a request-bound `#[session]` handler.
    let v: Value = common::json_of(c.get(format!("{url}/sessions/current/user"))).await;
    assert_eq!(v["userId"], "u1");

    let v: Value = common::json_of(c.get(format!("{url}/sessions/{id}"))).await;
    assert_eq!(v["userId"], "u1");
    assert!(v["createdAt"].as_u64().unwrap() > 0);

    let v: Value = common::json_of(
        c.patch(format!("{url}/sessions/{id}"))
            .json(&json!({ "theme": "dark", "createdAt": null })),
    )
    .await;
    assert_eq!(
        v,
        json!({ "userId": "u1", "theme": "dark" }),
        "merge; null removes"
    );

    let res = c
        .delete(format!("{url}/sessions/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        c.get(format!("{url}/sessions/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(format!("{url}/sessions/current/user"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.delete(format!("{url}/sessions/{id}"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let res = c
        .patch(format!("{url}/sessions/{id}"))
        .json(&json!([1]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn session_middleware_example_counts_visits_and_tracks_activity() {
    let ex = common::start("session_middleware", &[]).await;
    let c = common::client();
    let url = &ex.url;
    let v: Value = common::json_of(c.get(format!("{url}/visits"))).await;
    assert_eq!(v["visits"], 1);
    assert_eq!(
        v["lastActivity"],
        Value::Null,
        "a new session has no activity yet"
    );
    let v: Value = common::json_of(c.get(format!("{url}/visits"))).await;
    assert_eq!(v["visits"], 2);
    assert!(
        v["lastActivity"].as_u64().is_some(),
        "activity middleware ran: {v}"
    );
    assert_eq!(
        c.post(format!("{url}/reset"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let v: Value = common::json_of(c.get(format!("{url}/visits"))).await;
    assert_eq!(v["visits"], 1);
}

#[tokio::test]
async fn secure_session_example_sets_a_host_cookie() {
    let secret = "0123456789abcdef0123456789abcdef-example";
    let ex = common::start("secure_session", &[("SESSION_SECRET", secret)]).await;
    let c = common::client();
    let res = c
        .post(format!("{}/api/login", ex.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    for attr in [
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=3600",
    ] {
        assert!(cookie.contains(attr), "{attr} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}

#[tokio::test]
async fn secure_session_example_refuses_to_start_without_a_secret() {
    let bin = common::binary("secure_session");
    let out = std::process::Command::new(bin)
        .env_remove("SESSION_SECRET")
        .env("PORT", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("secret"),
        "the error must name the secret: {err}"
    );
}
