//! The in-memory store: sharded maps, O(1) per operation, expired entries swept in the
//! background.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use super::{SessionRecord, SessionStore, StoreError, StoreFuture};
use crate::session::record::now_ms;

/// Number of shards: a power of two, so that requests on different sessions rarely share a
/// lock.
const SHARDS: usize = 64;

/// The default interval of the background sweep.
const DEFAULT_SWEEP: Duration = Duration::from_secs(60);

/// Sessions in process memory: the default store.
///
/// - Records live in 64 independent `Mutex<HashMap>` shards chosen by a keyed
///   hash of the id, so concurrent requests on different sessions almost never contend, and
///   every operation is O(1). A second set of shards indexes sessions by user for
///   [`sessions_of`](SessionStore::sessions_of).
/// - Expiry is checked on every read; a background task (started on first use inside a tokio
///   runtime, every minute by default) frees expired records. The task holds only a weak
///   reference and ends once the store is dropped.
///
/// Sessions do not survive a restart and are not shared between processes: use the Redis
/// store for that.
///
/// `MemoryStore` is a cheap handle: clones share the same sessions.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Inner>,
}

/// One shard: id → record.
type SessionShard = Mutex<HashMap<String, SessionRecord>>;
/// One shard of the per-user index: user id → session ids.
type UserShard = Mutex<HashMap<String, HashSet<String>>>;

struct Inner {
    hasher: RandomState,
    sessions: Box<[SessionShard]>,
    users: Box<[UserShard]>,
    sweeper_running: AtomicBool,
    sweep_every: Duration,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("sessions", &self.len())
            .field("sweep_every", &self.inner.sweep_every)
            .finish()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryStore {
    /// An empty store, swept every minute.
    pub fn new() -> Self {
        Self::with_sweep_interval(DEFAULT_SWEEP)
    }

    /// An empty store whose background task frees expired sessions every `every`.
    pub fn with_sweep_interval(every: Duration) -> Self {
        let every = every.max(Duration::from_millis(10));
        MemoryStore {
            inner: Arc::new(Inner {
                hasher: RandomState::new(),
                sessions: (0..SHARDS).map(|_| Mutex::default()).collect(),
                users: (0..SHARDS).map(|_| Mutex::default()).collect(),
                sweeper_running: AtomicBool::new(false),
                sweep_every: every,
            }),
        }
    }

    /// How many records the store holds, including expired ones not swept yet.
    pub fn len(&self) -> usize {
        self.inner.sessions.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether the store holds no record at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Frees every expired record now; returns how many were freed. The background task
    /// calls this periodically.
    pub fn purge_expired(&self) -> usize {
        self.inner.purge(now_ms())
    }

    /// Starts the background sweep if it is not running and a tokio runtime is available.
    fn ensure_sweeper(&self) {
        if self.inner.sweeper_running.load(Ordering::Relaxed) {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self
            .inner
            .sweeper_running
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        let every = self.inner.sweep_every;
        handle.spawn(sweep(weak, every));
    }
}

/// Clears the running flag when the sweep task ends or is dropped with its runtime, so that
/// the next operation (maybe on another runtime) starts a new one.
struct Running(Weak<Inner>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.sweeper_running.store(false, Ordering::Release);
        }
    }
}

async fn sweep(weak: Weak<Inner>, every: Duration) {
    let _running = Running(weak.clone());
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        let Some(inner) = weak.upgrade() else { return };
        let freed = inner.purge(now_ms());
        if freed > 0 {
            tracing::debug!(freed, "memory session store: expired sessions freed");
        }
    }
}

impl Inner {
    fn shard_of(&self, key: &str) -> usize {
        (self.hasher.hash_one(key) as usize) & (SHARDS - 1)
    }

    fn sessions(&self, id: &str) -> MutexGuard<'_, HashMap<String, SessionRecord>> {
        lock(&self.sessions[self.shard_of(id)])
    }

    fn users(&self, user: &str) -> MutexGuard<'_, HashMap<String, HashSet<String>>> {
        // Another hash input than the session shards, so that the two never correlate.
        lock(&self.users[self.shard_of(user).wrapping_mul(31) & (SHARDS - 1)])
    }

    // Lock order: a session shard, then a user shard (never the other way round).

    fn index(&self, user: Option<&str>, id: &str) {
        if let Some(u) = user {
            self.users(u)
                .entry(u.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }

    fn unindex(&self, user: Option<&str>, id: &str) {
        if let Some(u) = user {
            let mut users = self.users(u);
            if let Some(set) = users.get_mut(u) {
                set.remove(id);
                if set.is_empty() {
                    users.remove(u);
                }
            }
        }
    }

    /// Removes `id` from a locked shard when it is expired; returns whether a live record
    /// remains.
    fn live(&self, shard: &mut HashMap<String, SessionRecord>, id: &str, now: u64) -> bool {
        match shard.get(id) {
            Some(r) if r.is_live_at(now) => true,
            Some(_) => {
                if let Some(r) = shard.remove(id) {
                    self.unindex(r.user_id.as_deref(), id);
                }
                false
            }
            None => false,
        }
    }

    fn purge(&self, now: u64) -> usize {
        let mut freed = 0;
        for shard in self.sessions.iter() {
            let mut shard = lock(shard);
            let expired: Vec<String> = shard
                .iter()
                .filter(|(_, r)| !r.is_live_at(now))
                .map(|(id, _)| id.clone())
                .collect();
            for id in expired {
                if let Some(r) = shard.remove(&id) {
                    self.unindex(r.user_id.as_deref(), &id);
                    freed += 1;
                }
            }
        }
        freed
    }

    fn create(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let now = now_ms();
        let mut shard = self.sessions(&record.id);
        if self.live(&mut shard, &record.id, now) {
            return Err(StoreError::Collision);
        }
        shard.insert(record.id.clone(), record.clone());
        self.index(record.user_id.as_deref(), &record.id);
        Ok(())
    }

    fn load(&self, id: &str, ttl: Option<Duration>) -> Option<SessionRecord> {
        let now = now_ms();
        let mut shard = self.sessions(id);
        if !self.live(&mut shard, id, now) {
            return None;
        }
        let r = shard.get_mut(id)?;
        if let Some(ttl) = ttl {
            r.expires_at = r.expiry_after(now, ttl);
        }
        Some(r.clone())
    }

    fn save(&self, record: &SessionRecord) -> bool {
        let now = now_ms();
        let mut shard = self.sessions(&record.id);
        if !self.live(&mut shard, &record.id, now) {
            return false;
        }
        if let Some(old) = shard.insert(record.id.clone(), record.clone()) {
            if old.user_id != record.user_id {
                self.unindex(old.user_id.as_deref(), &record.id);
                self.index(record.user_id.as_deref(), &record.id);
            }
        }
        true
    }

    fn delete(&self, id: &str) -> bool {
        let now = now_ms();
        let mut shard = self.sessions(id);
        match shard.remove(id) {
            Some(r) => {
                self.unindex(r.user_id.as_deref(), id);
                r.is_live_at(now)
            }
            None => false,
        }
    }

    fn touch(&self, id: &str, ttl: Duration) -> bool {
        let now = now_ms();
        let mut shard = self.sessions(id);
        if !self.live(&mut shard, id, now) {
            return false;
        }
        if let Some(r) = shard.get_mut(id) {
            r.expires_at = r.expiry_after(now, ttl);
        }
        true
    }

    fn sessions_of(&self, user: &str) -> Vec<String> {
        let now = now_ms();
        let ids: Vec<String> = match self.users(user).get(user) {
            Some(set) => set.iter().cloned().collect(),
            None => return Vec::new(),
        };
        ids.into_iter()
            .filter(|id| {
                let shard = self.sessions(id);
                shard
                    .get(id)
                    .is_some_and(|r| r.is_live_at(now) && r.user_id.as_deref() == Some(user))
            })
            .collect()
    }

    fn delete_all_of(&self, user: &str) -> usize {
        let now = now_ms();
        let ids: Vec<String> = match self.users(user).remove(user) {
            Some(set) => set.into_iter().collect(),
            None => return 0,
        };
        let mut deleted = 0;
        for id in ids {
            let mut shard = self.sessions(&id);
            let mine = shard
                .get(&id)
                .is_some_and(|r| r.user_id.as_deref() == Some(user));
            if mine {
                if let Some(r) = shard.remove(&id) {
                    if r.is_live_at(now) {
                        deleted += 1;
                    }
                }
            }
        }
        deleted
    }
}

impl SessionStore for MemoryStore {
    fn create<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        self.ensure_sweeper();
        let r = self.inner.create(record);
        Box::pin(async move { r })
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        self.ensure_sweeper();
        let r = self.inner.load(id, None);
        Box::pin(async move { Ok(r) })
    }

    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        self.ensure_sweeper();
        let r = self.inner.load(id, Some(ttl));
        Box::pin(async move { Ok(r) })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        self.ensure_sweeper();
        let r = self.inner.save(record);
        Box::pin(async move { Ok(r) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        let r = self.inner.delete(id);
        Box::pin(async move { Ok(r) })
    }

    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.ensure_sweeper();
        let r = self.inner.touch(id, ttl);
        Box::pin(async move { Ok(r) })
    }

    fn sessions_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, Vec<String>> {
        let r = self.inner.sessions_of(user_id);
        Box::pin(async move { Ok(r) })
    }

    fn delete_all_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, usize> {
        let r = self.inner.delete_all_of(user_id);
        Box::pin(async move { Ok(r) })
    }
}
