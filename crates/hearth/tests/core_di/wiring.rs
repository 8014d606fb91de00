//! The working application: every provider kind wired by type and token, the three scopes
//! over real HTTP.

use super::*;

pub(crate) const DB_URL: Token<String> = Token::new("DB_URL");
pub(crate) const REPLICA_URL: Token<String> = Token::new("REPLICA_URL");

/// Class provider with a token dependency.
pub(crate) struct Database {
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
pub(crate) struct RequestState {
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
