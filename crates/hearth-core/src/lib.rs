//! # hearth-core
//!
//! The core of [Hearth](https://docs.rs/hearth): the application and its server, the router,
//! extractors, responses, middleware, dependency injection, modules, the test client, and the
//! [lifecycle] seam that every battery (sessions, security, validation…) plugs into. It names
//! no battery. Applications depend on the `hearth` facade, which re-exports all of this with
//! the macros and the batteries its features switch on.
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

pub mod app;
mod body;
pub mod buffer;
pub mod di;
mod error;
pub mod extract;
pub mod lifecycle;
pub mod middleware;
pub mod module;
pub mod response;
pub mod routing;
pub mod testing;
pub mod worker;

#[doc(hidden)]
pub mod __private;

pub use app::{App, Application, Scheduler, ServerConfig};
pub use body::{Body, BoxError};
pub use error::{Error, Result, RouteError, ServerConfigError, StartupError};
pub use response::{HttpException, HttpResult, IntoResponse, Json};

/// The request type of Hearth.
pub type Request = http::Request<Body>;
/// The response type of Hearth.
pub type Response = http::Response<Body>;

pub use bytes;
pub use cookie;
pub use http;
pub use inventory;
pub use serde_json;
