//! Dependency injection: resolution by type and by token, every provider kind, the three
//! scopes observed over real HTTP, module encapsulation and global modules, and every
//! start-up error naming its chain and its fix. Lifecycle hooks run around serving.

#[path = "common/core_util.rs"]
mod util;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hearth::app::RunningServer;
use hearth::di::{Dependency, Lifecycle};
use hearth::extract::FromRequestParts;
use hearth::prelude::*;
use hearth::routing::{Controller, ControllerMeta, RouteDef};
use http::Method;
use util::*;

/// A class provider whose fields are `Arc`s resolved by type.
macro_rules! service {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        struct $name { $( #[allow(dead_code)] $field: Arc<$ty>, )* }
        impl Injectable for $name {
            fn dependencies() -> Vec<Dependency> {
                vec![$(Dependency::of::<$ty>(stringify!($field))),*]
            }
            fn construct(_r: &Resolver) -> Result<Self, DiError> {
                Ok($name { $($field: _r.get::<$ty>()?,)* })
            }
        }
    };
}

/// A controller with no routes whose fields are resolved by type.
macro_rules! controller {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        service!($name { $($field: $ty),* });
        impl ControllerMeta for $name {
            fn prefix() -> &'static str { "/" }
        }
        impl Controller for $name {
            fn routes() -> Vec<RouteDef<Self>> { vec![] }
        }
    };
}

/// A module built from a function.
macro_rules! module {
    ($name:ident => $body:expr) => {
        struct $name;
        impl Module for $name {
            fn definition() -> ModuleDef {
                $body
            }
        }
    };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);
fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::SeqCst)
}

// ---------------------------------------------------------------- the working application

const DB_URL: Token<String> = Token::new("DB_URL");
const REPLICA_URL: Token<String> = Token::new("REPLICA_URL");

/// Class provider with a token dependency.
struct Database {
    url: Arc<String>,
    replica: Arc<String>,
}
impl Injectable for Database {
    fn dependencies() -> Vec<Dependency> {
        vec![
            Dependency::token(&DB_URL, "url"),
            Dependency::token(&REPLICA_URL, "replica"),
        ]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(Database {
            url: r.get_token(&DB_URL)?,
            replica: r.get_token(&REPLICA_URL)?,
        })
    }
}

/// Built by a sync factory.
struct Repo {
    db: Arc<Database>,
    table: &'static str,
}

/// Built by an async factory.
struct Cache {
    warmed: String,
}

/// Transient: a new one on every injection.
struct Clock {
    id: u64,
}
impl Injectable for Clock {
    fn dependencies() -> Vec<Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(Clock { id: next_id() })
    }
    fn scope() -> Scope {
        Scope::Transient
    }
}

/// Request-scoped, depending on a singleton.
struct RequestState {
    id: u64,
    db: Arc<Database>,
}
impl Injectable for RequestState {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::of::<Database>("db")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(RequestState {
            id: next_id(),
            db: r.get()?,
        })
    }
    fn scope() -> Scope {
        Scope::Request
    }
}

// Two singletons that each get their own transient `Clock`.
service!(ClockUserA { clock: Clock });
service!(ClockUserB { clock: Clock });

struct DiController {
    db: Arc<Database>,
    repo: Arc<Repo>,
    cache: Arc<Cache>,
    a: Arc<ClockUserA>,
    b: Arc<ClockUserB>,
}
impl Injectable for DiController {
    fn dependencies() -> Vec<Dependency> {
        vec![
            Dependency::of::<Database>("db"),
            Dependency::of::<Repo>("repo"),
            Dependency::of::<Cache>("cache"),
            Dependency::of::<ClockUserA>("a"),
            Dependency::of::<ClockUserB>("b"),
        ]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(DiController {
            db: r.get()?,
            repo: r.get()?,
            cache: r.get()?,
            a: r.get()?,
            b: r.get()?,
        })
    }
}
impl ControllerMeta for DiController {
    fn prefix() -> &'static str {
        "/di"
    }
}

/// The body of `GET path` on `server`, as text.
async fn get_text(server: &RunningServer, path: &str) -> String {
    let res = reqwest::get(format!("{}{path}", server.url()))
        .await
        .unwrap();
    res.text().await.unwrap()
}

/// The body of `GET path` on `server`, as JSON.
async fn get_json(server: &RunningServer, path: &str) -> Value {
    let res = reqwest::get(format!("{}{path}", server.url()))
        .await
        .unwrap();
    res.json().await.unwrap()
}

async fn inject<T: Send + Sync + 'static>(parts: &mut http::request::Parts) -> Arc<T> {
    Inject::<T>::from_request_parts(parts).await.unwrap().0
}

impl Controller for DiController {
    fn routes() -> Vec<RouteDef<Self>> {
        vec![
            RouteDef::new(Method::GET, "/wiring", "wiring", |this, _| {
                Box::pin(async move {
                    Json(json!({
                        "url": *this.db.url,
                        "replica": *this.db.replica,
                        "repo_shares_db": Arc::ptr_eq(&this.repo.db, &this.db),
                        "table": this.repo.table,
                        "cache": this.cache.warmed,
                        "clocks_differ": this.a.clock.id != this.b.clock.id,
                    }))
                    .into_response()
                })
            }),
            RouteDef::new(Method::GET, "/scopes", "scopes", |this, req| {
                Box::pin(async move {
                    let (mut parts, _) = req.into_parts();
                    let db = inject::<Database>(&mut parts).await;
                    let c1 = inject::<Clock>(&mut parts).await;
                    let c2 = inject::<Clock>(&mut parts).await;
                    let r1 = inject::<RequestState>(&mut parts).await;
                    let r2 = inject::<RequestState>(&mut parts).await;
                    Json(json!({
                        "singleton_same": Arc::ptr_eq(&db, &this.db),
                        "transient_differ": c1.id != c2.id && !Arc::ptr_eq(&c1, &c2),
                        "request_same": Arc::ptr_eq(&r1, &r2),
                        "request_id": r1.id,
                        "request_db_is_singleton": Arc::ptr_eq(&r1.db, &this.db),
                    }))
                    .into_response()
                })
            }),
        ]
    }
}

module!(DiApp => ModuleDef::new("DiApp")
    .provider(Provider::value_for(&DB_URL, "postgres://primary".to_string()))
    .provider(Provider::factory_for(&REPLICA_URL, |r: &Resolver| {
        let primary = r.get_token(&DB_URL)?;
        Ok(primary.replace("primary", "replica"))
    }).depends_on(DB_URL, "primary"))
    .provider(Provider::class::<Database>())
    .provider(
        Provider::factory(|r: &Resolver| Ok(Repo { db: r.get()?, table: "users" }))
            .depends_on_type::<Database>("db"),
    )
    .provider(Provider::async_factory(|r: Resolver| async move {
        let repo = r.get::<Repo>()?;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        Ok(Cache { warmed: format!("warmed from {}", repo.table) })
    }).depends_on_type::<Repo>("repo"))
    .provider(Provider::class::<Clock>())
    .provider(Provider::class::<RequestState>())
    .provider(Provider::class::<ClockUserA>())
    .provider(Provider::class::<ClockUserB>())
    .controller::<DiController>());

#[tokio::test]
async fn providers_of_every_kind_are_wired_by_type_and_token() {
    let server = start(Application::create::<DiApp>().unwrap()).await;
    let v: Value = get_json(&server, "/di/wiring").await;
    assert_eq!(
        v,
        json!({
            "url": "postgres://primary",
            "replica": "postgres://replica",
            "repo_shares_db": true,
            "table": "users",
            "cache": "warmed from users",
            "clocks_differ": true,
        })
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn singleton_transient_and_request_scopes_over_http() {
    let server = start(Application::create::<DiApp>().unwrap()).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let v: Value = get_json(&server, "/di/scopes").await;
        assert_eq!(v["singleton_same"], true, "{v}");
        assert_eq!(v["transient_differ"], true, "{v}");
        assert_eq!(v["request_same"], true, "{v}");
        assert_eq!(v["request_db_is_singleton"], true, "{v}");
        ids.push(v["request_id"].as_u64().unwrap());
    }
    assert_ne!(ids[0], ids[1], "a new request-scoped instance per request");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn request_scope_is_shared_between_middleware_and_handler() {
    // A middleware resolves the request-scoped provider; the handler resolves it again and
    // must get the same instance.
    let app = Application::create::<DiApp>()
        .unwrap()
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            let (mut parts, body) = req.into_parts();
            let state = inject::<RequestState>(&mut parts).await;
            let mut res = next.run(Request::from_parts(parts, body)).await;
            res.headers_mut()
                .insert("x-middleware-state", state.id.into());
            res
        }));
    let server = start(app).await;
    let res = reqwest::get(format!("{}/di/scopes", server.url()))
        .await
        .unwrap();
    let seen = res.headers()["x-middleware-state"]
        .to_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["request_id"].as_u64(), Some(seen));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn resolver_gets_by_type_and_by_token_inside_factories() {
    const GREETING: Token<String> = Token::new("GREETING");
    const FAREWELL: Token<String> = Token::new("FAREWELL");
    struct Both(String);
    let def = ModuleDef::new("Tokens")
        .provider(Provider::value_for(&GREETING, "hello".to_string()))
        .provider(Provider::value_for(&FAREWELL, "bye".to_string()))
        .provider(Provider::value(42u32))
        .provider(
            Provider::factory(|r: &Resolver| {
                Ok(Both(format!(
                    "{} {} {}",
                    r.get_token(&GREETING)?,
                    r.get_token(&FAREWELL)?,
                    r.get::<u32>()?
                )))
            })
            .depends_on(GREETING, "g")
            .depends_on(FAREWELL, "f")
            .depends_on_type::<u32>("n"),
        )
        .route(Method::GET, "/both", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            inject::<Both>(&mut parts).await.0.clone()
        });
    let server = start_def(def).await;
    let text = get_text(&server, "/both").await;
    assert_eq!(text, "hello bye 42");
    server.shutdown().await.unwrap();
}

// ----------------------------------------------------------------- encapsulation, globals

service!(UserService {});
service!(AuthService { users: UserService });
controller!(UserController { auth: AuthService });

module!(PrivateUsersModule => ModuleDef::new("UsersModule").provider(Provider::class::<UserService>()));
module!(EncapsulatedApp => ModuleDef::new("AppModule")
    .import(PrivateUsersModule)
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());

#[tokio::test]
async fn non_exported_provider_is_not_visible_to_importers() {
    let err = startup_error(Application::create::<EncapsulatedApp>()).await;
    assert!(
        err.contains("UserController → AuthService → UserService: not provided"),
        "{err}"
    );
    assert!(
        err.contains("UserService is provided by UsersModule but not exported; add it to the exports of UsersModule"),
        "{err}"
    );
    assert!(
        !err.contains("and import UsersModule in AppModule"),
        "AppModule already imports UsersModule: {err}"
    );
}

module!(ExportingUsersModule => ModuleDef::new("UsersModule")
    .provider(Provider::class::<UserService>())
    .export(hearth::di::ProviderKey::of::<UserService>()));
module!(ForgetfulApp => ModuleDef::new("AppModule")
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());
module!(RootWithSibling => ModuleDef::new("RootModule")
    .import(ExportingUsersModule)
    .import(ForgetfulApp));

#[tokio::test]
async fn exported_but_not_imported_names_the_import_fix() {
    let err = startup_error(Application::create::<RootWithSibling>()).await;
    assert!(
        err.contains("UserController → AuthService → UserService: not provided; UserService is provided by UsersModule; import UsersModule in AppModule"),
        "{err}"
    );
}

module!(GoodApp => ModuleDef::new("AppModule")
    .import(ExportingUsersModule)
    .provider(Provider::class::<AuthService>())
    .controller::<UserController>());

#[tokio::test]
async fn exported_provider_is_visible_and_shared() {
    let app = Application::create::<GoodApp>().unwrap();
    app.build().await.unwrap();
}

struct AppConfig {
    name: &'static str,
}
service!(Secret {});
service!(FeatureService { config: AppConfig });
service!(SecretReader { secret: Secret });

module!(ConfigModule => ModuleDef::new("ConfigModule")
    .global()
    .provider(Provider::value(AppConfig { name: "hearth" }))
    .provider(Provider::class::<Secret>())
    .export(hearth::di::ProviderKey::of::<AppConfig>()));
module!(FeatureModule => ModuleDef::new("FeatureModule")
.provider(Provider::class::<FeatureService>())
.route(Method::GET, "/feature", |req: Request| async move {
    let (mut parts, _) = req.into_parts();
    inject::<FeatureService>(&mut parts).await.config.name
}));
module!(GlobalApp => ModuleDef::new("AppModule")
    .import(ConfigModule)
    .import(FeatureModule));

#[tokio::test]
async fn global_module_exports_are_visible_everywhere() {
    let server = start(Application::create::<GlobalApp>().unwrap()).await;
    let text = get_text(&server, "/feature").await;
    assert_eq!(text, "hearth");
    server.shutdown().await.unwrap();
}

module!(PeekingFeature => ModuleDef::new("FeatureModule").provider(Provider::class::<SecretReader>()));
module!(PeekingApp => ModuleDef::new("AppModule").import(ConfigModule).import(PeekingFeature));

#[tokio::test]
async fn global_module_keeps_non_exported_providers_private() {
    let err = startup_error(Application::create::<PeekingApp>()).await;
    assert!(
        err.contains("SecretReader → Secret: not provided; Secret is provided by ConfigModule but not exported; add it to the exports of ConfigModule"),
        "{err}"
    );
}

// ------------------------------------------------------------------ start-up errors

service!(ServiceA { b: ServiceB });
service!(ServiceB { c: ServiceC });
service!(ServiceC {});

module!(MissingApp => ModuleDef::new("AppModule")
    // Declared in an order that does not start at the root of the chain.
    .provider(Provider::class::<ServiceB>())
    .provider(Provider::class::<ServiceA>()));

#[tokio::test]
async fn missing_provider_names_the_full_chain_and_the_fix() {
    let err = startup_error(Application::create::<MissingApp>()).await;
    assert!(err.starts_with("the application cannot start"), "{err}");
    assert!(
        err.contains("ServiceA → ServiceB → ServiceC: not provided; add ServiceC to the providers of AppModule"),
        "{err}"
    );
    assert_eq!(err.matches("not provided").count(), 1, "{err}");
}

controller!(ChainController { a: ServiceA });
module!(MissingFromController => ModuleDef::new("AppModule")
    .provider(Provider::class::<ServiceC>().scope(Scope::Transient))
    .provider(Provider::class::<ServiceA>())
    .controller::<ChainController>());

#[tokio::test]
async fn missing_provider_chain_starts_at_the_controller() {
    let err = startup_error(Application::create::<MissingFromController>()).await;
    assert!(
        err.contains("ChainController → ServiceA → ServiceB: not provided; add ServiceB to the providers of AppModule"),
        "{err}"
    );
}

const API_KEY: Token<String> = Token::new("API_KEY");
struct NeedsToken;
impl Injectable for NeedsToken {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::token(&API_KEY, "key")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        r.get_token(&API_KEY)?;
        Ok(NeedsToken)
    }
}
module!(MissingToken => ModuleDef::new("AppModule")
    .provider(Provider::value(String::from("a String by type is not the token")))
    .provider(Provider::class::<NeedsToken>()));

#[tokio::test]
async fn missing_token_names_the_token() {
    let err = startup_error(Application::create::<MissingToken>()).await;
    assert!(
        err.contains("NeedsToken → String (API_KEY): not provided;"),
        "{err}"
    );
    assert!(err.contains("API_KEY"), "{err}");
    let fix = err.split("not provided;").nth(1).unwrap();
    assert!(fix.contains("API_KEY"), "the fix names the token: {err}");
}

service!(CycleA { b: CycleB });
service!(CycleB { c: CycleC });
service!(CycleC { a: CycleA });
controller!(CycleController { a: CycleA });
module!(CycleApp => ModuleDef::new("AppModule")
    .provider(Provider::class::<CycleB>())
    .provider(Provider::class::<CycleC>())
    .provider(Provider::class::<CycleA>())
    .controller::<CycleController>());

#[tokio::test]
async fn dependency_cycle_names_the_chain() {
    let err = startup_error(Application::create::<CycleApp>()).await;
    assert!(
        err.contains("dependency cycle: CycleA → CycleB → CycleC → CycleA"),
        "{err}"
    );
    assert_eq!(err.matches("dependency cycle").count(), 1, "{err}");
}

service!(Singleton {
    state: RequestState
});
module!(ScopeApp => ModuleDef::new("AppModule")
    .provider(Provider::value_for(&DB_URL, String::new()))
    .provider(Provider::value_for(&REPLICA_URL, String::new()))
    .provider(Provider::class::<Database>())
    .provider(Provider::class::<RequestState>())
    .provider(Provider::class::<Singleton>()));

#[tokio::test]
async fn singleton_depending_on_request_scoped_is_an_error() {
    let err = startup_error(Application::create::<ScopeApp>()).await;
    assert!(
        err.contains("Singleton → RequestState: Singleton is a singleton but depends on the request-scoped RequestState"),
        "{err}"
    );
    assert!(err.contains("Inject<RequestState>"), "{err}");
}

controller!(RequestController {
    state: RequestState
});
module!(ScopeControllerApp => ModuleDef::new("AppModule")
    .provider(Provider::value_for(&DB_URL, String::new()))
    .provider(Provider::value_for(&REPLICA_URL, String::new()))
    .provider(Provider::class::<Database>())
    .provider(Provider::class::<RequestState>())
    .controller::<RequestController>());

#[tokio::test]
async fn controller_depending_on_request_scoped_is_an_error() {
    let err = startup_error(Application::create::<ScopeControllerApp>()).await;
    assert!(
        err.contains(
            "RequestController is a singleton but depends on the request-scoped RequestState"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn async_factory_must_be_a_singleton() {
    let def = ModuleDef::new("AppModule").provider(
        Provider::async_factory(|_r: Resolver| async { Ok(7u8) }).scope(Scope::Transient),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("u8: async factories must be singletons"),
        "{err}"
    );
}

module!(CycleModuleA => ModuleDef::new("AModule").import(CycleModuleB));
module!(CycleModuleB => ModuleDef::new("BModule").import(CycleModuleC));
module!(CycleModuleC => ModuleDef::new("CModule").import(CycleModuleA));
module!(CycleRoot => ModuleDef::new("AppModule").import(CycleModuleA));

#[tokio::test]
async fn import_cycle_between_static_modules_is_an_error() {
    let err = startup_error(Application::create::<CycleRoot>()).await;
    assert!(
        err.contains("module import cycle: AModule → BModule → CModule → AModule"),
        "{err}"
    );
}

module!(Shared => ModuleDef::new("SharedModule").provider(Provider::value(5u16)).export(hearth::di::ProviderKey::of::<u16>()));
module!(Left => ModuleDef::new("Left").import(Shared));
module!(Right => ModuleDef::new("Right").import(Shared));
module!(Diamond => ModuleDef::new("AppModule").import(Left).import(Right).import(Shared));

#[tokio::test]
async fn diamond_imports_are_not_a_cycle_and_share_one_instance() {
    let server = start(Application::create::<Diamond>().unwrap()).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn exporting_what_a_module_does_not_have_is_an_error() {
    let def = ModuleDef::new("AppModule").import(
        ModuleDef::new("ToolsModule")
            .provider(Provider::value(1i64))
            .export(hearth::di::ProviderKey::of::<i64>())
            .export(API_KEY),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("ToolsModule exports String (API_KEY), which it neither provides nor imports"),
        "{err}"
    );
    assert!(!err.contains("i64"), "{err}");
}

#[tokio::test]
async fn one_key_provided_twice_in_a_module_is_an_error() {
    // By type: which of the two `u16`s a dependant would get is a guess, so there is none.
    let def = ModuleDef::new("AppModule").import(
        ModuleDef::new("ToolsModule")
            .provider(Provider::value(1u16))
            .provider(Provider::value(2u16))
            .provider(Provider::value(3u16)),
    );
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("ToolsModule provides u16 twice; keep one"),
        "{err}"
    );
    assert_eq!(err.matches("provides u16 twice").count(), 1, "{err}");

    // By token, the fix names the way out: a token of its own.
    let def = ModuleDef::new("AppModule")
        .provider(Provider::value_for(&API_KEY, "first".to_string()))
        .provider(Provider::value_for(&API_KEY, "second".to_string()));
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("AppModule provides String (API_KEY) twice;")
            && err.contains("Provider::value_for(&TOKEN, ..)"),
        "{err}"
    );
}

#[tokio::test]
async fn one_provider_under_a_type_and_a_token_is_not_a_duplicate() {
    // `also_as` registers one instance under two keys; a module importing a key it also
    // provides uses its own provider. Neither is a second provider of one key.
    struct Keys(String);
    let def = ModuleDef::new("AppModule")
        .import(
            ModuleDef::new("ConfigModule")
                .provider(Provider::value_for(&API_KEY, "imported".to_string()))
                .export(API_KEY),
        )
        .provider(
            Provider::value_for(&API_KEY, "own".to_string())
                .also_as(hearth::di::ProviderKey::of::<String>()),
        )
        .provider(
            Provider::factory(|r: &Resolver| {
                Ok(Keys(format!(
                    "{} {}",
                    r.get::<String>()?,
                    r.get_token(&API_KEY)?
                )))
            })
            .depends_on_type::<String>("by_type")
            .depends_on(API_KEY, "by_token"),
        )
        .route(Method::GET, "/key", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            inject::<Keys>(&mut parts).await.0.clone()
        });
    let server = start_def(def).await;
    let text = get_text(&server, "/key").await;
    assert_eq!(text, "own own");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let def = ModuleDef::new("AppModule")
        .provider(Provider::class::<ServiceA>())
        .provider(Provider::class::<NeedsToken>());
    let err = Application::from_module(def).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

// ------------------------------------------------------------------ lifecycle hooks

#[derive(Default)]
struct Events(Mutex<Vec<String>>);
impl Events {
    fn push(&self, e: &str) {
        self.0.lock().unwrap().push(e.to_owned());
    }
    fn list(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Pool {
    events: Arc<Events>,
}
impl Injectable for Pool {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::of::<Events>("events")]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(Pool { events: r.get()? })
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init().with_shutdown()
    }
}
impl OnModuleInit for Pool {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        tokio::task::yield_now().await;
        self.events.push("pool init");
        Ok(())
    }
}
impl OnApplicationShutdown for Pool {
    async fn on_application_shutdown(&self) {
        self.events.push("pool shutdown");
    }
}

struct Worker {
    events: Arc<Events>,
    _pool: Arc<Pool>,
}
impl Injectable for Worker {
    fn dependencies() -> Vec<Dependency> {
        vec![
            Dependency::of::<Events>("events"),
            Dependency::of::<Pool>("pool"),
        ]
    }
    fn construct(r: &Resolver) -> Result<Self, DiError> {
        Ok(Worker {
            events: r.get()?,
            _pool: r.get()?,
        })
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init().with_shutdown()
    }
}
impl OnModuleInit for Worker {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        self.events.push("worker init");
        Ok(())
    }
}
impl OnApplicationShutdown for Worker {
    async fn on_application_shutdown(&self) {
        self.events.push("worker shutdown");
    }
}

#[tokio::test]
async fn lifecycle_hooks_run_before_serving_and_at_shutdown() {
    let events = Arc::new(Events::default());
    let def = ModuleDef::new("AppModule")
        // Declared dependent-first: hooks still follow dependency order.
        .provider(Provider::class::<Worker>())
        .provider(Provider::class::<Pool>())
        .provider(Provider::shared(events.clone()))
        .route(Method::GET, "/events", |req: Request| async move {
            let (mut parts, _) = req.into_parts();
            inject::<Events>(&mut parts).await.list().join(",")
        });
    let app = Application::from_module(def).unwrap();
    assert!(events.list().is_empty(), "nothing runs before build");
    let app = app.build().await.unwrap();
    assert_eq!(events.list(), ["pool init", "worker init"]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = app.spawn(listener);
    let text = get_text(&server, "/events").await;
    assert_eq!(text, "pool init,worker init");
    server.shutdown().await.unwrap();
    assert_eq!(
        events.list(),
        [
            "pool init",
            "worker init",
            "worker shutdown",
            "pool shutdown"
        ]
    );
}

struct Flaky;
impl Injectable for Flaky {
    fn dependencies() -> Vec<Dependency> {
        vec![]
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(Flaky)
    }
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none().with_init()
    }
}
impl OnModuleInit for Flaky {
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        Err("cannot reach the broker".into())
    }
}

#[tokio::test]
async fn failing_on_module_init_aborts_start_up() {
    let def = ModuleDef::new("AppModule").provider(Provider::class::<Flaky>());
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("Flaky: on_module_init failed: cannot reach the broker"),
        "{err}"
    );
}

#[tokio::test]
async fn failing_factory_aborts_start_up_with_its_error() {
    let def = ModuleDef::new("AppModule").provider(Provider::async_factory(|_r: Resolver| async {
        Err::<u8, _>(DiError::construct("RedisClient", "connection refused"))
    }));
    let err = startup_error(Application::from_module(def)).await;
    assert!(
        err.contains("building RedisClient failed: connection refused"),
        "{err}"
    );
}
