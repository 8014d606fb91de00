//! The Redis store: sessions shared by every process that uses the same Redis.

mod options;
mod pool;
mod scripts;

use std::sync::Arc;
use std::time::Duration;

use deadpool_redis::redis::{self, AsyncCommands};

pub use options::{RedisOptions, StartupCheck};
use pool::RedisPool;

use super::{SessionRecord, SessionStore, StoreError, StoreFuture};
use crate::options::StoreConfig;
use crate::record::IndexHint;
use crate::record::{millis, now_ms};

/// Two expiry readings closer than this (ms) are the same instant.
const SAME_INSTANT_MS: u64 = 1000;

/// Sessions in Redis (≥ 7.0), on a deadpool of multiplexed connections: the store to use as
/// soon as more than one process serves the application.
///
/// ```no_run
/// use hearth::prelude::*;
/// use hearth::session::store::{RedisOptions, RedisSessionStore};
/// use std::time::Duration;
///
/// # fn main() -> hearth::Result<()> {
/// // The seed's `new RedisSessionStore({ host, port, password, db, keyPrefix, ttl })`:
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
/// [`StoreError::Unavailable`] and the request that needed its session gets a 503 (a request
/// that does not touch its session is unaffected). Connections that failed are replaced on
/// their next use, so service resumes by itself when Redis is back, or after `CLIENT KILL`.
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

/// How long this process knows each user's index to live (ms since the epoch): the
/// horizons it set itself. A write whose session ends before the known horizon sends the
/// `RPUSH` alone, without the `PEXPIRE`s; its answer still tells when the list was deleted
/// meanwhile and made anew (see [`index_commands`]). Bounded: a full shard is emptied, which
/// only costs the next writes of those users their `PEXPIRE`s.
struct Horizons {
    shards: Box<[std::sync::Mutex<HorizonMap>]>,
}

/// User id → horizon. foldhash rather than SipHash: this is on every login's path, and its
/// per-process random seed still keeps chosen user ids from colliding on purpose.
type HorizonMap = std::collections::HashMap<String, u64, foldhash::fast::RandomState>;

const HORIZON_SHARDS: usize = 16;
const HORIZONS_PER_SHARD: usize = 4096;

impl Horizons {
    fn new() -> Self {
        Horizons {
            shards: (0..HORIZON_SHARDS).map(|_| Default::default()).collect(),
        }
    }

    fn shard(&self, user: &str) -> &std::sync::Mutex<HorizonMap> {
        // FNV-1a: a cheap spread over the shards (no DoS concern: a shard is just a lock).
        let h = user.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        &self.shards[(h % HORIZON_SHARDS as u64) as usize]
    }

    /// The known horizon of `user`'s index, if any.
    fn get(&self, user: &str) -> Option<u64> {
        let shard = self.shard(user).lock().unwrap_or_else(|e| e.into_inner());
        shard.get(user).copied()
    }

    /// `user`'s index lives at least until `until`.
    fn extend(&self, user: &str, until: u64) {
        let mut shard = self.shard(user).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = shard.get_mut(user) {
            *known = (*known).max(until);
            return;
        }
        if shard.len() >= HORIZONS_PER_SHARD {
            shard.clear();
        }
        shard.insert(user.to_owned(), until);
    }

    fn forget(&self, user: &str) {
        let mut shard = self.shard(user).lock().unwrap_or_else(|e| e.into_inner());
        shard.remove(user);
    }
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

    /// [`key`](Self::key) as a command argument, written without building the string.
    fn record_key<'a>(&'a self, id: &'a str) -> KeyArg<'a> {
        KeyArg(&self.inner.prefix, id)
    }

    /// [`user_key`](Self::user_key) as a command argument.
    fn index_key<'a>(&'a self, user_id: &'a str) -> KeyArg<'a> {
        KeyArg(&self.inner.user_prefix, user_id)
    }

    /// Connects (opening the pool's connections) and checks that Redis answers. The session
    /// module runs this when the application starts; with [`StartupCheck::Warn`] a failure
    /// is logged and `Ok` returned, with [`StartupCheck::Fail`] it is an error naming the URL.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.inner.pool.warm_up(1).await.map_err(|e| {
            let cause = e.source_text();
            let fix = if cause.contains("CertificateRequired") {
                "the server asks for a client certificate (mutual TLS): set \
                 RedisOptions::tls_client_cert_pem and tls_client_key_pem"
            } else if cause.contains("certificate") {
                "the server's certificate must name this host and be signed by a trusted CA: \
                 one of Mozilla's root CAs, or the one in RedisOptions::tls_ca_pem"
            } else {
                "start Redis or fix RedisOptions"
            };
            StoreError::unavailable(format!(
                "cannot reach Redis at {}: {cause}; {fix}",
                self.inner.pool.url(),
            ))
        })
    }

    /// A TTL in ms for `ttl`, capped by the store's `ttl` option.
    fn cap(&self, ttl: u64) -> u64 {
        self.inner.ttl_cap.map_or(ttl, |c| ttl.min(c))
    }

    /// How long `record` has left to live in Redis at `now` (0 when it is over).
    fn ttl_of(&self, record: &SessionRecord, now: u64) -> u64 {
        let end = record
            .deadline
            .map_or(record.expires_at, |d| d.min(record.expires_at));
        self.cap(end.saturating_sub(now))
    }

    fn decode(&self, id: &str, json: &str) -> Result<Stored, StoreError> {
        let stored: Stored =
            serde_json::from_str(json).map_err(|e| StoreError::Serialization(Box::new(e)))?;
        if stored.id != id {
            return Err(StoreError::other("session record stored under another id"));
        }
        Ok(stored)
    }

    async fn load_impl(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        let key = self.record_key(id);
        let (json, pttl): (Option<String>, i64) = self
            .inner
            .pool
            .idempotent(|mut c| async move {
                redis::pipe().get(key).pttl(key).query_async(&mut c).await
            })
            .await?;
        let now = now_ms();
        let Some(json) = json else { return Ok(None) };
        let mut record = self.decode(id, &json)?.into_parts()?.0;
        if pttl > 0 {
            // Redis's TTL is the truth (touches extend it without rewriting the JSON). When it
            // agrees with the stored `expires_at` to within a second, it is the same instant
            // measured twice: keep the stored value, so that reads of an untouched session
            // report a stable expiry.
            let end = now.saturating_add(pttl.unsigned_abs());
            if end.abs_diff(record.expires_at) >= SAME_INSTANT_MS {
                record.expires_at = record.deadline.map_or(end, |d| end.min(d));
            }
        }
        Ok(record.is_live_at(now).then_some(record))
    }

    /// `GETEX`: reads a session and extends it to `now + ttl` (capped at its deadline and at
    /// the store's `ttl`), keeping its user's index alive at least as long.
    async fn touch_impl(
        &self,
        id: &str,
        ttl: Duration,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let key = self.record_key(id);
        let now = now_ms();
        let ttl = self.cap(millis(ttl)).max(1);
        let mut getex = redis::Cmd::with_capacity(4, key.len() + 32);
        getex.arg("GETEX").arg(key).arg("PX").arg(ttl);
        let getex = &getex;
        let json: Option<String> = self
            .inner
            .pool
            .idempotent(|mut c| async move { getex.query_async(&mut c).await })
            .await?;
        let Some(json) = json else { return Ok(None) };
        let (mut r, index_until) = self.decode(id, &json)?.into_parts()?;
        let mut expires_at = now.saturating_add(ttl);
        if let Some(deadline) = r.deadline.filter(|&d| d < expires_at) {
            if deadline <= now {
                self.delete_impl(id).await?;
                return Ok(None);
            }
            expires_at = deadline;
            let _: i64 = self
                .inner
                .pool
                .idempotent(|mut c| async move { c.pexpire_at(key, deadline as i64).await })
                .await?;
        }
        r.expires_at = expires_at;
        if let Some(user) = r.user_id.as_deref().filter(|u| !u.is_empty()) {
            // Read-only for longer than the horizon recorded in the session, and than the
            // one this process has since given the index (the record is not rewritten, so
            // without the latter every later read would extend the index again): extend it.
            let known = index_until.max(self.inner.horizons.get(user));
            if known.is_none_or(|until| until < expires_at) {
                let idx_ttl = ttl.saturating_mul(2);
                let mut p = redis::Pipeline::with_capacity(3);
                index_commands(&mut p, self.index_key(user), &r.id, idx_ttl, true);
                // A retry may append the id twice: readers drop repeats.
                let p = &p;
                self.inner
                    .pool
                    .idempotent(|mut c| async move { p.query_async::<()>(&mut c).await })
                    .await?;
                self.inner
                    .horizons
                    .extend(user, now.saturating_add(idx_ttl));
            }
        }
        Ok(Some(r))
    }

    /// Writes `record` with `SET` and the given condition (`NX` or `XX`), and its user's
    /// index, in one pipeline. Returns whether the `SET` happened. An update whose owner is
    /// unchanged and already indexed past the session's new expiry (the record's
    /// [`IndexHint`]) leaves the index alone: most writes are a single `SET`.
    async fn write(
        &self,
        record: &SessionRecord,
        condition: &'static str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let ttl = self.ttl_of(record, now);
        let user = record.user_id.as_deref().filter(|u| !u.is_empty());
        let idx_ttl = ttl.saturating_mul(2);
        let covered = record.index.as_ref().filter(|h| {
            condition == "XX"
                && Some(h.user_id.as_str()) == user
                && h.until >= now.saturating_add(ttl)
        });
        // (the user whose index to append to, whether to extend that index with `GT`, the
        // horizon recorded in the session)
        let (indexed, extend, index_until) = match (user, covered) {
            (None, _) => (None, false, None),
            (Some(_), Some(hint)) => (None, false, Some(hint.until)),
            (Some(u), None) => match self.inner.horizons.get(u) {
                // This process already made the index outlive this session.
                Some(known) if known >= now.saturating_add(ttl) => (Some(u), false, Some(known)),
                _ => (Some(u), true, Some(now.saturating_add(idx_ttl))),
            },
        };
        // The record's JSON goes straight into the command's buffer; a record's fixed
        // fields take about 200 bytes.
        let key = self.record_key(&record.id);
        let mut set = redis::Cmd::with_capacity(6, key.len() + 320);
        set.arg("SET").arg(key);
        serde_json::to_writer(
            redis::RedisWrite::writer_for_next_arg(&mut set),
            &StoredRef::new(record, index_until),
        )
        .map_err(|e| StoreError::Serialization(Box::new(e)))?;
        set.arg(condition).arg("PX").arg(ttl);
        // Built once, sent by every attempt.
        let batch = match indexed {
            // A single command: no pipeline to build and take apart.
            None => Batch::Set(set),
            Some(u) => {
                let mut p = redis::Pipeline::with_capacity(4);
                p.add_command(set);
                index_commands(&mut p, self.index_key(u), &record.id, idx_ttl, extend);
                Batch::Indexed(p)
            }
        };
        let op = |mut c: redis::aio::MultiplexedConnection| {
            let batch = &batch;
            // `SET` answers `OK`, or nil when its condition did not hold.
            async move {
                match batch {
                    Batch::Set(set) => {
                        let done: redis::Value = set.query_async(&mut c).await?;
                        Ok((done != redis::Value::Nil, false))
                    }
                    Batch::Indexed(p) if extend => {
                        let (done,): (redis::Value,) = p.query_async(&mut c).await?;
                        Ok((done != redis::Value::Nil, false))
                    }
                    Batch::Indexed(p) => {
                        let (done, len): (redis::Value, i64) = p.query_async(&mut c).await?;
                        Ok((done != redis::Value::Nil, len == 1))
                    }
                }
            }
        };
        let (written, index_was_new) = if condition == "XX" {
            // Idempotent: a repeated update writes the same value (and at worst appends the
            // id to the index twice, which readers drop).
            self.inner.pool.idempotent(op).await?
        } else {
            self.inner.pool.run(op).await?
        };
        if let (Some(u), true, true) = (indexed, extend, written) {
            self.inner.horizons.extend(u, now.saturating_add(idx_ttl));
        }
        if let (Some(u), true) = (indexed, index_was_new) {
            // The index this process knew was deleted elsewhere (log out everywhere in
            // another process) and the `RPUSH` made a new one, without a TTL: give it one.
            self.restore_index_ttl(u, idx_ttl).await;
        }
        Ok(written)
    }

    /// Gives `user`'s index, which has no TTL, one (`PEXPIRE … NX`). On failure the store
    /// forgets the index's horizon, so that the next login sends the TTL with its write.
    async fn restore_index_ttl(&self, user: &str, ttl: u64) {
        let expire = pexpire(self.index_key(user), ttl, "NX");
        let expire = &expire;
        let r = self
            .inner
            .pool
            .idempotent(|mut c| async move { expire.query_async::<i64>(&mut c).await })
            .await;
        if let Err(e) = r {
            tracing::warn!(error = %e, "could not give a session index its TTL; the next login will");
            self.inner.horizons.forget(user);
        }
    }

    async fn create_impl(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let now = now_ms();
        if self.ttl_of(record, now) == 0 {
            // Already over: there is nothing to keep.
            return Ok(());
        }
        if self.write(record, "NX", now).await? {
            Ok(())
        } else {
            Err(StoreError::Collision)
        }
    }

    async fn save_impl(&self, record: &SessionRecord) -> Result<bool, StoreError> {
        let now = now_ms();
        if self.ttl_of(record, now) == 0 {
            // The new version is already over: the session ends.
            return self.delete_impl(&record.id).await.map(|_| false);
        }
        self.write(record, "XX", now).await
    }

    async fn delete_impl(&self, id: &str) -> Result<bool, StoreError> {
        let key = self.record_key(id);
        let n: i64 = self
            .inner
            .pool
            .run(|mut c| async move { c.del(key).await })
            .await?;
        Ok(n > 0)
    }

    async fn sessions_of_impl(&self, user: &str) -> Result<Vec<String>, StoreError> {
        let index = self.index_key(user);
        let listed: Vec<String> = self
            .inner
            .pool
            .idempotent(|mut c| async move { c.lrange(index, 0, -1).await })
            .await?;
        // Each id once, in the order of first appearance (oldest first), with its count.
        let mut ids: Vec<(String, usize)> = Vec::new();
        let mut seen: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(listed.len());
        for id in listed {
            match seen.get(&id) {
                Some(&i) => ids[i].1 += 1,
                None => {
                    seen.insert(id.clone(), ids.len());
                    ids.push((id, 1));
                }
            }
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<KeyArg<'_>> = ids.iter().map(|(id, _)| self.record_key(id)).collect();
        let values: Vec<Option<String>> = self
            .inner
            .pool
            .idempotent(|mut c| {
                let keys = &keys;
                async move { redis::cmd("MGET").arg(keys).query_async(&mut c).await }
            })
            .await?;
        let now = now_ms();
        let mut live = Vec::new();
        // `LREM`s that tidy the index: all entries of sessions that ended or changed owner,
        // the repeats of the others. Each removes only entries of its own id, so entries
        // appended meanwhile by logins are never lost.
        let mut prune = redis::Pipeline::new();
        for ((id, count), value) in ids.into_iter().zip(values) {
            match value.map(|v| serde_json::from_str::<SessionRecord>(&v)) {
                Some(Ok(r)) if r.is_live_at(now) && r.user_id.as_deref() == Some(user) => {
                    if count > 1 {
                        // From the tail: the first entry stays where it is.
                        let extra = isize::try_from(count - 1).unwrap_or(isize::MAX);
                        prune.lrem(index, -extra, &id).ignore();
                    }
                    live.push(id)
                }
                // Unreadable: neither listed nor forgotten.
                Some(Err(_)) => {}
                _ => {
                    prune.lrem(index, 0, &id).ignore();
                }
            }
        }
        if !prune.is_empty() {
            let prune = &prune;
            let r = self
                .inner
                .pool
                .run(|mut c| async move { prune.query_async::<()>(&mut c).await })
                .await;
            if let Err(e) = r {
                tracing::debug!(error = %e, "could not prune the session index");
            }
        }
        Ok(live)
    }

    async fn delete_all_of_impl(&self, user: &str) -> Result<usize, StoreError> {
        let index = self.index_key(user);
        self.inner.horizons.forget(user);
        let mut inv = scripts::DELETE_ALL.prepare_invoke();
        inv.key(index)
            .arg(&self.inner.prefix)
            .arg(user)
            .arg(now_ms());
        let inv = &inv;
        let n: i64 = self
            .inner
            .pool
            .run(|mut c| async move { inv.invoke_async(&mut c).await })
            .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

/// Appends `id` to a user's index; when `extend`, also makes the index live at least `ttl` ms:
/// `NX` gives a new list its TTL, `GT` only ever lengthens an existing one (Redis ≥ 7.0).
/// Without `extend` the `RPUSH`'s answer (the list's length) is kept: 1 means the list was
/// just made, so has no TTL.
fn index_commands(p: &mut redis::Pipeline, index: KeyArg<'_>, id: &str, ttl: u64, extend: bool) {
    let mut rpush = redis::Cmd::with_capacity(3, index.len() + id.len() + 8);
    rpush.arg("RPUSH").arg(index).arg(id);
    if !extend {
        p.add_command(rpush);
        return;
    }
    p.add_command(rpush).ignore();
    for flag in ["NX", "GT"] {
        p.add_command(pexpire(index, ttl, flag)).ignore();
    }
}

/// What a write sends: the `SET` alone, or in a pipeline with the index's commands.
enum Batch {
    Set(redis::Cmd),
    Indexed(redis::Pipeline),
}

/// A key, `prefix + name`, as one command argument written straight into the command's
/// buffer: the commands of every request name one or two keys, and this saves building each
/// as a `String` only to copy it.
#[derive(Clone, Copy)]
struct KeyArg<'a>(&'a str, &'a str);

impl KeyArg<'_> {
    fn len(&self) -> usize {
        self.0.len() + self.1.len()
    }
}

impl redis::ToRedisArgs for KeyArg<'_> {
    fn write_redis_args<W: ?Sized + redis::RedisWrite>(&self, out: &mut W) {
        use std::io::Write;
        let mut arg = out.writer_for_next_arg();
        // Writing into a command's buffer cannot fail (it is a Vec).
        let _ = arg.write_all(self.0.as_bytes());
        let _ = arg.write_all(self.1.as_bytes());
    }
}

impl redis::ToSingleRedisArg for KeyArg<'_> {}

/// `PEXPIRE index ttl flag`.
fn pexpire(index: KeyArg<'_>, ttl: u64, flag: &str) -> redis::Cmd {
    let mut expire = redis::Cmd::with_capacity(4, index.len() + 32);
    expire.arg("PEXPIRE").arg(index).arg(ttl).arg(flag);
    expire
}

/// A record as stored: the [`SessionRecord`]'s fields plus how long its user's index is
/// known to live (`index_until`). Spelled out rather than `#[serde(flatten)]`ed, which would
/// buffer every value before decoding it: this is on every request's path.
#[derive(serde::Deserialize)]
struct Stored {
    id: String,
    /// Kept as text: a read decodes only the keys it asks for.
    #[serde(default)]
    data: Option<Box<serde_json::value::RawValue>>,
    created_at: u64,
    updated_at: u64,
    expires_at: u64,
    #[serde(default)]
    deadline: Option<u64>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    index_until: Option<u64>,
}

impl Stored {
    fn into_parts(self) -> Result<(SessionRecord, Option<u64>), StoreError> {
        let data = match self.data {
            Some(raw) => crate::RecordData::from_json(Box::<str>::from(raw))
                .map_err(|e| StoreError::Serialization(Box::new(e)))?,
            None => crate::RecordData::new(),
        };
        let index = match (&self.user_id, self.index_until) {
            (Some(user_id), Some(until)) => Some(IndexHint {
                user_id: user_id.clone(),
                until,
            }),
            _ => None,
        };
        Ok((
            SessionRecord {
                id: self.id,
                data,
                created_at: self.created_at,
                updated_at: self.updated_at,
                expires_at: self.expires_at,
                deadline: self.deadline,
                user_id: self.user_id,
                index,
            },
            self.index_until,
        ))
    }
}

#[derive(serde::Serialize)]
struct StoredRef<'a> {
    id: &'a str,
    data: crate::data::Json<'a>,
    created_at: u64,
    updated_at: u64,
    expires_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index_until: Option<u64>,
}

impl<'a> StoredRef<'a> {
    fn new(r: &'a SessionRecord, index_until: Option<u64>) -> Self {
        StoredRef {
            id: &r.id,
            data: r.data.json(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            expires_at: r.expires_at,
            deadline: r.deadline,
            user_id: r.user_id.as_deref(),
            index_until,
        }
    }
}

impl StoreError {
    /// The message of an `Unavailable`/`Other` error without its prefix.
    fn source_text(&self) -> String {
        match self {
            StoreError::Unavailable(e) | StoreError::Other(e) | StoreError::Serialization(e) => {
                e.to_string()
            }
            other => other.to_string(),
        }
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
        Box::pin(async move {
            match self.ping().await {
                Ok(()) => Ok(()),
                Err(e) if self.inner.startup == StartupCheck::Warn => {
                    tracing::warn!(
                        error = %e,
                        "session store: Redis is unreachable at start-up; session requests get 503 until it answers"
                    );
                    Ok(())
                }
                Err(e) => Err(e),
            }
        })
    }
}

impl From<RedisSessionStore> for StoreConfig {
    fn from(store: RedisSessionStore) -> Self {
        StoreConfig::Custom(Arc::new(store))
    }
}
