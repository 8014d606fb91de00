//! The application, store and HTTP helpers the session tests share.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hearth::app::RunningServer;
use hearth::extract::{FromRequestParts, Inject, Query};
use hearth::prelude::*;
use hearth::session::store::{StoreError, StoreFuture};
use hearth::session::{SessionRecord, SessionStore};
use http::Method;
use http::header::SET_COOKIE;
use tokio::sync::Notify;

pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789abcdef";
pub const OTHER_SECRET: &str = "another-secret-0123456789abcdef-0123456789abcdef";

/// Options with a fresh store of this test binary's backend.
pub fn options() -> SessionOptions {
    SessionOptions {
        secret: SECRET.into(),
        store: StoreConfig::custom(fresh_store()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- the backend under test

/// Counts the records a store holds.
pub type Counter = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = usize> + Send>> + Send + Sync>;

/// A fresh store for one test, on the backend this test binary runs against: the crate's
/// `backend::store()` (the memory store in `session_http`; Redis when the `hearth-e2e` tests
/// include these same files). The same test bodies thus check every store.
#[derive(Clone)]
pub struct TestStore {
    store: Arc<dyn SessionStore>,
    count: Counter,
    /// Whatever must live as long as the store (a test Redis server).
    _keep: Option<Arc<dyn Any + Send + Sync>>,
}

impl TestStore {
    pub fn new(
        store: Arc<dyn SessionStore>,
        count: Counter,
        keep: Option<Arc<dyn Any + Send + Sync>>,
    ) -> Self {
        TestStore {
            store,
            count,
            _keep: keep,
        }
    }

    /// How many records the store holds (the memory store: including expired ones not swept
    /// yet).
    pub async fn len(&self) -> usize {
        (self.count)().await
    }

    pub async fn is_empty(&self) -> bool {
        self.len().await == 0
    }
}

impl Default for TestStore {
    fn default() -> Self {
        fresh_store()
    }
}

/// A fresh store of this binary's backend.
pub fn fresh_store() -> TestStore {
    crate::backend::store()
}

impl SessionStore for TestStore {
    fn create<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, ()> {
        self.store.create(r)
    }
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        self.store.load(id)
    }
    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        self.store.load_and_touch(id, ttl)
    }
    fn save<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, bool> {
        self.store.save(r)
    }
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        self.store.delete(id)
    }
    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.store.touch(id, ttl)
    }
    fn sessions_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, Vec<String>> {
        self.store.sessions_of(u)
    }
    fn delete_all_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, usize> {
        self.store.delete_all_of(u)
    }
    fn check(&self) -> StoreFuture<'_, ()> {
        self.store.check()
    }
}

// ---------------------------------------------------------------- a store that counts calls

#[derive(Clone, Default)]
pub struct Counting {
    pub inner: TestStore,
    pub calls: Arc<AtomicUsize>,
    pub creates: Arc<AtomicUsize>,
    pub fail_writes: Arc<std::sync::atomic::AtomicBool>,
}

impl Counting {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn hit(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
    fn down(&self) -> bool {
        self.fail_writes.load(Ordering::SeqCst)
    }
}

pub fn unavailable<'a, T: Send + 'a>() -> StoreFuture<'a, T> {
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
pub struct Gate {
    pub entered: Notify,
    pub release: Notify,
}

/// The seed's `SessionData`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionData {
    user_id: Option<String>,
    roles: Vec<String>,
    cart: Vec<String>,
    last_activity: Option<u64>,
}

pub type Params = HashMap<String, String>;

pub async fn open(req: Request) -> Result<(Session, Params, http::request::Parts), SessionError> {
    let (mut parts, _) = req.into_parts();
    let session = Session::from_request_parts(&mut parts).await?;
    let q = Query::<Params>::from_request_parts(&mut parts)
        .await
        .map(|q| q.0)
        .unwrap_or_default();
    Ok((session, q, parts))
}

pub fn routes(m: ModuleDef, gate: Arc<Gate>) -> ModuleDef {
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
    .route(Method::POST, "/remember", |req: Request| async move {
        let (s, q, _) = open(req).await?;
        let days: u64 = q.get("days").and_then(|d| d.parse().ok()).unwrap_or(30);
        match s.set_max_age(Duration::from_secs(days * 24 * 3600)) {
            Ok(()) => HttpResult::Ok(Json(json!({ "maxAge": s.max_age().as_secs() }))),
            // The message, for the test that reads it; the plain `?` answers 500.
            Err(e) if q.contains_key("explain") => Err(BadRequestException::new(e.to_string())),
            Err(e) => Err(e.into()),
        }
    })
    .route(Method::POST, "/forget", |req: Request| async move {
        let (s, _, _) = open(req).await?;
        s.reset_max_age();
        HttpResult::Ok(Json(json!({ "maxAge": s.max_age().as_secs() })))
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

pub struct TestApp {
    pub url: String,
    pub server: RunningServer,
    pub client: reqwest::Client,
    pub name: String,
}

pub struct Res {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

pub async fn start(options: SessionOptions) -> TestApp {
    start_with(options, Arc::default(), false).await
}

pub async fn start_with(options: SessionOptions, gate: Arc<Gate>, activity: bool) -> TestApp {
    let name = options.name.clone();
    let module = routes(
        ModuleDef::new("AppModule").import(SessionModule::for_root(options)),
        gate,
    );
    let mut app = Application::from_module(module).expect("valid app");
    if activity {
        // The seed's activity tracking, for sessions that exist: an interceptor, since
        // middleware runs before the session layer opens.
        app = app.use_global_interceptor(interceptor_fn(
            |mut req: Request, next: CallHandler| async move {
                if let Ok(session) = Session::from_request(&mut req).await {
                    if !session.is_new() {
                        let _ = session.insert("lastActivity", &hearth::session::now_ms());
                    }
                }
                next.handle(req).await
            },
        ));
    }
    serve(app, name).await
}

/// Builds `app` and serves it on a free port; `name` is its session cookie's name.
pub async fn serve(app: Application, name: String) -> TestApp {
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
    pub async fn send(&self, method: Method, path: &str, cookie: Option<&str>) -> Res {
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
            headers: res.headers().clone(),
            set_cookies,
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Res {
        self.send(Method::GET, path, cookie).await
    }

    pub async fn post(&self, path: &str, cookie: Option<&str>) -> Res {
        self.send(Method::POST, path, cookie).await
    }

    /// The session `Set-Cookie` of a response (asserting there is at most one).
    pub fn session_set_cookie(&self, res: &Res) -> Option<String> {
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
    pub fn cookie(&self, res: &Res) -> String {
        let c = self
            .session_set_cookie(res)
            .unwrap_or_else(|| panic!("no session cookie set: {:?}", res.set_cookies));
        let v = c[self.name.len() + 1..].split(';').next().unwrap();
        assert!(!v.is_empty(), "session cookie was removed, not set: {c}");
        v.to_owned()
    }

    pub async fn login(&self, user: &str, cookie: Option<&str>) -> String {
        let res = self.post(&format!("/login?user={user}"), cookie).await;
        assert_eq!(res.status, 200, "{}", res.body);
        self.cookie(&res)
    }

    pub async fn user(&self, cookie: &str) -> Value {
        let res = self.get("/whoami", Some(cookie)).await;
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["user"].clone()
    }
}

pub fn attr<'a>(set_cookie: &'a str, name: &str) -> Option<&'a str> {
    set_cookie.split(';').skip(1).map(str::trim).find_map(|a| {
        let (k, v) = a.split_once('=').unwrap_or((a, ""));
        k.eq_ignore_ascii_case(name).then_some(v)
    })
}

pub fn id_of(cookie: &str) -> &str {
    cookie.split('.').next().unwrap()
}
