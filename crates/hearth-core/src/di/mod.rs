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

mod container;
mod error;
mod provider;

use std::any::{Any, TypeId};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

pub(crate) use container::{Container, ContainerBuilder};
pub use container::{ProviderHint, Resolver};
pub use error::DiError;
pub use provider::{Lifecycle, Provider};

use crate::body::BoxError;

/// A typed, named key for a provider, for when a type alone is not the right key.
///
/// ```
/// use hearth::di::Token;
/// pub struct Config { pub url: String }
/// pub const DATABASE_CONFIG: Token<Config> = Token::new("DATABASE_CONFIG");
/// ```
pub struct Token<T: ?Sized> {
    name: &'static str,
    _type: PhantomData<fn() -> Arc<T>>,
}

impl<T: ?Sized> Token<T> {
    /// A token with this name. Two tokens are the same key when their names and types match.
    pub const fn new(name: &'static str) -> Self {
        Token {
            name,
            _type: PhantomData,
        }
    }

    /// The token's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T: ?Sized + 'static> Token<T> {
    /// The provider key of this token.
    pub fn key(&self) -> ProviderKey {
        ProviderKey {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            token: Some(self.name),
        }
    }
}

impl<T: ?Sized> Clone for Token<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Token<T> {}

impl<T: ?Sized> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.name)
    }
}

/// What a provider is registered under: a type, optionally with a token name.
#[derive(Clone, Copy)]
pub struct ProviderKey {
    type_id: TypeId,
    type_name: &'static str,
    token: Option<&'static str>,
}

impl ProviderKey {
    /// The key of type `T` (no token).
    pub fn of<T: ?Sized + 'static>() -> Self {
        ProviderKey {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            token: None,
        }
    }

    /// The type's `TypeId`.
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The token name, for token keys.
    pub fn token(&self) -> Option<&'static str> {
        self.token
    }

    /// The short type name (no module path).
    pub fn short_type_name(&self) -> &'static str {
        short_name(self.type_name)
    }
}

pub(crate) fn short_name(full: &'static str) -> &'static str {
    // `a::b::C<d::E>` → `C<d::E>`: cut at the last `::` before any generic bracket.
    let head = full.split('<').next().unwrap_or(full);
    match head.rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

impl PartialEq for ProviderKey {
    fn eq(&self, other: &Self) -> bool {
        self.type_id == other.type_id && self.token == other.token
    }
}
impl Eq for ProviderKey {}
impl std::hash::Hash for ProviderKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.type_id.hash(state);
        self.token.hash(state);
    }
}

impl fmt::Display for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.token {
            Some(t) => write!(f, "{} ({t})", self.short_type_name()),
            None => f.write_str(self.short_type_name()),
        }
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<T: ?Sized + 'static> From<&Token<T>> for ProviderKey {
    fn from(t: &Token<T>) -> Self {
        t.key()
    }
}

impl<T: ?Sized + 'static> From<Token<T>> for ProviderKey {
    fn from(t: Token<T>) -> Self {
        t.key()
    }
}

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

/// Resolves `T` (by type) for the request whose head is `parts`, as the module of the
/// request's route sees it.
pub(crate) fn resolve_for_request<T: Send + Sync + 'static>(
    parts: &mut http::request::Parts,
) -> Result<Arc<T>, DiError> {
    let (container, module) = parts
        .extensions
        .get::<crate::lifecycle::Ctx>()
        .map(|c| (c.app.container.clone(), c.route.module))
        .ok_or_else(|| DiError::Unresolved {
            key: ProviderKey::of::<T>().to_string(),
            context: "a request outside a Hearth application".into(),
        })?;
    let scope = match parts.extensions.get::<container::RequestScope>() {
        Some(s) => s.clone(),
        None => {
            let s = container::RequestScope::default();
            parts.extensions.insert(s.clone());
            s
        }
    };
    container.resolver_in_request(module, scope).get::<T>()
}
