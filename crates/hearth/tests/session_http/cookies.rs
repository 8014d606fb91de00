//! The cookie: attributes, signature, strict ids, laziness.

use std::sync::atomic::Ordering;
use std::time::Duration;

use hearth::prelude::*;
use hearth::session::StoreConfig;

use crate::support::*;

#[tokio::test]
async fn cookie_carries_every_attribute_and_exactly_once() {
    let app = start(options()).await;
    let res = app.post("/login", None).await;
    let c = app.session_set_cookie(&res).unwrap();
    assert_eq!(attr(&c, "Path"), Some("/"));
    assert_eq!(attr(&c, "HttpOnly"), Some(""));
    assert_eq!(attr(&c, "SameSite"), Some("Lax"));
    let max_age: u64 = attr(&c, "Max-Age").unwrap().parse().unwrap();
    assert!((86_390..=86_400).contains(&max_age), "{c}");
    // Max-Age alone: it wins over Expires in every browser (RFC 6265, 5.3).
    assert!(attr(&c, "Expires").is_none(), "{c}");
    assert!(attr(&c, "Secure").is_none(), "{c}");
    assert!(attr(&c, "Domain").is_none(), "{c}");
    // The value is `id.signature`: a 43-character id, base64url.
    let value = app.cookie(&res);
    let (id, sig) = value.split_once('.').unwrap();
    assert_eq!(id.len(), 43);
    assert_eq!(sig.len(), 43);
    assert!(hearth::session::is_valid_id(id));

    // The handler's own cookies survive; exactly one Set-Cookie for the session.
    let res = app.post("/own-cookie", Some(&value)).await;
    assert!(res.set_cookies.iter().any(|c| c.starts_with("theme=dark")));
    assert!(res.set_cookies.iter().any(|c| c.starts_with("lang=fr")));
    assert_eq!(id_of(&app.cookie(&res)), id, "the middleware's cookie wins");
    app.server.shutdown().await.unwrap();

    // Secure, Strict, Domain, a custom name and max_age.
    let app = start(SessionOptions {
        name: "__Secure-sid".into(),
        secure: true,
        same_site: SameSite::Strict,
        domain: Some("example.test".into()),
        max_age: Duration::from_secs(3600),
        http_only: true,
        ..options()
    })
    .await;
    let res = app.post("/login", None).await;
    let c = app.session_set_cookie(&res).unwrap();
    assert_eq!(attr(&c, "Secure"), Some(""));
    assert_eq!(attr(&c, "SameSite"), Some("Strict"));
    assert_eq!(attr(&c, "Domain"), Some("example.test"));
    let max_age: u64 = attr(&c, "Max-Age").unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&max_age), "{c}");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn forged_unknown_expired_and_unsigned_ids_are_never_adopted() {
    let store = Counting::default();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        max_age: Duration::from_secs(1),
        ..options()
    })
    .await;
    let good = app.login("alice", None).await;
    assert_eq!(app.user(&good).await, "alice");
    let (id, sig) = good.split_once('.').unwrap();

    // Tampered signature, tampered id, unsigned id, garbage: anonymous, and the store is
    // never asked.
    let flip = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        b[5] = if b[5] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    };
    let forged = [
        format!("{id}.{}", flip(sig)),
        format!("{}.{sig}", flip(id)),
        id.to_owned(),
        format!("{id}."),
        format!("{id}.{sig}.{sig}"),
        "../../etc/passwd".to_owned(),
        "%00%ff".to_owned(),
        "x".repeat(5000),
    ];
    for bad in &forged {
        let before = store.calls();
        let res = app.get("/whoami", Some(bad)).await;
        assert_eq!(res.status, 200, "{bad}: {}", res.body);
        assert_eq!(res.json()["user"], Value::Null, "{bad}");
        assert_eq!(res.json()["new"], true, "{bad}");
        assert_eq!(
            store.calls(),
            before,
            "a bad signature never reaches the store: {bad}"
        );
        assert!(app.session_set_cookie(&res).is_none(), "{bad}");
    }

    // A write on top of a forged cookie gets a brand-new id, never the client's.
    let res = app.post("/set", Some(&forged[0])).await;
    assert_ne!(id_of(&app.cookie(&res)), id);

    // Unknown id, correctly signed (a client cannot do that, but a stale cookie can):
    // anonymous, and a write creates a new id.
    let svc = hearth::session::session_middleware(options())
        .unwrap()
        .service();
    let unknown_id = hearth::session::new_id();
    let unknown = svc.sign(&unknown_id);
    assert_eq!(app.user(&unknown).await, Value::Null);
    let res = app.post("/set", Some(&unknown)).await;
    assert_ne!(
        id_of(&app.cookie(&res)),
        unknown_id,
        "an unknown id is not adopted"
    );

    // Expired: max_age is one second here.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let res = app.get("/whoami", Some(&good)).await;
    assert_eq!(res.json()["user"], Value::Null, "expired");
    let res = app.post("/set", Some(&good)).await;
    assert_ne!(id_of(&app.cookie(&res)), id, "an expired id is not adopted");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn read_only_requests_create_nothing_and_send_no_cookie() {
    let store = Counting::default();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    for path in ["/whoami", "/noop", "/flash", "/cart", "/nope"] {
        let res = app.get(path, None).await;
        assert!(res.set_cookies.is_empty(), "{path}: {:?}", res.set_cookies);
    }
    let res = app.get("/whoami", None).await;
    assert_eq!(res.json()["new"], true);
    assert_eq!(store.creates.load(Ordering::SeqCst), 0);
    assert!(store.inner.is_empty().await, "no store entry");
    assert_eq!(store.calls(), 0, "no cookie: the store is not even asked");
    app.server.shutdown().await.unwrap();
}
