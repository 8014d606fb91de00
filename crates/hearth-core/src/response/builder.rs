//! `ResponseBuilder` and `Redirect`.

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::{Html, HttpException, IntoResponse, Json, Response};
use crate::body::Body;

/// Builds a response step by step: a body helper (`json`, `text`, `html`, `redirect`,
/// `empty`) then any number of `status`, `header` and `cookie` calls.
///
/// ```
/// use hearth::prelude::*;
/// let res = ResponseBuilder::json(serde_json::json!({"ok": true}))
///     .status(StatusCode::CREATED)
///     .header("x-request-id", "42");
/// let res = res.into_response();
/// assert_eq!(res.status(), 201);
/// ```
#[must_use = "a ResponseBuilder does nothing until it is returned or built"]
pub struct ResponseBuilder {
    response: Response,
    error: Option<HttpException>,
}

impl Default for ResponseBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseBuilder {
    /// An empty 200 response.
    pub fn new() -> Self {
        Self::from_response(Response::new(Body::empty()))
    }

    fn from_response(response: Response) -> Self {
        ResponseBuilder {
            response,
            error: None,
        }
    }

    /// A JSON response.
    pub fn json<T: Serialize>(value: T) -> Self {
        Self::from_response(Json(value).into_response())
    }

    /// A `text/plain` response.
    pub fn text(text: impl Into<String>) -> Self {
        Self::from_response(text.into().into_response())
    }

    /// A `text/html` response.
    pub fn html(html: impl Into<String>) -> Self {
        Self::from_response(Html(html.into()).into_response())
    }

    /// A 302 Found redirect to `location`.
    pub fn redirect(location: &str) -> Self {
        Self::from_response(Redirect::found(location).into_response())
    }

    /// A redirect with a chosen status: 301, 302, 303, 307 or 308.
    pub fn redirect_with(status: StatusCode, location: &str) -> Self {
        Self::from_response(Redirect::with_status(status, location).into_response())
    }

    /// An empty response with this status.
    pub fn empty(status: StatusCode) -> Self {
        Self::from_response(status.into_response())
    }

    /// Sets the status code.
    pub fn status(mut self, status: StatusCode) -> Self {
        *self.response.status_mut() = status;
        self
    }

    /// Appends a header. An invalid name or value turns the response into a 500 (logged).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(n), Ok(v)) => {
                self.response.headers_mut().append(n, v);
            }
            _ => self.fail(format!("invalid response header {name:?}")),
        }
        self
    }

    /// Appends a `Set-Cookie` header.
    pub fn cookie(mut self, cookie: cookie::Cookie<'_>) -> Self {
        match HeaderValue::try_from(cookie.encoded().to_string()) {
            Ok(v) => {
                self.response.headers_mut().append(header::SET_COOKIE, v);
            }
            Err(_) => self.fail(format!("invalid cookie {:?}", cookie.name())),
        }
        self
    }

    /// The headers so far.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.response.headers_mut()
    }

    fn fail(&mut self, what: String) {
        if self.error.is_none() {
            self.error = Some(
                HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR)
                    .with_source(std::io::Error::other(what)),
            );
        }
    }

    /// Finishes the response.
    pub fn build(self) -> Response {
        match self.error {
            Some(err) => err.into_response(),
            None => self.response,
        }
    }
}

impl IntoResponse for ResponseBuilder {
    fn into_response(self) -> Response {
        self.build()
    }
}

/// A redirect response.
#[derive(Debug, Clone)]
pub struct Redirect {
    status: StatusCode,
    location: Result<HeaderValue, String>,
}

impl Redirect {
    /// 302 Found.
    pub fn found(location: &str) -> Self {
        Self::with_status(StatusCode::FOUND, location)
    }

    /// 303 See Other: the client follows with a GET (use after a form POST).
    pub fn see_other(location: &str) -> Self {
        Self::with_status(StatusCode::SEE_OTHER, location)
    }

    /// 307 Temporary Redirect: the client repeats the method and body.
    pub fn temporary(location: &str) -> Self {
        Self::with_status(StatusCode::TEMPORARY_REDIRECT, location)
    }

    /// 308 Permanent Redirect.
    pub fn permanent(location: &str) -> Self {
        Self::with_status(StatusCode::PERMANENT_REDIRECT, location)
    }

    /// Any redirect status.
    pub fn with_status(status: StatusCode, location: &str) -> Self {
        Redirect {
            status,
            location: HeaderValue::try_from(location).map_err(|_| location.to_owned()),
        }
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        if !self.status.is_redirection() {
            return HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR)
                .with_source(std::io::Error::other(format!(
                    "{} is not a redirect status",
                    self.status
                )))
                .into_response();
        }
        match self.location {
            Ok(location) => {
                let mut res = self.status.into_response();
                res.headers_mut().insert(header::LOCATION, location);
                res
            }
            Err(bad) => HttpException::from_status(StatusCode::INTERNAL_SERVER_ERROR)
                .with_source(std::io::Error::other(format!(
                    "invalid redirect location {bad:?}"
                )))
                .into_response(),
        }
    }
}
