//! # Hearth
//!
//! A batteries-included, decorator-style web framework: controllers and routes declared with
//! attributes, modules with `for_root`, dependency injection by type or token, and official
//! batteries such as [sessions](session) — on hyper 1 and tokio.
//!
//! ```no_run
//! use hearth::prelude::*;
//!
//! #[controller("/")]
//! struct HelloController;
//!
//! #[routes]
//! impl HelloController {
//!     #[get("/hello/:name")]
//!     async fn hello(&self, #[param("name")] name: String) -> String {
//!         format!("Hello, {name}!")
//!     }
//! }
//!
//! #[module(controllers = [HelloController])]
//! struct AppModule;
//!
//! #[tokio::main]
//! async fn main() -> hearth::Result<()> {
//!     Application::create::<AppModule>()?.listen(3000).await
//! }
//! ```
//!
//! Mistakes are caught early: misuse of an attribute is a compile error pointing at it, and
//! a missing provider or a dependency cycle is a start-up error naming the whole chain.
//!
//! This crate is a facade: the core lives in `hearth-core`, each battery in its own crate
//! (`hearth-session`…), switched on by cargo features (`session` and `redis` by default).
//! `docs/architecture.md` shows how the crates fit and how a third-party battery plugs in.

pub use hearth_core::{
    App, Application, Body, BoxError, Error, HttpException, HttpResult, IntoResponse, Json,
    Request, Response, Result, RouteError, Scheduler, ServerConfig, ServerConfigError,
    StartupError,
};
pub use hearth_core::{
    app, buffer, bytes, cookie, di, extract, http, inventory, lifecycle, middleware, module,
    response, routing, serde_json, testing, worker,
};

/// Sessions: signed cookies, lazy loading, rolling expiry, memory and Redis stores (the
/// `hearth-session` crate; feature `session`, on by default).
#[cfg(feature = "session")]
pub use hearth_session as session;

pub use hearth_macros::{
    controller, injectable, module, routes, set_metadata, use_filters, use_guards,
    use_interceptors, use_middleware,
};

#[doc(hidden)]
pub use hearth_core::__private;

/// Everything an application usually needs: `use hearth::prelude::*;`.
pub mod prelude {
    pub use hearth_core::app::{App, Application, Scheduler, ServerConfig};
    pub use hearth_core::di::{
        BeforeApplicationShutdown, DiError, Injectable, OnApplicationShutdown, OnModuleInit,
        Provider, ProviderKey, Resolver, Scope, Token,
    };
    pub use hearth_core::extract::{
        Extension, Form, FromRequest, FromRequestParts, Inject, Payload, Query, RequestContext,
    };
    pub use hearth_core::lifecycle::{
        CallHandler, ExceptionFilter, FilterContext, Guard, Interceptor, RouteInfo, interceptor_fn,
    };
    pub use hearth_core::middleware::{Middleware, Next, from_fn};
    pub use hearth_core::module::{DynamicModule, Module, ModuleDef};
    pub use hearth_core::response::*;
    pub use hearth_core::{Body, Request, Response};
    pub use hearth_macros::{
        controller, injectable, module, routes, set_metadata, use_filters, use_guards,
        use_interceptors, use_middleware,
    };
    #[cfg(feature = "redis")]
    pub use hearth_session::{RedisOptions, RedisSessionStore};
    #[cfg(feature = "session")]
    pub use hearth_session::{
        SESSION_SERVICE_TOKEN, SameSite, Session, SessionError, SessionModule, SessionOptions,
        SessionService, SessionStore, StoreConfig, TypedSession, session, session_middleware,
    };
    pub use http::StatusCode;
    pub use serde::{Deserialize, Serialize};
    pub use serde_json::{Value, json};
    pub use std::sync::Arc;
}
