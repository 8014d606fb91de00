//! `HttpException` and its family: errors as values that render as JSON.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

use super::{IntoResponse, Response};
use crate::body::BoxError;

/// An HTTP error: a status code and a message for the client, rendered as
/// `{"statusCode": 401, "message": "Not logged in", "error": "Unauthorized"}`.
///
/// Any `std::error::Error` converts into an `HttpException` with `?`: framework errors keep
/// their status (a session store outage is a 503), every other error becomes a
/// 500 whose text is logged, never sent to the client.
///
/// `HttpException` deliberately does not implement `std::error::Error`, so that the blanket
/// conversion above is possible.
pub struct HttpException {
    status: StatusCode,
    message: Cow<'static, str>,
    source: Option<BoxError>,
}

/// The usual result type of a handler.
pub type HttpResult<T> = Result<T, HttpException>;

impl HttpException {
    /// An exception with any status code and message.
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        HttpException {
            status,
            message: message.into(),
            source: None,
        }
    }

    /// An exception whose message is the status's canonical reason.
    pub fn from_status(status: StatusCode) -> Self {
        Self::new(status, status.canonical_reason().unwrap_or("Error"))
    }

    /// Attaches the underlying cause. It is logged when the response is rendered, and never
    /// sent to the client.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message the client sees.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The logged cause, if any.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

impl fmt::Debug for HttpException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpException")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for HttpException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

/// An error type that knows how it answers over HTTP. Register it once with
/// [`ErrorMapping::of`] and `inventory::submit!`, and `?` on it in a handler keeps its status
/// and public message instead of becoming a 500:
///
/// ```
/// use hearth::response::{ErrorMapping, HttpError};
/// use hearth::http::StatusCode;
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("quota exceeded for {0}")]
/// pub struct QuotaError(String);
///
/// impl HttpError for QuotaError {
///     fn status(&self) -> StatusCode { StatusCode::TOO_MANY_REQUESTS }
///     fn public_message(&self) -> String { "Quota exceeded".into() }
/// }
///
/// hearth::inventory::submit! { ErrorMapping::of::<QuotaError>() }
/// # fn main() {}
/// ```
pub trait HttpError: std::error::Error + Send + Sync + 'static {
    /// The status to answer with.
    fn status(&self) -> StatusCode;
    /// The message the client may see (never internal details).
    fn public_message(&self) -> String;
}

type MapFn = fn(&(dyn std::error::Error + 'static)) -> Option<(StatusCode, String)>;

/// The registration of an [`HttpError`] type (collected with `inventory`).
pub struct ErrorMapping {
    map: MapFn,
}

impl ErrorMapping {
    /// The mapping of `E`.
    pub const fn of<E: HttpError>() -> Self {
        ErrorMapping {
            map: map_error::<E>,
        }
    }
}

fn map_error<E: HttpError>(
    err: &(dyn std::error::Error + 'static),
) -> Option<(StatusCode, String)> {
    err.downcast_ref::<E>()
        .map(|e| (e.status(), e.public_message()))
}

inventory::collect!(ErrorMapping);

impl HttpError for crate::extract::Rejection {
    fn status(&self) -> StatusCode {
        crate::extract::Rejection::status(self)
    }
    fn public_message(&self) -> String {
        self.to_string()
    }
}

inventory::submit! { ErrorMapping::of::<crate::extract::Rejection>() }

/// The status and public message of a registered [`HttpError`] type, found by downcasting.
pub(crate) fn status_of_known(
    err: &(dyn std::error::Error + 'static),
) -> Option<(StatusCode, String)> {
    inventory::iter::<ErrorMapping>
        .into_iter()
        .find_map(|m| (m.map)(err))
}

/// A handler panicked: the [`source`](HttpException::source) of the 500 it becomes, so that
/// an exception filter can tell a panic from other errors.
#[derive(Debug, thiserror::Error)]
#[error("handler panicked: {0}")]
pub struct Panic(pub String);

impl Panic {
    /// The exception for a caught panic payload.
    pub(crate) fn from_payload(panic: Box<dyn std::any::Any + Send>) -> HttpException {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR).with_source(Panic(what))
    }
}

/// The exception a response was rendered from, kept in its extensions for the filters.
#[derive(Clone)]
struct Rendered(std::sync::Arc<HttpException>);

impl HttpException {
    /// The exception `res` was rendered from, if it was rendered from one (what exception
    /// filters see).
    pub fn of_response(res: &Response) -> Option<&HttpException> {
        res.extensions().get::<Rendered>().map(|r| &*r.0)
    }
}

impl<E> From<E> for HttpException
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(err: E) -> Self {
        match status_of_known(&err) {
            Some((status, message)) => HttpException::new(status, message).with_source(err),
            None => HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR).with_source(err),
        }
    }
}

impl IntoResponse for HttpException {
    fn into_response(self) -> Response {
        if let Some(source) = &self.source {
            if self.status.is_server_error() {
                tracing::error!(status = self.status.as_u16(), error = %source, "request failed");
            } else {
                tracing::debug!(status = self.status.as_u16(), error = %source, "request rejected");
            }
        }
        let body = serde_json::json!({
            "statusCode": self.status.as_u16(),
            "message": &*self.message,
            "error": self.status.canonical_reason().unwrap_or("Error"),
        });
        let mut res = super::Json(body).into_response();
        *res.status_mut() = self.status;
        res.extensions_mut()
            .insert(Rendered(std::sync::Arc::new(self)));
        res
    }
}

macro_rules! exceptions {
    ($($(#[$doc:meta])* $name:ident => $status:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl $name {
            /// Builds the exception with this message.
            #[allow(clippy::new_ret_no_self)]
            pub fn new(message: impl Into<Cow<'static, str>>) -> HttpException {
                HttpException::new(StatusCode::$status, message)
            }

            /// Builds the exception with the status's standard message.
            pub fn default_message() -> HttpException {
                HttpException::from_status(StatusCode::$status)
            }
        }
    )*};
}

exceptions! {
    /// 400 Bad Request.
    BadRequestException => BAD_REQUEST;
    /// 401 Unauthorized.
    UnauthorizedException => UNAUTHORIZED;
    /// 403 Forbidden.
    ForbiddenException => FORBIDDEN;
    /// 404 Not Found.
    NotFoundException => NOT_FOUND;
    /// 405 Method Not Allowed.
    MethodNotAllowedException => METHOD_NOT_ALLOWED;
    /// 409 Conflict.
    ConflictException => CONFLICT;
    /// 413 Payload Too Large.
    PayloadTooLargeException => PAYLOAD_TOO_LARGE;
    /// 415 Unsupported Media Type.
    UnsupportedMediaTypeException => UNSUPPORTED_MEDIA_TYPE;
    /// 422 Unprocessable Entity.
    UnprocessableEntityException => UNPROCESSABLE_ENTITY;
    /// 429 Too Many Requests.
    TooManyRequestsException => TOO_MANY_REQUESTS;
    /// 500 Internal Server Error.
    InternalServerErrorException => INTERNAL_SERVER_ERROR;
    /// 503 Service Unavailable.
    ServiceUnavailableException => SERVICE_UNAVAILABLE;
}
