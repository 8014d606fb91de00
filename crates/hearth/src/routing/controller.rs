//! Controllers: a prefix, a set of routes, and the DI constructor (`#[controller]` +
//! `#[routes]` write these impls).

use std::any::Any;
use std::sync::Arc;

use http::Method;

use crate::di::{AnyArc, Dependency, DiError, Injectable, Resolver};
use crate::middleware::{BoxFuture, SharedMiddleware};
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
    /// Whether the handler may read the request's context (the application's providers,
    /// the session, the body limits): true unless the handler reads nothing but the
    /// request's path, query and headers, which `#[routes]` tells from its parameters. A
    /// route that needs no context, and has no middleware, is served without setting it up.
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
}

/// A route ready to be mounted, with its controller bound.
pub(crate) struct MountedRoute {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) name: String,
    pub(crate) handler: crate::middleware::Handler,
    pub(crate) middleware: Vec<SharedMiddleware>,
    /// See [`RouteDef::needs_context`].
    pub(crate) needs_context: bool,
}

/// A type-erased controller, as listed in a module.
pub struct ControllerDef {
    pub(crate) name: &'static str,
    pub(crate) type_id: std::any::TypeId,
    pub(crate) dependencies: fn() -> Vec<Dependency>,
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
            construct: |r| C::construct(r).map(|c| Arc::new(c) as AnyArc),
            mount: mount::<C>,
        }
    }
}

fn mount<C: Controller>(any: AnyArc) -> Vec<MountedRoute> {
    let Ok(controller) = (any as Arc<dyn Any + Send + Sync>).downcast::<C>() else {
        return Vec::new();
    };
    let prefix = C::prefix();
    let controller_mw = C::middleware();
    let type_name = crate::di::short_name(std::any::type_name::<C>());
    C::routes()
        .into_iter()
        .map(|route| {
            let c = controller.clone();
            let f = route.handler;
            let mut middleware = controller_mw.clone();
            middleware.extend(route.middleware);
            MountedRoute {
                method: route.method,
                path: join_paths(prefix, route.path),
                name: format!("{type_name}::{}", route.name),
                handler: Arc::new(move |req| f(c.clone(), req)),
                middleware,
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
