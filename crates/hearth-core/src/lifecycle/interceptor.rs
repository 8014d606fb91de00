//! Interceptors: code around the handler (after the guards), with the route's metadata.

use std::future::Future;
use std::sync::Arc;

use super::route::RouteInfo;
use crate::middleware::{BoxFuture, Handler};
use crate::{Request, Response};

/// An interceptor (`#[use_interceptors(Timing)]` on a controller or a route, or global with
/// [`ModuleDef::interceptor`](crate::module::ModuleDef::interceptor)): runs after the guards,
/// around the extractors and the handler. It may answer without calling the handler (a cache),
/// time it, change the response, or map an error response.
///
/// ```
/// use hearth::lifecycle::{CallHandler, Interceptor};
/// use hearth::prelude::*;
///
/// #[injectable]
/// pub struct Timing;
///
/// impl Interceptor for Timing {
///     async fn intercept(&self, req: Request, next: CallHandler) -> Response {
///         let started = std::time::Instant::now();
///         let route = next.route().name().to_owned();
///         let res = next.handle(req).await;
///         tracing::debug!(route, elapsed = ?started.elapsed());
///         res
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interceptor",
    label = "not an `Interceptor`",
    note = "implement `hearth::lifecycle::Interceptor` for `{Self}` (and mark it `#[injectable]`)"
)]
pub trait Interceptor: Send + Sync + 'static {
    /// Handles the request, usually by calling `next.handle(req)`.
    fn intercept(&self, req: Request, next: CallHandler) -> impl Future<Output = Response> + Send;
}

#[doc(hidden)]
pub trait DynInterceptor: Send + Sync + 'static {
    fn intercept(self: Arc<Self>, req: Request, next: CallHandler) -> BoxFuture<'static, Response>;
}

impl<I: Interceptor> DynInterceptor for I {
    fn intercept(self: Arc<Self>, req: Request, next: CallHandler) -> BoxFuture<'static, Response> {
        Box::pin(async move { Interceptor::intercept(&*self, req, next).await })
    }
}

/// The rest of the interceptors, then the extractors and the handler.
pub struct CallHandler {
    pub(crate) interceptors: Arc<[Arc<dyn DynInterceptor>]>,
    pub(crate) index: usize,
    pub(crate) route: Arc<RouteInfo>,
    pub(crate) handler: Handler,
}

impl CallHandler {
    /// The route being handled (its metadata included).
    pub fn route(&self) -> &RouteInfo {
        &self.route
    }

    /// Runs the rest of the chain and returns its response.
    pub fn handle(mut self, req: Request) -> BoxFuture<'static, Response> {
        match self.interceptors.get(self.index).cloned() {
            Some(i) => {
                self.index += 1;
                i.intercept(req, self)
            }
            None => (self.handler)(req),
        }
    }
}

impl std::fmt::Debug for CallHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallHandler")
            .field("route", &self.route.name)
            .field("remaining", &(self.interceptors.len() - self.index))
            .finish()
    }
}

/// An interceptor from an async closure (the interceptor counterpart of
/// [`from_fn`](crate::middleware::from_fn)).
///
/// ```
/// use hearth::lifecycle::{CallHandler, interceptor_fn};
/// use hearth::prelude::*;
/// let stamp = interceptor_fn(|req: Request, next: CallHandler| async move {
///     let mut res = next.handle(req).await;
///     res.headers_mut().insert("x-intercepted", http::HeaderValue::from_static("1"));
///     res
/// });
/// # let _ = stamp;
/// ```
pub fn interceptor_fn<F, Fut>(f: F) -> InterceptorFn<F>
where
    F: Fn(Request, CallHandler) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    InterceptorFn(f)
}

/// The interceptor [`interceptor_fn`] returns.
#[derive(Clone)]
pub struct InterceptorFn<F>(F);

impl<F, Fut> Interceptor for InterceptorFn<F>
where
    F: Fn(Request, CallHandler) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    fn intercept(&self, req: Request, next: CallHandler) -> impl Future<Output = Response> + Send {
        (self.0)(req, next)
    }
}
