//! Extractors that read the request head: path, query, headers, extensions, providers.

use std::str::FromStr;
use std::sync::Arc;

use http::request::Parts;
use http::{Extensions, HeaderMap, Method, Uri, Version};
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;

use super::{FromRequestParts, Rejection};

/// The path parameters the router matched, in route order, still percent-encoded.
#[derive(Debug, Clone, Default)]
pub struct PathParams(pub(crate) Vec<(Arc<str>, String)>);

impl PathParams {
    /// The raw (percent-encoded) value of parameter `name`.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The percent-decoded value of parameter `name`; `Err` when it is not valid UTF-8.
    pub fn get(&self, name: &str) -> Option<Result<String, Rejection>> {
        self.raw(name).map(|raw| decode(name, raw))
    }

    /// Iterates over `(name, raw value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, v.as_str()))
    }
}

fn decode(name: &str, raw: &str) -> Result<String, Rejection> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Rejection::InvalidPathParam {
            name: name.to_owned(),
            reason: "not valid UTF-8 after percent-decoding".into(),
        })
}

impl FromRequestParts for PathParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<PathParams>()
            .cloned()
            .unwrap_or_default())
    }
}

/// One path parameter parsed with `FromStr` (what `#[param("id")] id: u64` expands to).
pub fn path_param<T>(parts: &Parts, name: &'static str) -> Result<T, Rejection>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let params = parts
        .extensions
        .get::<PathParams>()
        .ok_or(Rejection::MissingPathParam(name))?;
    let value = params
        .get(name)
        .ok_or(Rejection::MissingPathParam(name))??;
    value
        .parse()
        .map_err(|e: T::Err| Rejection::InvalidPathParam {
            name: name.to_owned(),
            reason: e.to_string(),
        })
}

/// The query string deserialized into `T` (400 when it does not fit).
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts for Query<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(Query)
            .map_err(|e| Rejection::InvalidQuery(e.to_string()))
    }
}

/// One query parameter parsed with `FromStr`, `None` when absent (what `#[query("key")]`
/// expands to). Repeated keys: the first wins.
pub fn query_value<T>(parts: &Parts, key: &'static str) -> Result<Option<T>, Rejection>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let query = parts.uri.query().unwrap_or("");
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == key {
            return v
                .parse()
                .map(Some)
                .map_err(|e: T::Err| Rejection::InvalidQuery(format!("`{key}`: {e}")));
        }
    }
    Ok(None)
}

/// One header parsed with `FromStr`, `None` when absent (what `#[header("name")]` expands to).
pub fn header_value<T>(parts: &Parts, name: &'static str) -> Result<Option<T>, Rejection>
where
    T: FromStr,
{
    match parts.headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or(Rejection::InvalidHeader(name)),
    }
}

/// A value a middleware put into the request's extensions (`req.extensions_mut().insert(v)`):
/// the way request-scoped values travel from middleware to handlers. 500 when absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extension<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromRequestParts for Extension<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Rejection> {
        parts
            .extensions
            .get::<T>()
            .cloned()
            .map(Extension)
            .ok_or(Rejection::MissingExtension(std::any::type_name::<T>()))
    }
}

/// The request context: method, URI, version, headers and extensions (what `#[ctx]` gives).
///
/// Values that middleware stored are read with [`RequestContext::get`], as Bun Server's
/// `ctx.get(name)` does.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The method.
    pub method: Method,
    /// The URI.
    pub uri: Uri,
    /// The HTTP version.
    pub version: Version,
    /// The headers.
    pub headers: HeaderMap,
    /// The extensions (values set by middleware).
    pub extensions: Extensions,
}

impl RequestContext {
    /// A value a middleware stored in the request, by type.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// The path of the URI.
    pub fn path(&self) -> &str {
        self.uri.path()
    }
}

impl FromRequestParts for RequestContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(RequestContext {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            headers: parts.headers.clone(),
            extensions: parts.extensions.clone(),
        })
    }
}

/// A provider resolved from the DI container for this request: singletons are shared,
/// request-scoped providers are built once per request, transient ones on every use.
#[derive(Debug)]
pub struct Inject<T: ?Sized>(pub Arc<T>);

impl<T: Send + Sync + 'static> FromRequestParts for Inject<T> {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Rejection> {
        crate::lifecycle::resolve_for_request::<T>(parts)
            .map(Inject)
            .map_err(|e| Rejection::Provider(e.to_string()))
    }
}

impl<T: ?Sized> std::ops::Deref for Inject<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
