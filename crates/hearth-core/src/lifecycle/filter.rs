//! Exception filters: turn an error into the response the application wants.

use http::{Method, Uri};

use super::route::RouteInfo;
use crate::Response;
use crate::response::HttpException;

/// Where an exception was caught: the request's method and URI and its route.
#[derive(Debug)]
pub struct FilterContext<'a> {
    /// The request's method.
    pub method: &'a Method,
    /// The request's URI.
    pub uri: &'a Uri,
    /// The route (its metadata included).
    pub route: &'a RouteInfo,
}

/// An exception filter (`#[use_filters(JsonErrors)]` on a controller or a route, or global
/// with [`ModuleDef::filter`](crate::module::ModuleDef::filter)). It sees every
/// [`HttpException`] the guards, interceptors, extractors (their rejections) and handler
/// produce — a `?` error and a panic included (a panic is a 500 whose
/// [`source`](HttpException::source) is a [`Panic`](crate::response::Panic)) — and may answer
/// in its place. Filters are tried most specific first (route, controller, then global); the
/// first that returns `Some` wins; `None` passes the exception on.
///
/// ```
/// use hearth::lifecycle::{ExceptionFilter, FilterContext};
/// use hearth::prelude::*;
///
/// /// RealWorld's error shape: `{"errors":{"body":["message"]}}`.
/// #[injectable]
/// pub struct RealWorldErrors;
///
/// impl ExceptionFilter for RealWorldErrors {
///     fn catch(&self, e: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
///         let body = json!({ "errors": { "body": [e.message()] } });
///         Some((e.status(), Json(body)).into_response())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an exception filter",
    label = "not an `ExceptionFilter`",
    note = "implement `hearth::lifecycle::ExceptionFilter` for `{Self}` (and mark it `#[injectable]`)"
)]
pub trait ExceptionFilter: Send + Sync + 'static {
    /// The response for `exception`, or `None` to leave it to the next filter.
    fn catch(&self, exception: &HttpException, ctx: &FilterContext<'_>) -> Option<Response>;
}
