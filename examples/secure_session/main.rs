//! The seed's "Session Security" configuration: a `__Host-` cookie, one hour, HTTPS only,
//! `SameSite=Strict`, rolling — and a secret that must come from the environment.
//!
//! `SESSION_SECRET=$(openssl rand -hex 32) cargo run --example secure_session`
//! (behind an HTTPS-terminating proxy in real life: browsers only send `Secure` cookies
//! over HTTPS).

use std::time::Duration;

use hearth::prelude::*;

/// The secure options. A missing or short `SESSION_SECRET` is a start-up error.
fn secure_options() -> SessionOptions {
    SessionOptions {
        secret: std::env::var("SESSION_SECRET").unwrap_or_default(), // use a strong secret
        name: "__Host-session".into(),                               // secure cookie name prefix
        max_age: Duration::from_secs(60 * 60),                       // 1 hour
        http_only: true,                                             // prevent XSS access
        secure: true,                                                // HTTPS only
        same_site: SameSite::Strict,                                 // CSRF protection
        rolling: true,                                               // reset expiry on activity
        absolute_timeout: Some(Duration::from_secs(8 * 60 * 60)), // and never longer than a day's work
        ..Default::default()
    }
}

#[controller("/api")]
struct AccountController;

#[routes]
impl AccountController {
    #[post("/login")]
    async fn login(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        session.regenerate();
        session.insert("userId", "demo")?;
        Ok(Json(json!({ "message": "Logged in" })))
    }

    #[get("/me")]
    async fn me(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let id: String = session
            .get("userId")?
            .ok_or(UnauthorizedException::new("Not logged in"))?;
        Ok(Json(json!({ "userId": id })))
    }
}

#[module(imports = [SessionModule::for_root(secure_options())], controllers = [AccountController])]
struct AppModule;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let app = match Application::create::<AppModule>() {
        Ok(app) => app,
        Err(e) => {
            // e.g. "SESSION_SECRET … at least 32 bytes": say so and exit non-zero.
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = app.listen(port).await {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
