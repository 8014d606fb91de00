//! Sessions: signed cookies, lazy loading, auto-save, rolling expiry, and a store trait with
//! an in-memory and a Redis backend.
//!
//! Import [`SessionModule::for_root`] once, in the root module: it installs the session
//! middleware for every route and provides [`SessionService`] (by type and under
//! [`SESSION_SERVICE_TOKEN`]) to every module.
//!
//! ```no_run
//! use hearth::prelude::*;
//!
//! fn session_options() -> SessionOptions {
//!     SessionOptions {
//!         secret: std::env::var("SESSION_SECRET").expect("SESSION_SECRET"),
//!         ..Default::default()
//!     }
//! }
//!
//! let app = ModuleDef::new("AppModule")
//!     .import(SessionModule::for_root(session_options()))
//!     .route(http::Method::POST, "/login", |req: Request| async move {
//!         let (mut parts, _) = req.into_parts();
//!         let session = Session::from_request_parts(&mut parts).await?;
//!         session.regenerate();
//!         session.insert("userId", "u-42")?;
//!         HttpResult::Ok("welcome")
//!     });
//! # use hearth::extract::FromRequestParts;
//! # let _ = app;
//! ```
//!
//! What the module guarantees (the reasoning is in `docs/sessions.md`):
//!
//! - The cookie carries `id.signature` (HMAC-SHA256, checked in constant time; several keys
//!   for rotation). A forged, malformed, unknown or expired id is never adopted: the request
//!   sees a fresh, empty session, and a bad signature never reaches the store.
//! - Ids have 256 bits from a CSPRNG seeded (and reseeded) by the OS.
//! - Lazy: a request that does not write its session stores nothing and sends no cookie.
//! - Changes are saved once after the handler; a failed save is a 503/500, not lost data.
//! - Rolling expiry, `regenerate()` against fixation, `destroy()` that no in-flight request
//!   can undo, flash messages, "log out everywhere".

mod cookie;
mod core;
pub(crate) mod data;
pub(crate) mod handle;
mod id;
mod middleware;
mod options;
mod record;
mod service;
mod signing;
pub mod store;

use http::StatusCode;

pub use handle::Inner as RequestSession;
pub use handle::{Session, SessionAttribute, SessionType, TypedSession, session};
pub use id::{is_valid_id, new_id};
pub use middleware::{SessionMiddleware, SessionPlan};
pub use options::{SameSite, SessionOptions, StoreConfig};
pub use record::{IndexHint, RecordData, SessionData, SessionRecord, now_ms};
pub use service::SessionService;
pub use store::{MemoryStore, SessionStore, StoreError};
#[cfg(feature = "redis")]
pub use store::{RedisOptions, RedisSessionStore, StartupCheck};

use hearth_core::di::{Provider, ProviderKey, Token};
use hearth_core::module::{DynamicModule, Module, ModuleDef};
use hearth_core::response::{HttpException, IntoResponse, Response};

/// The token [`SessionService`] is registered under (as well as by type):
/// `#[inject(SESSION_SERVICE_TOKEN)] sessions: Arc<SessionService>`.
pub const SESSION_SERVICE_TOKEN: Token<SessionService> = Token::new("SESSION_SERVICE_TOKEN");

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The session middleware is not installed.
    #[error("no session on this request: import SessionModule::for_root(..) in your root module")]
    NotInstalled,
    /// The store failed (unavailable: 503; otherwise 500).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value could not be converted to or from JSON.
    #[error("session value does not fit: {0}")]
    Data(String),
    /// [`Session::set_max_age`] was given a lifetime out of its range (the message names it).
    #[error("{0}")]
    MaxAge(String),
}

impl SessionError {
    /// A value that did not convert to or from JSON.
    pub(crate) fn data(e: serde_json::Error) -> Self {
        SessionError::Data(e.to_string())
    }

    /// The HTTP status this error answers with: 503 when the store is unavailable, else 500.
    pub fn status(&self) -> StatusCode {
        match self {
            SessionError::Store(e) if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message the client may see (never the store's error text).
    pub fn public_message(&self) -> &str {
        match self.status() {
            StatusCode::SERVICE_UNAVAILABLE => "Session store unavailable, try again later",
            _ => "Internal Server Error",
        }
    }
}

impl hearth_core::response::HttpError for SessionError {
    fn status(&self) -> StatusCode {
        SessionError::status(self)
    }
    fn public_message(&self) -> String {
        SessionError::public_message(self).to_owned()
    }
}

hearth_core::inventory::submit! {
    hearth_core::response::ErrorMapping::of::<SessionError>()
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        HttpException::from(self).into_response()
    }
}

/// The session module. Import [`SessionModule::for_root`] in the root module.
///
/// Importing the bare `SessionModule` (`imports = [SessionModule]`) is a start-up error asking
/// for options, since sessions need at least a secret.
#[derive(Debug, Clone, Copy)]
pub struct SessionModule;

impl SessionModule {
    /// The session module with these options: provides [`SessionService`] (by type and
    /// under [`SESSION_SERVICE_TOKEN`]) to every module (it is global) and installs the
    /// session middleware for every route. Bad options are start-up errors.
    pub fn for_root(options: SessionOptions) -> DynamicModule {
        let def = ModuleDef::new("SessionModule");
        match core::Core::from_options(&options) {
            Err(problems) => problems.into_iter().fold(def, ModuleDef::error),
            Ok(core) => {
                let service = std::sync::Arc::new(SessionService::from_core(core.clone()));
                // The store's readiness check (Redis: connect, or warn) runs at start-up.
                let provider = Provider::shared(service)
                    .also_as(SESSION_SERVICE_TOKEN)
                    .on_init(|s: std::sync::Arc<SessionService>| async move {
                        Ok(s.store().check().await?)
                    });
                let def = if core.store.prefers_thread_per_core() {
                    def.prefer_thread_per_core()
                } else {
                    def
                };
                def.provider(provider)
                    .export(ProviderKey::of::<SessionService>())
                    .export(SESSION_SERVICE_TOKEN)
                    .global()
                    .layer(SessionMiddleware::from_core(core))
            }
        }
    }
}

/// The checked options and store that the service and the layer of
/// [`SessionModule::for_root_async`] share (private to the module).
struct SessionCore(std::sync::Arc<core::Core>);

impl SessionModule {
    /// The session module with options built by an async factory that receives injected
    /// providers: NestJS's `forRootAsync({ useFactory, inject })`. The factory takes its
    /// dependencies as an `Arc<T>` or a tuple of them (see [`Deps`](hearth_core::di::Deps)),
    /// checked at start-up like any dependency, and runs once, when the application is
    /// built. Options it returns that do not hold (a short secret…) are start-up errors, as
    /// with [`for_root`](Self::for_root).
    ///
    /// ```no_run
    /// use hearth::prelude::*;
    ///
    /// struct AppConfig { session_secret: String }
    ///
    /// #[module(
    ///     imports = [SessionModule::for_root_async(|config: Arc<AppConfig>| async move {
    ///         SessionOptions { secret: config.session_secret.clone(), ..Default::default() }
    ///     })],
    ///     providers = [Provider::value(AppConfig { session_secret: std::env::var("SESSION_SECRET").unwrap_or_default() })],
    /// )]
    /// struct AppModule;
    /// ```
    ///
    /// The factory's dependencies resolve inside `SessionModule`: from global modules, or
    /// from a module imported into it (`SessionModule::for_root_async(f).import(ConfigModule)`,
    /// NestJS's `imports: [ConfigModule]`). A factory that can fail (a secret fetched from a
    /// vault) belongs in a provider of its own (`Provider::async_factory_with`) that this one
    /// injects. The store is only known once the factory ran, so a module using the Redis
    /// store asks for thread per core itself: `.prefer_thread_per_core()`.
    pub fn for_root_async<D, F, Fut>(factory: F) -> DynamicModule
    where
        D: hearth_core::di::Deps,
        F: Fn(D) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = SessionOptions> + Send + 'static,
    {
        use std::sync::Arc;
        let options = Provider::async_factory_with(move |deps: D| {
            let options = factory(deps);
            async move { Ok::<_, std::convert::Infallible>(options.await) }
        });
        let core = Provider::factory_with(|options: Arc<SessionOptions>| {
            core::Core::from_options(&options)
                .map(SessionCore)
                .map_err(|problems| {
                    hearth_core::Error::startup(
                        problems
                            .into_iter()
                            .map(|p| hearth_core::module::ModuleError::config("SessionModule", p)),
                    )
                })
        });
        let service = Provider::factory_with(|core: Arc<SessionCore>| {
            Ok::<_, std::convert::Infallible>(SessionService::from_core(core.0.clone()))
        })
        .also_as(SESSION_SERVICE_TOKEN)
        .on_init(|s: Arc<SessionService>| async move { Ok(s.store().check().await?) });
        let layer = Provider::factory_with(|core: Arc<SessionCore>| {
            Ok::<_, std::convert::Infallible>(SessionMiddleware::from_core(core.0.clone()))
        });
        ModuleDef::new("SessionModule")
            .provider(options)
            .provider(core)
            .provider(service)
            .provider(layer)
            .export(ProviderKey::of::<SessionService>())
            .export(SESSION_SERVICE_TOKEN)
            .global()
            .layer_provided::<SessionMiddleware>()
    }
}

impl Module for SessionModule {
    fn definition() -> ModuleDef {
        ModuleDef::new("SessionModule").error(
            "SessionModule: sessions need options; import SessionModule::for_root(SessionOptions { secret: .., ..Default::default() }) instead of SessionModule",
        )
    }
}

/// The session middleware alone, to install by hand with `Application::use_middleware`.
/// Prefer [`SessionModule::for_root`], which also provides
/// [`SessionService`]; here, get one with [`SessionMiddleware::service`].
pub fn session_middleware(options: SessionOptions) -> hearth_core::Result<SessionMiddleware> {
    SessionMiddleware::new(options)
}

fn service_key() -> ProviderKey {
    ProviderKey::of::<SessionService>()
}

fn service_token_key() -> ProviderKey {
    SESSION_SERVICE_TOKEN.key()
}

hearth_core::inventory::submit! {
    hearth_core::di::ProviderHint::new(service_key, "import SessionModule::for_root(..) in {module}")
}

hearth_core::inventory::submit! {
    hearth_core::di::ProviderHint::new(
        service_token_key,
        "import SessionModule::for_root(..) in {module}",
    )
}
