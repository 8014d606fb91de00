//! What every stage knows about the route a request matched: its method, path, handler name,
//! and typed metadata set by attributes (NestJS's `Reflector`).

use std::any::{Any, TypeId};
use std::fmt;

use http::Method;

/// Typed values attached to a route or a controller by attributes (`#[set_metadata(..)]`, a
/// battery's `#[roles(..)]`, `#[public]`…), one value per type.
#[derive(Default)]
pub struct Metadata(Vec<(TypeId, &'static str, Box<dyn Any + Send + Sync>)>);

impl Metadata {
    /// Empty metadata.
    pub fn new() -> Self {
        Metadata(Vec::new())
    }

    /// Sets the value of type `T`, replacing an earlier one.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        let boxed: Box<dyn Any + Send + Sync> = Box::new(value);
        match self.0.iter_mut().find(|(t, _, _)| *t == id) {
            Some(slot) => slot.2 = boxed,
            None => self.0.push((id, std::any::type_name::<T>(), boxed)),
        }
    }

    /// The value of type `T`, if set.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.0
            .iter()
            .find(|(t, _, _)| *t == id)
            .and_then(|(_, _, v)| v.downcast_ref())
    }

    /// Whether a value of type `T` is set.
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        self.get::<T>().is_some()
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Merges `other` into `self`; `other`'s values win.
    pub fn extend(&mut self, other: Metadata) {
        for (id, name, v) in other.0 {
            match self.0.iter_mut().find(|(t, _, _)| *t == id) {
                Some(slot) => slot.2 = v,
                None => self.0.push((id, name, v)),
            }
        }
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(_, name, _)| name))
            .finish()
    }
}

/// A route attribute a battery defines: `#[roles("admin")]` on a handler (or below
/// `#[controller(..)]`) expands to `roles("admin")`, resolved where the attribute is written,
/// and the value it returns applies itself to the route's (or controller's) metadata here.
///
/// Named arguments become builder calls: `#[throttle(limit = 10, per = "1m")]` expands to
/// `throttle().limit(10).per("1m")`. See `docs/architecture.md` for the whole convention.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a route attribute",
    label = "this attribute's function does not return a `RouteAttribute`",
    note = "a route attribute `#[name(..)]` calls the function `name(..)` in scope, which must return a type implementing `hearth::lifecycle::RouteAttribute`"
)]
pub trait RouteAttribute {
    /// Records what the attribute means in the metadata.
    fn apply(self, metadata: &mut Metadata);
}

/// What kind of target a request matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteKind {
    /// A route's handler.
    Handler,
    /// No route has the path (the answer is a 404 unless a stage answers first).
    NotFound,
    /// Routes have the path, none the method (a 405 unless a stage answers first, such as a
    /// CORS preflight).
    MethodNotAllowed,
}

/// The route a request matched, known to every stage of the lifecycle: read it with
/// [`RouteInfo::of`] from the request's extensions, or from the argument a guard, interceptor
/// or filter receives.
pub struct RouteInfo {
    pub(crate) kind: RouteKind,
    pub(crate) method: Option<Method>,
    pub(crate) path: Option<String>,
    pub(crate) name: String,
    pub(crate) controller: Option<&'static str>,
    pub(crate) module: usize,
    pub(crate) metadata: Metadata,
    pub(crate) controller_metadata: Metadata,
    pub(crate) reads_request: bool,
}

impl RouteInfo {
    /// The route of the request whose extensions these are (`None` on a route that reads
    /// nothing but its path, query and headers, which is served without a context).
    pub fn of(extensions: &http::Extensions) -> Option<&RouteInfo> {
        extensions.get::<super::context::Ctx>().map(|c| &*c.route)
    }

    /// What the request matched.
    pub fn kind(&self) -> RouteKind {
        self.kind
    }

    /// The route's method (`None` for a 404 or 405).
    pub fn method(&self) -> Option<&Method> {
        self.method.as_ref()
    }

    /// The path template as declared, e.g. `/api/users/:id` (`None` for a 404). Use it, never
    /// the raw path, where cardinality matters (metrics, rate-limit keys).
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The handler's name, e.g. `UserController::profile`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The controller's name, for routes of a controller.
    pub fn controller(&self) -> Option<&'static str> {
        self.controller
    }

    /// The value of type `T` set on the route, else on its controller (the route's wins, as
    /// NestJS's `getAllAndOverride`).
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.metadata
            .get::<T>()
            .or_else(|| self.controller_metadata.get::<T>())
    }

    /// The metadata set on the route itself.
    pub fn route_metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The metadata set on the route's controller.
    pub fn controller_metadata(&self) -> &Metadata {
        &self.controller_metadata
    }

    /// Whether anything on this route can read the request's context: the handler takes more
    /// than its path, query and headers, or a middleware, guard, interceptor or filter runs
    /// there. A layer whose state only such readers use can open lazily elsewhere.
    pub fn reads_request(&self) -> bool {
        self.reads_request
    }

    pub(crate) fn special(kind: RouteKind, name: &str) -> Self {
        RouteInfo {
            kind,
            method: None,
            path: None,
            name: name.to_owned(),
            controller: None,
            module: 0,
            metadata: Metadata::new(),
            controller_metadata: Metadata::new(),
            reads_request: true,
        }
    }
}

impl fmt::Debug for RouteInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteInfo")
            .field("kind", &self.kind)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("name", &self.name)
            .field("metadata", &self.metadata)
            .field("controller_metadata", &self.controller_metadata)
            .finish()
    }
}
