//! Modules: the unit of composition. A module lists what it imports, provides, mounts
//! (controllers) and exports; `#[module(..)]` writes the [`Module`] impl.
//!
//! A *dynamic* module is a [`ModuleDef`] value built at run time, as
//! `SessionModule::for_root(options)` returns. Modules encapsulate: an importer sees only
//! what a module exports, except for `global` modules, whose exports every module sees.

use std::any::TypeId;

use crate::Request;
use crate::di::{Provider, ProviderKey};
use crate::middleware::{Middleware, SharedMiddleware};
use crate::response::IntoResponse;
use crate::routing::{Controller, ControllerDef, MountedRoute};

/// A statically declared module (written by `#[module]`).
pub trait Module: 'static {
    /// The module's definition.
    fn definition() -> ModuleDef;
}

/// A dynamic module: what `for_root`-style constructors return.
pub type DynamicModule = ModuleDef;

/// What a module contains. Build one with the methods below (or let `#[module]` do it).
#[must_use]
pub struct ModuleDef {
    pub(crate) name: String,
    pub(crate) imports: Vec<Import>,
    pub(crate) providers: Vec<Provider>,
    pub(crate) controllers: Vec<ControllerDef>,
    pub(crate) exports: Vec<ProviderKey>,
    pub(crate) global: bool,
    pub(crate) middleware: Vec<SharedMiddleware>,
    pub(crate) routes: Vec<MountedRoute>,
    pub(crate) errors: Vec<String>,
    pub(crate) thread_per_core: bool,
    /// The session middleware of `SessionModule::for_root`, run by the application around
    /// every request (outside all other middleware).
    pub(crate) session: Option<crate::session::SessionMiddleware>,
}

impl ModuleDef {
    /// An empty module with this name (used in error messages and logs).
    pub fn new(name: impl Into<String>) -> Self {
        ModuleDef {
            name: name.into(),
            imports: Vec::new(),
            providers: Vec::new(),
            controllers: Vec::new(),
            exports: Vec::new(),
            global: false,
            middleware: Vec::new(),
            routes: Vec::new(),
            errors: Vec::new(),
            thread_per_core: false,
            session: None,
        }
    }

    /// Imports another module (a static module value or a dynamic module).
    pub fn import(mut self, module: impl IntoImport) -> Self {
        self.imports.push(module.into_import());
        self
    }

    /// Adds a provider.
    pub fn provider(mut self, provider: impl Into<Provider>) -> Self {
        self.providers.push(provider.into());
        self
    }

    /// Mounts a controller.
    pub fn controller<C: Controller>(mut self) -> Self {
        self.controllers.push(ControllerDef::of::<C>());
        self
    }

    /// Mounts a type-erased controller.
    pub fn controller_def(mut self, def: ControllerDef) -> Self {
        self.controllers.push(def);
        self
    }

    /// Exports a key (a type's or a token's) to importing modules.
    pub fn export(mut self, key: impl Into<ProviderKey>) -> Self {
        self.exports.push(key.into());
        self
    }

    /// Makes the module's exports visible to every module.
    pub fn global(mut self) -> Self {
        self.global = true;
        self
    }

    /// Asks [`Application::run`](crate::Application::run) to serve thread per core when its
    /// [`ServerConfig::scheduler`](crate::ServerConfig::scheduler) is
    /// [`Scheduler::Auto`](crate::Scheduler::Auto): for modules whose providers keep state per
    /// thread (the Redis session store keeps one connection per worker thread).
    pub fn prefer_thread_per_core(mut self) -> Self {
        self.thread_per_core = true;
        self
    }

    /// Installs the session middleware as the application's outermost layer: the
    /// application runs it around every request itself, without a boxed middleware call.
    pub(crate) fn session_layer(mut self, m: crate::session::SessionMiddleware) -> Self {
        self.session = Some(m);
        self
    }

    /// Installs a middleware for every route of the application that imports this module.
    pub fn middleware(mut self, m: impl Middleware) -> Self {
        self.middleware.push(crate::middleware::shared(m));
        self
    }

    /// Adds a route handled by a closure, without a controller: handy for small apps, health
    /// checks and tests.
    ///
    /// ```
    /// use hearth::prelude::*;
    /// let m = ModuleDef::new("Health")
    ///     .route(http::Method::GET, "/health", |_req: Request| async { "ok" });
    /// # let _ = m;
    /// ```
    pub fn route<F, Fut, R>(mut self, method: http::Method, path: &str, f: F) -> Self
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = R> + Send + 'static,
        R: IntoResponse,
    {
        let f = std::sync::Arc::new(f);
        self.routes.push(MountedRoute {
            name: format!("{}::{} {}", self.name, method, path),
            method,
            path: path.to_owned(),
            handler: std::sync::Arc::new(move |req| {
                let fut = f(req);
                Box::pin(async move { fut.await.into_response() })
            }),
            middleware: Vec::new(),
            needs_context: true,
        });
        self
    }

    /// Records a configuration error; `Application::create` reports it at start-up.
    pub fn error(mut self, message: impl Into<String>) -> Self {
        self.errors.push(message.into());
        self
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Debug for ModuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleDef")
            .field("name", &self.name)
            .field("providers", &self.providers.len())
            .field("controllers", &self.controllers.len())
            .field("exports", &self.exports)
            .field("global", &self.global)
            .finish()
    }
}

/// An entry of a module's imports.
pub struct Import(ImportKind);

enum ImportKind {
    Static { id: TypeId, def: fn() -> ModuleDef },
    Dynamic(Box<ModuleDef>),
}

impl Import {
    /// Imports the static module `M`. Importing it twice gives one instance.
    pub fn of<M: Module>() -> Self {
        Import(ImportKind::Static {
            id: TypeId::of::<M>(),
            def: M::definition,
        })
    }

    pub(crate) fn into_parts(self) -> (Option<TypeId>, ModuleDef) {
        match self.0 {
            ImportKind::Static { id, def } => (Some(id), def()),
            ImportKind::Dynamic(def) => (None, *def),
        }
    }
}

/// What can stand in a module's `imports`: a static module (its unit value, as in
/// `imports = [UsersModule]`) or a dynamic module (`SessionModule::for_root(..)`).
pub trait IntoImport {
    /// Converts into an import.
    fn into_import(self) -> Import;
}

impl<M: Module> IntoImport for M {
    fn into_import(self) -> Import {
        Import::of::<M>()
    }
}

impl IntoImport for ModuleDef {
    fn into_import(self) -> Import {
        Import(ImportKind::Dynamic(Box::new(self)))
    }
}

impl IntoImport for Import {
    fn into_import(self) -> Import {
        self
    }
}
