//! Modules and dependency injection, the way a larger application is structured:
//! a global configuration module, a feature module that exports one provider and keeps its
//! repository private, a request-scoped provider, a token, and a lifecycle hook.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hearth::prelude::*;

// ── configuration: a global module, a typed token ────────────────────────────────────────

/// Application settings.
pub struct AppConfig {
    /// The greeting the API uses.
    pub greeting: String,
}

/// The token settings are provided under.
pub const APP_CONFIG: Token<AppConfig> = Token::new("APP_CONFIG");

/// Global: every module sees `APP_CONFIG` without importing this module.
#[module(
    global,
    providers = [Provider::value_for(&APP_CONFIG, AppConfig { greeting: "Hello".into() })],
    exports = [token(APP_CONFIG)],
)]
pub struct ConfigModule;

// ── the users feature module ─────────────────────────────────────────────────────────────

/// A user.
#[derive(Clone, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: u64,
    /// Name.
    pub name: String,
}

/// Storage, private to `UsersModule` (not exported).
#[injectable]
pub struct UserRepository {
    #[inject(default)]
    users: Mutex<HashMap<u64, User>>,
    #[inject(default)]
    next_id: AtomicU64,
}

impl OnModuleInit for UserRepository {
    /// Seeds one user before the server accepts requests.
    async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
        self.insert("Ada".into());
        Ok(())
    }
}

impl UserRepository {
    fn insert(&self, name: String) -> User {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let user = User { id, name };
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, user.clone());
        user
    }

    fn find(&self, id: u64) -> Option<User> {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }
}

/// The module's public service.
#[injectable]
pub struct UsersService {
    repo: Arc<UserRepository>,
    #[inject(APP_CONFIG)]
    config: Arc<AppConfig>,
}

impl UsersService {
    /// Greets a user by id.
    pub fn greet(&self, id: u64) -> Option<String> {
        self.repo
            .find(id)
            .map(|u| format!("{}, {}!", self.config.greeting, u.name))
    }

    /// Adds a user.
    pub fn create(&self, name: String) -> User {
        self.repo.insert(name)
    }
}

/// Provides both, exports only the service.
#[module(providers = [UserRepository, UsersService], exports = [UsersService])]
pub struct UsersModule;

// ── a request-scoped provider ───────────────────────────────────────────────────────────

static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// Built once per request: every `Inject<RequestInfo>` of one request sees the same value.
#[injectable(scope = request)]
pub struct RequestInfo {
    #[inject(default)]
    number: RequestNumber,
}

/// A number that grows with every request.
pub struct RequestNumber(pub u64);

impl Default for RequestNumber {
    fn default() -> Self {
        RequestNumber(REQUESTS.fetch_add(1, Ordering::Relaxed) + 1)
    }
}

// ── the controller and the root module ─────────────────────────────────────────────────

/// Body of `POST /users`.
#[derive(Deserialize)]
pub struct CreateUser {
    /// Name.
    pub name: String,
}

/// `/users` routes.
#[controller("/users")]
pub struct UsersController {
    users: Arc<UsersService>,
}

#[routes]
impl UsersController {
    #[get("/:id")]
    async fn greet(
        &self,
        #[param("id")] id: u64,
        info: Inject<RequestInfo>,
        same: Inject<RequestInfo>,
    ) -> HttpResult<Json<Value>> {
        let message = self
            .users
            .greet(id)
            .ok_or(NotFoundException::new(format!("no user {id}")))?;
        Ok(Json(json!({
            "message": message,
            "request": info.number.0,
            "sameInstance": Arc::ptr_eq(&info.0, &same.0),
        })))
    }

    #[post("/")]
    async fn create(&self, #[body] dto: CreateUser) -> (StatusCode, Json<User>) {
        (StatusCode::CREATED, Json(self.users.create(dto.name)))
    }
}

/// The root module.
#[module(imports = [ConfigModule, UsersModule], controllers = [UsersController], providers = [RequestInfo])]
pub struct AppModule;
