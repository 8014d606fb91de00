//! The seed's "Session Middleware": sessions without modules, installed with
//! `use_middleware` (Bun Server's `app.use(createSessionMiddleware({..}))`), plus the seed's
//! activity-tracking middleware reading the session from the request context.
//!
//! `cargo run --example session_middleware`, then `curl -i -c jar -b jar localhost:3000/visits`
//! a few times.

use std::time::Duration;

use hearth::prelude::*;
use hearth::session::now_ms;

#[controller]
struct VisitsController;

#[routes]
impl VisitsController {
    /// Counts the visits of this browser.
    #[get("/visits")]
    async fn visits(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let visits = session.get::<u64>("visits")?.unwrap_or(0) + 1;
        session.insert("visits", &visits)?;
        Ok(Json(
            json!({ "visits": visits, "lastActivity": session.get_value("lastActivity") }),
        ))
    }

    /// Forgets this browser.
    #[post("/reset")]
    async fn reset(&self, #[session] session: Session) -> StatusCode {
        session.destroy();
        StatusCode::NO_CONTENT
    }
}

#[module(controllers = [VisitsController])]
struct AppModule;

#[tokio::main]
async fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);

    // The seed's `createSessionMiddleware({ secret, maxAge: 86400000 })`.
    let sessions = session_middleware(SessionOptions {
        secret: std::env::var("SESSION_SECRET")
            .unwrap_or_else(|_| "development-secret-development-secret-0123456789".into()),
        max_age: Duration::from_millis(86_400_000),
        ..Default::default()
    })?;

    // The seed's activity tracking: `ctx.get("session")` is `Session::from_request(&mut req)`.
    let activity = from_fn(|mut req: Request, next: Next| async move {
        if let Ok(session) = Session::from_request(&mut req).await
            && !session.is_new()
        {
            let _ = session.insert("lastActivity", &now_ms());
        }
        next.run(req).await
    });

    Application::create::<AppModule>()?
        .use_middleware(sessions) // first: the session layer
        .use_middleware(activity) // then middleware that uses it
        .listen(port)
        .await
}
