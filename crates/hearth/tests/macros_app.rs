//! An application written only with the attribute macros, using every attribute, tested over
//! real HTTP.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use hearth::extract::PathParams;
use hearth::prelude::*;

// ---------------------------------------------------------------- providers

/// A value provided by a dynamic module under a token.
pub struct Config {
    /// The greeting word.
    pub greeting: String,
}
/// The token of [`Config`].
pub const GREETING: Token<Config> = Token::new("GREETING");

/// A value provided by a static module under a token.
pub struct Store {
    /// User names by id.
    pub names: Vec<&'static str>,
}
/// The token of [`Store`].
pub const USER_STORE: Token<Store> = Token::new("USER_STORE");

static NEXT_SEQ: AtomicU64 = AtomicU64::new(1);
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);

/// A plain value built with `Default` (through `#[inject(default)]`): a fresh number each time.
pub struct Seq(u64);
impl Default for Seq {
    fn default() -> Self {
        Seq(NEXT_SEQ.fetch_add(1, Ordering::SeqCst))
    }
}

/// A global provider with both lifecycle hooks.
#[injectable]
pub struct Clock {
    #[inject(default)]
    initialized: AtomicBool,
}

impl OnModuleInit for Clock {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        self.initialized.store(true, Ordering::SeqCst);
        Ok(())
    }
}

impl OnApplicationShutdown for Clock {
    async fn on_application_shutdown(&self) {
        SHUT_DOWN.store(true, Ordering::SeqCst);
    }
}

/// Has no hook: the probe must leave its lifecycle empty (and still compile).
#[injectable]
pub struct UserService {
    #[inject(USER_STORE)]
    store: Arc<Store>,
    clock: Arc<Clock>,
    #[inject(default)]
    lookups: AtomicU64,
}

impl UserService {
    fn find(&self, id: u64) -> Option<&'static str> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.store.names.get(id as usize).copied()
    }
}

/// Built once per request.
#[injectable(scope = request)]
pub struct RequestTag {
    #[inject(default)]
    seq: Seq,
}

/// Built on every injection.
#[injectable(scope = transient)]
pub struct Ticket {
    #[inject(default)]
    seq: Seq,
}

/// An explicit singleton with a unit body.
#[injectable(scope = singleton)]
pub struct Unit;

// ---------------------------------------------------------------- middleware

/// Appends its name to the `x-mw` response header.
struct Tag(&'static str);

impl Middleware for Tag {
    async fn handle(&self, req: Request, next: Next) -> Response {
        let mut res = next.run(req).await;
        res.headers_mut()
            .append("x-mw", http::HeaderValue::from_static(self.0));
        res
    }
}

/// Stores a value for `#[ctx]` to read.
#[derive(Clone)]
struct Marker(&'static str);

fn marker() -> impl Middleware {
    from_fn(|mut req: Request, next: Next| async move {
        req.extensions_mut().insert(Marker("from middleware"));
        next.run(req).await
    })
}

// ---------------------------------------------------------------- controllers

#[derive(Deserialize, Serialize)]
struct NewUser {
    name: String,
}

#[derive(Deserialize)]
struct Search {
    q: String,
}

#[controller("/api")]
#[use_middleware(Tag("controller"))]
struct ApiController {
    users: Arc<UserService>,
    #[inject(GREETING)]
    config: Arc<Config>,
    unit: Arc<Unit>,
}

#[routes]
impl ApiController {
    /// An ordinary method: not a route.
    fn greet(&self, name: &str) -> String {
        format!("{}, {name}!", self.config.greeting)
    }

    #[get]
    async fn index(&self) -> &'static str {
        let _ = &self.unit;
        "api index"
    }

    #[get("/hello/:name")]
    async fn hello(&self, #[param("name")] who: String) -> String {
        self.greet(&who)
    }

    #[get("/users/{id}")]
    #[use_middleware(Tag("route"))]
    async fn user(&self, #[param] id: u64) -> HttpResult<Json<Value>> {
        let name = self
            .users
            .find(id)
            .ok_or_else(|| NotFoundException::new(format!("no user {id}")))?;
        Ok(Json(json!({ "id": id, "name": name })))
    }

    #[post("/users")]
    async fn create(
        &self,
        #[body] dto: NewUser,
        #[header("x-request-id")] request_id: Option<String>,
    ) -> (StatusCode, Json<Value>) {
        (
            StatusCode::CREATED,
            Json(json!({ "name": dto.name, "requestId": request_id })),
        )
    }

    #[put("/users/:id")]
    async fn replace(&self, #[body] dto: NewUser, #[param] id: u32) -> String {
        format!("replaced {id} with {}", dto.name)
    }

    #[patch("/users/:id")]
    async fn patch(&self, #[param("id")] id: u32, raw: String) -> String {
        format!("patched {id}: {raw}")
    }

    #[delete("/users/:id")]
    async fn remove(&self, #[param] id: u32) -> StatusCode {
        let _ = id;
        StatusCode::NO_CONTENT
    }

    #[head("/ping")]
    async fn ping_head(&self) -> Response {
        let mut res = StatusCode::OK.into_response();
        res.headers_mut()
            .insert("x-ping", http::HeaderValue::from_static("pong"));
        res
    }

    #[options("/users")]
    async fn users_options(&self) -> Response {
        let mut res = StatusCode::NO_CONTENT.into_response();
        res.headers_mut()
            .insert("allow", http::HeaderValue::from_static("GET, POST"));
        res
    }

    #[route(GET, "/search")]
    async fn search(
        &self,
        #[query] search: Search,
        #[query("page")] page: u32,
        #[query("sort")] sort: Option<String>,
    ) -> Json<Value> {
        Json(json!({ "q": search.q, "page": page, "sort": sort }))
    }

    #[route("PURGE", "/cache")]
    async fn purge(&self) -> &'static str {
        "purged"
    }

    #[route(get, "/files/*path")]
    async fn files(&self, params: PathParams) -> String {
        params.raw("path").unwrap_or_default().to_owned()
    }

    #[get("/headers")]
    async fn headers(
        &self,
        #[header("x-api-key")] key: String,
        #[header] user_agent: Option<String>,
        method: http::Method,
    ) -> String {
        format!("{key} {} {method}", user_agent.unwrap_or_default())
    }

    #[get("/ctx")]
    #[use_middleware(marker())]
    async fn ctx(&self, #[ctx] ctx: RequestContext) -> String {
        format!(
            "{} {}",
            ctx.path(),
            ctx.get::<Marker>().map(|m| m.0).unwrap_or("none")
        )
    }

    #[get("/scopes")]
    async fn scopes(
        &self,
        a: Inject<RequestTag>,
        b: Inject<RequestTag>,
        c: Inject<Ticket>,
        d: Inject<Ticket>,
    ) -> Json<Value> {
        Json(json!({
            "request": [a.seq.0, b.seq.0],
            "transient": [c.seq.0, d.seq.0],
        }))
    }

    #[get("/clock")]
    async fn clock(&self) -> String {
        format!(
            "initialized: {}",
            self.users.clock.initialized.load(Ordering::SeqCst)
        )
    }

    /// Type-checked only: the real `Session` extractor is being built elsewhere.
    #[get("/session")]
    async fn session(&self, #[session] session: Session) -> &'static str {
        let _ = session;
        "session"
    }
}

/// No prefix: mounted at `/`.
#[controller]
struct RootController;

#[routes]
impl RootController {
    #[get]
    async fn root(&self) -> &'static str {
        "root"
    }
}

/// `#[use_middleware]` written above `#[controller]` as well as below it: the middleware
/// runs in the order written (`first` outermost), as if all were below.
#[use_middleware(Tag("first"))]
#[controller("/above")]
#[use_middleware(Tag("second"))]
struct AboveController;

#[routes]
impl AboveController {
    #[get]
    async fn index(&self) -> &'static str {
        "above"
    }
}

/// Path parameters in the prefix: nested resources, as `@Controller("users/:userId/posts")`.
#[controller("/users/:user_id/posts")]
struct PostController;

#[routes]
impl PostController {
    #[get]
    async fn list(&self, #[param] user_id: u64) -> String {
        format!("posts of {user_id}")
    }

    #[get("/{post_id}")]
    async fn post(&self, #[param] user_id: u64, #[param] post_id: u64) -> String {
        format!("post {post_id} of {user_id}")
    }

    /// A route need not read the prefix's parameters.
    #[get("/count")]
    async fn count(&self) -> &'static str {
        "many"
    }
}

// ---------------------------------------------------------------- modules

/// A dynamic module, as `SessionModule::for_root(..)` is.
struct ConfigModule;

impl ConfigModule {
    fn for_root(greeting: &str) -> DynamicModule {
        ModuleDef::new("ConfigModule")
            .provider(Provider::value_for(
                &GREETING,
                Config {
                    greeting: greeting.to_owned(),
                },
            ))
            .export(GREETING)
    }
}

#[module(providers = [Clock], exports = [Clock], global)]
struct SharedModule;

#[module(
    providers = [
        UserService,
        Provider::value_for(&USER_STORE, Store { names: vec!["ada", "grace"] }),
    ],
    exports = [UserService, token(USER_STORE)],
)]
struct UsersModule;

#[module(
    imports = [SharedModule, UsersModule, ConfigModule::for_root("Hello")],
    controllers = [ApiController, RootController, AboveController, PostController],
    providers = [RequestTag, Ticket, Unit],
)]
struct AppModule;

// ---------------------------------------------------------------- tests

async fn start() -> hearth::app::RunningServer {
    let app = Application::create::<AppModule>()
        .expect("the module graph is valid")
        .build()
        .await
        .expect("the application builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    app.spawn(listener)
}

#[tokio::test]
async fn every_attribute_over_http() {
    let server = start().await;
    let url = server.url();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{url}{path}"));

    // Controller prefix, default path, path-less controller.
    let res = get("/api").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "api index");
    assert_eq!(get("/").send().await.unwrap().text().await.unwrap(), "root");

    // `#[param("name")]` + token injection from a dynamic import.
    let res = get("/api/hello/world").send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "Hello, world!");

    // `#[param]` by name, `{id}` syntax, HttpResult, controller + route middleware order.
    let res = get("/api/users/1").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mw: Vec<_> = res.headers().get_all("x-mw").iter().cloned().collect();
    assert_eq!(mw, ["route", "controller"]);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v, json!({ "id": 1, "name": "grace" }));
    let res = get("/api/users/7").send().await.unwrap();
    assert_eq!(res.status(), 404);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["message"], "no user 7");
    let res = get("/api/users/abc").send().await.unwrap();
    assert_eq!(res.status(), 400, "a path parameter that does not parse");

    // Controller middleware only on other routes.
    let res = get("/api/hello/x").send().await.unwrap();
    let mw: Vec<_> = res.headers().get_all("x-mw").iter().cloned().collect();
    assert_eq!(mw, ["controller"]);

    // Parameters in the controller prefix reach `#[param]`s, and parse like the others.
    let text = |path: &'static str| {
        let res = get(path);
        async move {
            let res = res.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    assert_eq!(text("/users/7/posts").await, (200, "posts of 7".into()));
    assert_eq!(
        text("/users/7/posts/42").await,
        (200, "post 42 of 7".into())
    );
    assert_eq!(text("/users/7/posts/count").await, (200, "many".into()));
    assert_eq!(
        text("/users/x/posts").await.0,
        400,
        "a prefix parameter that does not parse"
    );

    // `#[use_middleware]` above `#[controller]`: the innermost middleware appends first.
    let res = get("/above").send().await.unwrap();
    let mw: Vec<_> = res.headers().get_all("x-mw").iter().cloned().collect();
    assert_eq!(mw, ["second", "first"]);
    assert_eq!(res.text().await.unwrap(), "above");

    // `#[body]`: JSON and form; `#[header]` optional.
    let res = client
        .post(format!("{url}/api/users"))
        .json(&json!({ "name": "linus" }))
        .header("x-request-id", "r-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v, json!({ "name": "linus", "requestId": "r-1" }));
    let res = client
        .post(format!("{url}/api/users"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=barbara")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v, json!({ "name": "barbara", "requestId": null }));
    let res = client
        .post(format!("{url}/api/users"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client
        .post(format!("{url}/api/users"))
        .header("content-type", "text/plain")
        .body("name")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);

    // PUT: `#[body]` before `#[param]`; PATCH: last unattributed parameter reads the body.
    let res = client
        .put(format!("{url}/api/users/3"))
        .json(&json!({ "name": "ken" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "replaced 3 with ken");
    let res = client
        .patch(format!("{url}/api/users/4"))
        .body("raw text")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "patched 4: raw text");
    let res = client
        .delete(format!("{url}/api/users/4"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    // HEAD and OPTIONS.
    let res = client.head(format!("{url}/api/ping")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-ping"], "pong");
    let res = client
        .request(http::Method::OPTIONS, format!("{url}/api/users"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["allow"], "GET, POST");

    // `#[route(GET, ..)]`, `#[query]`, `#[query("key")]` required and optional.
    let res = get("/api/search?q=rust&page=2&sort=asc")
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v, json!({ "q": "rust", "page": 2, "sort": "asc" }));
    let res = get("/api/search?q=rust&page=1").send().await.unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["sort"], Value::Null);
    let res = get("/api/search?q=rust").send().await.unwrap();
    assert_eq!(res.status(), 400, "missing required query parameter");
    let v: Value = res.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("page"), "{v}");
    let res = get("/api/search?q=rust&page=x").send().await.unwrap();
    assert_eq!(res.status(), 400, "query parameter that does not parse");
    let res = get("/api/search?page=1").send().await.unwrap();
    assert_eq!(res.status(), 400, "query string that does not deserialize");

    // A custom method and a lower-case `#[route(get, ..)]` with a catch-all.
    let res = client
        .request(
            http::Method::from_bytes(b"PURGE").unwrap(),
            format!("{url}/api/cache"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "purged");
    let res = get("/api/files/a/b.txt").send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "a/b.txt");

    // `#[header("name")]` required, `#[header]` named after the parameter, a plain extractor.
    let res = get("/api/headers")
        .header("x-api-key", "k1")
        .header("user-agent", "tester")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "k1 tester GET");
    let res = get("/api/headers").send().await.unwrap();
    assert_eq!(res.status(), 400, "missing required header");
    let v: Value = res.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("x-api-key"), "{v}");

    // `#[ctx]` sees what route middleware stored.
    let res = get("/api/ctx").send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "/api/ctx from middleware");

    // Scopes: request-scoped = once per request, transient = every injection.
    let first: Value = get("/api/scopes")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second: Value = get("/api/scopes")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["request"][0], first["request"][1]);
    assert_ne!(first["request"][0], second["request"][0]);
    assert_ne!(first["transient"][0], first["transient"][1]);

    // The OnModuleInit hook ran (autoref probe picked it); the shutdown hook runs on shutdown.
    let res = get("/api/clock").send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "initialized: true");
    assert!(!SHUT_DOWN.load(Ordering::SeqCst));

    // Wrong method on a macro route: 405 with Allow.
    let res = client
        .post(format!("{url}/api/hello/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);

    server.shutdown().await.unwrap();
    assert!(
        SHUT_DOWN.load(Ordering::SeqCst),
        "on_application_shutdown ran"
    );
}

#[test]
fn generated_impls() {
    use hearth::di::{Injectable, Scope};
    use hearth::routing::{Controller, ControllerMeta};

    assert_eq!(RequestTag::scope(), Scope::Request);
    assert_eq!(Ticket::scope(), Scope::Transient);
    assert_eq!(Unit::scope(), Scope::Singleton);
    assert_eq!(UserService::scope(), Scope::Singleton);

    let deps: Vec<String> = UserService::dependencies()
        .iter()
        .map(|d| format!("{}={}", d.field, d.key))
        .collect();
    assert_eq!(deps, ["store=Store (USER_STORE)", "clock=Clock"]);

    assert_eq!(ApiController::prefix(), "/api");
    assert_eq!(RootController::prefix(), "/");
    assert_eq!(ApiController::middleware().len(), 1);
    assert!(RootController::middleware().is_empty());
    let routes: Vec<String> = ApiController::routes()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.name))
        .collect();
    assert!(routes.contains(&"GET / index".to_owned()), "{routes:?}");
    assert!(
        routes.contains(&"PURGE /cache purge".to_owned()),
        "{routes:?}"
    );
    assert!(
        routes.contains(&"GET /users/{id} user".to_owned()),
        "{routes:?}"
    );
    assert_eq!(routes.len(), 17, "{routes:?}");

    // The descriptors the application uses for its warnings.
    let controllers: Vec<&str> = inventory_names();
    assert!(controllers.contains(&"ApiController"));
    assert!(controllers.contains(&"RootController"));
}

fn inventory_names() -> Vec<&'static str> {
    hearth::__private::inventory::iter::<hearth::__private::ControllerDescriptor>
        .into_iter()
        .map(|d| d.name)
        .collect()
}

#[test]
fn injectable_descriptors_registered() {
    let names: Vec<&str> =
        hearth::__private::inventory::iter::<hearth::__private::InjectableDescriptor>
            .into_iter()
            .map(|d| d.name)
            .collect();
    for name in ["Clock", "UserService", "RequestTag", "Ticket", "Unit"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let clock = hearth::__private::inventory::iter::<hearth::__private::InjectableDescriptor>
        .into_iter()
        .find(|d| d.name == "Clock")
        .unwrap();
    assert_eq!((clock.type_id)(), std::any::TypeId::of::<Clock>());
}

/// Only the init hook.
#[injectable]
pub struct InitOnly;

impl OnModuleInit for InitOnly {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        Ok(())
    }
}

#[test]
fn lifecycle_probe_picks_the_hooks() {
    use hearth::__private::lifecycle_hooks;
    assert_eq!(lifecycle_hooks::<Clock>(), (true, true));
    assert_eq!(lifecycle_hooks::<InitOnly>(), (true, false));
    assert_eq!(lifecycle_hooks::<UserService>(), (false, false));
    assert_eq!(lifecycle_hooks::<ApiController>(), (false, false));
}
