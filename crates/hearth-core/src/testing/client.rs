//! [`TestClient`]: requests straight to a built application, with a cookie jar.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::{App, Application};
use crate::body::Body;
use crate::di::{ProviderKey, Resolver, Token};

/// An in-process client: requests go straight to the application, no socket involved.
/// Cookies the application sets are kept and sent back, like a browser would.
#[derive(Clone)]
pub struct TestClient {
    app: App,
    jar: Arc<Mutex<BTreeMap<String, String>>>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("cookies", &self.jar)
            .finish()
    }
}

impl TestClient {
    /// Builds the application and wraps it.
    pub async fn new(app: Application) -> crate::Result<Self> {
        Ok(Self::from_app(app.build().await?))
    }

    /// Wraps a built application.
    pub fn from_app(app: App) -> Self {
        TestClient {
            app,
            jar: Arc::default(),
        }
    }

    /// The application under test.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Resolves providers as the root module sees them.
    pub fn resolver(&self) -> Resolver {
        self.app.resolver()
    }

    /// The singleton of type `T`, whichever module provides it (exported or not): what a
    /// test inspects after requests (the fake repository it put in place, say). `None` when
    /// no module provides a singleton `T`.
    pub fn provider<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.find(ProviderKey::of::<T>())
    }

    /// The singleton registered under `token`, whichever module provides it.
    pub fn provider_token<T: Send + Sync + 'static>(&self, token: &Token<T>) -> Option<Arc<T>> {
        self.find(token.key())
    }

    fn find<T: Send + Sync + 'static>(&self, key: ProviderKey) -> Option<Arc<T>> {
        let any = self.app.container().find_singleton(key)?;
        any.downcast::<T>().ok()
    }

    /// A request with any method.
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest {
            client: self.clone(),
            builder: http::Request::builder().method(method).uri(path),
            body: Body::empty(),
            use_jar: true,
        }
    }

    /// A GET request.
    pub fn get(&self, path: &str) -> TestRequest {
        self.request(Method::GET, path)
    }

    /// A POST request.
    pub fn post(&self, path: &str) -> TestRequest {
        self.request(Method::POST, path)
    }

    /// A PUT request.
    pub fn put(&self, path: &str) -> TestRequest {
        self.request(Method::PUT, path)
    }

    /// A PATCH request.
    pub fn patch(&self, path: &str) -> TestRequest {
        self.request(Method::PATCH, path)
    }

    /// A DELETE request.
    pub fn delete(&self, path: &str) -> TestRequest {
        self.request(Method::DELETE, path)
    }

    /// The value of a cookie in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// Sets (or with `None` removes) a cookie in the jar.
    pub fn set_cookie(&self, name: &str, value: Option<&str>) {
        let mut jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
        match value {
            Some(v) => jar.insert(name.to_owned(), v.to_owned()),
            None => jar.remove(name),
        };
    }

    fn cookie_header(&self) -> Option<HeaderValue> {
        let jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
        if jar.is_empty() {
            return None;
        }
        let s = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        HeaderValue::from_str(&s).ok()
    }

    fn store_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.jar.lock().unwrap_or_else(|e| e.into_inner());
        for v in headers.get_all(header::SET_COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            let Ok(c) = cookie::Cookie::parse(s.to_owned()) else {
                continue;
            };
            let expired = c.max_age().is_some_and(|a| a.is_zero() || a.is_negative());
            if expired {
                jar.remove(c.name());
            } else {
                jar.insert(c.name().to_owned(), c.value().to_owned());
            }
        }
    }
}

/// A request being built by [`TestClient`].
#[must_use = "call .send().await"]
pub struct TestRequest {
    client: TestClient,
    builder: http::request::Builder,
    body: Body,
    use_jar: bool,
}

impl TestRequest {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.builder = self.builder.header(n, v);
        }
        self
    }

    /// A JSON body (sets `Content-Type: application/json`).
    pub fn json<T: Serialize>(mut self, value: &T) -> Self {
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(bytes);
        self
    }

    /// A urlencoded form body.
    pub fn form<T: Serialize>(mut self, value: &T) -> Self {
        let s = serde_urlencoded::to_string(value).unwrap_or_default();
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.body = Body::from(s);
        self
    }

    /// A raw body.
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// Sends the request without the jar's cookies (the jar still records new ones).
    pub fn without_cookies(mut self) -> Self {
        self.use_jar = false;
        self
    }

    /// Sends the request and reads the whole response.
    pub async fn send(self) -> TestResponse {
        let mut builder = self.builder;
        if self.use_jar {
            if let Some(c) = self.client.cookie_header() {
                let has_cookie = builder
                    .headers_ref()
                    .is_some_and(|h| h.contains_key(header::COOKIE));
                if !has_cookie {
                    builder = builder.header(header::COOKIE, c);
                }
            }
        }
        let req = match builder.body(self.body) {
            Ok(r) => r,
            Err(e) => panic!("invalid test request: {e}"),
        };
        let res = self.client.app.handle(req).await;
        let (parts, body) = res.into_parts();
        self.client.store_cookies(&parts.headers);
        let body = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }
}

/// A response read in full.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    /// The body as bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON; panics with the body text when it is not.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        match serde_json::from_slice(&self.body) {
            Ok(v) => v,
            Err(e) => panic!(
                "response body is not the expected JSON ({e}): {}",
                self.text()
            ),
        }
    }
}
