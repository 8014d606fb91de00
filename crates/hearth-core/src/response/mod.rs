//! Turning handler return values into HTTP responses.

mod builder;
mod exception;

use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

pub use builder::{Redirect, ResponseBuilder};
pub use exception::*;

use crate::body::Body;

/// The response type of Hearth.
pub type Response = http::Response<Body>;

/// Anything a handler can return.
///
/// Implemented for strings and bytes (`text/plain`, `application/octet-stream`), [`Json`],
/// `serde_json::Value`, `(StatusCode, T)`, `Result<T, E>`, [`HttpException`],
/// [`ResponseBuilder`], [`Redirect`], `StatusCode`, `()` and `Response` itself.
pub trait IntoResponse {
    /// Converts `self` into a response.
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = self;
        res
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

fn with_type(body: impl Into<Body>, content_type: &'static str) -> Response {
    let mut res = Response::new(body.into());
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

const TEXT: &str = "text/plain; charset=utf-8";
const OCTETS: &str = "application/octet-stream";
const JSON: &str = "application/json";

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        with_type(self, TEXT)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        with_type(self, TEXT)
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        with_type(self, OCTETS)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        with_type(self, OCTETS)
    }
}

impl IntoResponse for serde_json::Value {
    fn into_response(self) -> Response {
        Json(self).into_response()
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        *res.status_mut() = self.0;
        res
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(v) => v.into_response(),
            Err(e) => e.into_response(),
        }
    }
}

/// A JSON body: as a return value it serializes `T` with `application/json`; as a handler
/// parameter it parses the request body (400 on malformed JSON, 415 on another content type,
/// 413 over the body limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        // Written into the thread's scratch buffer, then copied into a body of the exact
        // size: one allocation (a large answer takes the buffer itself instead).
        let bytes = crate::buffer::with_buffer(|buf| {
            serde_json::to_writer(&mut *buf, &self.0).map(|()| {
                if buf.len() > crate::buffer::KEEP {
                    Bytes::from(std::mem::take(buf))
                } else {
                    Bytes::copy_from_slice(buf)
                }
            })
        });
        match bytes {
            Ok(bytes) => with_type(bytes, JSON),
            Err(err) => InternalServerErrorException::default_message()
                .with_source(err)
                .into_response(),
        }
    }
}

/// An HTML body (`text/html; charset=utf-8`).
#[derive(Debug, Clone)]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_type(self.0, "text/html; charset=utf-8")
    }
}
