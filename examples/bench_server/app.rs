//! The routes of the session benchmark contract (`bench/CONTRACT.md`), written the way a
//! user writes a Hearth app. Shared by `main.rs` and the example's HTTP test.

use hearth::prelude::*;
use hearth::session::{RedisOptions, StoreConfig, now_ms};

/// Body of `POST /api/login`.
#[derive(Deserialize)]
pub struct LoginDto {
    /// The user's email (the contract's user id).
    pub email: String,
    /// Any non-empty password.
    pub password: String,
}

/// Body of `POST /api/cart/add`.
#[derive(Clone, Serialize, Deserialize)]
pub struct CartItem {
    /// Stock-keeping unit.
    pub sku: String,
    /// Quantity.
    pub qty: u32,
}

/// `/plaintext` and `/json`: no session.
#[controller]
pub struct HelloController;

#[routes]
impl HelloController {
    #[get("/plaintext")]
    async fn plaintext(&self) -> &'static str {
        "Hello, World!"
    }

    #[get("/json")]
    async fn json(&self) -> Json<Message> {
        Json(Message {
            message: "Hello, World!",
        })
    }
}

/// `{"message": ..}`.
#[derive(Serialize)]
pub struct Message {
    message: &'static str,
}

fn unauthorized() -> HttpException {
    UnauthorizedException::new("Not logged in")
}

/// The session routes.
#[controller("/api")]
pub struct SessionRoutes;

#[routes]
impl SessionRoutes {
    #[post("/login")]
    async fn login(
        &self,
        #[body] dto: LoginDto,
        #[session] session: Session,
    ) -> HttpResult<Json<Message>> {
        if dto.email.is_empty() || dto.password.is_empty() {
            return Err(unauthorized());
        }
        session.regenerate();
        session.insert("userId", &dto.email)?;
        session.insert("roles", &["user"])?;
        Ok(Json(Message {
            message: "Logged in",
        }))
    }

    #[get("/profile")]
    async fn profile(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let user: String = session.get("userId")?.ok_or_else(unauthorized)?;
        Ok(Json(json!({ "userId": user })))
    }

    #[get("/activity")]
    async fn activity(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let user: String = session.get("userId")?.ok_or_else(unauthorized)?;
        let now = now_ms();
        session.insert("lastActivity", &now)?;
        Ok(Json(json!({ "userId": user, "lastActivity": now })))
    }

    #[post("/cart/add")]
    async fn cart_add(
        &self,
        #[body] item: CartItem,
        #[session] session: Session,
    ) -> HttpResult<Json<Vec<CartItem>>> {
        let mut cart: Vec<CartItem> = session.get("cart")?.unwrap_or_default();
        cart.push(item);
        session.insert("cart", &cart)?;
        Ok(Json(cart))
    }

    #[post("/logout")]
    async fn logout(&self, #[session] session: Session) -> Json<Message> {
        session.destroy();
        Json(Message {
            message: "Logged out",
        })
    }
}

/// The contract's session options: `sessionId`, signed, HttpOnly, SameSite=Lax, 24 h rolling.
pub fn options(store: StoreConfig) -> SessionOptions {
    SessionOptions {
        secret: std::env::var("SESSION_SECRET")
            .unwrap_or_else(|_| "hearth-bench-secret-0123456789abcdef-not-for-production".into()),
        store,
        user_key: std::env::var("USER_KEY").unwrap_or_else(|_| "userId".into()),
        ..Default::default()
    }
}

/// `STORE=redis` (with `REDIS_URL`) or memory.
pub fn store_from_env() -> StoreConfig {
    match std::env::var("STORE").as_deref() {
        Ok("redis") => StoreConfig::redis(RedisOptions {
            url: Some(
                std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
            ),
            key_prefix: "bench:session:".into(),
            ..Default::default()
        }),
        _ => StoreConfig::memory(),
    }
}

/// The routes without the session module.
#[module(controllers = [HelloController, SessionRoutes])]
pub struct RoutesModule;
