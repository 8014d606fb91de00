//! `examples/session_app` walked as a user would: login → me → cart → session info →
//! flash-message form login → inactivity → logout, with the memory store and with Redis.

mod common;

use serde_json::{Value, json};

async fn json(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// `POST /api/auth/login` with `body` (username, password and maybe rememberMe).
async fn login(c: &reqwest::Client, url: &str, body: Value) -> reqwest::Response {
    c.post(format!("{url}/api/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn walk(url: &str) {
    let c = common::client();

    // Not logged in: 401, and no session is created for it.
    let res = c.get(format!("{url}/api/auth/me")).send().await.unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    let (status, body) = json(res).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("Not logged in"))
    );

    // Bad credentials: 401 JSON.
    let res = login(&c, url, json!({ "username": "alice", "password": "wrong" })).await;
    assert_eq!(json(res).await.0, 401);

    // A session exists before login (a cart item), then login moves it to a new id.
    let (status, cart) = json(
        c.post(format!("{url}/api/cart/add"))
            .json(&json!({ "item": "book" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cart["cart"], json!(["book"]));
    let info = common::json_of(c.get(format!("{url}/api/session/info"))).await;
    let anonymous_id = info["id"].as_str().unwrap().to_owned();

    let (status, body) = json(
        login(
            &c,
            url,
            json!({ "username": "alice", "password": "password123" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["username"], "alice");

    let info = common::json_of(c.get(format!("{url}/api/session/info"))).await;
    assert_ne!(
        info["id"].as_str().unwrap(),
        anonymous_id,
        "login must change the session id"
    );
    assert_eq!(info["data"]["userId"], "1");
    assert_eq!(info["data"]["username"], "alice");
    assert_eq!(
        info["data"]["cart"],
        json!(["book"]),
        "data kept across regenerate"
    );
    for k in ["createdAt", "lastAccessedAt", "expiresAt"] {
        let v = info[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} missing: {info}"));
        assert!(
            v.contains('T') && v.ends_with('Z'),
            "{k} is not ISO-8601: {v}"
        );
    }

    let (status, me) = json(c.get(format!("{url}/api/auth/me")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["username"], "alice");
    let (status, profile) = json(c.get(format!("{url}/api/profile")).send().await.unwrap()).await;
    assert_eq!((status, profile["username"].as_str()), (200, Some("alice")));

    // Cart: add, read, clear.
    c.post(format!("{url}/api/cart/add"))
        .json(&json!({ "item": "pen" }))
        .send()
        .await
        .unwrap();
    let (_, cart) = json(c.get(format!("{url}/api/cart")).send().await.unwrap()).await;
    assert_eq!(cart["cart"], json!(["book", "pen"]));
    let (status, _) = json(
        c.post(format!("{url}/api/cart/add"))
            .json(&json!({ "item": "" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    c.post(format!("{url}/api/cart/clear"))
        .send()
        .await
        .unwrap();
    let (_, cart) = json(c.get(format!("{url}/api/cart")).send().await.unwrap()).await;
    assert_eq!(cart["cart"], json!([]));

    // Raw values.
    let (status, _) = json(
        c.post(format!("{url}/api/session/set"))
            .json(&json!({ "key": "theme", "value": { "dark": true } }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, v) = json(
        c.get(format!("{url}/api/session/get/theme"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["value"], json!({ "dark": true }));
    // Not the keys login writes, nor Hearth's own: that would be logging in as anyone.
    for key in ["userId", "roles", "__maxAge", "__flash"] {
        let (status, body) = json(
            c.post(format!("{url}/api/session/set"))
                .json(&json!({ "key": key, "value": "2" }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{key}: {body}");
    }
    let (_, me) = json(c.get(format!("{url}/api/auth/me")).send().await.unwrap()).await;
    assert_eq!(me["user"]["username"], "alice");

    // Logout: the session is gone.
    let res = c
        .post(format!("{url}/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        json(c.get(format!("{url}/api/auth/me")).send().await.unwrap())
            .await
            .0,
        401
    );
}

async fn flash_flow(url: &str) {
    let c = common::client();
    // Failed form login: redirect back to the form, which shows the error once.
    let res = c
        .post(format!("{url}/login"))
        .form(&[("username", "bob"), ("password", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let page = c
        .get(format!("{url}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Invalid credentials"), "{page}");
    let page = c
        .get(format!("{url}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Invalid credentials"),
        "a flash message is shown once"
    );

    // Successful form login: redirect to the dashboard, which shows the welcome once.
    let res = c
        .post(format!("{url}/login"))
        .form(&[("username", "bob"), ("password", "password456")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard");
    let (_, dash) = json(c.get(format!("{url}/dashboard")).send().await.unwrap()).await;
    assert_eq!(
        dash["flash"],
        json!({ "type": "success", "message": "Welcome back!" })
    );
    assert_eq!(dash["user"]["username"], "bob");
    let (_, dash) = json(c.get(format!("{url}/dashboard")).send().await.unwrap()).await;
    assert_eq!(dash["flash"], Value::Null);
    assert_eq!(dash["user"]["username"], "bob");
}

async fn inactivity(url: &str) {
    let c = common::client();
    let res = login(
        &c,
        url,
        json!({ "username": "alice", "password": "password123" }),
    )
    .await;
    assert_eq!(res.status(), 200);
    // Pretend the last request was 31 minutes ago.
    let old = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        - 31 * 60 * 1000;
    c.post(format!("{url}/api/session/set"))
        .json(&json!({ "key": "lastActivity", "value": old }))
        .send()
        .await
        .unwrap();
    let (status, body) = json(c.get(format!("{url}/api/profile")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Session expired due to inactivity");
    assert_eq!(
        json(c.get(format!("{url}/api/auth/me")).send().await.unwrap())
            .await
            .0,
        401
    );
}

async fn logout_everywhere(url: &str) {
    let (a, b) = (common::client(), common::client());
    for c in [&a, &b] {
        let res = login(
            c,
            url,
            json!({ "username": "bob", "password": "password456" }),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
    let (status, body) = json(
        a.post(format!("{url}/api/auth/logout-all"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["sessions"].as_u64().unwrap() >= 1);
    assert_eq!(
        json(b.get(format!("{url}/api/auth/me")).send().await.unwrap())
            .await
            .0,
        401
    );
}

/// The session cookie's `Max-Age` on a response (`None` when it sets no session cookie).
fn cookie_max_age(res: &reqwest::Response) -> Option<u64> {
    let set = res.headers().get("set-cookie")?.to_str().ok()?;
    let attr = set
        .split(';')
        .find_map(|a| a.trim().strip_prefix("Max-Age="))?;
    attr.parse().ok()
}

/// "Remember me" at login: 30 days instead of one, renewed by every request.
async fn remember_me(url: &str) {
    const DAY: u64 = 24 * 3600;
    for (remember, lifetime) in [(false, DAY), (true, 30 * DAY)] {
        let c = common::client();
        let res = login(
            &c,
            url,
            json!({ "username": "alice", "password": "password123", "rememberMe": remember }),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            cookie_max_age(&res),
            Some(lifetime),
            "rememberMe={remember}"
        );
        let res = c.get(format!("{url}/api/auth/me")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            cookie_max_age(&res),
            Some(lifetime),
            "renewed, rememberMe={remember}"
        );
        // The session info's last access is now, not the expiry minus the default lifetime.
        let info = common::json_of(c.get(format!("{url}/api/session/info"))).await;
        let last = info["lastAccessedAt"].as_str().unwrap();
        let last =
            time::OffsetDateTime::parse(last, &time::format_description::well_known::Rfc3339)
                .unwrap();
        let off = (time::OffsetDateTime::now_utc() - last).abs();
        assert!(
            off < time::Duration::minutes(1),
            "lastAccessedAt {last} is {off} off"
        );
    }
}

#[tokio::test]
async fn session_app_with_memory_store() {
    let ex = common::start("session_app", &[]).await;
    walk(&ex.url).await;
    flash_flow(&ex.url).await;
    inactivity(&ex.url).await;
    logout_everywhere(&ex.url).await;
    remember_me(&ex.url).await;
}

#[tokio::test]
async fn session_app_with_redis_store() {
    let redis = hearth_e2e::redis();
    let ex = common::start(
        "session_app",
        &[("STORE", "redis"), ("REDIS_URL", redis.url())],
    )
    .await;
    walk(&ex.url).await;
    flash_flow(&ex.url).await;
    inactivity(&ex.url).await;
    logout_everywhere(&ex.url).await;
    remember_me(&ex.url).await;
}
