//! `RedisOptions`: where the Redis session store connects and how patient it is.

use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// What the application does when Redis cannot be reached at start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartupCheck {
    /// Refuse to start, with an error naming the Redis URL (the default): a misconfigured
    /// deployment is caught by its first start, not by its first logged-in user.
    #[default]
    Fail,
    /// Log a warning and start anyway. Requests that need their session get a 503 until
    /// Redis answers; the pool reconnects by itself. Sessions are never moved to memory.
    Warn,
}

/// The options of [`RedisSessionStore`](super::RedisSessionStore): where Redis is (host,
/// port, credentials and database, or a URL; TLS), the key prefix, the longest a record is
/// kept, timeouts, and what an unreachable Redis at start-up means. Every field has a default:
///
/// ```
/// use hearth::session::store::RedisOptions;
///
/// let options = RedisOptions {
///     host: "redis.internal".into(),
///     password: std::env::var("REDIS_PASSWORD").ok(),
///     key_prefix: "myapp:session:".into(),
///     ..Default::default()
/// };
/// # let _ = options;
/// ```
///
/// Operations: `command_timeout` bounds how long a request waits for Redis before it is
/// answered with a 503; keep it well below the clients' own timeouts. `connect_timeout` bounds
/// how long a request waits for a connection (a new one, or a free slot in the pool).
#[derive(Clone)]
pub struct RedisOptions {
    /// A full `redis://[user[:password]@]host[:port][/db]` URL, or `rediss://…` for TLS (with
    /// hearth's `redis-tls` feature). When set, it replaces `host`, `port`, `username`,
    /// `password`, `db` and `tls`. Default none.
    pub url: Option<String>,
    /// The Redis host. Default `"127.0.0.1"`.
    pub host: String,
    /// The Redis port. Default `6379`.
    pub port: u16,
    /// The ACL user name (Redis 6+). Default none (the `default` user).
    pub username: Option<String>,
    /// The password (`AUTH`). Default none. Never logged or shown in errors.
    pub password: Option<String>,
    /// The database number (`SELECT`). Default `0`.
    pub db: i64,
    /// Connect over TLS (`rediss://`), as managed Redis services ask. Needs hearth's
    /// `redis-tls` feature. Default `false`.
    ///
    /// The server's certificate must be valid for the host it is reached by and signed by a
    /// trusted CA: one of Mozilla's root CAs, or the one in `tls_ca_pem`. There is no switch
    /// to skip this check: an unverified TLS connection lets whoever sits on the path read and
    /// forge every session.
    pub tls: bool,
    /// PEM certificate(s) of the CA that signs the Redis server's certificate, for a server
    /// whose certificate no public CA signs (self-managed Redis, Google Memorystore's server
    /// CA). Replaces Mozilla's root CAs. Only with TLS. Default none.
    ///
    /// ```no_run
    /// use hearth::session::store::RedisOptions;
    ///
    /// let options = RedisOptions {
    ///     url: Some("rediss://redis.internal:6380".into()),
    ///     tls_ca_pem: Some(std::fs::read("/etc/redis/ca.pem").expect("the Redis CA")),
    ///     ..Default::default()
    /// };
    /// # let _ = options;
    /// ```
    pub tls_ca_pem: Option<Vec<u8>>,
    /// The application's own certificate chain (PEM), for a Redis that asks clients for one
    /// (mutual TLS: `tls-auth-clients yes`, redis-server's default on a TLS port). Give it
    /// with `tls_client_key_pem`. Only with TLS. Default none.
    pub tls_client_cert_pem: Option<Vec<u8>>,
    /// The private key (PEM) of `tls_client_cert_pem`. Never logged or shown in errors.
    /// Default none.
    pub tls_client_key_pem: Option<Vec<u8>>,
    /// Prepended to every key: records live under `key_prefix + id`, the per-user index under
    /// `key_prefix + "by-user:" + user_id`. Default `"session:"`. Give each application sharing a
    /// Redis its own prefix.
    pub key_prefix: String,
    /// The most connections the deadpool pool opens (it serves the start-up check and opens
    /// connections). Requests use one multiplexed connection per worker thread, opened on
    /// first use, so a server has about as many connections as threads. Default `8`.
    pub pool_size: usize,
    /// How long to wait for a new connection or a free slot in the pool. Default 2 s.
    pub connect_timeout: Duration,
    /// How long one Redis command may take before the request gets a 503. Default 1 s.
    pub command_timeout: Duration,
    /// The most a record is kept in Redis, whatever the session's `max_age`. Default none:
    /// each record lives exactly as long as its session (`max_age` since its last use, capped
    /// by `absolute_timeout`).
    pub ttl: Option<Duration>,
    /// What happens when Redis is unreachable at start-up. Default [`StartupCheck::Fail`].
    pub startup: StartupCheck,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            url: None,
            host: "127.0.0.1".into(),
            port: 6379,
            username: None,
            password: None,
            db: 0,
            tls: false,
            tls_ca_pem: None,
            tls_client_cert_pem: None,
            tls_client_key_pem: None,
            key_prefix: "session:".into(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(2),
            command_timeout: Duration::from_secs(1),
            ttl: None,
            startup: StartupCheck::Fail,
        }
    }
}

impl std::fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOptions")
            .field("url", &self.display_url())
            .field("tls_ca_pem", &self.tls_ca_pem.as_ref().map(|_| "<set>"))
            .field(
                "tls_client_cert_pem",
                &self.tls_client_cert_pem.as_ref().map(|_| "<set>"),
            )
            .field(
                "tls_client_key_pem",
                &self.tls_client_key_pem.as_ref().map(|_| "<set>"),
            )
            .field("key_prefix", &self.key_prefix)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("ttl", &self.ttl)
            .field("startup", &self.startup)
            .finish()
    }
}

impl RedisOptions {
    /// The connection URL, with credentials.
    pub(crate) fn connection_url(&self) -> String {
        if let Some(url) = &self.url {
            return url.clone();
        }
        let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
        let auth = match (&self.username, &self.password) {
            (Some(u), Some(p)) => format!("{}:{}@", enc(u), enc(p)),
            (Some(u), None) => format!("{}@", enc(u)),
            (None, Some(p)) => format!(":{}@", enc(p)),
            (None, None) => String::new(),
        };
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://{auth}{host}:{}/{}", self.port, self.db)
    }

    /// Whether the connection is over TLS (`rediss://`).
    pub(crate) fn uses_tls(&self) -> bool {
        match &self.url {
            Some(url) => url
                .get(..9)
                .is_some_and(|s| s.eq_ignore_ascii_case("rediss://")),
            None => self.tls,
        }
    }

    /// The connection URL with any password replaced by `***`, for logs and errors.
    pub fn display_url(&self) -> String {
        redact(&self.connection_url())
    }
}

/// `scheme://user:secret@host/..` → `scheme://user:***@host/..`.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_and_redacted() {
        let o = RedisOptions::default();
        assert_eq!(o.connection_url(), "redis://127.0.0.1:6379/0");
        let o = RedisOptions {
            host: "::1".into(),
            port: 7000,
            password: Some("p@ss/word".into()),
            db: 3,
            ..Default::default()
        };
        assert_eq!(o.connection_url(), "redis://:p%40ss%2Fword@[::1]:7000/3");
        assert_eq!(o.display_url(), "redis://:***@[::1]:7000/3");
        let o = RedisOptions {
            url: Some("rediss://app:secret@cache:6380/2".into()),
            ..Default::default()
        };
        assert_eq!(o.display_url(), "rediss://app:***@cache:6380/2");
        assert!(!format!("{o:?}").contains("secret"));
        assert!(o.uses_tls());
        let o = RedisOptions {
            host: "cache".into(),
            tls: true,
            ..Default::default()
        };
        assert_eq!(o.connection_url(), "rediss://cache:6379/0");
        assert!(o.uses_tls() && !RedisOptions::default().uses_tls());
        assert_eq!(redact("redis://h:1"), "redis://h:1");
        assert_eq!(redact("redis://u@h:1"), "redis://u@h:1");
    }
}
