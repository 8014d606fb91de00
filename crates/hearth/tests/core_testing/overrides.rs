//! `TestingModule`: a real application (macros, modules, encapsulation, guards) with a
//! provider, a token or a guard replaced, driven in process.

use std::sync::Mutex;

use hearth::StartupError;
use hearth::di::Dependency;
use hearth::lifecycle::{Enhancer, GuardDef};
use hearth::routing::{Controller, ControllerMeta, RouteDef};
use hearth::testing::{OverrideError, TestingModule};
use http::Method;

use hearth::prelude::*;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct User {
    id: String,
    name: String,
}

const DATABASE_URL: Token<String> = Token::new("DATABASE_URL");
const API_KEY: Token<String> = Token::new("API_KEY");

/// The users table. The real one reads the database at `url`, which holds no users in these
/// tests; a test puts a fake in its place.
#[injectable]
struct UserRepository {
    #[inject(DATABASE_URL)]
    url: Arc<String>,
    #[inject(default)]
    users: Mutex<Vec<User>>,
}

impl UserRepository {
    fn fake(users: &[(&str, &str)]) -> Self {
        UserRepository {
            url: Arc::new("memory://fake".into()),
            users: Mutex::new(
                users
                    .iter()
                    .map(|(id, name)| User {
                        id: (*id).into(),
                        name: (*name).into(),
                    })
                    .collect(),
            ),
        }
    }

    fn find(&self, id: &str) -> Option<User> {
        self.users
            .lock()
            .unwrap()
            .iter()
            .find(|u| u.id == id)
            .cloned()
    }

    fn insert(&self, user: User) {
        self.users.lock().unwrap().push(user);
    }

    fn remove(&self, id: &str) -> bool {
        let mut users = self.users.lock().unwrap();
        let before = users.len();
        users.retain(|u| u.id != id);
        users.len() < before
    }

    fn ids(&self) -> Vec<String> {
        self.users
            .lock()
            .unwrap()
            .iter()
            .map(|u| u.id.clone())
            .collect()
    }
}

/// Reaches the repository only through its own dependency.
#[injectable]
struct UserService {
    repo: Arc<UserRepository>,
}

impl UserService {
    fn display_name(&self, id: &str) -> Option<String> {
        self.repo.find(id).map(|u| format!("{} ({})", u.name, u.id))
    }
}

/// Lets in requests that carry the API key; answers 401 to the others.
#[injectable]
struct ApiKeyGuard {
    #[inject(API_KEY)]
    key: Arc<String>,
}

impl Guard for ApiKeyGuard {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> Result<bool, HttpException> {
        match req.headers().get("x-api-key") {
            Some(v) if v.as_bytes() == self.key.as_bytes() => Ok(true),
            _ => Err(UnauthorizedException::new("API key required")),
        }
    }
}

/// What a test puts in place of `ApiKeyGuard`: everyone is in.
struct LetIn;

impl Guard for LetIn {
    async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> Result<bool, HttpException> {
        Ok(true)
    }
}

#[controller("/users")]
struct UsersController {
    repo: Arc<UserRepository>,
}

#[routes]
impl UsersController {
    #[get("/")]
    async fn database(&self) -> String {
        self.repo.url.to_string()
    }

    #[get("/:id")]
    async fn show(&self, #[param] id: String) -> HttpResult<Json<User>> {
        match self.repo.find(&id) {
            Some(user) => Ok(Json(user)),
            None => Err(NotFoundException::new(format!("no user {id}"))),
        }
    }

    #[post("/")]
    async fn create(&self, #[body] user: User) -> StatusCode {
        self.repo.insert(user);
        StatusCode::CREATED
    }

    #[delete("/:id")]
    #[use_guards(ApiKeyGuard)]
    async fn remove(&self, #[param] id: String) -> StatusCode {
        if self.repo.remove(&id) {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::NOT_FOUND
        }
    }
}

#[controller("/profile")]
struct ProfileController {
    users: Arc<UserService>,
}

#[routes]
impl ProfileController {
    #[get("/:id")]
    async fn show(&self, #[param] id: String) -> HttpResult<String> {
        self.users
            .display_name(&id)
            .ok_or_else(|| NotFoundException::new(format!("no user {id}")))
    }
}

/// Guarded as a whole: written by hand with the traits `#[controller]` and `#[routes]`
/// implement, its guards listed on the controller.
struct AdminController;

impl Injectable for AdminController {
    fn dependencies() -> Vec<Dependency> {
        Vec::new()
    }
    fn construct(_: &Resolver) -> Result<Self, DiError> {
        Ok(AdminController)
    }
}

impl ControllerMeta for AdminController {
    fn prefix() -> &'static str {
        "/admin"
    }
    fn guards() -> Vec<GuardDef> {
        vec![Enhancer::guard::<ApiKeyGuard>()]
    }
}

impl Controller for AdminController {
    fn routes() -> Vec<RouteDef<Self>> {
        vec![RouteDef::new(Method::GET, "/stats", "stats", |_, _| {
            Box::pin(async { "42 users".into_response() })
        })]
    }
}

/// The repository and the database URL stay private to this module; only `UserService` is
/// exported.
#[module(
    controllers = [UsersController],
    providers = [
        UserRepository,
        UserService,
        Provider::value_for(&DATABASE_URL, "postgres://prod/users".to_string()),
    ],
    exports = [UserService],
)]
struct UsersModule;

/// Configuration every module sees.
struct ConfigModule;

impl Module for ConfigModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("ConfigModule")
            .global()
            .provider(Provider::value_for(&API_KEY, "s3cret".to_string()))
            .export(API_KEY)
    }
}

struct AppModule;

impl Module for AppModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("AppModule")
            .import(ConfigModule)
            .import(UsersModule)
            .controller::<ProfileController>()
            .controller::<AdminController>()
    }
}

fn ada() -> Value {
    json!({ "id": "u1", "name": "Ada" })
}

#[tokio::test]
async fn an_overridden_provider_is_what_the_controller_sees() {
    // The real repository has no users.
    let real = TestingModule::for_module::<AppModule>()
        .build()
        .await
        .unwrap();
    assert_eq!(real.get("/users/u1").send().await.status(), 404);

    let fake = Arc::new(UserRepository::fake(&[("u1", "Ada")]));
    let client = TestingModule::for_module::<AppModule>()
        .override_provider::<UserRepository>(fake.clone())
        .build()
        .await
        .unwrap();
    let res = client.get("/users/u1").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>(), ada());
    assert_eq!(client.get("/users").send().await.text(), "memory://fake");

    // What the controller writes lands in the fake the test holds.
    let res = client
        .post("/users")
        .json(&json!({ "id": "u2", "name": "Grace" }))
        .send()
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(fake.ids(), ["u1", "u2"]);
}

#[tokio::test]
async fn a_transitive_dependant_sees_the_override_too() {
    let client = TestingModule::for_module::<AppModule>()
        .override_provider::<UserRepository>(UserRepository::fake(&[("u1", "Ada")]))
        .build()
        .await
        .unwrap();
    // ProfileController → UserService (exported by UsersModule) → UserRepository.
    let res = client.get("/profile/u1").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "Ada (u1)");
    assert_eq!(client.get("/profile/u9").send().await.status(), 404);
}

#[tokio::test]
async fn an_override_keeps_encapsulation_and_can_be_inspected() {
    let fake = Arc::new(UserRepository::fake(&[]));
    let client = TestingModule::for_module::<AppModule>()
        .override_provider::<UserRepository>(fake.clone())
        .build()
        .await
        .unwrap();

    // The root module still cannot see the repository UsersModule keeps private…
    let Err(hidden) = client.resolver().get::<UserRepository>() else {
        panic!("UserRepository is private to UsersModule");
    };
    assert!(
        hidden
            .to_string()
            .contains("UserRepository is not visible from AppModule"),
        "{hidden}"
    );
    // …but sees the exported service, which holds the fake.
    let service = client.resolver().get::<UserService>().unwrap();
    assert!(Arc::ptr_eq(&service.repo, &fake));

    // A test inspects any singleton, wherever it is provided.
    let found = client.provider::<UserRepository>().unwrap();
    assert!(Arc::ptr_eq(&found, &fake));
    assert_eq!(
        client
            .provider_token(&DATABASE_URL)
            .as_deref()
            .map(String::as_str),
        Some("postgres://prod/users")
    );
    assert!(client.provider::<LetInNeverProvided>().is_none());
}

struct LetInNeverProvided;

#[tokio::test]
async fn an_overridden_token_reaches_every_dependant() {
    let client = TestingModule::for_module::<AppModule>()
        .override_token(&DATABASE_URL, "sqlite::memory:".to_string())
        .build()
        .await
        .unwrap();
    // The real repository, built with the overridden URL.
    assert_eq!(client.get("/users").send().await.text(), "sqlite::memory:");
}

#[tokio::test]
async fn an_override_factory_resolves_its_dependencies_in_the_original_module() {
    // DATABASE_URL is private to UsersModule: the replacement resolves it there.
    let factory = Provider::factory(|r: &Resolver| {
        let url = r.get_token(&DATABASE_URL)?;
        let repo = UserRepository::fake(&[("u1", "Ada")]);
        Ok(UserRepository { url, ..repo })
    })
    .depends_on(DATABASE_URL, "url");
    let client = TestingModule::for_module::<AppModule>()
        .override_with(factory)
        .build()
        .await
        .unwrap();
    assert_eq!(
        client.get("/users").send().await.text(),
        "postgres://prod/users"
    );
    assert_eq!(client.get("/users/u1").send().await.json::<Value>(), ada());
}

#[tokio::test]
async fn an_overridden_guard_lets_in_what_the_real_one_denies() {
    let real = TestingModule::for_module::<AppModule>()
        .build()
        .await
        .unwrap();
    // Listed on the controller, and on one route.
    assert_eq!(real.get("/admin/stats").send().await.status(), 401);
    assert_eq!(real.delete("/users/u1").send().await.status(), 401);
    let res = real
        .get("/admin/stats")
        .header("x-api-key", "s3cret")
        .send()
        .await;
    assert_eq!(res.text(), "42 users");

    let client = TestingModule::for_module::<AppModule>()
        .override_provider::<UserRepository>(UserRepository::fake(&[("u1", "Ada")]))
        .override_guard::<ApiKeyGuard>(LetIn)
        .build()
        .await
        .unwrap();
    let res = client.get("/admin/stats").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "42 users");
    assert_eq!(client.delete("/users/u1").send().await.status(), 204);
    assert_eq!(client.get("/users/u1").send().await.status(), 404);
}

fn api_with_global_guard() -> ModuleDef {
    ModuleDef::new("ApiModule")
        .import(ConfigModule)
        .guard::<ApiKeyGuard>()
        .route(Method::GET, "/ping", |_| async { "pong" })
}

#[tokio::test]
async fn a_global_guard_of_a_dynamic_module_is_overridden_too() {
    let real = TestingModule::from_module(api_with_global_guard())
        .build()
        .await
        .unwrap();
    assert_eq!(real.get("/ping").send().await.status(), 401);

    let client = TestingModule::from_module(api_with_global_guard())
        .override_guard::<ApiKeyGuard>(LetIn)
        .build()
        .await
        .unwrap();
    let res = client.get("/ping").send().await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "pong");
}

#[tokio::test]
async fn overriding_what_the_application_does_not_have_is_a_clear_error() {
    struct Unregistered;
    let err = TestingModule::for_module::<AppModule>()
        .override_provider::<Unregistered>(Unregistered)
        .build()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.problems(),
            [StartupError::Override(OverrideError::NotProvided { .. })]
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("cannot override Unregistered: no module of the application provides it"),
        "{text}"
    );

    let err = TestingModule::for_module::<AppModule>()
        .override_guard::<LetIn>(LetIn)
        .build()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("cannot override the guard LetIn: no module, controller or route"),
        "{text}"
    );
    assert_eq!(err.problems().len(), 1, "{text}");
}
