//! The Redis store: sessions shared by every process that uses the same Redis.

mod encoding;
mod index;
mod options;
mod pool;
mod records;
mod scripts;
mod startup;

use std::sync::Arc;
use std::time::Duration;

use index::Horizons;
pub use options::{RedisOptions, StartupCheck};
use pool::RedisPool;

use super::{SessionRecord, SessionStore, StoreFuture};
use crate::options::StoreConfig;
use crate::record::{millis, now_ms};

/// Sessions in Redis (≥ 7.0), on a deadpool of multiplexed connections: the store to use as
/// soon as more than one process serves the application.
///
/// ```no_run
/// use hearth::prelude::*;
/// use hearth::session::store::{RedisOptions, RedisSessionStore};
/// use std::time::Duration;
///
/// # fn main() -> hearth::Result<()> {
/// // Built here and handed to the module (keep a clone to use the store directly):
/// let store = RedisSessionStore::new(RedisOptions {
///     host: "localhost".into(),
///     port: 6379,
///     password: std::env::var("REDIS_PASSWORD").ok(),
///     key_prefix: "myapp:session:".into(),
///     ttl: Some(Duration::from_secs(24 * 60 * 60)),
///     ..Default::default()
/// })?;
/// let sessions = SessionModule::for_root(SessionOptions {
///     secret: std::env::var("SESSION_SECRET").expect("SESSION_SECRET"),
///     store: store.into(),
///     ..Default::default()
/// });
/// // …or let the module build it: `store: StoreConfig::redis(RedisOptions { .. })`.
/// # let _ = sessions;
/// # Ok(())
/// # }
/// ```
///
/// # Layout
///
/// A session is the JSON of its [`SessionRecord`] under `key_prefix + id`, with a Redis TTL
/// equal to its remaining lifetime (never past its `deadline`), so Redis itself forgets
/// abandoned sessions. The ids of each user's sessions are kept in a list under
/// `key_prefix + "by-user:" + user_id`; entries of sessions that ended (and repeated
/// entries) are dropped when the list is read. The list always outlives the sessions it
/// names: writes extend it to twice the session TTL and record that horizon in the session
/// (`index_until`), and a read that extends a session past that horizon extends the list
/// too.
///
/// # Why each operation looks the way it does
///
/// - **One round trip each**, with plain commands (Redis runs them faster than scripts):
///   a request that uses its session waits for Redis once, twice when it also writes.
/// - **`create` uses `SET … NX`:** an existing session is never overwritten, so two processes
///   can never hand out the same id (a collision is reported and a new id drawn).
/// - **`save` uses `SET … XX`:** it updates only a record that still exists, so a request
///   still running while the user logs out in another tab cannot bring the session back.
/// - **Reading with a rolling expiry** (`load_and_touch`) is `GETEX … PX`: read and extend
///   in one atomic step. A session with an `absolute_timeout` whose deadline comes sooner
///   gets a second command that moves its expiry back to the deadline (`PEXPIREAT`); `load`
///   checks the deadline anyway, so such a session is never served past it.
/// - **The user index is maintained in the same pipeline** as the write (`RPUSH`, then
///   `PEXPIRE … NX` and `PEXPIRE … GT`, which only ever lengthen its TTL). A list rather
///   than a set: appending is O(1) whatever its length and hashes nothing, so a user who
///   logs in very often (an API client opening a session per call) costs Redis no more per
///   login than anyone else. An id is appended when its session is created or changes
///   owner, and again at most once per TTL when a session outlives the index's horizon;
///   readers drop the repeats. The store remembers the horizon it gave each user's index,
///   so a later login of the same user whose session ends before it sends the `RPUSH`
///   alone; Redis answers with the list's length, which is 1 when another process deleted
///   the list meanwhile and the `RPUSH` made a new one without a TTL, and the store then
///   gives it one (`PEXPIRE … NX`). (This assumes the processes sharing a key prefix give
///   sessions the same lifetimes, as they do when they share their options.)
///   An id left in the list by a failed write or an owner change is harmless: readers check
///   each record's owner.
/// - **Expiry is Redis's**: the `expires_at` returned by `load` is derived from the key's TTL,
///   so every process agrees on it; TTLs are relative, so the clocks of the application
///   servers and of Redis need not agree.
///
/// # Outages
///
/// Every command is bounded by `command_timeout` and every wait for a connection by
/// `connect_timeout`; past them, or when Redis refuses connections, the operation fails with
/// [`StoreError::Unavailable`](super::StoreError::Unavailable) and the request that needed
/// its session gets a 503 (a request that does not touch its session is unaffected).
/// Connections that failed are replaced on their next use, so service resumes by itself when
/// Redis is back, or after `CLIENT KILL`.
/// There is no fallback to memory: sessions written to a second store would fork the truth.
/// At start-up, [`StartupCheck`] decides whether an unreachable Redis is an error or a warning
/// ([`SessionModule`](crate::SessionModule) runs the check; an application that
/// installs [`session_middleware`](crate::session_middleware) by hand can call
/// [`ping`](RedisSessionStore::ping) itself before it listens).
///
/// The store assumes a standalone Redis (or a primary with replicas): "log out everywhere"
/// runs a script over keys it computes, so Redis Cluster is not supported.
#[derive(Clone)]
pub struct RedisSessionStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: RedisPool,
    prefix: String,
    user_prefix: String,
    ttl_cap: Option<u64>,
    startup: StartupCheck,
    horizons: Horizons,
}
impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("url", &self.inner.pool.url())
            .field("key_prefix", &self.inner.prefix)
            .finish()
    }
}

impl RedisSessionStore {
    /// A store with these options. Nothing is connected yet (connections open on first use,
    /// or when the application starts, see [`StartupCheck`]); an invalid URL or pool setting
    /// is an error here.
    pub fn new(options: RedisOptions) -> hearth_core::Result<Self> {
        Self::build(&options).map_err(|e| {
            hearth_core::Error::startup([hearth_core::module::ModuleError::config(
                "SessionModule",
                e,
            )])
        })
    }

    pub(crate) fn build(options: &RedisOptions) -> Result<Self, String> {
        if options.command_timeout.is_zero() || options.connect_timeout.is_zero() {
            return Err(
                "RedisOptions: connect_timeout and command_timeout must be greater than zero"
                    .into(),
            );
        }
        if options.ttl.is_some_and(|t| t < Duration::from_secs(1)) {
            return Err("RedisOptions: ttl must be at least one second (or None)".into());
        }
        Ok(RedisSessionStore {
            inner: Arc::new(Inner {
                pool: RedisPool::new(options)?,
                prefix: options.key_prefix.clone(),
                user_prefix: format!("{}by-user:", options.key_prefix),
                ttl_cap: options.ttl.map(millis),
                startup: options.startup,
                horizons: Horizons::new(),
            }),
        })
    }

    /// The key of a session.
    pub fn key(&self, id: &str) -> String {
        [self.inner.prefix.as_str(), id].concat()
    }

    /// The key of a user's index.
    pub fn user_key(&self, user_id: &str) -> String {
        [self.inner.user_prefix.as_str(), user_id].concat()
    }
}

impl SessionStore for RedisSessionStore {
    fn create<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(self.create_impl(record))
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(self.load_impl(id))
    }

    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            let record = self.touch_impl(id, ttl).await?;
            Ok(record.filter(|r| r.is_live_at(now_ms())))
        })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        Box::pin(self.save_impl(record))
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(self.delete_impl(id))
    }

    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        Box::pin(async move { Ok(self.touch_impl(id, ttl).await?.is_some()) })
    }

    fn sessions_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(self.sessions_of_impl(user_id))
    }

    fn delete_all_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, usize> {
        Box::pin(self.delete_all_of_impl(user_id))
    }

    /// One multiplexed connection per worker thread: thread per core keeps each request and
    /// its Redis round trips on one thread, with no cross-thread wake-up per reply.
    fn prefers_thread_per_core(&self) -> bool {
        true
    }

    fn check(&self) -> StoreFuture<'_, ()> {
        Box::pin(self.startup_check())
    }
}

impl From<RedisSessionStore> for StoreConfig {
    fn from(store: RedisSessionStore) -> Self {
        StoreConfig::Custom(Arc::new(store))
    }
}
