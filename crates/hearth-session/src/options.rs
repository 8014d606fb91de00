//! `SessionOptions`: the session options and their defaults, checked at start-up.

use std::sync::Arc;
use std::time::Duration;

use super::store::{MemoryStore, SessionStore};
#[cfg(feature = "redis")]
use super::store::{RedisOptions, RedisSessionStore};

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// Sent only with same-site requests: the strongest CSRF protection, but a user following
    /// a link from another site arrives logged out.
    Strict,
    /// Sent with same-site requests and top-level navigations (the default): blocks
    /// cross-site POSTs while keeping links working.
    #[default]
    Lax,
    /// Sent with every request, cross-site included. Requires `secure = true`.
    None,
}

impl From<SameSite> for cookie::SameSite {
    fn from(s: SameSite) -> Self {
        match s {
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::None => cookie::SameSite::None,
        }
    }
}

/// Where sessions are stored.
#[derive(Clone, Default)]
#[non_exhaustive]
// Built once at start-up and kept nowhere hot: the size of the Redis options costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum StoreConfig {
    /// A fresh [`MemoryStore`] (the default): sessions live in this process only.
    #[default]
    Memory,
    /// Any store, for instance a [`MemoryStore`] you keep a handle to, or your own backend.
    Custom(Arc<dyn SessionStore>),
    /// A [`RedisSessionStore`] built from these options when the module is created (an
    /// invalid option is a start-up error).
    #[cfg(feature = "redis")]
    Redis(RedisOptions),
}

impl StoreConfig {
    /// The memory store.
    pub fn memory() -> Self {
        StoreConfig::Memory
    }

    /// Any store.
    pub fn custom(store: impl SessionStore) -> Self {
        StoreConfig::Custom(Arc::new(store))
    }

    /// Redis, with these options (see [`RedisSessionStore`]).
    #[cfg(feature = "redis")]
    pub fn redis(options: RedisOptions) -> Self {
        StoreConfig::Redis(options)
    }

    /// Builds the store (start-up problems are returned as messages).
    pub(crate) fn build(&self) -> Result<Arc<dyn SessionStore>, String> {
        match self {
            StoreConfig::Memory => Ok(Arc::new(MemoryStore::new())),
            StoreConfig::Custom(s) => Ok(s.clone()),
            #[cfg(feature = "redis")]
            StoreConfig::Redis(o) => Ok(Arc::new(RedisSessionStore::build(o)?)),
        }
    }
}

impl<S: SessionStore> From<Arc<S>> for StoreConfig {
    fn from(store: Arc<S>) -> Self {
        StoreConfig::Custom(store)
    }
}

impl From<Arc<dyn SessionStore>> for StoreConfig {
    fn from(store: Arc<dyn SessionStore>) -> Self {
        StoreConfig::Custom(store)
    }
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreConfig::Memory => f.write_str("Memory"),
            StoreConfig::Custom(_) => f.write_str("Custom(..)"),
            #[cfg(feature = "redis")]
            StoreConfig::Redis(o) => f.debug_tuple("Redis").field(o).finish(),
        }
    }
}

/// The options of [`SessionModule::for_root`](super::SessionModule::for_root) and
/// [`session_middleware`](super::session_middleware). Only `secret` is required:
///
/// ```
/// use hearth::prelude::*;
/// use std::time::Duration;
///
/// let options = SessionOptions {
///     secret: std::env::var("SESSION_SECRET").unwrap_or_else(|_| "x".repeat(32)),
///     max_age: Duration::from_secs(3600),
///     same_site: SameSite::Strict,
///     ..Default::default()
/// };
/// # let _ = options;
/// ```
///
/// Every problem (no secret, a short secret, `SameSite::None` without `secure`, a `__Host-`
/// name with a path or domain, …) is reported when the application is created.
#[derive(Clone)]
pub struct SessionOptions {
    /// The key that signs session cookies (HMAC-SHA256): at least 32 random bytes, kept out
    /// of the source (for instance from the `SESSION_SECRET` environment variable).
    pub secret: String,
    /// Older keys still accepted when verifying (key rotation): cookies signed with one of
    /// them are valid and re-signed with `secret` on their next response.
    pub previous_secrets: Vec<String>,
    /// The cookie name. Default `"sessionId"`. A `__Host-` prefix (recommended with HTTPS)
    /// requires `secure`, `path = "/"` and no `domain`.
    pub name: String,
    /// How long a session lives without activity (store TTL and cookie `Max-Age`).
    /// Default 24 hours.
    pub max_age: Duration,
    /// Hide the cookie from JavaScript. Default `true`.
    pub http_only: bool,
    /// Send the cookie over HTTPS only. Default `false` (so that `http://localhost` works);
    /// set it in production.
    pub secure: bool,
    /// The `SameSite` attribute. Default [`SameSite::Lax`].
    pub same_site: SameSite,
    /// Extend the session (store TTL and cookie) on every request that carries it. Default
    /// `true`; with `false` only writes extend it.
    pub rolling: bool,
    /// Send the cookie without `Max-Age` or `Expires`: a browser-session cookie, which the
    /// browser drops when it closes, unless the session set a lifetime of its own with
    /// [`Session::set_max_age`](super::Session::set_max_age) ("remember me"), whose cookie
    /// lasts that long. The store still ends a session after `max_age` without activity.
    /// Default `false`.
    pub expire_on_close: bool,
    /// The cookie path. Default `"/"`.
    pub path: String,
    /// The cookie domain. Default none (the exact host that set it).
    pub domain: Option<String>,
    /// Where sessions are stored. Default: in memory.
    pub store: StoreConfig,
    /// End every session this long after its creation, whatever its activity. Default none.
    pub absolute_timeout: Option<Duration>,
    /// The session key naming the user a session belongs to, for
    /// [`SessionService::sessions_of`](super::SessionService::sessions_of) and
    /// [`destroy_all_of`](super::SessionService::destroy_all_of). Default `"userId"`.
    pub user_key: String,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            secret: String::new(),
            previous_secrets: Vec::new(),
            name: "sessionId".into(),
            max_age: Duration::from_secs(24 * 60 * 60),
            http_only: true,
            secure: false,
            same_site: SameSite::Lax,
            rolling: true,
            expire_on_close: false,
            path: "/".into(),
            domain: None,
            store: StoreConfig::Memory,
            absolute_timeout: None,
            user_key: "userId".into(),
        }
    }
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("secret", &"<redacted>")
            .field("previous_secrets", &self.previous_secrets.len())
            .field("name", &self.name)
            .field("max_age", &self.max_age)
            .field("http_only", &self.http_only)
            .field("secure", &self.secure)
            .field("same_site", &self.same_site)
            .field("rolling", &self.rolling)
            .field("expire_on_close", &self.expire_on_close)
            .field("path", &self.path)
            .field("domain", &self.domain)
            .field("store", &self.store)
            .field("absolute_timeout", &self.absolute_timeout)
            .field("user_key", &self.user_key)
            .finish()
    }
}

/// The minimum secret length in bytes.
pub(crate) const MIN_SECRET: usize = 32;

const SECRET_FIX: &str = "set SessionOptions::secret to at least 32 random bytes, e.g. from the SESSION_SECRET env var (generate one with `openssl rand -base64 48`)";

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

fn is_attr_value(s: &str) -> bool {
    s.bytes()
        .all(|c| (0x21..0x7f).contains(&c) && c != b';' && c != b',')
}

impl SessionOptions {
    /// Every problem with these options, each naming its fix (empty when they are fine).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let mut push = |m: String| p.push(format!("SessionModule: {m}"));
        if self.secret.is_empty() {
            push(format!("no session secret; {SECRET_FIX}"));
        } else if self.secret.len() < MIN_SECRET {
            push(format!(
                "the session secret is {} bytes, shorter than 32; {SECRET_FIX}",
                self.secret.len()
            ));
        }
        for (i, s) in self.previous_secrets.iter().enumerate() {
            if s.len() < MIN_SECRET {
                push(format!(
                    "previous_secrets[{i}] is {} bytes, shorter than 32; keep only the full-length keys that signed existing cookies",
                    s.len()
                ));
            }
        }
        if !is_token(&self.name) {
            push(format!(
                "the cookie name {:?} is not a valid cookie name; use letters, digits and `-_.` (default \"sessionId\")",
                self.name
            ));
        }
        if self.same_site == SameSite::None && !self.secure {
            push(
                "same_site = SameSite::None requires secure = true (browsers reject SameSite=None cookies without Secure); set secure: true or use SameSite::Lax".into(),
            );
        }
        if self.name.starts_with("__Host-") {
            if !self.secure {
                push(format!(
                    "the cookie name {:?} (a __Host- cookie) requires secure = true",
                    self.name
                ));
            }
            if self.path != "/" {
                push(format!(
                    "the cookie name {:?} (a __Host- cookie) requires path = \"/\"",
                    self.name
                ));
            }
            if self.domain.is_some() {
                push(format!(
                    "the cookie name {:?} (a __Host- cookie) requires domain = None",
                    self.name
                ));
            }
        } else if self.name.starts_with("__Secure-") && !self.secure {
            push(format!(
                "the cookie name {:?} (a __Secure- cookie) requires secure = true",
                self.name
            ));
        }
        if !self.path.starts_with('/') || !is_attr_value(&self.path) {
            push(format!(
                "the cookie path {:?} must start with `/` and contain no spaces, `;` or `,`",
                self.path
            ));
        }
        if let Some(d) = &self.domain {
            if d.is_empty() || !is_attr_value(d) {
                push(format!("the cookie domain {d:?} is not a valid domain"));
            }
        }
        if self.max_age < Duration::from_secs(1) {
            push("max_age must be at least one second".into());
        }
        if self
            .absolute_timeout
            .is_some_and(|t| t < Duration::from_secs(1))
        {
            push("absolute_timeout must be at least one second (or None)".into());
        }
        if self.user_key.is_empty() {
            push("user_key must not be empty (default \"userId\")".into());
        }
        p
    }
}

/// The options a running session layer needs (everything but the secrets and the store).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) name: String,
    pub(crate) max_age: Duration,
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: SameSite,
    pub(crate) rolling: bool,
    pub(crate) expire_on_close: bool,
    pub(crate) path: String,
    pub(crate) domain: Option<String>,
    pub(crate) absolute_timeout: Option<Duration>,
    pub(crate) user_key: String,
    /// The cookie's attributes after its value, rendered once by the `cookie` crate
    /// (`; HttpOnly; SameSite=Lax; Path=/`…), for [`cookie::build`](super::cookie::build).
    pub(crate) attributes: String,
}

impl Settings {
    pub(crate) fn of(o: &SessionOptions) -> Self {
        let mut s = Settings {
            name: o.name.clone(),
            max_age: o.max_age,
            http_only: o.http_only,
            secure: o.secure,
            same_site: o.same_site,
            rolling: o.rolling,
            expire_on_close: o.expire_on_close,
            path: o.path.clone(),
            domain: o.domain.clone(),
            absolute_timeout: o.absolute_timeout,
            user_key: o.user_key.clone(),
            attributes: String::new(),
        };
        s.attributes = super::cookie::attributes(&s);
        s
    }
}
