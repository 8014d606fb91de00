//! The seed's "Session Service": an `AuthService` that receives `SessionService` through
//! `SESSION_SERVICE_TOKEN` and manages sessions without a request — create, get, update,
//! destroy — exposed here as a small API.
//!
//! `cargo run --example session_service`, then:
//!
//! ```text
//! curl -i -X POST -H 'content-type: application/json' -d '{"userId":"u1"}' localhost:3000/sessions
//! curl localhost:3000/sessions/ID
//! curl -X PATCH -H 'content-type: application/json' -d '{"theme":"dark"}' localhost:3000/sessions/ID
//! curl -X DELETE localhost:3000/sessions/ID
//! ```

use hearth::prelude::*;
use hearth::session::{SessionData, SessionError, now_ms};

/// The seed's `AuthService`.
#[injectable]
struct AuthService {
    #[inject(SESSION_SERVICE_TOKEN)]
    session_service: Arc<SessionService>,
}

impl AuthService {
    async fn create_session(&self, user_id: &str) -> Result<String, SessionError> {
        self.session_service
            .create(&json!({ "userId": user_id, "createdAt": now_ms() }))
            .await
    }

    async fn get_session(&self, session_id: &str) -> Result<Option<SessionData>, SessionError> {
        self.session_service.get(session_id).await
    }

    async fn destroy_session(&self, session_id: &str) -> Result<bool, SessionError> {
        self.session_service.destroy(session_id).await
    }

    async fn update_session(&self, session_id: &str, data: &Value) -> Result<bool, SessionError> {
        self.session_service.update(session_id, data).await
    }
}

/// Body of `POST /sessions`.
#[derive(Deserialize)]
struct NewSession {
    #[serde(rename = "userId")]
    user_id: String,
}

#[controller("/sessions")]
struct SessionsController {
    auth: Arc<AuthService>,
    sessions: Arc<SessionService>, // the same service, injected by type
}

fn not_found(id: &str) -> HttpException {
    NotFoundException::new(format!("no session {id}"))
}

#[routes]
impl SessionsController {
    /// Creates a session and hands its cookie to the client (as a login would).
    #[post]
    async fn create(&self, #[body] body: NewSession) -> HttpResult<ResponseBuilder> {
        let id = self.auth.create_session(&body.user_id).await?;
        let mut res = ResponseBuilder::json(json!({ "id": id })).status(StatusCode::CREATED);
        if let Some(cookie) = self.sessions.cookie_header(&id) {
            res.headers_mut()
                .append(hearth::http::header::SET_COOKIE, cookie);
        }
        Ok(res)
    }

    #[get("/:id")]
    async fn get(&self, #[param] id: String) -> HttpResult<Json<SessionData>> {
        self.auth
            .get_session(&id)
            .await?
            .map(Json)
            .ok_or_else(|| not_found(&id))
    }

    /// Merges the body into the session (`null` removes a key).
    #[patch("/:id")]
    async fn update(
        &self,
        #[param] id: String,
        #[body] data: Value,
    ) -> HttpResult<Json<SessionData>> {
        if !data.is_object() {
            return Err(BadRequestException::new("the body must be a JSON object"));
        }
        if !self.auth.update_session(&id, &data).await? {
            return Err(not_found(&id));
        }
        self.auth
            .get_session(&id)
            .await?
            .map(Json)
            .ok_or_else(|| not_found(&id))
    }

    #[delete("/:id")]
    async fn destroy(&self, #[param] id: String) -> HttpResult<StatusCode> {
        match self.auth.destroy_session(&id).await? {
            true => Ok(StatusCode::NO_CONTENT),
            false => Err(not_found(&id)),
        }
    }

    /// The session the request's cookie names, read through the `#[session]` parameter.
    #[get("/current/user")]
    async fn current(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let user: String = session
            .get("userId")?
            .ok_or(UnauthorizedException::new("Not logged in"))?;
        Ok(Json(json!({ "userId": user })))
    }
}

fn options() -> SessionOptions {
    SessionOptions {
        secret: std::env::var("SESSION_SECRET")
            .unwrap_or_else(|_| "development-secret-development-secret-0123456789".into()),
        ..Default::default()
    }
}

#[module(
    imports = [SessionModule::for_root(options())],
    controllers = [SessionsController],
    providers = [AuthService],
)]
struct AppModule;

#[tokio::main]
async fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    Application::create::<AppModule>()?.listen(port).await
}
