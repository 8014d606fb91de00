//! The typed rejection of the built-in extractors.

use http::StatusCode;

use crate::response::{HttpException, IntoResponse, Response};

/// Why a built-in extractor refused a request. Each variant has its status code
/// ([`Rejection::status`]) and renders as the JSON error body of [`HttpException`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// A path parameter the route does not declare (a programming error: 500).
    #[error("route has no path parameter `{0}`")]
    MissingPathParam(&'static str),
    /// A path parameter that does not parse as the handler's type.
    #[error("invalid path parameter `{name}`: {reason}")]
    InvalidPathParam {
        /// The parameter.
        name: String,
        /// Why it did not parse.
        reason: String,
    },
    /// A query string that does not deserialize.
    #[error("invalid query string: {0}")]
    InvalidQuery(String),
    /// A required query parameter is absent.
    #[error("missing query parameter `{0}`")]
    MissingQueryParam(&'static str),
    /// A required header is absent.
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// A header that is not valid text or does not parse.
    #[error("invalid header `{0}`")]
    InvalidHeader(&'static str),
    /// The body has another content type than the extractor accepts.
    #[error("unsupported content type: expected {0}")]
    UnsupportedMediaType(&'static str),
    /// The body is not valid JSON for the expected type.
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    /// The body is not a valid form for the expected type.
    #[error("invalid form body: {0}")]
    InvalidForm(String),
    /// The body is not valid UTF-8 where text was expected.
    #[error("request body is not valid UTF-8")]
    InvalidUtf8,
    /// The body is larger than the configured limit.
    #[error("request body is larger than the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// The client took too long to send the body.
    #[error("timed out reading the request body")]
    BodyTimeout,
    /// The body could not be read (the client went away or sent a malformed body).
    #[error("failed to read the request body")]
    BodyRead,
    /// A request extension that no middleware inserted (a programming error: 500).
    #[error("missing request extension `{0}`; is the middleware that provides it installed?")]
    MissingExtension(&'static str),
    /// A provider could not be resolved for this request (a programming error: 500).
    #[error("could not resolve a provider: {0}")]
    Provider(String),
}

impl Rejection {
    /// The HTTP status this rejection answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::InvalidPathParam { .. }
            | Rejection::InvalidQuery(_)
            | Rejection::MissingQueryParam(_)
            | Rejection::MissingHeader(_)
            | Rejection::InvalidHeader(_)
            | Rejection::InvalidJson(_)
            | Rejection::InvalidForm(_)
            | Rejection::InvalidUtf8
            | Rejection::BodyRead => StatusCode::BAD_REQUEST,
            Rejection::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Rejection::MissingPathParam(_)
            | Rejection::MissingExtension(_)
            | Rejection::Provider(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            HttpException::from_status(status)
                .with_source(self)
                .into_response()
        } else {
            HttpException::new(status, self.to_string()).into_response()
        }
    }
}
