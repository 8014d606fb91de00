//! The application: module graph → container → endpoints and router, then the server.

mod assemble;
mod config;
mod server;

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use http::{Method, header};

pub use config::{Limits, ProxyHeader, Scheduler, ServerConfig};
pub use server::{RunningServer, ShutdownHandle};

use crate::di::{Container, Injectable, Provider, Resolver};
use crate::lifecycle::{
    AppCore, AppShared, Ctx, Enhancer, ExceptionFilter, Guard, Interceptor, RequestLayer, RouteKind,
};
use crate::middleware::{Middleware, Next};
use crate::module::{Import, IntoImport, LayerDef, Module, ModuleGraph, Mounts};
use crate::response::{IntoResponse, Panic};
use crate::routing::{Endpoint, Lookup, Router};
use crate::{Request, Response, StartupError};
use assemble::{Assembler, Globals, GuardOverrides};

/// An application being configured: the module graph is resolved and checked, nothing is
/// built yet. [`run`](Application::run) builds every provider, runs the `on_module_init`
/// hooks and serves:
///
/// ```no_run
/// # use hearth::prelude::*;
/// # #[module()] struct AppModule;
/// fn main() -> hearth::Result<()> {
///     Application::create::<AppModule>()?.run(3100)
/// }
/// ```
///
/// `run` is the way to start an application: it picks the fastest way to serve by itself
/// and works from a plain `fn main` as well as from `#[tokio::main]`. [`listen`](Self::listen),
/// [`build`](Self::build) then [`App::serve`] / [`App::spawn`] serve on the tokio runtime they
/// are called from instead, for embedding the server in a program or a test.
pub struct Application {
    container: Container,
    /// What each module mounts, by module id.
    mounts: Vec<Mounts>,
    /// What the modules install, then what the application adds (root module's id 0).
    globals: Globals,
    config: ServerConfig,
    /// Guards a test puts in place of others (`TestingModule::override_guard`).
    pub(crate) guard_overrides: GuardOverrides,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Resolves and checks the module graph rooted at `M`: a missing provider, a cycle or a
    /// misconfigured module is an error here, naming the chain and the fix.
    pub fn create<M: Module>() -> crate::Result<Self> {
        Self::from_import(Import::of::<M>())
    }

    /// Same as [`create`](Application::create), for a dynamic root module.
    pub fn from_module(root: impl IntoImport) -> crate::Result<Self> {
        Self::from_import(root.into_import())
    }

    fn from_import(root: Import) -> crate::Result<Self> {
        Self::with_overrides(root, Vec::new())
    }

    /// [`from_import`](Self::from_import), with providers that replace the ones registered
    /// under their keys (a test's fakes).
    pub(crate) fn with_overrides(root: Import, overrides: Vec<Provider>) -> crate::Result<Self> {
        let graph = ModuleGraph::build(root, overrides).map_err(crate::Error::Startup)?;
        let mut globals = Globals::default();
        for (module, parts) in graph.parts {
            globals.add(module, parts);
        }
        Ok(Application {
            container: graph.container,
            mounts: graph.mounts,
            globals,
            config: ServerConfig::default(),
            guard_overrides: GuardOverrides::default(),
        })
    }

    /// Adds a middleware for every request (`app.use(..)` in other frameworks). Runs after
    /// the middleware installed by modules, in call order.
    pub fn use_middleware(mut self, m: impl Middleware) -> Self {
        self.globals.middleware.push(crate::middleware::shared(m));
        self
    }

    /// Adds a request layer for the whole application, after the modules' layers.
    pub fn use_layer(mut self, layer: impl RequestLayer) -> Self {
        self.globals
            .layers
            .push((0, LayerDef::Ready(crate::lifecycle::shared_layer(layer))));
        self
    }

    /// Adds a global guard (after the modules' global guards).
    pub fn use_global_guard(mut self, guard: impl Guard) -> Self {
        self.globals.guards.push((0, Enhancer::guard_value(guard)));
        self
    }

    /// Adds a global guard built by DI from the root module's providers.
    pub fn use_global_guard_class<G: Guard + Injectable>(mut self) -> Self {
        self.globals.guards.push((0, Enhancer::guard::<G>()));
        self
    }

    /// Adds a global interceptor (after the modules' global interceptors).
    pub fn use_global_interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.globals
            .interceptors
            .push((0, Enhancer::interceptor_value(interceptor)));
        self
    }

    /// Adds a global exception filter (tried after the modules' global filters).
    pub fn use_global_filter(mut self, filter: impl ExceptionFilter) -> Self {
        self.globals
            .filters
            .push((0, Enhancer::filter_value(filter)));
        self
    }

    /// Replaces the server configuration.
    pub fn with_config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    /// Changes the server configuration in place.
    pub fn configure(mut self, f: impl FnOnce(&mut ServerConfig)) -> Self {
        f(&mut self.config);
        self
    }

    /// Whether a module asked to be served thread per core.
    pub(crate) fn prefers_thread_per_core(&self) -> bool {
        self.globals.thread_per_core
    }

    /// Builds every provider and controller, runs `on_module_init` hooks and builds the
    /// endpoints (each route's middleware and planned lifecycle stages) and the route table.
    /// A failure is a start-up error listing every problem found.
    pub async fn build(self) -> crate::Result<App> {
        let mut problems: Vec<StartupError> =
            self.config.check().into_iter().map(Into::into).collect();
        // A provider that cannot be built stops here: what depends on it cannot be built.
        if let Err(e) = self.container.instantiate().await {
            problems.extend(crate::error::problems_of(e));
            return Err(crate::Error::Startup(problems));
        }
        warn_unmounted(&self.mounts);
        let layers = assemble::build_layers(&self.container, &self.globals.layers, &mut problems);
        let mut asm = Assembler {
            container: &self.container,
            globals: &self.globals,
            layers,
            cache: Default::default(),
            overrides: self.guard_overrides,
            problems,
        };
        let mut endpoints = Vec::new();
        for (mid, mounts) in self.mounts.into_iter().enumerate() {
            for c in mounts.controllers {
                match (c.construct)(&self.container.resolver(mid)) {
                    Ok(instance) => {
                        for r in (c.mount)(instance) {
                            endpoints.push(asm.endpoint(mid, r));
                        }
                    }
                    Err(source) => asm.problems.push(StartupError::Build {
                        name: c.name.to_owned(),
                        source,
                    }),
                }
            }
            for r in mounts.routes {
                endpoints.push(asm.endpoint(mid, r));
            }
        }
        let not_found = asm.special(RouteKind::NotFound, assemble::not_found());
        let router = asm.router(endpoints);
        for (tid, (name, _)) in &asm.overrides.guards {
            if !asm.overrides.used.contains(tid) {
                let guard = (*name).to_owned();
                asm.problems
                    .push(crate::testing::OverrideError::GuardNotListed { guard }.into());
            }
        }
        let (Some(router), true) = (router, asm.problems.is_empty()) else {
            return Err(crate::Error::Startup(asm.problems));
        };
        for slot in &router.slots {
            for e in &slot.endpoints {
                tracing::info!(target: "hearth::routes", "{:<7} {:<32} → {}", e.method.as_str(), slot.path, e.name);
            }
        }
        let limits = Limits::from(&self.config);
        Ok(App(Arc::new(Shared {
            core: Arc::new(AppCore {
                shared: Arc::new(AppShared {
                    container: self.container,
                    limits,
                    proxies: crate::extract::TrustedProxies::new(&self.config),
                }),
                peer: None,
            }),
            router,
            not_found,
            config: self.config,
        })))
    }

    /// Builds the application and serves it on `0.0.0.0:port` until SIGINT or SIGTERM, on the
    /// tokio runtime this is awaited on (for embedding: a program that runs its own runtime
    /// and wants the server among its tasks). The worker options of [`ServerConfig`]
    /// (`workers`, `scheduler`, `yield_when_idle`) do not apply: the runtime is yours. To
    /// start an application, [`run`](Self::run) is the way.
    pub async fn listen(self, port: u16) -> crate::Result<()> {
        let addr = std::net::SocketAddr::from(([0, 0, 0, 0], port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| crate::Error::Io {
                context: format!("cannot listen on port {port} (is another process using it?)"),
                source: e,
            })?;
        self.listen_on(listener).await
    }

    /// Builds the application and serves it on an existing listener until SIGINT or
    /// SIGTERM (bind port 0 in tests).
    pub async fn listen_on(self, listener: tokio::net::TcpListener) -> crate::Result<()> {
        let app = self.build().await?;
        server::serve(app, listener, server::shutdown_signal()).await
    }

    /// Builds the application and serves it on `0.0.0.0:port` until SIGINT or SIGTERM, then
    /// finishes the requests in flight and runs the shutdown hooks. This is how to start an
    /// application:
    ///
    /// ```no_run
    /// # use hearth::prelude::*;
    /// # #[module()] struct AppModule;
    /// fn main() -> hearth::Result<()> {
    ///     Application::create::<AppModule>()?.run(3100)
    /// }
    /// ```
    ///
    /// It starts its own worker threads (one per CPU core) and picks how they share the work,
    /// the fastest way measured: work stealing (one multi-threaded runtime), or thread per
    /// core (one single-threaded runtime per worker, each serving its connections start to
    /// finish) when a module asks for it, as a store with one connection per worker does. The
    /// [`ServerConfig`] options `workers`, `scheduler` and `yield_when_idle` override the
    /// choice; most applications never set them.
    ///
    /// It blocks until the server stops. Called inside a tokio runtime (`#[tokio::main]`), it
    /// still serves on threads of its own, and the calling thread waits: on a multi-threaded
    /// runtime (`#[tokio::main]`'s default) the runtime's other tasks keep running; on a
    /// single-threaded one (`flavor = "current_thread"`, `#[tokio::test]`) they wait until the
    /// server stops (a warning says so), so serve there with [`listen`](Self::listen) instead.
    ///
    /// Handlers must not block a worker thread (use `tokio::task::spawn_blocking`), and state
    /// shared between requests must be `Send + Sync`.
    pub fn run(self, port: u16) -> crate::Result<()> {
        let addr = std::net::SocketAddr::from(([0, 0, 0, 0], port));
        let listener = std::net::TcpListener::bind(addr).map_err(|e| crate::Error::Io {
            context: format!("cannot listen on port {port} (is another process using it?)"),
            source: e,
        })?;
        self.run_on(listener)
    }

    /// [`run`](Application::run) on an existing listener.
    pub fn run_on(self, listener: std::net::TcpListener) -> crate::Result<()> {
        self.run_until(listener, server::shutdown_signal())
    }

    /// [`run_on`](Application::run_on), stopping when `shutdown` completes instead of on a
    /// signal (for tests and embedding).
    pub fn run_until(
        self,
        listener: std::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> crate::Result<()> {
        server::run_threads(self, listener, shutdown)
    }
}

/// Warns about controllers defined with `#[routes]` that no module mounts.
fn warn_unmounted(mounts: &[Mounts]) {
    let mounted: std::collections::HashSet<std::any::TypeId> = mounts
        .iter()
        .flat_map(|m| m.controllers.iter().map(|c| c.type_id))
        .collect();
    for d in inventory::iter::<crate::__private::ControllerDescriptor> {
        if !mounted.contains(&(d.type_id)()) {
            tracing::warn!(
                "controller {} is defined but no module mounts it; add it to a module's `controllers`",
                d.name
            );
        }
    }
}

pub(crate) struct Shared {
    core: Arc<AppCore>,
    router: Router,
    not_found: Endpoint,
    pub(crate) config: ServerConfig,
}

/// A built application: handles requests in process ([`App::handle`]) or over TCP
/// ([`App::serve`]). Cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Shared>);

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// Handles one request: routing, then its endpoint's middleware and lifecycle. A panic in
    /// a handler or a middleware becomes a 500 response.
    ///
    /// The request has no TCP peer: [`PeerAddr`](crate::extract::PeerAddr) and
    /// [`ClientIp`](crate::extract::ClientIp) are unknown (`0.0.0.0`) unless it carries a
    /// `PeerAddr` extension.
    pub async fn handle(&self, req: Request) -> Response {
        self.handle_from(req, &self.0.core).await
    }

    /// The context of the requests of a connection from `peer` (made once per connection).
    pub(crate) fn connection(&self, peer: SocketAddr) -> Arc<AppCore> {
        Arc::new(AppCore {
            shared: self.0.core.shared.clone(),
            peer: Some(peer),
        })
    }

    /// [`handle`](App::handle) for a request of the connection whose context is `core`
    /// ([`App::connection`]): the peer reaches the request's context at no cost per request.
    pub(crate) async fn handle_from(&self, req: Request, core: &Arc<AppCore>) -> Response {
        match AssertUnwindSafe(self.serve_one(req, core))
            .catch_unwind()
            .await
        {
            Ok(res) => res,
            Err(panic) => Panic::from_payload(panic).into_response(),
        }
    }

    async fn serve_one(&self, mut req: Request, core: &Arc<AppCore>) -> Response {
        let shared = &*self.0;
        let endpoint = match shared.router.find(req.method(), req.uri().path()) {
            Lookup::Route(endpoint, params) => {
                if let Some(params) = params {
                    req.extensions_mut().insert(params);
                }
                endpoint
            }
            Lookup::MethodNotAllowed(endpoint) => endpoint,
            Lookup::NotFound => &shared.not_found,
        };
        let is_head = req.method() == Method::HEAD;
        let mut res = if endpoint.plain {
            // The fast path: nothing but the handler.
            (endpoint.core.handler)(req).await
        } else {
            let ctx = endpoint.needs_context.then(|| Ctx {
                app: core.clone(),
                route: endpoint.core.route.clone(),
                states: Default::default(),
            });
            if endpoint.middleware.is_empty() {
                endpoint.core.run(req, ctx).await
            } else {
                // Middleware may read the context (`Inject<T>`): it goes in first.
                if let Some(ctx) = ctx {
                    req.extensions_mut().insert(ctx);
                }
                Next::new(endpoint.middleware.clone(), endpoint.terminal.clone())
                    .run(req)
                    .await
            }
        };
        if is_head {
            strip_body(&mut res);
        }
        res
    }

    /// Serves the application on `listener` until `shutdown` completes, then finishes
    /// in-flight requests (up to the configured grace period) and runs the
    /// `on_application_shutdown` hooks.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> crate::Result<()> {
        server::serve(self, listener, shutdown).await
    }

    /// Starts serving on `listener` in a background task; the handle stops it.
    pub fn spawn(self, listener: tokio::net::TcpListener) -> RunningServer {
        server::spawn(self, listener)
    }

    pub(crate) fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    /// Resolves providers as the root module sees them (NestJS's `app.get(..)`): a built
    /// singleton, a transient built now.
    pub fn resolver(&self) -> Resolver {
        self.0.core.container.resolver(0)
    }

    pub(crate) fn container(&self) -> &Container {
        &self.0.core.container
    }

    pub(crate) async fn before_shutdown_hooks(&self) {
        self.0.core.container.before_shutdown().await;
    }

    pub(crate) async fn shutdown_hooks(&self) {
        self.0.core.container.shutdown().await;
    }
}

/// A HEAD response keeps GET's headers (including Content-Length) but no body.
fn strip_body(res: &mut Response) {
    use http_body::Body as _;
    if let Some(len) = res.body().size_hint().exact() {
        if !res.headers().contains_key(header::CONTENT_LENGTH) {
            res.headers_mut().insert(header::CONTENT_LENGTH, len.into());
        }
    }
    *res.body_mut() = crate::Body::empty();
}
