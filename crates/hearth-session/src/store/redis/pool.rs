//! The connections: one multiplexed Redis connection per worker thread, created by a
//! deadpool manager and kept with [`hearth_core::worker::PerWorker`].
//!
//! Why not `deadpool_redis::Pool` as it comes: its manager sends `UNWATCH` + `PING` every
//! time a connection is taken from the pool, which doubles the round trips of a session store
//! that needs exactly one per request. And why not a shared pool at all: a
//! [`MultiplexedConnection`] (many requests in flight on one socket, answered in order) is
//! driven by a task of the runtime that opened it, so a request served on another thread pays
//! two cross-thread wake-ups per command. Here each thread opens its own connection on first
//! use, on its own runtime, and keeps it: with [`Application::run`](hearth_core::Application::run)
//! (one single-threaded runtime per core) a request and its Redis I/O never leave their
//! thread. The deadpool manager opens connections with the configured timeouts; the pool
//! itself serves the start-up check.
//!
//! Nothing is checked before a command is sent; instead, any I/O error, dropped connection or
//! timeout retires the connection, and the next command on that thread opens a new one.
//! After an outage or a `CLIENT KILL`, each dead connection therefore fails at most one
//! command and is then replaced, without restarting the application. A connection whose
//! runtime has shut down (its driver task is gone) is replaced too.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deadpool::managed::{self, Metrics, Pool, QueueMode, RecycleError, RecycleResult, Timeouts};
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{
    AsyncConnectionConfig, Client, ErrorKind, RedisError, RedisResult, ServerErrorKind,
};
use hearth_core::worker::{Local, PerWorker};

use super::super::StoreError;
use super::options::RedisOptions;

/// A pooled connection and the mark that retires it.
pub(super) struct Conn {
    inner: MultiplexedConnection,
    broken: Arc<AtomicBool>,
}

/// Opens multiplexed connections with the configured timeouts; recycles for free.
pub(super) struct Manager {
    client: Client,
    config: AsyncConnectionConfig,
}

impl managed::Manager for Manager {
    type Type = Conn;
    type Error = RedisError;

    async fn create(&self) -> Result<Conn, RedisError> {
        let inner = self
            .client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        Ok(Conn {
            inner,
            broken: Arc::new(AtomicBool::new(false)),
        })
    }

    async fn recycle(&self, conn: &mut Conn, _: &Metrics) -> RecycleResult<RedisError> {
        if conn.broken.load(Ordering::Acquire) {
            Err(RecycleError::message("the connection failed; replacing it"))
        } else {
            Ok(())
        }
    }
}

/// The client for the options' address; over TLS for `rediss://` (`redis-tls` feature).
fn client(options: &RedisOptions, url: &str) -> Result<Client, String> {
    if !options.uses_tls() {
        let tls_fields = [
            ("tls_ca_pem", &options.tls_ca_pem),
            ("tls_client_cert_pem", &options.tls_client_cert_pem),
            ("tls_client_key_pem", &options.tls_client_key_pem),
        ];
        if let Some((name, _)) = tls_fields.iter().find(|(_, v)| v.is_some()) {
            return Err(format!(
                "RedisOptions: {name} is set, but {url} is not a TLS address; use rediss:// (or `tls: true`), or remove {name}"
            ));
        }
        return Client::open(options.connection_url())
            .map_err(|e| format!("invalid Redis address {url}: {e}"));
    }
    #[cfg(not(feature = "redis-tls"))]
    {
        Err(format!(
            "{url} asks for TLS, which needs hearth's `redis-tls` feature: add \
             `features = [\"redis-tls\"]` to the hearth dependency in Cargo.toml"
        ))
    }
    #[cfg(feature = "redis-tls")]
    {
        // The provider this feature compiles in, unless the application installed one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        tls_client(options)
            // redis-rs's messages quote no key material.
            .map_err(|e| format!("invalid Redis TLS settings for {url}: {e}"))
    }
}

/// A TLS client with the options' CA and client certificate, each checked to be PEM of the
/// right kind first, so that a path or an empty variable given by mistake is named as such.
#[cfg(feature = "redis-tls")]
fn tls_client(options: &RedisOptions) -> Result<Client, String> {
    use deadpool_redis::redis::{ClientTlsConfig, TlsCertificates};
    fn holds(pem: &[u8], what: &str) -> bool {
        let text = String::from_utf8_lossy(pem);
        text.contains("-----BEGIN ") && text.contains(&format!("{what}-----"))
    }
    const CERT: &str = "holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")";
    if options
        .tls_ca_pem
        .as_ref()
        .is_some_and(|p| !holds(p, "CERTIFICATE"))
    {
        return Err(format!(
            "RedisOptions: tls_ca_pem {CERT}; give the CA certificate that signs the Redis server's certificate"
        ));
    }
    let client_tls = match (&options.tls_client_cert_pem, &options.tls_client_key_pem) {
        (None, None) => None,
        (Some(cert), Some(key)) => {
            if !holds(cert, "CERTIFICATE") {
                return Err(format!("RedisOptions: tls_client_cert_pem {CERT}"));
            }
            if !holds(key, "PRIVATE KEY") {
                return Err(
                    "RedisOptions: tls_client_key_pem holds no PEM private key (\"-----BEGIN PRIVATE KEY-----\")"
                        .into(),
                );
            }
            Some(ClientTlsConfig {
                client_cert: cert.clone(),
                client_key: key.clone(),
            })
        }
        _ => {
            return Err(
                "RedisOptions: give tls_client_cert_pem and tls_client_key_pem together (a certificate and its private key), or neither"
                    .into(),
            );
        }
    };
    let result = if options.tls_ca_pem.is_none() && client_tls.is_none() {
        Client::open(options.connection_url())
    } else {
        Client::build_with_tls(
            options.connection_url(),
            TlsCertificates {
                client_tls,
                root_cert: options.tls_ca_pem.clone(),
            },
        )
    };
    result.map_err(|e| e.to_string())
}

/// The pool plus what an operation needs to report errors.
pub(super) struct RedisPool {
    pool: Pool<Manager>,
    /// Each thread's connection, replaced when it fails or its runtime is gone.
    conns: PerWorker<MultiplexedConnection>,
    command_timeout: Duration,
    connect_timeout: Duration,
    url: String,
}

/// How many times an idempotent operation is attempted when it meets closed connections.
const RETRIES: usize = 3;

/// Whether an error means the connection can no longer be trusted.
fn breaks(e: &RedisError) -> bool {
    !matches!(
        e.kind(),
        ErrorKind::Server(_) | ErrorKind::UnexpectedReturnType
    )
}

/// Whether an operation that failed this way may be sent again on a fresh connection: the
/// connection was already gone (not a timeout, after which the command may still run).
fn retryable(e: &RedisError) -> bool {
    breaks(e) && !e.is_timeout() && (e.is_connection_dropped() || e.is_unrecoverable_error())
}

impl RedisPool {
    pub(super) fn new(options: &RedisOptions) -> Result<Self, String> {
        let url = options.display_url();
        let client = client(options, &url)?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(options.connect_timeout))
            .set_response_timeout(Some(options.command_timeout));
        let timeouts = Timeouts {
            wait: Some(options.connect_timeout),
            create: Some(options.connect_timeout),
            recycle: Some(options.connect_timeout),
        };
        let pool = Pool::builder(Manager { client, config })
            .max_size(options.pool_size.max(1))
            .queue_mode(QueueMode::Fifo)
            .timeouts(timeouts)
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| format!("cannot create the Redis pool for {url}: {e}"))?;
        Ok(RedisPool {
            pool,
            command_timeout: options.command_timeout,
            connect_timeout: options.connect_timeout,
            conns: PerWorker::bound_to_runtime(),
            url,
        })
    }

    /// The redacted URL.
    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// This thread's connection, opened on first use (or after it was retired). Waiting
    /// for another request's attempt to open it counts towards the connect timeout.
    async fn checkout(&self) -> Result<Local<MultiplexedConnection>, StoreError> {
        // Checked first so that the common case starts no timer.
        if let Some(conn) = self.conns.get() {
            return Ok(conn);
        }
        let open = self.conns.get_or_try_init_async(|| async {
            managed::Manager::create(self.pool.manager())
                .await
                .map(|conn| conn.inner)
                .map_err(|e| {
                    StoreError::unavailable(format!("cannot reach Redis at {}: {e}", self.url))
                })
        });
        match tokio::time::timeout(self.connect_timeout, open).await {
            Ok(opened) => opened,
            Err(_) => Err(StoreError::unavailable(format!(
                "cannot reach Redis at {}: timed out connecting",
                self.url
            ))),
        }
    }

    /// Runs `op` once on a pooled connection, bounded by the command timeout (the
    /// connection's response timeout, set when it is opened: one timer per command, not a
    /// second one around it).
    async fn once<T, F, Fut>(&self, op: &F) -> Result<T, (StoreError, bool)>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let conn = self.checkout().await.map_err(|e| (e, false))?;
        match op((*conn).clone()).await {
            Ok(v) => Ok(v),
            Err(e) if e.is_timeout() => {
                // The answer may still come, out of step with the next request's: retire
                // the connection.
                conn.invalidate();
                Err((
                    StoreError::unavailable(format!(
                        "Redis at {} did not answer within {:?}",
                        self.url, self.command_timeout
                    )),
                    false,
                ))
            }
            Err(e) => {
                if breaks(&e) {
                    conn.invalidate();
                }
                let retry = retryable(&e);
                Err((self.error(e), retry))
            }
        }
    }

    /// Runs `op`, which must have no effect beyond the first success when repeated (a read,
    /// an expiry, a write of the same value): a command that met a connection already closed
    /// (Redis restarted, `CLIENT KILL`) is sent once more on a fresh connection.
    pub(super) async fn idempotent<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        // Several pooled connections may have died at once (Redis restarted): each attempt
        // retires the one it used, so a few attempts reach a fresh connection.
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.once(&op).await {
                Ok(v) => return Ok(v),
                Err((_, true)) if attempts < RETRIES => {}
                Err((e, _)) => return Err(e),
            }
        }
    }

    /// Runs `op` exactly once (creates and deletes: a second attempt could misreport what the
    /// first one did).
    pub(super) async fn run<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        self.once(&op).await.map_err(|(e, _)| e)
    }

    /// Maps a Redis error: unreachable, restarting or read-only Redis is `Unavailable` (503);
    /// a command Redis rejected is `Other` (500).
    fn error(&self, e: RedisError) -> StoreError {
        let transient = match e.kind() {
            ErrorKind::Server(k) => matches!(
                k,
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    | ServerErrorKind::ReadOnly
            ),
            ErrorKind::UnexpectedReturnType | ErrorKind::Parse => false,
            _ => true,
        };
        if transient {
            StoreError::unavailable(format!("Redis at {}: {e}", self.url))
        } else {
            StoreError::other(format!("Redis at {}: {e}", self.url))
        }
    }

    /// Takes up to `n` connections at once (opening them), so that the pool starts warm, and
    /// checks that Redis answers `PING`.
    pub(super) async fn warm_up(&self, n: usize) -> Result<(), StoreError> {
        let mut held = Vec::new();
        for _ in 0..n.max(1) {
            match self.pool.get().await {
                Ok(o) => held.push(o),
                Err(_) if !held.is_empty() => break,
                Err(e) => {
                    let why = match e {
                        managed::PoolError::Timeout(_) => "timed out connecting".to_owned(),
                        managed::PoolError::Backend(e) => e.to_string(),
                        other => other.to_string(),
                    };
                    return Err(StoreError::unavailable(why));
                }
            }
        }
        let (mut conn, broken) = (held[0].inner.clone(), held[0].broken.clone());
        drop(held);
        let pong: Result<String, StoreError> = match tokio::time::timeout(
            self.command_timeout,
            deadpool_redis::redis::cmd("PING").query_async(&mut conn),
        )
        .await
        {
            Ok(Ok(pong)) => Ok(pong),
            Ok(Err(e)) => Err(StoreError::unavailable(e.to_string())),
            Err(_) => Err(StoreError::unavailable(format!(
                "no answer within {:?}",
                self.command_timeout
            ))),
        };
        // A connection that failed is not handed to the next check (`recycle` retires it):
        // a later `ping` after an outage opens a new one.
        let pong = pong.inspect_err(|_| broken.store(true, Ordering::Release))?;
        if pong != "PONG" {
            return Err(StoreError::other(format!(
                "unexpected answer to PING: {pong}"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rediss://` builds a client with the `redis-tls` feature, and without it is an error
    /// that names the feature to turn on.
    #[test]
    fn a_tls_address_needs_the_redis_tls_feature() {
        let options = RedisOptions {
            url: Some("rediss://:secret@cache:6380/1".into()),
            ..Default::default()
        };
        let built = client(&options, &options.display_url());
        if cfg!(feature = "redis-tls") {
            assert!(built.is_ok(), "{:?}", built.err());
        } else {
            let e = built.expect_err("an error without the feature");
            assert!(
                e.contains("rediss://:***@cache:6380/1 asks for TLS")
                    && e.contains(r#"features = ["redis-tls"]"#),
                "{e}"
            );
        }
    }
}
