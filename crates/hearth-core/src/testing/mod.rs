//! Testing support: drive an application in process with [`TestClient`], and replace its
//! providers and guards with [`TestingModule`] (NestJS's `Test.createTestingModule`).
//!
//! ```
//! # use hearth::prelude::*;
//! use hearth::testing::TestingModule;
//!
//! #[injectable]
//! struct Greeter;
//! impl Greeter {
//!     fn greet(&self) -> String { "hello".into() }
//! }
//!
//! #[controller("/")]
//! struct Hello { greeter: Arc<Greeter> }
//! #[routes]
//! impl Hello {
//!     #[get("/hello")]
//!     async fn hello(&self) -> String { self.greeter.greet() }
//! }
//! #[module(controllers = [Hello], providers = [Greeter])]
//! struct AppModule;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let client = TestingModule::for_module::<AppModule>().build().await.unwrap();
//! let res = client.get("/hello").send().await;
//! assert_eq!(res.status(), 200);
//! assert_eq!(res.text(), "hello");
//! # }
//! ```
//!
//! `docs/testing.md` shows overrides: a fake repository, an auth guard that lets the test in.

mod client;
mod module;

pub use client::{TestClient, TestRequest, TestResponse};
pub use module::{OverrideError, TestingModule};
