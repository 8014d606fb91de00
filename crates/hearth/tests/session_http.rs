//! Sessions over real HTTP: one test per promise of the session module.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hearth::app::RunningServer;
use hearth::extract::{FromRequestParts, Inject, Query};
use hearth::prelude::*;
use hearth::session::store::{StoreError, StoreFuture};
use hearth::session::{MemoryStore, SessionRecord, SessionStore, StoreConfig};
use http::Method;
use http::header::SET_COOKIE;
use tokio::sync::Notify;

const SECRET: &str = "test-secret-0123456789abcdef-0123456789abcdef";
const OTHER_SECRET: &str = "another-secret-0123456789abcdef-0123456789abcdef";

fn options() -> SessionOptions {
    SessionOptions {
        secret: SECRET.into(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- a store that counts calls

#[derive(Clone, Default)]
struct Counting {
    inner: MemoryStore,
    calls: Arc<AtomicUsize>,
    creates: Arc<AtomicUsize>,
    fail_writes: Arc<std::sync::atomic::AtomicBool>,
}

impl Counting {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn hit(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    fn down(&self) -> bool {
        self.fail_writes.load(Ordering::SeqCst)
    }
}

fn unavailable<'a, T: Send + 'a>() -> StoreFuture<'a, T> {
    Box::pin(async { Err(StoreError::unavailable("store is down (test)")) })
}

impl SessionStore for Counting {
    fn create<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, ()> {
        self.hit();
        self.creates.fetch_add(1, Ordering::SeqCst);
        if self.down() {
            return unavailable();
        }
        self.inner.create(r)
    }
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        self.hit();
        self.inner.load(id)
    }
    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        self.hit();
        self.inner.load_and_touch(id, ttl)
    }
    fn save<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, bool> {
        self.hit();
        if self.down() {
            return unavailable();
        }
        self.inner.save(r)
    }
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        self.hit();
        self.inner.delete(id)
    }
    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.hit();
        self.inner.touch(id, ttl)
    }
    fn sessions_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, Vec<String>> {
        self.inner.sessions_of(u)
    }
    fn delete_all_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, usize> {
        self.inner.delete_all_of(u)
    }
}

// ---------------------------------------------------------------- the application under test

#[derive(Default)]
struct Gate {
    entered: Notify,
    release: Notify,
}

/// The seed's `SessionData`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SessionData {
    user_id: Option<String>,
    roles: Vec<String>,
    cart: Vec<String>,
    last_activity: Option<u64>,
}

type Params = HashMap<String, String>;

async fn open(req: Request) -> Result<(Session, Params, http::request::Parts), SessionError> {
    let (mut parts, _) = req.into_parts();
    let session = Session::from_request_parts(&mut parts).await?;
    let q = Query::<Params>::from_request_parts(&mut parts)
        .await
        .map(|q| q.0)
        .unwrap_or_default();
    Ok((session, q, parts))
}

fn routes(m: ModuleDef, gate: Arc<Gate>) -> ModuleDef {
    m.route(Method::GET, "/whoami", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        HttpResult::Ok(Json(json!({
            "user": s.get::<String>("userId")?,
            "new": s.is_new(),
            "n": s.get::<i64>("n")?,
            "lastActivity": s.get::<u64>("lastActivity")?,
        })))
    })
    .route(Method::GET, "/noop", |_req: Request| async { "ok" })
    .route(Method::POST, "/login", |req: Request| async move {
        let (s, q, _) = open(req).await?;
        s.regenerate();
        s.insert("userId", &q.get("user").cloned().unwrap_or("alice".into()))?;
        HttpResult::Ok(Json(json!({ "id": s.id() })))
    })
    .route(Method::POST, "/logout", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        s.destroy();
        HttpResult::Ok("bye")
    })
    .route(Method::POST, "/set", |req: Request| async move {
        let (s, q, _) = open(req).await?;
        let v: i64 = q.get("v").and_then(|v| v.parse().ok()).unwrap_or(1);
        s.insert("n", &v)?;
        HttpResult::Ok("set")
    })
    .route(Method::POST, "/flash", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        s.flash("msg", "hello")?;
        HttpResult::Ok("flashed")
    })
    .route(Method::GET, "/flash", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        HttpResult::Ok(Json(json!({ "msg": s.take_flash::<String>("msg")? })))
    })
    .route(Method::POST, "/own-cookie", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        s.insert("n", &7)?;
        let mut res = "ok".into_response();
        let h = res.headers_mut();
        h.append(SET_COOKIE, "theme=dark; Path=/".parse().unwrap());
        h.append(
            SET_COOKIE,
            "sessionId=set-by-handler; Path=/".parse().unwrap(),
        );
        h.append(SET_COOKIE, "lang=fr; Path=/".parse().unwrap());
        HttpResult::Ok(res)
    })
    .route(Method::POST, "/slow", move |req: Request| {
        let gate = gate.clone();
        async move {
            let (s, _, _) = open(req).await?;
            gate.entered.notify_one();
            gate.release.notified().await;
            s.insert("late", "write")?;
            HttpResult::Ok("slow done")
        }
    })
    .route(Method::POST, "/cart", |req: Request| async move {
        let (mut parts, _) = req.into_parts();
        let s = TypedSession::<SessionData>::from_request_parts(&mut parts).await?;
        let cart = s.update(|d| {
            d.cart.push("apple".into());
            d.cart.clone()
        })?;
        HttpResult::Ok(Json(cart))
    })
    .route(Method::GET, "/cart", |req: Request| async move {
        let (mut parts, _) = req.into_parts();
        let s = TypedSession::<SessionData>::from_request_parts(&mut parts).await?;
        HttpResult::Ok(Json(s.get()?))
    })
    .route(Method::GET, "/admin/sessions", |req: Request| async move {
        let (mut parts, _) = req.into_parts();
        let Query(q) = Query::<Params>::from_request_parts(&mut parts).await?;
        let svc = Inject::<SessionService>::from_request_parts(&mut parts).await?;
        HttpResult::Ok(Json(svc.sessions_of(&q["user"]).await?))
    })
    .route(
        Method::POST,
        "/admin/logout-all",
        |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            let Query(q) = Query::<Params>::from_request_parts(&mut parts).await?;
            let svc = Inject::<SessionService>::from_request_parts(&mut parts).await?;
            HttpResult::Ok(Json(svc.destroy_all_of(&q["user"]).await?))
        },
    )
}

struct TestApp {
    url: String,
    server: RunningServer,
    client: reqwest::Client,
    name: String,
}

struct Res {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn start(options: SessionOptions) -> TestApp {
    start_with(options, Arc::default(), false).await
}

async fn start_with(options: SessionOptions, gate: Arc<Gate>, activity: bool) -> TestApp {
    let name = options.name.clone();
    let module = routes(
        ModuleDef::new("AppModule").import(SessionModule::for_root(options)),
        gate,
    );
    let mut app = Application::from_module(module).expect("valid app");
    if activity {
        // The seed's activity tracking, for sessions that exist.
        app = app.use_middleware(from_fn(|mut req: Request, next: Next| async move {
            if let Ok(session) = Session::from_request(&mut req).await {
                if !session.is_new() {
                    let _ = session.insert("lastActivity", &hearth::session::now_ms());
                }
            }
            next.run(req).await
        }));
    }
    let app = app.build().await.expect("app builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    TestApp {
        url: server.url(),
        server,
        client: reqwest::Client::new(),
        name,
    }
}

impl TestApp {
    async fn send(&self, method: Method, path: &str, cookie: Option<&str>) -> Res {
        let mut rb = self.client.request(method, format!("{}{path}", self.url));
        if let Some(c) = cookie {
            rb = rb.header("cookie", format!("{}={c}", self.name));
        }
        let res = rb.send().await.expect("request");
        let status = res.status().as_u16();
        let set_cookies = res
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        Res {
            status,
            set_cookies,
            body: res.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Res {
        self.send(Method::GET, path, cookie).await
    }

    async fn post(&self, path: &str, cookie: Option<&str>) -> Res {
        self.send(Method::POST, path, cookie).await
    }

    /// The session `Set-Cookie` of a response (asserting there is at most one).
    fn session_set_cookie(&self, res: &Res) -> Option<String> {
        let prefix = format!("{}=", self.name);
        let mine: Vec<&String> = res
            .set_cookies
            .iter()
            .filter(|c| c.starts_with(&prefix))
            .collect();
        assert!(
            mine.len() <= 1,
            "more than one session Set-Cookie: {mine:?}"
        );
        mine.first().map(|c| c.to_string())
    }

    /// The new cookie value a response sets (panics when it sets none).
    fn cookie(&self, res: &Res) -> String {
        let c = self
            .session_set_cookie(res)
            .unwrap_or_else(|| panic!("no session cookie set: {:?}", res.set_cookies));
        let v = c[self.name.len() + 1..].split(';').next().unwrap();
        assert!(!v.is_empty(), "session cookie was removed, not set: {c}");
        v.to_owned()
    }

    async fn login(&self, user: &str, cookie: Option<&str>) -> String {
        let res = self.post(&format!("/login?user={user}"), cookie).await;
        assert_eq!(res.status, 200, "{}", res.body);
        self.cookie(&res)
    }

    async fn user(&self, cookie: &str) -> Value {
        let res = self.get("/whoami", Some(cookie)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["user"].clone()
    }
}

fn attr<'a>(set_cookie: &'a str, name: &str) -> Option<&'a str> {
    set_cookie.split(';').skip(1).map(str::trim).find_map(|a| {
        let (k, v) = a.split_once('=').unwrap_or((a, ""));
        k.eq_ignore_ascii_case(name).then_some(v)
    })
}

fn id_of(cookie: &str) -> &str {
    cookie.split('.').next().unwrap()
}

// ---------------------------------------------------------------- the tests

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
    assert!(attr(&c, "Expires").is_some(), "{c}");
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
    assert!(store.inner.is_empty(), "no store entry");
    assert_eq!(store.calls(), 0, "no cookie: the store is not even asked");
    app.server.shutdown().await.unwrap();
}

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
    let store = MemoryStore::new();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    assert_eq!(store.len(), 1);
    let res = app.post("/logout", Some(&c)).await;
    let set = app.session_set_cookie(&res).expect("cookie expired");
    assert_eq!(attr(&set, "Max-Age"), Some("0"), "{set}");
    assert!(set.starts_with(&format!("{}=;", app.name)), "{set}");
    assert!(store.is_empty(), "record deleted");
    // Replaying the old cookie gives an anonymous session.
    assert_eq!(app.user(&c).await, Value::Null);
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn rolling_sessions_are_extended_by_every_request() {
    let store = MemoryStore::new();
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
    let store = MemoryStore::new();
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
    let store = MemoryStore::new();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_logins_get_distinct_ids() {
    let store = MemoryStore::new();
    let app = Arc::new(
        start(SessionOptions {
            store: StoreConfig::custom(store.clone()),
            ..options()
        })
        .await,
    );
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { app.login(&format!("user{i}"), None).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in tasks {
        let c = t.await.unwrap();
        ids.insert(id_of(&c).to_owned());
    }
    assert_eq!(ids.len(), 100);
    assert_eq!(store.len(), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destroyed_session_is_not_resurrected_by_a_slower_request() {
    let store = MemoryStore::new();
    let gate = Arc::new(Gate::default());
    let app = Arc::new(
        start_with(
            SessionOptions {
                store: StoreConfig::custom(store.clone()),
                ..options()
            },
            gate.clone(),
            false,
        )
        .await,
    );
    let c = app.login("alice", None).await;
    // A slow request loads the session and waits...
    let slow = {
        let (app, c) = (app.clone(), c.clone());
        tokio::spawn(async move { app.post("/slow", Some(&c)).await })
    };
    gate.entered.notified().await;
    // ...while the user logs out in another tab...
    let res = app.post("/logout", Some(&c)).await;
    assert_eq!(res.status, 200);
    assert!(store.is_empty());
    // ...then the slow request writes and finishes.
    gate.release.notify_one();
    let res = slow.await.unwrap();
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(store.is_empty(), "the destroyed session was resurrected");
    let set = app.session_set_cookie(&res).expect("cookie cleared");
    assert_eq!(attr(&set, "Max-Age"), Some("0"));
    assert_eq!(app.user(&c).await, Value::Null);
}

#[tokio::test]
async fn log_out_everywhere() {
    let app = start(options()).await;
    let a = app.login("carol", None).await;
    let b = app.login("carol", None).await;
    let other = app.login("dave", None).await;
    let res = app.get("/admin/sessions?user=carol", None).await;
    let ids: HashSet<String> = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        ids,
        HashSet::from([id_of(&a).to_owned(), id_of(&b).to_owned()])
    );
    let res = app.post("/admin/logout-all?user=carol", None).await;
    assert_eq!(res.json(), 2);
    assert_eq!(app.user(&a).await, Value::Null);
    assert_eq!(app.user(&b).await, Value::Null);
    assert_eq!(app.user(&other).await, "dave");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn typed_sessions_and_middleware_access() {
    let app = start_with(options(), Arc::default(), true).await;
    // The activity middleware does not create sessions for anonymous requests.
    let res = app.get("/whoami", None).await;
    assert!(res.set_cookies.is_empty());
    let c = app.cookie(&app.post("/cart", None).await);
    let res = app.post("/cart", Some(&c)).await;
    assert_eq!(res.json(), json!(["apple", "apple"]));
    let res = app.get("/cart", Some(&c)).await;
    assert_eq!(res.json()["cart"], json!(["apple", "apple"]));
    // The middleware wrote lastActivity on the existing session.
    let res = app.get("/whoami", Some(&c)).await;
    assert!(
        res.json()["lastActivity"].as_u64().is_some(),
        "{}",
        res.body
    );
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_failed_save_is_an_error_response_not_lost_data() {
    let store = Counting::default();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    store.fail_writes.store(true, Ordering::SeqCst);
    let res = app.post("/set?v=5", Some(&c)).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(
        !res.body.contains("test"),
        "store error text is not sent: {}",
        res.body
    );
    let res = app.post("/login", None).await;
    assert_eq!(res.status, 503);
    // Reads still work.
    store.fail_writes.store(false, Ordering::SeqCst);
    assert_eq!(app.user(&c).await, "alice");
    app.server.shutdown().await.unwrap();
}

#[tokio::test]
async fn session_service_works_without_a_request() {
    let mw = hearth::session::session_middleware(options()).unwrap();
    let svc = mw.service();
    assert_eq!(svc.cookie_name(), "sessionId");
    assert_eq!(svc.max_age(), Duration::from_secs(86_400));
    let id = svc
        .create(&json!({ "userId": "erin", "createdAt": 1 }))
        .await
        .unwrap();
    assert_eq!(svc.get(&id).await.unwrap().unwrap()["userId"], "erin");
    assert!(
        svc.set(&id, &json!({ "roles": ["admin"], "createdAt": null }))
            .await
            .unwrap()
    );
    let data = svc.get(&id).await.unwrap().unwrap();
    assert_eq!(data["roles"], json!(["admin"]));
    assert!(!data.contains_key("createdAt"), "null removes a key");
    assert!(svc.update(&id, &json!({ "n": 1 })).await.unwrap());
    assert!(svc.set_value(&id, "n", &2).await.unwrap());
    assert_eq!(svc.get_value::<i64>(&id, "n").await.unwrap(), Some(2));
    assert!(svc.delete_value(&id, "n").await.unwrap());
    assert_eq!(svc.get_value::<i64>(&id, "n").await.unwrap(), None);
    assert!(svc.touch(&id).await.unwrap());
    assert_eq!(svc.sessions_of("erin").await.unwrap(), vec![id.clone()]);
    let new_id = svc.regenerate(&id).await.unwrap().unwrap();
    assert_ne!(new_id, id);
    assert!(svc.get(&id).await.unwrap().is_none());
    assert_eq!(
        svc.get_value::<String>(&new_id, "userId")
            .await
            .unwrap()
            .as_deref(),
        Some("erin")
    );
    assert_eq!(
        svc.verify(&svc.sign(&new_id)).as_deref(),
        Some(new_id.as_str())
    );
    assert!(svc.cookie_header(&new_id).is_some());
    assert!(svc.destroy(&new_id).await.unwrap());
    assert!(!svc.destroy(&new_id).await.unwrap());
    assert!(
        !svc.set(&new_id, &json!({ "x": 1 })).await.unwrap(),
        "no resurrection"
    );
    assert!(svc.get(&new_id).await.unwrap().is_none());
    assert!(svc.get("not-an-id").await.unwrap().is_none());
    assert!(svc.regenerate("not-an-id").await.unwrap().is_none());

    // A session created by the service is usable over HTTP with its signed cookie.
    let store = MemoryStore::new();
    let opts = SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    };
    let svc = hearth::session::session_middleware(opts.clone())
        .unwrap()
        .service();
    let app = start(opts).await;
    let id = svc.create(&json!({ "userId": "frank" })).await.unwrap();
    assert_eq!(app.user(&svc.sign(&id)).await, "frank");
    app.server.shutdown().await.unwrap();
}

fn startup_error(module: ModuleDef) -> String {
    Application::from_module(module)
        .expect_err("start-up must fail")
        .to_string()
}

#[test]
fn bad_options_are_start_up_errors() {
    let with = |o: SessionOptions| {
        startup_error(ModuleDef::new("AppModule").import(SessionModule::for_root(o)))
    };
    let fix = "set SessionOptions::secret to at least 32 random bytes, e.g. from the SESSION_SECRET env var";
    let e = with(SessionOptions::default());
    assert!(e.contains("no session secret") && e.contains(fix), "{e}");
    let e = with(SessionOptions {
        secret: "short".into(),
        ..Default::default()
    });
    assert!(e.contains("5 bytes") && e.contains(fix), "{e}");
    let e = with(SessionOptions {
        same_site: SameSite::None,
        ..options()
    });
    assert!(e.contains("SameSite::None requires secure = true"), "{e}");
    let e = with(SessionOptions {
        name: "__Host-sid".into(),
        path: "/app".into(),
        domain: Some("example.com".into()),
        ..options()
    });
    assert!(e.contains("requires secure = true"), "{e}");
    assert!(e.contains("requires path = \"/\""), "{e}");
    assert!(e.contains("requires domain = None"), "{e}");
    let e = with(SessionOptions {
        previous_secrets: vec!["old".into()],
        name: "bad name;".into(),
        ..options()
    });
    assert!(e.contains("previous_secrets[0]"), "{e}");
    assert!(e.contains("not a valid cookie name"), "{e}");
    // A valid __Host- configuration starts.
    assert!(
        Application::from_module(ModuleDef::new("AppModule").import(SessionModule::for_root(
            SessionOptions {
                name: "__Host-sid".into(),
                secure: true,
                ..options()
            }
        )))
        .is_ok()
    );
    // The bare module, as the seed imports it.
    let e = startup_error(ModuleDef::new("AppModule").import(SessionModule));
    assert!(e.contains("SessionModule::for_root"), "{e}");
    // session_middleware reports the same problems.
    let e = hearth::session::session_middleware(SessionOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains(fix), "{e}");
}

struct NeedsSessions;
impl hearth::di::Injectable for NeedsSessions {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![hearth::di::Dependency::token(
            &SESSION_SERVICE_TOKEN,
            "sessions",
        )]
    }
    fn construct(r: &hearth::di::Resolver) -> Result<Self, DiError> {
        r.get_token(&SESSION_SERVICE_TOKEN)?;
        Ok(NeedsSessions)
    }
}

struct NeedsSessionsByType;
impl hearth::di::Injectable for NeedsSessionsByType {
    fn dependencies() -> Vec<hearth::di::Dependency> {
        vec![hearth::di::Dependency::of::<SessionService>("sessions")]
    }
    fn construct(r: &hearth::di::Resolver) -> Result<Self, DiError> {
        r.get::<SessionService>()?;
        Ok(NeedsSessionsByType)
    }
}

#[tokio::test]
async fn session_service_is_injected_by_type_and_token_in_every_module() {
    // Without the module: the error names the fix.
    let e = startup_error(
        ModuleDef::new("AppModule")
            .provider(Provider::class::<NeedsSessions>())
            .provider(Provider::class::<NeedsSessionsByType>()),
    );
    assert!(
        e.contains("import SessionModule::for_root(..) in AppModule"),
        "{e}"
    );
    // With it, imported at the root, a feature module sees it (global).
    let feature = ModuleDef::new("FeatureModule")
        .provider(Provider::class::<NeedsSessions>())
        .provider(Provider::class::<NeedsSessionsByType>());
    let app = Application::from_module(
        ModuleDef::new("AppModule")
            .import(SessionModule::for_root(options()))
            .import(feature),
    )
    .unwrap();
    app.build().await.unwrap();
}
