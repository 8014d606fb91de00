//! Dependency injection: providers keyed by type or by [`Token`], resolved at start-up.
//!
//! - `Arc<T>` fields of an `#[injectable]` struct resolve by type; `#[inject(TOKEN)]` fields
//!   by a typed [`Token<T>`].
//! - Scopes: [`Scope::Singleton`] (the default, built once at start-up),
//!   [`Scope::Transient`] (built on every injection) and [`Scope::Request`] (built once per
//!   request, reached from handlers with [`Inject<T>`](crate::extract::Inject)).
//! - The whole graph is checked when the application is created: a missing provider, a
//!   cycle or a singleton that depends on a request-scoped provider is a start-up error naming
//!   the full chain and the fix.

//!
//! The container knows nothing of HTTP, routes or controllers: the module graph
//! ([`crate::module`]) turns modules into the views this container resolves from, and lists
//! what the application needs from it (controllers, guards, handlers' `Inject<T>`) to be
//! checked with the providers.

mod check;
mod container;
mod deps;
mod error;
mod key;
mod provider;
mod resolver;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

pub(crate) use check::{Consumer, check};
pub(crate) use container::{Container, Entry, ModuleId, ProviderId, View};
pub use deps::Deps;
pub use error::{Chain, DiError, MissingFix, ProviderHint, Unresolved};
pub(crate) use key::short_name;
pub use key::{ProviderKey, Token};
pub use provider::{Lifecycle, Provider};
pub(crate) use resolver::RequestScope;
pub use resolver::Resolver;

use crate::body::BoxError;

/// When a provider is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Once, at start-up; shared by everyone.
    #[default]
    Singleton,
    /// On every injection.
    Transient,
    /// Once per request.
    Request,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Singleton => "singleton",
            Scope::Transient => "transient",
            Scope::Request => "request-scoped",
        })
    }
}

/// One dependency of a provider: its key and the field (or argument) that needs it.
#[derive(Debug, Clone, Copy)]
pub struct Dependency {
    /// The key.
    pub key: ProviderKey,
    /// The field or argument name, for error messages.
    pub field: &'static str,
}

impl Dependency {
    /// A dependency on type `T`.
    pub fn of<T: ?Sized + 'static>(field: &'static str) -> Self {
        Dependency {
            key: ProviderKey::of::<T>(),
            field,
        }
    }

    /// A dependency on a token.
    pub fn token<T: ?Sized + 'static>(token: &Token<T>, field: &'static str) -> Self {
        Dependency {
            key: token.key(),
            field,
        }
    }
}

/// A type the container can build: written by `#[injectable]` and `#[controller]`.
pub trait Injectable: Sized + Send + Sync + 'static {
    /// What the type needs, checked at start-up.
    fn dependencies() -> Vec<Dependency>;

    /// Builds the value; every dependency is available from `resolver`.
    fn construct(resolver: &Resolver) -> Result<Self, DiError>;

    /// The type's scope.
    fn scope() -> Scope {
        Scope::Singleton
    }

    /// The lifecycle hooks the type implements.
    fn lifecycle() -> Lifecycle<Self> {
        Lifecycle::none()
    }
}

/// A hook run once every singleton is built, before the server accepts requests.
/// An error aborts start-up.
pub trait OnModuleInit: Send + Sync + 'static {
    /// Runs the hook.
    fn on_module_init(&self) -> impl Future<Output = Result<(), BoxError>> + Send;
}

/// A hook run when the application shuts down, after in-flight requests finished.
pub trait OnApplicationShutdown: Send + Sync + 'static {
    /// Runs the hook.
    fn on_application_shutdown(&self) -> impl Future<Output = ()> + Send;
}

/// A hook run as soon as the application is asked to stop, before it stops accepting
/// connections and drains in-flight requests: stop reporting ready, say goodbye to peers.
/// (Then, once the requests are done, [`OnApplicationShutdown`] closes pools.)
pub trait BeforeApplicationShutdown: Send + Sync + 'static {
    /// Runs the hook.
    fn before_application_shutdown(&self) -> impl Future<Output = ()> + Send;
}

pub(crate) type AnyArc = Arc<dyn Any + Send + Sync>;
