//! Extractors: typed values taken from a request.
//!
//! Two traits, as in axum: [`FromRequestParts`] for values that only need the head of the
//! request (path, query, headers, extensions — any number per handler), and [`FromRequest`]
//! for values that consume the body (one per handler, last). Every extractor has a typed
//! rejection that renders as a clear 4xx.

mod body;
mod client;
mod parts;
mod rejection;

use std::future::Future;

use http::request::Parts;

pub use body::{Form, Payload, read_body};
pub(crate) use client::TrustedProxies;
pub use client::{ClientIp, Head, PeerAddr};
pub use parts::{
    Extension, Inject, PathParams, Query, RequestContext, header_value, path_param, query_value,
};
pub use rejection::Rejection;

use crate::Request;
use crate::response::IntoResponse;

/// A value built from the head of a request.
///
/// Implement it for your own types to use them as handler parameters:
///
/// ```
/// use hearth::prelude::*;
/// use hearth::extract::{FromRequestParts, Rejection};
/// use http::request::Parts;
///
/// struct ApiKey(String);
///
/// impl FromRequestParts for ApiKey {
///     type Rejection = HttpException;
///     async fn from_request_parts(parts: &mut Parts) -> Result<Self, HttpException> {
///         parts.headers.get("x-api-key")
///             .and_then(|v| v.to_str().ok())
///             .map(|v| ApiKey(v.to_owned()))
///             .ok_or_else(|| UnauthorizedException::new("missing x-api-key header"))
///     }
/// }
/// ```
pub trait FromRequestParts: Sized + Send {
    /// What the client gets when extraction fails.
    type Rejection: IntoResponse;

    /// Extracts the value.
    fn from_request_parts(
        parts: &mut Parts,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

/// Markers that let one type implement [`FromRequest`] both directly and through
/// [`FromRequestParts`].
pub mod marker {
    /// The extractor consumes the request body.
    #[derive(Debug)]
    pub enum ViaRequest {}
    /// The extractor only needs the request head.
    #[derive(Debug)]
    pub enum ViaParts {}
}

/// A value built from the whole request, body included. At most one per handler.
pub trait FromRequest<M = marker::ViaRequest>: Sized + Send {
    /// What the client gets when extraction fails.
    type Rejection: IntoResponse;

    /// Extracts the value.
    fn from_request(req: Request) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

impl<T: FromRequestParts> FromRequest<marker::ViaParts> for T {
    type Rejection = <T as FromRequestParts>::Rejection;

    async fn from_request(req: Request) -> Result<Self, Self::Rejection> {
        let (mut parts, _) = req.into_parts();
        T::from_request_parts(&mut parts).await
    }
}

impl<T: FromRequestParts> FromRequestParts for Option<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(T::from_request_parts(parts).await.ok())
    }
}

impl IntoResponse for std::convert::Infallible {
    fn into_response(self) -> crate::Response {
        match self {}
    }
}

impl FromRequestParts for http::Method {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(parts.method.clone())
    }
}

impl FromRequestParts for http::Uri {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(parts.uri.clone())
    }
}

impl FromRequestParts for http::HeaderMap {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(parts.headers.clone())
    }
}

impl FromRequest for Request {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: Request) -> Result<Self, Self::Rejection> {
        Ok(req)
    }
}
