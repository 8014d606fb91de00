//! The request lifecycle and the seam every battery plugs into.
//!
//! routing (match only) → middleware → request layers (open) → guards → interceptors →
//! extractors → handler → interceptors (after) → exception filters → request layers (close).
//! Global stages run before the controller's, which run before the route's; filters are tried
//! the other way round. `docs/lifecycle.md` has the diagram.
//!
//! A battery adds:
//! - a [`RequestLayer`] (per-request state that extractors read with [`request_state`]),
//!   planned per route when the application is built, so that it costs nothing where it does
//!   not apply;
//! - route attributes ([`RouteAttribute`]) that set typed [`Metadata`] its layers, guards and
//!   filters read from [`RouteInfo`];
//! - parameter attributes ([`ParamAttribute`]) such as `#[session]`;
//! - [`Guard`]s, [`Interceptor`]s and [`ExceptionFilter`]s, injectable like any provider.

mod context;
mod enhancer;
mod filter;
mod guard;
mod interceptor;
mod layer;
mod param;
pub(crate) mod pipeline;
mod route;

pub use context::{AnyState, request_state};
pub(crate) use context::{AppCore, AppShared, Ctx, resolve_for_request};
pub(crate) use enhancer::EnhancerCache;
pub use enhancer::{Enhancer, FilterDef, GuardDef, InterceptorDef};
pub use filter::{ExceptionFilter, FilterContext};
pub use guard::{DynGuard, Guard};
pub use interceptor::{CallHandler, DynInterceptor, Interceptor, InterceptorFn, interceptor_fn};
pub use layer::{Close, Open, RequestLayer};
pub(crate) use layer::{SharedLayer, shared as shared_layer};
pub use param::ParamAttribute;
pub use route::{Metadata, RouteAttribute, RouteInfo, RouteKind};
