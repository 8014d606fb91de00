//! actix-web 4 + actix-session 0.11: STORE=redis → RedisSessionStore (REDIS_URL),
//! STORE=cookie → CookieSessionStore (stateless reference: the session lives in the signed
//! cookie). actix-session has no in-memory store, so STORE=memory is refused.

#[path = "../common.rs"]
mod common;

use actix_session::{
    config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy},
    storage::{CookieSessionStore, RedisSessionStore, SessionStore},
    Session, SessionMiddleware,
};
use actix_web::{
    cookie::{time::Duration, Key, SameSite},
    error::ErrorInternalServerError,
    web, App, HttpResponse, HttpServer, Responder,
};
use common::{CartItem, LoginDto};
use serde_json::json;

type R = Result<HttpResponse, actix_web::Error>;

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({"message": "Not logged in"}))
}

async fn plaintext() -> impl Responder {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(common::HELLO)
}

async fn json_hello() -> impl Responder {
    HttpResponse::Ok().json(common::hello_message())
}

async fn login(session: Session, dto: web::Json<LoginDto>) -> R {
    let Some((user_id, roles)) = common::user_for(&dto) else {
        return Ok(unauthorized());
    };
    // Fixation-safe: a new id for every login.
    session.renew();
    session
        .insert("userId", user_id)
        .map_err(ErrorInternalServerError)?;
    session
        .insert("roles", roles)
        .map_err(ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(json!({"message": "Logged in"})))
}

async fn profile(session: Session) -> R {
    match session
        .get::<String>("userId")
        .map_err(ErrorInternalServerError)?
    {
        Some(id) => Ok(HttpResponse::Ok().json(json!({ "userId": id }))),
        None => Ok(unauthorized()),
    }
}

async fn activity(session: Session) -> R {
    let Some(id) = session
        .get::<String>("userId")
        .map_err(ErrorInternalServerError)?
    else {
        return Ok(unauthorized());
    };
    let now = common::now_millis();
    session
        .insert("lastActivity", now)
        .map_err(ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(json!({ "userId": id, "lastActivity": now })))
}

async fn cart_add(session: Session, item: web::Json<CartItem>) -> R {
    let mut cart: Vec<CartItem> = session
        .get("cart")
        .map_err(ErrorInternalServerError)?
        .unwrap_or_default();
    cart.push(item.into_inner());
    session
        .insert("cart", &cart)
        .map_err(ErrorInternalServerError)?;
    Ok(HttpResponse::Ok().json(cart))
}

async fn logout(session: Session) -> R {
    session.purge();
    Ok(HttpResponse::Ok().json(json!({"message": "Logged out"})))
}

fn middleware<S: SessionStore>(store: S) -> SessionMiddleware<S> {
    let ttl = PersistentSession::default()
        .session_ttl(Duration::seconds(common::TTL_SECS))
        .session_ttl_extension_policy(if common::rolling() {
            TtlExtensionPolicy::OnEveryRequest
        } else {
            TtlExtensionPolicy::OnStateChanges
        });
    SessionMiddleware::builder(store, Key::from(&common::secret64()))
        .cookie_name(common::COOKIE_NAME.to_string())
        .cookie_content_security(CookieContentSecurity::Signed)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(false)
        .cookie_path("/".to_string())
        .session_lifecycle(ttl)
        .build()
}

fn session_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/login", web::post().to(login))
        .route("/api/profile", web::get().to(profile))
        .route("/api/activity", web::get().to(activity))
        .route("/api/cart/add", web::post().to(cart_add))
        .route("/api/logout", web::post().to(logout));
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let store = common::store();
    let addr = ("127.0.0.1", common::port());
    // Announced once bound, with the port the OS gave (PORT=0 in the tests).
    let announce = |addrs: Vec<std::net::SocketAddr>| {
        if let Some(a) = addrs.first() {
            eprintln!("actix_sessions ({store}) listening on {a}");
        }
    };
    match store.as_str() {
        "redis" => {
            let redis = RedisSessionStore::new(common::redis_url())
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let server = HttpServer::new(move || {
                App::new()
                    .route("/plaintext", web::get().to(plaintext))
                    .route("/json", web::get().to(json_hello))
                    .service(web::scope("").wrap(middleware(redis.clone())).configure(session_routes))
            })
            .bind(addr)?;
            announce(server.addrs());
            server.run().await
        }
        "cookie" => {
            let server = HttpServer::new(|| {
                App::new()
                    .route("/plaintext", web::get().to(plaintext))
                    .route("/json", web::get().to(json_hello))
                    .service(
                        web::scope("")
                            .wrap(middleware(CookieSessionStore::default()))
                            .configure(session_routes),
                    )
            })
            .bind(addr)?;
            announce(server.addrs());
            server.run().await
        }
        other => Err(std::io::Error::other(format!(
            "actix_sessions: STORE={other} not supported (redis|cookie; actix-session has no memory store)"
        ))),
    }
}
