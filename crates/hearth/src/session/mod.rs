//! Sessions (placeholder until the session module lands).

use http::StatusCode;
use http::request::Parts;

use crate::extract::FromRequestParts;
use crate::response::{HttpException, IntoResponse, Response};

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The session middleware is not installed.
    #[error("no session on this request: import SessionModule::for_root(..) in your root module")]
    NotInstalled,
}

impl SessionError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    /// The message the client may see.
    pub fn public_message(&self) -> &str {
        "Internal Server Error"
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        HttpException::from(self).into_response()
    }
}

/// The session of the current request.
#[derive(Debug, Clone)]
pub struct Session {}

impl FromRequestParts for Session {
    type Rejection = SessionError;
    async fn from_request_parts(_parts: &mut Parts) -> Result<Self, SessionError> {
        Err(SessionError::NotInstalled)
    }
}

impl crate::__private::SessionParam for Session {}
