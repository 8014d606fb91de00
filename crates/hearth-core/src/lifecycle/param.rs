//! Parameter attributes a battery defines: `#[session] s: Session`, `#[user] u: User`.

use std::future::Future;

use http::request::Parts;

use crate::response::IntoResponse;

/// What a battery's parameter attribute resolves to: `#[name] p: T` (or `#[name(args)]`) on a
/// handler parameter expands to a call of the function `name()` (`name(args)`) in scope,
/// whose value extracts the `T` here.
///
/// ```
/// use hearth::lifecycle::ParamAttribute;
/// use hearth::prelude::*;
/// use http::request::Parts;
///
/// /// `#[api_key] key: String`: the `x-api-key` header, 401 without it.
/// pub fn api_key() -> ApiKey { ApiKey }
/// pub struct ApiKey;
///
/// impl ParamAttribute<String> for ApiKey {
///     type Rejection = HttpException;
///     async fn extract(self, parts: &mut Parts) -> Result<String, HttpException> {
///         parts.headers.get("x-api-key")
///             .and_then(|v| v.to_str().ok())
///             .map(str::to_owned)
///             .ok_or_else(|| UnauthorizedException::new("missing x-api-key"))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot give a parameter of type `{T}`",
    label = "this parameter attribute does not produce `{T}`",
    note = "a parameter attribute `#[name]` calls the function `name()` in scope; its value must implement `hearth::lifecycle::ParamAttribute<{T}>` for the parameter's type"
)]
pub trait ParamAttribute<T>: Send + Sized {
    /// What the client gets when extraction fails.
    type Rejection: IntoResponse;

    /// Extracts the parameter from the request head.
    fn extract(self, parts: &mut Parts) -> impl Future<Output = Result<T, Self::Rejection>> + Send;
}
