//! Controllers: a prefix, a set of routes, and the DI constructor (`#[controller]` +
//! `#[routes]` write these impls).

use std::any::Any;
use std::sync::Arc;

use http::Method;

use crate::di::{AnyArc, Dependency, DiError, Injectable, Resolver};
use crate::lifecycle::{FilterDef, GuardDef, InterceptorDef, Metadata, RouteAttribute};
use crate::middleware::{BoxFuture, SharedMiddleware};
use crate::response::IntoResponse;
use crate::{Request, Response};

/// The part of a controller that `#[controller("/prefix")]` writes.
pub trait ControllerMeta: Injectable {
    /// The path prefix of every route.
    fn prefix() -> &'static str;

    /// The names of the prefix's path parameters: `["user_id"]` for
    /// `#[controller("/users/:user_id/posts")]`. `#[routes]` checks its handlers'
    /// `#[param]`s against them at compile time.
    const PREFIX_PARAMS: &'static [&'static str] = &[];

    /// Middleware for every route of the controller (`#[use_middleware(..)]`).
    fn middleware() -> Vec<SharedMiddleware> {
        Vec::new()
    }

    /// Guards for every route of the controller (`#[use_guards(..)]`).
    fn guards() -> Vec<GuardDef> {
        Vec::new()
    }

    /// Interceptors for every route of the controller (`#[use_interceptors(..)]`).
    fn interceptors() -> Vec<InterceptorDef> {
        Vec::new()
    }

    /// Exception filters for every route of the controller (`#[use_filters(..)]`).
    fn filters() -> Vec<FilterDef> {
        Vec::new()
    }

    /// The controller's metadata (`#[set_metadata(..)]` and battery attributes written below
    /// `#[controller(..)]`).
    fn metadata() -> Metadata {
        Metadata::new()
    }
}

/// The part of a controller that `#[routes]` writes: its route table.
pub trait Controller: ControllerMeta {
    /// The routes.
    fn routes() -> Vec<RouteDef<Self>>;
}

/// A route's handler: takes the controller and the request.
pub type RouteHandler<C> = fn(Arc<C>, Request) -> BoxFuture<'static, Response>;

/// One route of a controller.
pub struct RouteDef<C> {
    /// The method.
    pub method: Method,
    /// The path, relative to the controller's prefix.
    pub path: &'static str,
    /// The handler's name, for the route table.
    pub name: &'static str,
    /// The handler.
    pub handler: RouteHandler<C>,
    /// Middleware for this route only.
    pub middleware: Vec<SharedMiddleware>,
    /// Guards for this route only (after the controller's).
    pub guards: Vec<GuardDef>,
    /// Interceptors for this route only (inside the controller's).
    pub interceptors: Vec<InterceptorDef>,
    /// Exception filters for this route only (tried before the controller's).
    pub filters: Vec<FilterDef>,
    /// The route's metadata.
    pub metadata: Metadata,
    /// The providers the handler resolves per request (its `Inject<T>` parameters), checked
    /// at start-up.
    pub dependencies: Vec<Dependency>,
    /// Whether the handler may read the request's context (the application's providers,
    /// a layer's state, the body limits): true unless the handler reads nothing but the
    /// request's path, query and headers, which `#[routes]` tells from its parameters. A
    /// route that needs no context, and has no middleware, is served without setting it up.
    #[doc(hidden)]
    pub needs_context: bool,
}

impl<C> RouteDef<C> {
    /// A route.
    pub fn new(
        method: Method,
        path: &'static str,
        name: &'static str,
        handler: RouteHandler<C>,
    ) -> Self {
        RouteDef {
            method,
            path,
            name,
            handler,
            middleware: Vec::new(),
            guards: Vec::new(),
            interceptors: Vec::new(),
            filters: Vec::new(),
            metadata: Metadata::new(),
            dependencies: Vec::new(),
            needs_context: true,
        }
    }

    /// Marks a handler that reads nothing but the request's path, query and headers (see
    /// [`needs_context`](Self::needs_context)).
    pub fn context_free(mut self) -> Self {
        self.needs_context = false;
        self
    }

    /// Adds route-level middleware.
    pub fn with_middleware(mut self, m: Vec<SharedMiddleware>) -> Self {
        self.middleware.extend(m);
        self
    }

    /// Adds route-level guards.
    pub fn with_guards(mut self, g: Vec<GuardDef>) -> Self {
        self.guards.extend(g);
        self
    }

    /// Adds route-level interceptors.
    pub fn with_interceptors(mut self, i: Vec<InterceptorDef>) -> Self {
        self.interceptors.extend(i);
        self
    }

    /// Adds route-level exception filters.
    pub fn with_filters(mut self, f: Vec<FilterDef>) -> Self {
        self.filters.extend(f);
        self
    }

    /// Sets a typed metadata value (`#[set_metadata(value)]`).
    pub fn metadata<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.metadata.insert(value);
        self
    }

    /// Applies a battery's route attribute (`#[roles("admin")]`).
    pub fn attribute(mut self, attribute: impl RouteAttribute) -> Self {
        attribute.apply(&mut self.metadata);
        self
    }

    /// Declares a provider the handler resolves per request (checked at start-up).
    pub fn depends_on(mut self, dependency: Dependency) -> Self {
        self.dependencies.push(dependency);
        self
    }
}

/// A route ready to be mounted, with its controller bound.
pub(crate) struct MountedRoute {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) name: String,
    pub(crate) handler: crate::middleware::Handler,
    pub(crate) middleware: Vec<SharedMiddleware>,
    /// Controller's, then the route's.
    pub(crate) guards: Vec<GuardDef>,
    /// Controller's, then the route's.
    pub(crate) interceptors: Vec<InterceptorDef>,
    /// Route's, then the controller's.
    pub(crate) filters: Vec<FilterDef>,
    pub(crate) metadata: Metadata,
    pub(crate) controller_metadata: Metadata,
    pub(crate) controller: Option<&'static str>,
    /// See [`RouteDef::needs_context`].
    pub(crate) needs_context: bool,
}

impl MountedRoute {
    pub(crate) fn new(method: Method, path: String) -> Self {
        MountedRoute {
            name: format!("{method} {path}"),
            method,
            path,
            handler: Arc::new(|_| Box::pin(async { http::StatusCode::NOT_FOUND.into_response() })),
            middleware: Vec::new(),
            guards: Vec::new(),
            interceptors: Vec::new(),
            filters: Vec::new(),
            metadata: Metadata::new(),
            controller_metadata: Metadata::new(),
            controller: None,
            needs_context: true,
        }
    }
}

/// A type-erased controller, as listed in a module.
pub struct ControllerDef {
    pub(crate) name: &'static str,
    pub(crate) type_id: std::any::TypeId,
    pub(crate) dependencies: fn() -> Vec<Dependency>,
    /// What its guards, interceptors, filters and handlers depend on, by name.
    pub(crate) enhancer_dependencies: fn() -> Vec<(String, Vec<Dependency>)>,
    pub(crate) construct: fn(&Resolver) -> Result<AnyArc, DiError>,
    pub(crate) mount: fn(AnyArc) -> Vec<MountedRoute>,
}

impl ControllerDef {
    /// The definition of controller `C`.
    pub fn of<C: Controller>() -> Self {
        ControllerDef {
            name: crate::di::short_name(std::any::type_name::<C>()),
            type_id: std::any::TypeId::of::<C>(),
            dependencies: C::dependencies,
            enhancer_dependencies: enhancer_dependencies::<C>,
            construct: |r| C::construct(r).map(|c| Arc::new(c) as AnyArc),
            mount: mount::<C>,
        }
    }
}

/// The dependencies of a controller's guards, interceptors and filters and of its handlers'
/// `Inject<T>` parameters, each with the name a start-up error shows.
fn enhancer_dependencies<C: Controller>() -> Vec<(String, Vec<Dependency>)> {
    let name = crate::di::short_name(std::any::type_name::<C>());
    let mut out = Vec::new();
    let enhancers = |out: &mut Vec<(String, Vec<Dependency>)>,
                     guards: &[GuardDef],
                     interceptors: &[InterceptorDef],
                     filters: &[FilterDef],
                     at: &str| {
        let names = guards.iter().map(|g| (g.name, (g.dependencies)()));
        let names = names.chain(interceptors.iter().map(|i| (i.name, (i.dependencies)())));
        let names = names.chain(filters.iter().map(|f| (f.name, (f.dependencies)())));
        for (n, deps) in names {
            if !deps.is_empty() {
                out.push((format!("{at} → {n}"), deps));
            }
        }
    };
    enhancers(
        &mut out,
        &C::guards(),
        &C::interceptors(),
        &C::filters(),
        name,
    );
    for route in C::routes() {
        let at = format!("{name}::{}", route.name);
        enhancers(
            &mut out,
            &route.guards,
            &route.interceptors,
            &route.filters,
            &at,
        );
        if !route.dependencies.is_empty() {
            out.push((format!("{at} (Inject)"), route.dependencies));
        }
    }
    out
}

fn mount<C: Controller>(any: AnyArc) -> Vec<MountedRoute> {
    let Ok(controller) = (any as Arc<dyn Any + Send + Sync>).downcast::<C>() else {
        return Vec::new();
    };
    let prefix = C::prefix();
    let (controller_mw, controller_guards) = (C::middleware(), C::guards());
    let (controller_interceptors, controller_filters) = (C::interceptors(), C::filters());
    let type_name = crate::di::short_name(std::any::type_name::<C>());
    C::routes()
        .into_iter()
        .map(|route| {
            let c = controller.clone();
            let f = route.handler;
            let mut middleware = controller_mw.clone();
            middleware.extend(route.middleware);
            let mut guards = controller_guards.clone();
            guards.extend(route.guards);
            let mut interceptors = controller_interceptors.clone();
            interceptors.extend(route.interceptors);
            let mut filters = route.filters;
            filters.extend(controller_filters.iter().cloned());
            MountedRoute {
                method: route.method,
                path: join_paths(prefix, route.path),
                name: format!("{type_name}::{}", route.name),
                handler: Arc::new(move |req| f(c.clone(), req)),
                middleware,
                guards,
                interceptors,
                filters,
                metadata: route.metadata,
                controller_metadata: C::metadata(),
                controller: Some(type_name),
                needs_context: route.needs_context,
            }
        })
        .collect()
}

/// Joins a controller prefix and a route path: `("/api", "/profile")` → `/api/profile`,
/// `("/api", "/")` → `/api`, `("", "")` → `/`.
pub fn join_paths(prefix: &str, path: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let path = path.trim_start_matches('/');
    let mut out = String::with_capacity(prefix.len() + path.len() + 2);
    if !prefix.starts_with('/') {
        out.push('/');
    }
    out.push_str(prefix);
    if !path.is_empty() {
        if !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(path);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}
