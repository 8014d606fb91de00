//! Body extractors: `Json`, `Form`, `Payload` (JSON or form, for `#[body]`), `Bytes`, `String`.

use bytes::Bytes;
use http::header;
use http::request::Parts;
use http_body_util::{BodyExt, Limited};
use serde::de::DeserializeOwned;

use super::{FromRequest, Rejection};
use crate::Request;
use crate::app::Limits;
use crate::response::Json;

/// Reads the whole body of `req`, enforcing the application's body size limit (413) and body
/// read timeout (408). A `Content-Length` over the limit is refused before reading.
pub async fn read_body(req: Request) -> Result<(Parts, Bytes), Rejection> {
    let (parts, body) = req.into_parts();
    let limits = Limits::of(&parts.extensions);
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limits.body_limit as u64 {
            return Err(Rejection::PayloadTooLarge(limits.body_limit));
        }
    }
    let limited = Limited::new(body, limits.body_limit);
    match tokio::time::timeout(limits.body_timeout, limited.collect()).await {
        Err(_) => Err(Rejection::BodyTimeout),
        Ok(Err(err)) => {
            if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                Err(Rejection::PayloadTooLarge(limits.body_limit))
            } else {
                Err(Rejection::BodyRead)
            }
        }
        Ok(Ok(collected)) => Ok((parts, collected.to_bytes())),
    }
}

fn content_type(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
}

fn is_json(ct: &str) -> bool {
    let ct = ct.as_bytes();
    ct.eq_ignore_ascii_case(b"application/json")
        || (ct.len() >= b"application/+json".len()
            && ct[..12].eq_ignore_ascii_case(b"application/")
            && ct[ct.len() - 5..].eq_ignore_ascii_case(b"+json"))
}

fn is_form(ct: &str) -> bool {
    ct.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Rejection> {
    serde_json::from_slice(bytes).map_err(|e| Rejection::InvalidJson(e.to_string()))
}

fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Rejection> {
    serde_urlencoded::from_bytes(bytes).map_err(|e| Rejection::InvalidForm(e.to_string()))
}

impl<T: DeserializeOwned + Send> FromRequest for Json<T> {
    type Rejection = Rejection;

    async fn from_request(req: Request) -> Result<Self, Rejection> {
        if !content_type(req.headers()).is_some_and(is_json) {
            return Err(Rejection::UnsupportedMediaType("application/json"));
        }
        let (_, bytes) = read_body(req).await?;
        parse_json(&bytes).map(Json)
    }
}

/// A form body (`application/x-www-form-urlencoded`), deserialized into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Form<T> {
    type Rejection = Rejection;

    async fn from_request(req: Request) -> Result<Self, Rejection> {
        if !content_type(req.headers()).is_some_and(is_form) {
            return Err(Rejection::UnsupportedMediaType(
                "application/x-www-form-urlencoded",
            ));
        }
        let (_, bytes) = read_body(req).await?;
        parse_form(&bytes).map(Form)
    }
}

/// The body that `#[body]` extracts: JSON or a urlencoded form, chosen by the request's
/// `Content-Type` (415 for anything else), deserialized into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Payload<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Payload<T> {
    type Rejection = Rejection;

    async fn from_request(req: Request) -> Result<Self, Rejection> {
        let parse = match content_type(req.headers()) {
            Some(ct) if is_json(ct) => parse_json::<T>,
            Some(ct) if is_form(ct) => parse_form::<T>,
            _ => {
                return Err(Rejection::UnsupportedMediaType(
                    "application/json or application/x-www-form-urlencoded",
                ));
            }
        };
        let (_, bytes) = read_body(req).await?;
        parse(&bytes).map(Payload)
    }
}

impl FromRequest for Bytes {
    type Rejection = Rejection;

    async fn from_request(req: Request) -> Result<Self, Rejection> {
        read_body(req).await.map(|(_, b)| b)
    }
}

impl FromRequest for String {
    type Rejection = Rejection;

    async fn from_request(req: Request) -> Result<Self, Rejection> {
        let (_, bytes) = read_body(req).await?;
        String::from_utf8(bytes.into()).map_err(|_| Rejection::InvalidUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_media_types_in_any_case() {
        for ct in [
            "application/json",
            "Application/JSON",
            "application/vnd.api+json",
            "APPLICATION/LD+JSON",
        ] {
            assert!(is_json(ct), "{ct}");
        }
        for ct in [
            "text/json",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "json",
            "application/",
            "+json",
            "",
        ] {
            assert!(!is_json(ct), "{ct}");
        }
    }
}
