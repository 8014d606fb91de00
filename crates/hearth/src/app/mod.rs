//! The application: module graph → container → router, then the server.

mod config;
mod server;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use http::{Method, StatusCode, header};

pub use config::{Limits, Scheduler, ServerConfig};
pub use server::{RunningServer, ShutdownHandle};

use crate::di::{Container, ContainerBuilder};
use crate::middleware::{Handler, Middleware, Next, SharedMiddleware};
use crate::module::{Import, IntoImport, Module};
use crate::response::{HttpException, IntoResponse};
use crate::routing::{Lookup, MountedRoute, Router};
use crate::{Request, Response};

/// An application being configured: the module graph is resolved and checked, nothing is
/// built yet. [`listen`](Application::listen) (or [`build`](Application::build)) builds
/// every provider, runs the `on_module_init` hooks and serves.
///
/// ```no_run
/// # use hearth::prelude::*;
/// # #[module()] struct AppModule;
/// #[tokio::main]
/// async fn main() -> hearth::Result<()> {
///     Application::create::<AppModule>()?.listen(3100).await
/// }
/// ```
pub struct Application {
    container: Container,
    module_middleware: Vec<SharedMiddleware>,
    session: Option<crate::session::SessionMiddleware>,
    app_middleware: Vec<SharedMiddleware>,
    config: ServerConfig,
    /// A module asked to be served thread per core (see [`Scheduler::Auto`]).
    prefers_thread_per_core: bool,
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
        let built = ContainerBuilder::build(root)?;
        Ok(Application {
            container: built.container,
            module_middleware: built.middleware,
            session: built.session,
            app_middleware: Vec::new(),
            config: ServerConfig::default(),
            prefers_thread_per_core: built.thread_per_core,
        })
    }

    /// Adds a middleware for every request (`app.use(..)` in other frameworks). Runs after
    /// the middleware installed by modules, in call order.
    pub fn use_middleware(mut self, m: impl Middleware) -> Self {
        self.app_middleware.push(crate::middleware::shared(m));
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

    /// Builds every provider and controller, runs `on_module_init` hooks and builds the
    /// route table.
    pub async fn build(self) -> crate::Result<App> {
        let mut problems = self.config.check();
        if !problems.is_empty() {
            return Err(crate::Error::Startup(problems));
        }
        self.container.instantiate().await?;
        let mut routes: Vec<MountedRoute> = Vec::new();
        for (mid, module) in self.container.modules().iter().enumerate() {
            for c in &module.controllers {
                let instance = (c.construct)(&self.container.resolver(mid))?;
                routes.extend((c.mount)(instance));
            }
            routes.append(&mut module.routes.lock().unwrap_or_else(|e| e.into_inner()));
        }
        warn_unmounted(&self.container);
        let mut global = self.module_middleware;
        global.extend(self.app_middleware);
        let router = Router::build(routes, &global).map_err(|p| {
            problems.extend(p);
            crate::Error::Startup(std::mem::take(&mut problems))
        })?;
        for slot in &router.slots {
            for e in &slot.endpoints {
                tracing::info!(target: "hearth::routes", "{:<7} {:<32} → {}", e.method.as_str(), slot.path, e.name);
            }
        }
        let limits = Limits::from(&self.config);
        let global: Arc<[SharedMiddleware]> = global.into();
        Ok(App(Arc::new(Shared {
            container: self.container,
            router,
            global,
            session: self.session,
            limits,
            config: self.config,
            not_found: Arc::new(|req: Request| {
                let msg = format!("Cannot {} {}", req.method(), req.uri().path());
                Box::pin(
                    async move { HttpException::new(StatusCode::NOT_FOUND, msg).into_response() },
                )
            }),
        })))
    }

    /// Builds the application and serves it on `0.0.0.0:port` until SIGINT or SIGTERM.
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

    /// Builds the application and serves it on `0.0.0.0:port` **thread per core** until
    /// SIGINT or SIGTERM: one single-threaded runtime per CPU core (see
    /// [`ServerConfig::workers`]), each serving its connections start to finish, so a request
    /// and the store round trips it waits for never hop between threads. This is the fastest
    /// way to serve; it blocks, so call it from a plain `fn main` (not inside a tokio runtime):
    ///
    /// ```no_run
    /// # use hearth::prelude::*;
    /// # #[module()] struct AppModule;
    /// fn main() -> hearth::Result<()> {
    ///     Application::create::<AppModule>()?.run(3100)
    /// }
    /// ```
    ///
    /// Handlers must not block a worker thread (use `tokio::task::spawn_blocking`), and state
    /// shared between requests must be `Send + Sync`, as with `listen`.
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
fn warn_unmounted(container: &Container) {
    let mounted: std::collections::HashSet<std::any::TypeId> = container
        .modules()
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
    container: Container,
    router: Router,
    global: Arc<[SharedMiddleware]>,
    /// `SessionModule::for_root`'s middleware, run here around every request: outside all
    /// other middleware, without a boxed middleware call of its own.
    session: Option<crate::session::SessionMiddleware>,
    pub(crate) limits: Limits,
    pub(crate) config: ServerConfig,
    not_found: Handler,
}

/// A built application: handles requests in process ([`App::handle`]) or over TCP
/// ([`App::serve`]). Cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Shared>);

/// The application serving a request and the request's session (when the application runs
/// the session layer), available to extractors through the request's extensions: one
/// extension for both.
#[derive(Clone)]
pub(crate) struct AppContext(
    pub(crate) Arc<Shared>,
    pub(crate) Option<Arc<crate::session::handle::Inner>>,
);

impl AppContext {
    pub(crate) fn container(&self) -> &Container {
        &self.0.container
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").finish_non_exhaustive()
    }
}

impl App {
    /// Handles one request: routing, middleware, handler. A panic in a handler or a
    /// middleware becomes a 500 response.
    pub async fn handle(&self, req: Request) -> Response {
        let serve = async {
            let shared = &self.0;
            let lookup = shared.router.find(req.method(), req.uri().path());
            let needs_context = match &lookup {
                Lookup::Route(endpoint, _) => endpoint.needs_context,
                _ => true,
            };
            // A route that cannot reach the session still extends a session it was sent
            // (rolling), but costs nothing without one.
            let session = shared.session.as_ref().and_then(|layer| {
                if needs_context {
                    Some(layer.open(req.headers()))
                } else {
                    layer.open_if_sent(req.headers())
                }
            });
            let context = needs_context.then(|| AppContext(shared.clone(), session.clone()));
            let res = self.dispatch(req, lookup, context).await;
            match (&shared.session, session) {
                (Some(layer), Some(session)) => layer.close(&session, res).await,
                _ => res,
            }
        };
        match AssertUnwindSafe(serve).catch_unwind().await {
            Ok(res) => res,
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR)
                    .with_source(std::io::Error::other(format!("handler panicked: {what}")))
                    .into_response()
            }
        }
    }

    /// Starts the request down its chain, with its context (`None` for a route that needs
    /// none).
    fn dispatch(
        &self,
        mut req: Request,
        lookup: Lookup<'_>,
        context: Option<AppContext>,
    ) -> crate::middleware::BoxFuture<'static, Response> {
        let shared = &self.0;
        if let Some(context) = context {
            req.extensions_mut().insert(context);
        }
        let next = match lookup {
            Lookup::Route(endpoint, params) => {
                if let Some(params) = params {
                    req.extensions_mut().insert(params);
                }
                Next::new(endpoint.chain.clone(), endpoint.handler.clone())
            }
            Lookup::MethodNotAllowed(allow) => {
                let allow = allow.clone();
                let handler: Handler = Arc::new(move |req: Request| {
                    let allow = allow.clone();
                    Box::pin(async move {
                        let mut res = HttpException::new(
                            StatusCode::METHOD_NOT_ALLOWED,
                            format!("Cannot {} {}", req.method(), req.uri().path()),
                        )
                        .into_response();
                        res.headers_mut().insert(header::ALLOW, allow);
                        res
                    })
                });
                Next::new(shared.global.clone(), handler)
            }
            Lookup::NotFound => Next::new(shared.global.clone(), shared.not_found.clone()),
        };
        let is_head = req.method() == Method::HEAD;
        let fut = next.run(req);
        if is_head {
            Box::pin(async move {
                let mut res = fut.await;
                strip_body(&mut res);
                res
            })
        } else {
            fut
        }
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

    pub(crate) async fn shutdown_hooks(&self) {
        self.0.container.shutdown().await;
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
