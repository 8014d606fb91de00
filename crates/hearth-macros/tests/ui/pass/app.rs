//! A small application with every attribute.
use hearth::prelude::*;

pub struct Config {
    pub name: String,
}
pub const CONFIG: Token<Config> = Token::new("CONFIG");

#[injectable]
pub struct Repo;

#[injectable(scope = request)]
pub struct Service {
    repo: Arc<Repo>,
    #[inject(CONFIG)]
    config: Arc<Config>,
    #[inject(default)]
    hits: std::sync::atomic::AtomicUsize,
}

struct Noop;
impl Middleware for Noop {
    async fn handle(&self, req: Request, next: Next) -> Response {
        next.run(req).await
    }
}

#[derive(Deserialize)]
struct Dto {
    name: String,
}

#[controller("/api")]
#[use_middleware(Noop, from_fn(|req: Request, next: Next| async move { next.run(req).await }))]
struct Api {
    repo: Arc<Repo>,
}

#[routes]
impl Api {
    #[get]
    async fn index(&self) -> &'static str {
        let _ = &self.repo;
        "index"
    }

    #[post("/items/:id")]
    #[use_middleware(Noop)]
    async fn create(
        &self,
        #[param] id: u64,
        #[body] dto: Dto,
        #[query("dry")] dry: Option<bool>,
        #[header("x-key")] key: String,
        #[ctx] ctx: RequestContext,
        #[session] session: Session,
        service: Inject<Service>,
    ) -> HttpResult<Json<Value>> {
        let _ = (ctx, session, &service.config.name, &service.hits);
        Ok(Json(json!({ "id": id, "name": dto.name, "dry": dry, "key": key })))
    }

    #[route(DELETE, "/items/{id}")]
    async fn delete(&self, #[param("id")] id: String, body: String) -> String {
        format!("{id}{body}")
    }

    fn helper(&self) -> u8 {
        1
    }
}

#[module(providers = [Repo], exports = [Repo], global)]
struct Shared;

fn config_module() -> DynamicModule {
    ModuleDef::new("Config")
        .provider(Provider::value_for(&CONFIG, Config { name: "x".into() }))
        .export(CONFIG)
}

#[module(
    imports = [Shared, config_module()],
    controllers = [Api],
    providers = [Service],
)]
struct AppModule;

fn main() {
    let _ = Application::create::<AppModule>();
    let _ = Api { repo: Arc::new(Repo) }.helper();
}
