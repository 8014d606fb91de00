//! Middleware: code that runs around handlers.
//!
//! A middleware sees the request, may answer on its own (short-circuit), or call
//! [`Next::run`] and then change the response. It can pass values to handlers through the
//! request's extensions (`req.extensions_mut().insert(v)`, read with
//! [`Extension`](crate::extract::Extension) or `#[ctx]`).
//!
//! Order: middleware installed by imported modules, then `Application::use_middleware` in
//! call order, then the controller's, then the route's. Middleware runs right after routing,
//! before the batteries' request layers open (see [`lifecycle`](crate::lifecycle)): code that
//! needs a layer's state is a guard or an interceptor.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Request, Response};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Code that runs around handlers.
///
/// ```
/// use hearth::prelude::*;
///
/// struct Timing;
///
/// impl Middleware for Timing {
///     async fn handle(&self, req: Request, next: Next) -> Response {
///         let started = std::time::Instant::now();
///         let mut res = next.run(req).await;
///         let ms = started.elapsed().as_millis().to_string();
///         res.headers_mut().insert("x-elapsed-ms", ms.parse().unwrap());
///         res
///     }
/// }
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Handles the request, usually by calling `next.run(req)`.
    fn handle(&self, req: Request, next: Next) -> impl Future<Output = Response> + Send;
}

/// The object-safe form of [`Middleware`], as stored in chains (an implementation detail,
/// implemented for every [`Middleware`]).
#[doc(hidden)]
pub trait DynMiddleware: Send + Sync + 'static {
    /// Handles the request. Takes the middleware's `Arc` so that the returned future owns
    /// it: one allocation per middleware per request.
    fn call(self: Arc<Self>, req: Request, next: Next) -> BoxFuture<'static, Response>;
}

impl<M: Middleware> DynMiddleware for M {
    fn call(self: Arc<Self>, req: Request, next: Next) -> BoxFuture<'static, Response> {
        Box::pin(async move { self.handle(req, next).await })
    }
}

/// A middleware as stored in a chain.
pub type SharedMiddleware = Arc<dyn DynMiddleware>;

/// Wraps a middleware value for a chain.
pub fn shared(m: impl Middleware) -> SharedMiddleware {
    Arc::new(m)
}

/// The terminal handler of a chain.
pub type Handler = Arc<dyn Fn(Request) -> BoxFuture<'static, Response> + Send + Sync>;

/// The rest of the chain: the following middleware, then the handler.
pub struct Next {
    chain: Arc<[SharedMiddleware]>,
    index: usize,
    handler: Handler,
}

impl Next {
    pub(crate) fn new(chain: Arc<[SharedMiddleware]>, handler: Handler) -> Self {
        Next {
            chain,
            index: 0,
            handler,
        }
    }

    /// Runs the rest of the chain and returns its response.
    pub fn run(mut self, req: Request) -> BoxFuture<'static, Response> {
        match self.chain.get(self.index).cloned() {
            Some(m) => {
                self.index += 1;
                m.call(req, self)
            }
            None => (self.handler)(req),
        }
    }
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &(self.chain.len() - self.index))
            .finish()
    }
}

/// A middleware from an async closure.
///
/// ```
/// use hearth::prelude::*;
/// let m = from_fn(|req: Request, next: Next| async move {
///     if req.headers().contains_key("x-block") {
///         return ForbiddenException::new("blocked").into_response();
///     }
///     next.run(req).await
/// });
/// # let _ = m;
/// ```
pub fn from_fn<F, Fut>(f: F) -> FromFn<F>
where
    F: Fn(Request, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    FromFn(f)
}

/// The middleware [`from_fn`] returns.
#[derive(Clone)]
pub struct FromFn<F>(F);

impl<F, Fut> Middleware for FromFn<F>
where
    F: Fn(Request, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response> + Send + 'static,
{
    fn handle(&self, req: Request, next: Next) -> impl Future<Output = Response> + Send {
        (self.0)(req, next)
    }
}
