//! axum 0.8 + tower-sessions 0.14: MemoryStore (STORE=memory) or tower-sessions-redis-store on
//! fred (STORE=redis, REDIS_URL). Signed `sessionId` cookie via `with_signed(Key)`.

#[path = "../common.rs"]
mod common;

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use common::{CartItem, LoginDto};
use serde_json::json;
use tower_sessions::{
    cookie::{Key, SameSite},
    Expiry, MemoryStore, Session, SessionManagerLayer, SessionStore,
};
use tower_sessions_redis_store::{
    fred::prelude::{ClientLike, Config, Pool},
    RedisStore,
};

type HandlerResult = Result<Response, Response>;

fn internal<E: std::fmt::Display>(e: E) -> Response {
    eprintln!("session error: {e}");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"message": "Not logged in"})),
    )
        .into_response()
}

async fn login(session: Session, body: Option<Json<LoginDto>>) -> HandlerResult {
    let Some(Json(dto)) = body else {
        return Err(StatusCode::BAD_REQUEST.into_response());
    };
    let Some((user_id, roles)) = common::user_for(&dto) else {
        return Err(unauthorized());
    };
    // Fixation-safe: a new id for every login.
    session.cycle_id().await.map_err(internal)?;
    session.insert("userId", user_id).await.map_err(internal)?;
    session.insert("roles", roles).await.map_err(internal)?;
    Ok(Json(json!({"message": "Logged in"})).into_response())
}

async fn profile(session: Session) -> HandlerResult {
    let user_id: String = session
        .get("userId")
        .await
        .map_err(internal)?
        .ok_or_else(unauthorized)?;
    Ok(Json(json!({ "userId": user_id })).into_response())
}

async fn activity(session: Session) -> HandlerResult {
    let user_id: String = session
        .get("userId")
        .await
        .map_err(internal)?
        .ok_or_else(unauthorized)?;
    let now = common::now_millis();
    session
        .insert("lastActivity", now)
        .await
        .map_err(internal)?;
    Ok(Json(json!({ "userId": user_id, "lastActivity": now })).into_response())
}

async fn cart_add(session: Session, body: Option<Json<CartItem>>) -> HandlerResult {
    let Some(Json(item)) = body else {
        return Err(StatusCode::BAD_REQUEST.into_response());
    };
    let mut cart: Vec<CartItem> = session
        .get("cart")
        .await
        .map_err(internal)?
        .unwrap_or_default();
    cart.push(item);
    session.insert("cart", &cart).await.map_err(internal)?;
    Ok(Json(cart).into_response())
}

async fn logout(session: Session) -> HandlerResult {
    session.flush().await.map_err(internal)?;
    Ok(Json(json!({"message": "Logged out"})).into_response())
}

fn app<S: SessionStore + Clone>(store: S) -> Router {
    let layer = SessionManagerLayer::new(store)
        .with_name(common::COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(false)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            common::TTL_SECS,
        )))
        .with_always_save(common::rolling())
        .with_signed(Key::from(&common::secret64()));
    let sessions = Router::new()
        .route("/api/login", post(login))
        .route("/api/profile", get(profile))
        .route("/api/activity", get(activity))
        .route("/api/cart/add", post(cart_add))
        .route("/api/logout", post(logout))
        .layer(layer);
    Router::new()
        .route("/plaintext", get(|| async { common::HELLO }))
        .route("/json", get(|| async { Json(common::hello_message()) }))
        .merge(sessions)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = common::store();
    let router = match store.as_str() {
        "memory" => app(MemoryStore::default()),
        "redis" => {
            let size = std::env::var("REDIS_POOL")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(4);
            let pool = Pool::new(
                Config::from_url(&common::redis_url())?,
                None,
                None,
                None,
                size,
            )?;
            pool.init().await?;
            app(RedisStore::new(pool))
        }
        other => {
            return Err(format!("axum_sessions: STORE={other} not supported (memory|redis)").into())
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", common::port())).await?;
    eprintln!(
        "axum_sessions ({store}) listening on {}",
        listener.local_addr()?
    );
    axum::serve(listener, router).await?;
    Ok(())
}
