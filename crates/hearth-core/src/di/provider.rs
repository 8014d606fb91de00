//! `Provider`: how a value gets into the container.

use std::future::Future;
use std::sync::Arc;

use super::{AnyArc, Dependency, Deps, DiError, Injectable, ProviderKey, Resolver, Scope, Token};
use crate::body::BoxError;
use crate::middleware::BoxFuture;

pub(crate) type SyncFactory = Arc<dyn Fn(&Resolver) -> Result<AnyArc, DiError> + Send + Sync>;
pub(crate) type AsyncFactory =
    Arc<dyn Fn(Resolver) -> BoxFuture<'static, Result<AnyArc, DiError>> + Send + Sync>;
pub(crate) type InitHook =
    Arc<dyn Fn(AnyArc) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;
pub(crate) type ShutdownHook = Arc<dyn Fn(AnyArc) -> BoxFuture<'static, ()> + Send + Sync>;

#[derive(Clone)]
pub(crate) enum Kind {
    Value(AnyArc),
    Sync(SyncFactory),
    Async(AsyncFactory),
}

/// A provider: a key (type or token), how to build the value, its scope and dependencies.
///
/// Class providers come from `#[injectable]` types (listed by name in `#[module(providers =
/// [..])]`); values and factories are built with the constructors below.
///
/// ```
/// use hearth::di::{Provider, Token};
/// pub struct Config { pub url: String }
/// pub const CONFIG: Token<Config> = Token::new("CONFIG");
/// let p = Provider::value_for(&CONFIG, Config { url: "redis://127.0.0.1".into() });
/// # let _ = p;
/// ```
#[derive(Clone)]
pub struct Provider {
    pub(crate) keys: Vec<ProviderKey>,
    pub(crate) name: String,
    pub(crate) scope: Scope,
    pub(crate) deps: Vec<Dependency>,
    pub(crate) kind: Kind,
    pub(crate) on_init: Option<InitHook>,
    pub(crate) before_shutdown: Option<ShutdownHook>,
    pub(crate) on_shutdown: Option<ShutdownHook>,
}

fn erase<T: Send + Sync + 'static>(v: Arc<T>) -> AnyArc {
    v
}

impl Provider {
    fn base(key: ProviderKey, kind: Kind) -> Self {
        Provider {
            name: key.to_string(),
            keys: vec![key],
            scope: Scope::Singleton,
            deps: Vec::new(),
            kind,
            on_init: None,
            before_shutdown: None,
            on_shutdown: None,
        }
    }

    /// A class provider: the container builds `T` from its dependencies.
    pub fn class<T: Injectable>() -> Self {
        let mut p = Self::base(
            ProviderKey::of::<T>(),
            Kind::Sync(Arc::new(|r: &Resolver| {
                T::construct(r).map(|v| erase(Arc::new(v)))
            })),
        );
        p.scope = T::scope();
        p.deps = T::dependencies();
        let lifecycle = T::lifecycle();
        p.on_init = lifecycle.init.map(|f| -> InitHook {
            Arc::new(move |any: AnyArc| match any.downcast::<T>() {
                Ok(t) => f(t),
                Err(_) => Box::pin(async { Ok(()) }),
            })
        });
        p.on_shutdown = lifecycle.shutdown.map(typed_shutdown::<T>);
        p.before_shutdown = lifecycle.before_shutdown.map(typed_shutdown::<T>);
        p
    }

    /// Runs `hook` on the built value once every singleton is built, before the server
    /// accepts requests (a store's connection check); an error aborts start-up, naming the
    /// provider. The value must be of type `T` (the provider's own).
    pub fn on_init<T, F, Fut>(mut self, hook: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(Arc<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        let hook = Arc::new(hook);
        self.on_init = Some(Arc::new(move |any: AnyArc| match any.downcast::<T>() {
            Ok(t) => Box::pin(hook(t)),
            Err(_) => Box::pin(async { Ok(()) }),
        }));
        self
    }

    /// Runs `hook` as soon as the application is asked to stop (before it drains).
    pub fn before_shutdown<T, F, Fut>(mut self, hook: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(Arc<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let hook: TypedShutdown<T> = Arc::new(move |t| Box::pin(hook(t)));
        self.before_shutdown = Some(typed_shutdown(hook));
        self
    }

    /// Runs `hook` when the application shuts down, after in-flight requests finished
    /// (close pools here).
    pub fn on_shutdown<T, F, Fut>(mut self, hook: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(Arc<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let hook: TypedShutdown<T> = Arc::new(move |t| Box::pin(hook(t)));
        self.on_shutdown = Some(typed_shutdown(hook));
        self
    }

    /// A ready value, registered by its type.
    pub fn value<T: Send + Sync + 'static>(value: T) -> Self {
        Self::base(ProviderKey::of::<T>(), Kind::Value(erase(Arc::new(value))))
    }

    /// A ready value already in an `Arc`, registered by its type.
    pub fn shared<T: Send + Sync + 'static>(value: Arc<T>) -> Self {
        Self::base(ProviderKey::of::<T>(), Kind::Value(erase(value)))
    }

    /// A ready value already in an `Arc`, registered under a token.
    pub fn shared_for<T: Send + Sync + 'static>(token: &Token<T>, value: Arc<T>) -> Self {
        Self::base(token.key(), Kind::Value(erase(value)))
    }

    /// A ready value, registered under a token.
    pub fn value_for<T: Send + Sync + 'static>(token: &Token<T>, value: T) -> Self {
        Self::base(token.key(), Kind::Value(erase(Arc::new(value))))
    }

    /// A synchronous factory, registered by its type. Declare what it resolves with
    /// [`Provider::depends_on`] so that the graph is checked at start-up.
    pub fn factory<T, F>(f: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(&Resolver) -> Result<T, DiError> + Send + Sync + 'static,
    {
        Self::base(ProviderKey::of::<T>(), Self::sync_kind(f))
    }

    /// A synchronous factory, registered under a token.
    pub fn factory_for<T, F>(token: &Token<T>, f: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(&Resolver) -> Result<T, DiError> + Send + Sync + 'static,
    {
        Self::base(token.key(), Self::sync_kind(f))
    }

    fn sync_kind<T, F>(f: F) -> Kind
    where
        T: Send + Sync + 'static,
        F: Fn(&Resolver) -> Result<T, DiError> + Send + Sync + 'static,
    {
        Kind::Sync(Arc::new(move |r: &Resolver| {
            f(r).map(|v| erase(Arc::new(v)))
        }))
    }

    /// An asynchronous factory (singletons only), registered by its type: awaited at start-up.
    pub fn async_factory<T, F, Fut>(f: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(Resolver) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, DiError>> + Send + 'static,
    {
        Self::base(ProviderKey::of::<T>(), Self::async_kind(f))
    }

    /// An asynchronous factory (singletons only), registered under a token.
    pub fn async_factory_for<T, F, Fut>(token: &Token<T>, f: F) -> Self
    where
        T: Send + Sync + 'static,
        F: Fn(Resolver) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, DiError>> + Send + 'static,
    {
        Self::base(token.key(), Self::async_kind(f))
    }

    fn async_kind<T, F, Fut>(f: F) -> Kind
    where
        T: Send + Sync + 'static,
        F: Fn(Resolver) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, DiError>> + Send + 'static,
    {
        let f = Arc::new(f);
        Kind::Async(Arc::new(move |r: Resolver| {
            let f = f.clone();
            Box::pin(async move { f(r).await.map(|v| erase(Arc::new(v))) })
        }))
    }

    /// A synchronous factory that receives its dependencies ([`Deps`]: an `Arc<U>` or a tuple
    /// of them), registered by its type. The dependencies are declared for you, so the graph
    /// is checked at start-up; an error becomes a start-up error naming this provider.
    pub fn factory_with<T, D, F, E>(f: F) -> Self
    where
        T: Send + Sync + 'static,
        D: Deps,
        F: Fn(D) -> Result<T, E> + Send + Sync + 'static,
        E: Into<BoxError>,
    {
        let key = ProviderKey::of::<T>();
        let name = key.to_string();
        let kind = Kind::Sync(Arc::new(move |r: &Resolver| {
            let deps = D::resolve(r)?;
            f(deps)
                .map(|v| erase(Arc::new(v)))
                .map_err(|e| DiError::building(&name, e.into()))
        }));
        let mut p = Self::base(key, kind);
        p.deps = D::dependencies();
        p
    }

    /// An asynchronous factory (a singleton, awaited at start-up) that receives its
    /// dependencies, registered by its type: NestJS's `useFactory` with `inject`.
    ///
    /// An error is a start-up error naming this provider; a factory that checks what it
    /// built and finds several problems returns them as one start-up
    /// [`Error`](crate::Error) (`Error::startup([..])`), and each is listed on its own line.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hearth::di::Provider;
    /// struct AppConfig { database_url: String }
    /// struct Database { url: String }
    /// let db = Provider::async_factory_with(|config: Arc<AppConfig>| async move {
    ///     // connect…
    ///     Ok::<_, hearth::BoxError>(Database { url: config.database_url.clone() })
    /// });
    /// # let _ = db;
    /// ```
    pub fn async_factory_with<T, D, F, Fut, E>(f: F) -> Self
    where
        T: Send + Sync + 'static,
        D: Deps,
        F: Fn(D) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let key = ProviderKey::of::<T>();
        let name: Arc<str> = key.to_string().into();
        let f = Arc::new(f);
        let kind = Kind::Async(Arc::new(move |r: Resolver| {
            let (f, name) = (f.clone(), name.clone());
            Box::pin(async move {
                let deps = D::resolve(&r)?;
                f(deps)
                    .await
                    .map(|v| erase(Arc::new(v)))
                    .map_err(|e| DiError::building(&name, e.into()))
            })
        }));
        let mut p = Self::base(key, kind);
        p.deps = D::dependencies();
        p
    }

    /// This provider's keys and name with `other`'s value, scope, dependencies and hooks:
    /// what a test override does to the provider it replaces.
    pub(crate) fn replaced_by(self, other: Provider) -> Provider {
        Provider {
            keys: self.keys,
            name: self.name,
            ..other
        }
    }

    /// Declares a dependency of a factory (checked at start-up).
    pub fn depends_on(mut self, key: impl Into<ProviderKey>, field: &'static str) -> Self {
        self.deps.push(Dependency {
            key: key.into(),
            field,
        });
        self
    }

    /// Declares a dependency of a factory on type `T`.
    pub fn depends_on_type<T: ?Sized + 'static>(mut self, field: &'static str) -> Self {
        self.deps.push(Dependency::of::<T>(field));
        self
    }

    /// Also registers the same instance under another key (for instance a token as well as
    /// the type). The key must be of the same type.
    pub fn also_as(mut self, key: impl Into<ProviderKey>) -> Self {
        let key = key.into();
        debug_assert_eq!(key.type_id(), self.keys[0].type_id());
        self.keys.push(key);
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The primary key.
    pub fn key(&self) -> ProviderKey {
        self.keys[0]
    }
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("keys", &self.keys)
            .field("scope", &self.scope)
            .field("deps", &self.deps)
            .finish()
    }
}

fn typed_shutdown<T: Send + Sync + 'static>(f: TypedShutdown<T>) -> ShutdownHook {
    Arc::new(move |any: AnyArc| match any.downcast::<T>() {
        Ok(t) => f(t),
        Err(_) => Box::pin(async {}),
    })
}

type TypedInit<T> = Arc<dyn Fn(Arc<T>) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;
type TypedShutdown<T> = Arc<dyn Fn(Arc<T>) -> BoxFuture<'static, ()> + Send + Sync>;

/// The lifecycle hooks of an injectable type (filled in by `#[injectable]` when the type
/// implements [`OnModuleInit`](super::OnModuleInit) or
/// [`OnApplicationShutdown`](super::OnApplicationShutdown)).
pub struct Lifecycle<T> {
    pub(crate) init: Option<TypedInit<T>>,
    pub(crate) before_shutdown: Option<TypedShutdown<T>>,
    pub(crate) shutdown: Option<TypedShutdown<T>>,
}

impl<T: Send + Sync + 'static> Lifecycle<T> {
    /// No hooks.
    pub fn none() -> Self {
        Lifecycle {
            init: None,
            before_shutdown: None,
            shutdown: None,
        }
    }

    /// Adds the [`OnModuleInit`](super::OnModuleInit) hook.
    pub fn with_init(mut self) -> Self
    where
        T: super::OnModuleInit,
    {
        self.init = Some(Arc::new(|t: Arc<T>| {
            Box::pin(async move { t.on_module_init().await })
        }));
        self
    }

    /// Adds the [`BeforeApplicationShutdown`](super::BeforeApplicationShutdown) hook.
    pub fn with_before_shutdown(mut self) -> Self
    where
        T: super::BeforeApplicationShutdown,
    {
        self.before_shutdown = Some(Arc::new(|t: Arc<T>| {
            Box::pin(async move { t.before_application_shutdown().await })
        }));
        self
    }

    /// Adds the [`OnApplicationShutdown`](super::OnApplicationShutdown) hook.
    pub fn with_shutdown(mut self) -> Self
    where
        T: super::OnApplicationShutdown,
    {
        self.shutdown = Some(Arc::new(|t: Arc<T>| {
            Box::pin(async move { t.on_application_shutdown().await })
        }));
        self
    }
}
