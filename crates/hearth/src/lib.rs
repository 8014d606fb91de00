//! # Hearth
//!
//! A batteries-included, decorator-style web framework: controllers and routes declared with
//! attributes, modules with `for_root`, dependency injection by type or token, and official
//! modules such as [sessions](session) — on hyper 1 and tokio.
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

pub mod app;
mod body;
pub mod di;
mod error;
pub mod extract;
pub mod middleware;
pub mod module;
pub mod response;
pub mod routing;
mod scratch;
pub mod session;
pub mod testing;

#[doc(hidden)]
pub mod __private;

pub use app::{App, Application, Scheduler, ServerConfig};
pub use body::{Body, BoxError};
pub use error::{Error, Result};
pub use response::{HttpException, HttpResult, IntoResponse, Json};

pub use hearth_macros::{controller, injectable, module, routes, use_middleware};

/// The request type of Hearth.
pub type Request = http::Request<Body>;
/// The response type of Hearth.
pub type Response = http::Response<Body>;

pub use bytes;
pub use cookie;
pub use http;
pub use serde_json;

/// Everything an application usually needs: `use hearth::prelude::*;`.
pub mod prelude {
    pub use crate::app::{App, Application, Scheduler, ServerConfig};
    pub use crate::di::{
        DiError, Injectable, OnApplicationShutdown, OnModuleInit, Provider, ProviderKey, Resolver,
        Scope, Token,
    };
    pub use crate::extract::{
        Extension, Form, FromRequest, FromRequestParts, Inject, Payload, Query, RequestContext,
    };
    pub use crate::middleware::{Middleware, Next, from_fn};
    pub use crate::module::{DynamicModule, Module, ModuleDef};
    pub use crate::response::*;
    #[cfg(feature = "redis")]
    pub use crate::session::{RedisOptions, RedisSessionStore};
    pub use crate::session::{
        SESSION_SERVICE_TOKEN, SameSite, Session, SessionError, SessionModule, SessionOptions,
        SessionService, SessionStore, StoreConfig, TypedSession, session_middleware,
    };
    pub use crate::{Body, Request, Response};
    pub use hearth_macros::{controller, injectable, module, routes, use_middleware};
    pub use http::StatusCode;
    pub use serde::{Deserialize, Serialize};
    pub use serde_json::{Value, json};
    pub use std::sync::Arc;
}
