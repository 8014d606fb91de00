//! Guards: allow or deny a request once its route is known, before anything is extracted.

use std::future::Future;

use super::route::RouteInfo;
use crate::Request;
use crate::middleware::BoxFuture;
use crate::response::HttpException;

/// A guard (`#[use_guards(AuthGuard)]` on a controller or a route, or global with
/// [`ModuleDef::guard`](crate::module::ModuleDef::guard)): runs after routing, the
/// middleware and the layers, before the interceptors and the extractors.
///
/// Return `Ok(true)` to allow, `Ok(false)` to deny with a 403, or `Err(exception)` to deny
/// with that exception (a 401, say). A guard may attach a typed value for the handler with
/// `req.extensions_mut().insert(..)` (read it with `Extension<T>` or a battery's parameter
/// attribute such as `#[user]`). Guards are injectable: list them by type and the application
/// builds them from the providers their module sees, checked at start-up.
///
/// ```
/// use hearth::lifecycle::{Guard, RouteInfo};
/// use hearth::prelude::*;
///
/// pub struct Role(pub &'static str);
///
/// #[injectable]
/// pub struct RolesGuard;
///
/// impl Guard for RolesGuard {
///     async fn can_activate(&self, req: &mut Request, route: &RouteInfo) -> Result<bool, HttpException> {
///         let Some(Role(needed)) = route.get::<Role>() else { return Ok(true) };
///         let has = req.headers().get("x-role").and_then(|v| v.to_str().ok());
///         Ok(has == Some(*needed))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a guard",
    label = "not a `Guard`",
    note = "implement `hearth::lifecycle::Guard` for `{Self}` (and mark it `#[injectable]`)"
)]
pub trait Guard: Send + Sync + 'static {
    /// Whether the request may go on.
    fn can_activate(
        &self,
        req: &mut Request,
        route: &RouteInfo,
    ) -> impl Future<Output = Result<bool, HttpException>> + Send;
}

#[doc(hidden)]
pub trait DynGuard: Send + Sync + 'static {
    fn can_activate<'a>(
        &'a self,
        req: &'a mut Request,
        route: &'a RouteInfo,
    ) -> BoxFuture<'a, Result<bool, HttpException>>;
}

impl<G: Guard> DynGuard for G {
    fn can_activate<'a>(
        &'a self,
        req: &'a mut Request,
        route: &'a RouteInfo,
    ) -> BoxFuture<'a, Result<bool, HttpException>> {
        Box::pin(Guard::can_activate(self, req, route))
    }
}
