//! The session example app: the Rust counterpart of Bun Server's `session-app.ts`, done
//! safely (signed ids, a new id at login, lazy sessions, saved writes with every store).
//!
//! Shared by `main.rs` and by the example's HTTP test (`examples/tests/session_app.rs`).

use std::time::Duration;

use hearth::prelude::*;
use hearth::session::{SessionRecord, StoreConfig, now_ms};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Sessions end after this long without a request (the seed's activity check).
pub const INACTIVITY_LIMIT: Duration = Duration::from_secs(30 * 60);

/// The lifetime of a session whose user ticked "remember me" at login (instead of the
/// options' 24 hours).
pub const REMEMBER_ME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

// ── session options ──────────────────────────────────────────────────────────────────────

/// The session options of the app: the seed's development settings, with the secret read
/// from `SESSION_SECRET` (a fixed development secret, with a warning, when unset).
pub fn session_options(store: StoreConfig) -> SessionOptions {
    let secret = std::env::var("SESSION_SECRET").unwrap_or_else(|_| {
        tracing::warn!(
            "SESSION_SECRET is not set: using a development secret; never do this in production"
        );
        "development-secret-development-secret-0123456789".to_owned()
    });
    SessionOptions {
        secret,
        name: "sessionId".into(),
        max_age: Duration::from_secs(24 * 60 * 60),
        http_only: true,
        secure: false, // true in production (HTTPS)
        store,
        ..Default::default()
    }
}

/// The store chosen by the environment: `STORE=redis` (with `REDIS_URL`, default
/// `redis://127.0.0.1:6379`) or memory.
pub fn store_from_env() -> StoreConfig {
    match std::env::var("STORE").as_deref() {
        Ok("redis") => redis_store(),
        _ => StoreConfig::memory(),
    }
}

fn redis_store() -> StoreConfig {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    StoreConfig::redis(hearth::session::RedisOptions {
        url: Some(url),
        key_prefix: "session-app:".into(),
        ..Default::default()
    })
}

// ── users ────────────────────────────────────────────────────────────────────────────────

/// A user of the demo.
#[derive(Clone, Serialize)]
pub struct User {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Roles.
    pub roles: Vec<String>,
    #[serde(skip)]
    password: &'static str,
}

/// The demo's user directory: alice/password123 and bob/password456.
#[injectable]
pub struct UserService {
    #[inject(default)]
    users: Users,
}

/// The users, built with `Default`.
pub struct Users(Vec<User>);

impl Default for Users {
    fn default() -> Self {
        let user = |id: &str, username: &str, password, roles: &[&str]| User {
            id: id.into(),
            username: username.into(),
            password,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        Users(vec![
            user("1", "alice", "password123", &["admin", "user"]),
            user("2", "bob", "password456", &["user"]),
        ])
    }
}

impl UserService {
    /// The user with these credentials.
    pub fn validate(&self, username: &str, password: &str) -> Option<User> {
        // Compare every byte whatever the outcome, so timing says nothing about the password.
        self.users
            .0
            .iter()
            .find(|u| {
                u.username == username
                    && u.password.len() == password.len()
                    && u.password
                        .bytes()
                        .zip(password.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            })
            .cloned()
    }

    /// The user with this id.
    pub fn find(&self, id: &str) -> Option<User> {
        self.users.0.iter().find(|u| u.id == id).cloned()
    }
}

// ── typed session data (the seed's `SessionData`) ──────────────────────────────────────────

/// What the app keeps in a session. Every field is written back by `TypedSession` (a `None`
/// removes its key), so no field may be skipped when serializing.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionData {
    /// The logged-in user.
    pub user_id: Option<String>,
    /// Their name.
    pub username: Option<String>,
    /// Their roles.
    pub roles: Option<Vec<String>>,
    /// When they logged in (ms since the epoch).
    pub login_time: Option<u64>,
    /// The shopping cart.
    #[serde(default)]
    pub cart: Vec<String>,
    /// The last request (ms since the epoch), kept by [`ActivityTracker`].
    pub last_activity: Option<u64>,
}

// ── activity tracking (the seed's middleware, as an interceptor so that it runs after the ──
// ── session layer opened the session, and done so that the check can trigger) ────────────

/// Ends logged-in sessions idle for longer than the limit, and records each request's time.
///
/// The check runs *before* the timestamp is refreshed: checking after (as the seed does) can
/// never find an inactive session.
pub struct ActivityTracker {
    /// The inactivity limit.
    pub limit: Duration,
}

impl Interceptor for ActivityTracker {
    async fn intercept(&self, mut req: Request, next: CallHandler) -> Response {
        if let Ok(session) = Session::from_request(&mut req).await {
            let logged_in = session.contains("userId");
            if logged_in {
                let now = now_ms();
                let last: Option<u64> = session.get("lastActivity").ok().flatten();
                if last.is_some_and(|t| now.saturating_sub(t) > self.limit.as_millis() as u64) {
                    session.destroy();
                    return UnauthorizedException::new("Session expired due to inactivity")
                        .into_response();
                }
                let _ = session.insert("lastActivity", &now);
            }
        }
        next.handle(req).await
    }
}

// ── /api/auth ─────────────────────────────────────────────────────────────────────────────

/// Body of `POST /api/auth/login` (JSON) and `POST /login` (form).
#[derive(Deserialize)]
pub struct LoginDto {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Keep the session for [`REMEMBER_ME`] instead of a day.
    #[serde(default, rename = "rememberMe")]
    pub remember_me: bool,
}

/// Login, logout, the current user.
#[controller("/api/auth")]
pub struct AuthController {
    users: Arc<UserService>,
    #[inject(SESSION_SERVICE_TOKEN)]
    sessions: Arc<SessionService>,
}

fn unauthorized() -> HttpException {
    UnauthorizedException::new("Not logged in")
}

#[routes]
impl AuthController {
    #[post("/login")]
    async fn login(
        &self,
        #[body] data: LoginDto,
        #[session] session: TypedSession<SessionData>,
    ) -> HttpResult<Json<Value>> {
        let user = self
            .users
            .validate(&data.username, &data.password)
            .ok_or(UnauthorizedException::new("Invalid credentials"))?;
        session.regenerate(); // a new id at login: no session fixation
        session.update(|s| {
            s.user_id = Some(user.id.clone());
            s.username = Some(user.username.clone());
            s.roles = Some(user.roles.clone());
            s.login_time = Some(now_ms());
            s.last_activity = Some(now_ms());
        })?;
        if data.remember_me {
            session.set_max_age(REMEMBER_ME)?;
        }
        Ok(Json(json!({ "message": "Logged in", "user": user })))
    }

    #[post("/logout")]
    async fn logout(&self, #[session] session: Session) -> Json<Value> {
        session.destroy();
        Json(json!({ "message": "Logged out" }))
    }

    /// Logs the current user out of every session they have ("log out everywhere").
    #[post("/logout-all")]
    async fn logout_all(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let user_id: String = session.get("userId")?.ok_or_else(unauthorized)?;
        session.destroy();
        let ended = self.sessions.destroy_all_of(&user_id).await?;
        Ok(Json(
            json!({ "message": "Logged out everywhere", "sessions": ended }),
        ))
    }

    #[get("/me")]
    async fn me(&self, #[session] session: TypedSession<SessionData>) -> HttpResult<Json<Value>> {
        let data = session.get()?;
        let id = data.user_id.ok_or_else(unauthorized)?;
        let user = self.users.find(&id).ok_or_else(unauthorized)?;
        Ok(Json(
            json!({ "user": user, "loginTime": data.login_time.map(iso) }),
        ))
    }
}

// ── /api/profile (the seed's activity-checked profile) ─────────────────────────────────

/// The profile route the activity tracker guards.
#[controller("/api")]
pub struct ProfileController {
    users: Arc<UserService>,
}

#[routes]
impl ProfileController {
    #[get("/profile")]
    async fn profile(&self, #[session] session: Session) -> HttpResult<Json<User>> {
        let id: String = session.get("userId")?.ok_or_else(unauthorized)?;
        self.users.find(&id).map(Json).ok_or_else(unauthorized)
    }
}

// ── /api/cart (the seed's typed cart) ────────────────────────────────────────────────────

/// Body of `POST /api/cart/add`.
#[derive(Deserialize)]
pub struct AddToCart {
    /// The item.
    pub item: String,
}

/// A cart kept in the session.
#[controller("/api/cart")]
pub struct CartController;

#[routes]
impl CartController {
    #[get]
    async fn cart(&self, #[session] session: TypedSession<SessionData>) -> HttpResult<Json<Value>> {
        let cart = session.get()?.cart;
        Ok(Json(json!({ "cart": cart })))
    }

    #[post("/add")]
    async fn add(
        &self,
        #[session] session: TypedSession<SessionData>,
        #[body] body: AddToCart,
    ) -> HttpResult<Json<Value>> {
        if body.item.trim().is_empty() || body.item.len() > 200 {
            return Err(BadRequestException::new("item must be 1 to 200 characters"));
        }
        let cart = session.update(|s| {
            s.cart.push(body.item);
            s.cart.clone()
        })?;
        Ok(Json(json!({ "cart": cart })))
    }

    #[post("/clear")]
    async fn clear(
        &self,
        #[session] session: TypedSession<SessionData>,
    ) -> HttpResult<Json<Value>> {
        session.update(|s| s.cart.clear())?;
        Ok(Json(json!({ "cart": [] })))
    }
}

// ── /api/session (inspect and edit the raw session) ──────────────────────────────────────

/// Body of `POST /api/session/set`.
#[derive(Deserialize)]
pub struct SetValue {
    /// The key.
    pub key: String,
    /// Any JSON value.
    pub value: Value,
}

/// Keys `POST /api/session/set` refuses: those login writes (a client that could set
/// `userId` would log itself in as anyone) and Hearth's own (`__flash`, `__maxAge`).
fn is_protected(key: &str) -> bool {
    key.starts_with("__") || matches!(key, "userId" | "username" | "roles" | "loginTime")
}

/// The session as data.
#[controller("/api/session")]
pub struct SessionController {
    sessions: Arc<SessionService>,
}

fn iso(ms: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[routes]
impl SessionController {
    #[get("/info")]
    async fn info(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        if session.is_new() {
            return Ok(Json(
                json!({ "id": null, "data": {}, "message": "No session yet" }),
            ));
        }
        let record: Option<SessionRecord> = self.sessions.record(&session.id()).await?;
        let Some(r) = record else {
            return Ok(Json(json!({ "id": null, "data": {} })));
        };
        Ok(Json(json!({
            "id": r.id,
            "createdAt": iso(r.created_at),
            "lastAccessedAt": iso(r.expires_at.saturating_sub(session.max_age().as_millis() as u64)),
            "expiresAt": iso(r.expires_at),
            "data": session.data(),
        })))
    }

    #[post("/set")]
    async fn set(
        &self,
        #[session] session: Session,
        #[body] body: SetValue,
    ) -> HttpResult<Json<Value>> {
        if body.key.is_empty() || body.key.len() > 100 {
            return Err(BadRequestException::new("key must be 1 to 100 characters"));
        }
        if is_protected(&body.key) {
            return Err(BadRequestException::new(format!(
                "{} is set by login or by Hearth, not by clients",
                body.key
            )));
        }
        session.insert(&body.key, &body.value)?;
        Ok(Json(json!({ "key": body.key, "value": body.value })))
    }

    #[get("/get/:key")]
    async fn get(&self, #[session] session: Session, #[param("key")] key: String) -> Json<Value> {
        Json(json!({ "key": key, "value": session.get_value(&key) }))
    }
}

// ── pages: the seed's flash-message login flow ─────────────────────────────────────────

/// A form login with flash messages and redirects.
#[controller("/")]
pub struct PagesController {
    users: Arc<UserService>,
}

/// A flash message.
#[derive(Serialize, Deserialize)]
pub struct Flash {
    /// `success` or `error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The text.
    pub message: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[routes]
impl PagesController {
    #[get("/login")]
    async fn login_page(&self, #[session] session: Session) -> HttpResult<Html<String>> {
        let flash: Option<Flash> = session.take_flash("flash")?;
        let notice = flash
            .map(|f| {
                format!(
                    "<p class=\"{}\">{}</p>",
                    escape(&f.kind),
                    escape(&f.message)
                )
            })
            .unwrap_or_default();
        Ok(Html(format!(
            "<!doctype html><title>Log in</title>{notice}\
             <form method=\"post\" action=\"/login\">\
             <input name=\"username\"><input name=\"password\" type=\"password\">\
             <label><input name=\"rememberMe\" type=\"checkbox\" value=\"true\"> Remember me</label>\
             <button>Log in</button></form>"
        )))
    }

    #[post("/login")]
    async fn login(
        &self,
        #[body] data: LoginDto,
        #[session] session: TypedSession<SessionData>,
    ) -> HttpResult<Redirect> {
        match self.users.validate(&data.username, &data.password) {
            Some(user) => {
                session.regenerate();
                session.update(|s| {
                    s.user_id = Some(user.id.clone());
                    s.username = Some(user.username.clone());
                    s.login_time = Some(now_ms());
                    s.last_activity = Some(now_ms());
                })?;
                if data.remember_me {
                    session.set_max_age(REMEMBER_ME)?;
                }
                session.flash(
                    "flash",
                    &Flash {
                        kind: "success".into(),
                        message: "Welcome back!".into(),
                    },
                )?;
                Ok(Redirect::see_other("/dashboard"))
            }
            None => {
                session.flash(
                    "flash",
                    &Flash {
                        kind: "error".into(),
                        message: "Invalid credentials".into(),
                    },
                )?;
                Ok(Redirect::see_other("/login"))
            }
        }
    }

    #[get("/dashboard")]
    async fn dashboard(
        &self,
        #[session] session: TypedSession<SessionData>,
    ) -> HttpResult<Json<Value>> {
        let flash: Option<Flash> = session.take_flash("flash")?;
        let data = session.get()?;
        let user = data.user_id.as_deref().and_then(|id| self.users.find(id));
        Ok(Json(json!({ "flash": flash, "user": user })))
    }
}

// ── modules ─────────────────────────────────────────────────────────────────────────────

/// Everything but the session module.
#[module(
    controllers = [AuthController, ProfileController, CartController, SessionController, PagesController],
    providers = [UserService],
)]
pub struct FeatureModule;
