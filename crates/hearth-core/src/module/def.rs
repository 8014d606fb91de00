//! [`ModuleDef`]: what a module contains, built with chained calls (or by `#[module]`).

use super::{AppParts, Import, IntoImport, LayerDef};
use crate::Request;
use crate::body::BoxError;
use crate::di::{Injectable, Provider, ProviderKey};
use crate::lifecycle::{Enhancer, ExceptionFilter, Guard, Interceptor, RequestLayer};
use crate::middleware::Middleware;
use crate::response::IntoResponse;
use crate::routing::{Controller, ControllerDef, MountedRoute};

/// What a module contains. Build one with the methods below (or let `#[module]` do it).
#[must_use]
pub struct ModuleDef {
    pub(crate) name: String,
    pub(crate) imports: Vec<Import>,
    pub(crate) providers: Vec<Provider>,
    pub(crate) controllers: Vec<ControllerDef>,
    pub(crate) exports: Vec<ProviderKey>,
    pub(crate) global: bool,
    pub(crate) app: AppParts,
    pub(crate) routes: Vec<MountedRoute>,
    pub(crate) errors: Vec<BoxError>,
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
            app: AppParts::default(),
            routes: Vec::new(),
            errors: Vec::new(),
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
    /// thread (a store that keeps one connection per worker thread).
    pub fn prefer_thread_per_core(mut self) -> Self {
        self.app.thread_per_core = true;
        self
    }

    /// Installs a middleware for every route of the application that imports this module.
    pub fn middleware(mut self, m: impl Middleware) -> Self {
        self.app.middleware.push(crate::middleware::shared(m));
        self
    }

    /// Installs a request layer for the whole application (see
    /// [`RequestLayer`]): it decides per route, when the application is built, whether it runs
    /// there. Layers run in the order the modules are imported (an imported module's first).
    pub fn layer(mut self, layer: impl RequestLayer) -> Self {
        self.app
            .layers
            .push(LayerDef::Ready(crate::lifecycle::shared_layer(layer)));
        self
    }

    /// Installs a request layer that is itself a provider, for the whole application: `L` is
    /// resolved from this module's providers when the application is built (after every
    /// async factory ran), and checked at start-up like any dependency. This is how a module
    /// whose options come from an async factory (`for_root_async`) installs its layer:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hearth::lifecycle::{Close, Open, RequestLayer, RouteInfo};
    /// use hearth::prelude::*;
    ///
    /// struct Settings { header: &'static str }
    /// /// Adds a header read from settings that an async factory built.
    /// struct Stamp { settings: Arc<Settings> }
    /// impl RequestLayer for Stamp {
    ///     type State = ();
    ///     type Plan = ();
    ///     fn plan(&self, _: &RouteInfo) -> Option<()> { Some(()) }
    ///     fn open(&self, _: &(), _: &mut Request) -> Open<()> { Open::Keep(Arc::new(())) }
    ///     fn close(&self, _: Arc<()>, mut res: Response) -> Close {
    ///         res.headers_mut().insert(self.settings.header, "1".parse().unwrap());
    ///         Close::Ready(res)
    ///     }
    /// }
    ///
    /// let module = ModuleDef::new("StampModule")
    ///     .provider(Provider::async_factory_with(|_: ()| async {
    ///         Ok::<_, hearth::BoxError>(Settings { header: "x-stamp" })
    ///     }))
    ///     .provider(Provider::factory_with(|settings: Arc<Settings>| {
    ///         Ok::<_, hearth::BoxError>(Stamp { settings })
    ///     }))
    ///     .layer_provided::<Stamp>();
    /// # let _ = module;
    /// ```
    pub fn layer_provided<L: RequestLayer>(mut self) -> Self {
        self.app.layers.push(LayerDef::provided::<L>());
        self
    }

    /// A global guard (NestJS's `APP_GUARD`): runs on every route of the application, before
    /// the controllers' and routes' guards, built by DI from this module's providers.
    pub fn guard<G: Guard + Injectable>(mut self) -> Self {
        self.app.guards.push(Enhancer::guard::<G>());
        self
    }

    /// A global guard given as a value.
    pub fn guard_value(mut self, guard: impl Guard) -> Self {
        self.app.guards.push(Enhancer::guard_value(guard));
        self
    }

    /// A global interceptor, built by DI from this module's providers.
    pub fn interceptor<I: Interceptor + Injectable>(mut self) -> Self {
        self.app.interceptors.push(Enhancer::interceptor::<I>());
        self
    }

    /// A global interceptor given as a value.
    pub fn interceptor_value(mut self, interceptor: impl Interceptor) -> Self {
        self.app
            .interceptors
            .push(Enhancer::interceptor_value(interceptor));
        self
    }

    /// A global exception filter, built by DI from this module's providers (tried after the
    /// routes' and controllers' filters).
    pub fn filter<F: ExceptionFilter + Injectable>(mut self) -> Self {
        self.app.filters.push(Enhancer::filter::<F>());
        self
    }

    /// A global exception filter given as a value.
    pub fn filter_value(mut self, filter: impl ExceptionFilter) -> Self {
        self.app.filters.push(Enhancer::filter_value(filter));
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
            handler: std::sync::Arc::new(move |req| {
                let fut = f(req);
                Box::pin(async move { fut.await.into_response() })
            }),
            ..MountedRoute::new(method.clone(), path.to_owned())
        });
        self
    }

    /// Records a configuration error (a message naming the fix, or any error);
    /// `Application::create` reports it at start-up with every other problem.
    pub fn error(mut self, problem: impl Into<BoxError>) -> Self {
        self.errors.push(problem.into());
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
