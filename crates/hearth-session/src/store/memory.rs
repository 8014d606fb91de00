//! The in-memory store: sharded tables, O(1) per operation, compact entries, expired entries
//! swept in the background.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hashbrown::HashTable;

use super::{SessionRecord, SessionStore, StoreError, StoreFuture};
use crate::record::{RecordData, now_ms};

/// Number of shards: a power of two, so that requests on different sessions rarely share a
/// lock.
const SHARDS: usize = 64;

/// The default interval of the background sweep.
const DEFAULT_SWEEP: Duration = Duration::from_secs(60);

/// Sessions in process memory: the default store.
///
/// - Sessions live in 64 independent shards (a lock and a hash table each), picked by the
///   id's first random byte, so concurrent requests on different sessions almost never
///   contend, and every operation is O(1). A second set of shards indexes sessions by user
///   for [`sessions_of`](SessionStore::sessions_of).
/// - Each session is **one allocation**: the id's 32 bytes, its timestamps, its user and its
///   data as compact JSON, side by side. The table holds only a pointer to it, and the
///   per-user index holds a 16-byte prefix of the id. That keeps a typical login session
///   around 200 bytes, less than half of what a map of JSON values per session costs.
/// - Expiry is checked on every read; a background task (started on first use inside a tokio
///   runtime, every minute by default) frees expired sessions. The task holds only a weak
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

/// A session id as the 32 random bytes it encodes.
type Key = [u8; 32];
/// What the per-user index keeps of an id: its first 16 bytes (128 random bits, enough to
/// find the session again: the shard from byte 0, the table hash from bytes 8..16).
type Token = [u8; 16];

/// Session ids are 256 random bits drawn by the server, so their own bytes are a perfect
/// hash: nobody can choose keys that collide (only server-drawn ids are inserted; lookups with
/// client-supplied ids happen only after their signature verified, and cannot degrade the
/// table). The per-user sets use a fast seeded hash for the same reason.
type Fast = foldhash::fast::RandomState;

/// One shard: the sessions whose key starts with the shard's byte.
type SessionShard = Mutex<HashTable<Entry>>;
/// One shard of the per-user index: user id → tokens of their sessions. User ids come from
/// application data, so this map keeps a DoS-resistant keyed hash.
type UserShard = Mutex<HashMap<Box<str>, HashSet<Token, Fast>>>;

struct Inner {
    hasher: RandomState,
    sessions: Box<[SessionShard]>,
    users: Box<[UserShard]>,
    sweeper_running: AtomicBool,
    sweep_every: Duration,
}

// ── the compact entry ─────────────────────────────────────────────────────────────────────

/// One session in a single allocation:
/// `[key 32][created 8][updated 8][expires 8][deadline 8][user length 4][user][data JSON]`
/// (numbers little-endian; deadline `u64::MAX` = none, user length `u32::MAX` = none).
struct Entry(Box<[u8]>);

const CREATED: usize = 32;
const UPDATED: usize = 40;
const EXPIRES: usize = 48;
const DEADLINE: usize = 56;
const USER_LEN: usize = 64;
const USER: usize = 68;
const NONE32: u32 = u32::MAX;

impl Entry {
    fn new(key: &Key, record: &SessionRecord) -> Result<Entry, StoreError> {
        let user = record.user_id.as_deref().map(str::as_bytes);
        let user_len = match user {
            Some(u) => u32::try_from(u.len())
                .ok()
                .filter(|&n| n != NONE32)
                .ok_or_else(|| StoreError::other("memory session store: user id too long"))?,
            None => NONE32,
        };
        // Written into the thread's scratch buffer, then copied into an entry of the exact
        // size: one allocation, whatever the session's size.
        hearth_core::buffer::with_buffer(|b| {
            b.extend_from_slice(key);
            b.extend_from_slice(&record.created_at.to_le_bytes());
            b.extend_from_slice(&record.updated_at.to_le_bytes());
            b.extend_from_slice(&record.expires_at.to_le_bytes());
            b.extend_from_slice(&record.deadline.unwrap_or(u64::MAX).to_le_bytes());
            b.extend_from_slice(&user_len.to_le_bytes());
            b.extend_from_slice(user.unwrap_or_default());
            serde_json::to_writer(&mut *b, &record.data.json())
                .map_err(|e| StoreError::Serialization(Box::new(e)))?;
            Ok(Entry(Box::from(&b[..])))
        })
    }

    fn key(&self) -> &[u8] {
        &self.0[..32]
    }

    fn u64_at(&self, at: usize) -> u64 {
        let mut n = [0u8; 8];
        n.copy_from_slice(&self.0[at..at + 8]);
        u64::from_le_bytes(n)
    }

    fn expires_at(&self) -> u64 {
        self.u64_at(EXPIRES)
    }

    fn set_expires_at(&mut self, at: u64) {
        self.0[EXPIRES..EXPIRES + 8].copy_from_slice(&at.to_le_bytes());
    }

    fn deadline(&self) -> Option<u64> {
        Some(self.u64_at(DEADLINE)).filter(|&d| d != u64::MAX)
    }

    fn user_range(&self) -> Option<std::ops::Range<usize>> {
        let mut n = [0u8; 4];
        n.copy_from_slice(&self.0[USER_LEN..USER]);
        let n = u32::from_le_bytes(n);
        (n != NONE32).then(|| USER..USER + n as usize)
    }

    fn user(&self) -> Option<&str> {
        // Written from a `String`: always UTF-8.
        self.user_range()
            .and_then(|r| std::str::from_utf8(&self.0[r]).ok())
    }

    fn data(&self) -> &[u8] {
        let start = self.user_range().map_or(USER, |r| r.end);
        &self.0[start..]
    }

    fn is_live_at(&self, now: u64) -> bool {
        now < self.expires_at() && self.deadline().is_none_or(|d| now < d)
    }

    fn touch(&mut self, now: u64, ttl: Duration) {
        self.set_expires_at(crate::record::expiry(now, ttl, self.deadline()));
    }

    fn record(&self, id: &str) -> Option<SessionRecord> {
        // Handed over as text (written by serde_json above): a read decodes only what it needs.
        let text = std::str::from_utf8(self.data()).map_err(|e| e.to_string());
        let data = match text.and_then(|t| RecordData::from_json(t).map_err(|e| e.to_string())) {
            Ok(d) => d,
            Err(err) => {
                tracing::error!(error = %err, "memory session store: undecodable session");
                return None;
            }
        };
        Some(SessionRecord {
            id: id.to_owned(),
            data,
            created_at: self.u64_at(CREATED),
            updated_at: self.u64_at(UPDATED),
            expires_at: self.expires_at(),
            deadline: self.deadline(),
            user_id: self.user().map(str::to_owned),
            index: None,
        })
    }
}

fn key_of(id: &str) -> Option<Key> {
    if !crate::is_valid_id(id) {
        return None;
    }
    let mut buf = [0u8; 33];
    match URL_SAFE_NO_PAD.decode_slice(id, &mut buf) {
        Ok(32) => {
            let mut key = [0u8; 32];
            key.copy_from_slice(&buf[..32]);
            Some(key)
        }
        _ => None,
    }
}

fn token_of(key: &[u8]) -> Token {
    let mut t = [0u8; 16];
    t.copy_from_slice(&key[..16]);
    t
}

/// The table hash of a key (or token): bytes 8..16, random.
fn hash(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&key[8..16]);
    u64::from_le_bytes(b)
}

fn entry_hash(e: &Entry) -> u64 {
    hash(e.key())
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
                sessions: (0..SHARDS).map(|_| Mutex::new(HashTable::new())).collect(),
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

/// A locked shard.
type Shard<'a> = MutexGuard<'a, HashTable<Entry>>;

/// Finds the entry whose key starts with `prefix` (a whole key, or a token).
fn find<'s>(shard: &'s mut Shard<'_>, prefix: &[u8]) -> Option<&'s mut Entry> {
    shard.find_mut(hash(prefix), |e| e.key().starts_with(prefix))
}

fn remove(shard: &mut Shard<'_>, prefix: &[u8]) -> Option<Entry> {
    shard
        .find_entry(hash(prefix), |e| e.key().starts_with(prefix))
        .ok()
        .map(|o| o.remove().0)
}

impl Inner {
    fn sessions(&self, key: &[u8]) -> Shard<'_> {
        // The key is random: its first byte picks a shard uniformly.
        lock(&self.sessions[usize::from(key[0]) & (SHARDS - 1)])
    }

    fn users(&self, user: &str) -> MutexGuard<'_, HashMap<Box<str>, HashSet<Token, Fast>>> {
        lock(&self.users[(self.hasher.hash_one(user) as usize) & (SHARDS - 1)])
    }

    // Lock order: a session shard, then a user shard (never the other way round).

    fn index(&self, user: Option<&str>, key: &[u8]) {
        let Some(user) = user else { return };
        let mut users = self.users(user);
        match users.get_mut(user) {
            Some(set) => {
                set.insert(token_of(key));
            }
            None => {
                let mut set = HashSet::with_hasher(Fast::default());
                set.insert(token_of(key));
                users.insert(user.into(), set);
            }
        }
    }

    fn unindex(&self, user: Option<&str>, key: &[u8]) {
        let Some(user) = user else { return };
        let mut users = self.users(user);
        if let Some(set) = users.get_mut(user) {
            set.remove(&token_of(key));
            if set.is_empty() {
                users.remove(user);
            }
        }
    }

    /// Removes `key` from a locked shard when it is expired; returns whether a live session
    /// remains.
    fn live(&self, shard: &mut Shard<'_>, key: &Key, now: u64) -> bool {
        match find(shard, key) {
            Some(e) if e.is_live_at(now) => true,
            Some(_) => {
                if let Some(e) = remove(shard, key) {
                    self.unindex(e.user(), key);
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
            let mut gone: Vec<Entry> = Vec::new();
            // `extract_if` would avoid the second pass; `retain` cannot hand entries out.
            shard.retain(|e| {
                if e.is_live_at(now) {
                    return true;
                }
                gone.push(Entry(std::mem::take(&mut e.0)));
                false
            });
            for e in &gone {
                self.unindex(e.user(), e.key());
            }
            freed += gone.len();
            if shard.capacity() > 64 && shard.len() < shard.capacity() / 4 {
                shard.shrink_to_fit(entry_hash);
            }
        }
        freed
    }

    fn create(&self, record: &SessionRecord) -> Result<(), StoreError> {
        let key = key_of(&record.id)
            .ok_or_else(|| StoreError::other("memory session store: malformed session id"))?;
        let entry = Entry::new(&key, record)?;
        let now = now_ms();
        let mut shard = self.sessions(&key);
        if self.live(&mut shard, &key, now) {
            return Err(StoreError::Collision);
        }
        self.index(entry.user(), &key);
        shard.insert_unique(hash(&key), entry, entry_hash);
        Ok(())
    }

    fn load(&self, id: &str, ttl: Option<Duration>) -> Option<SessionRecord> {
        let key = key_of(id)?;
        let now = now_ms();
        let mut shard = self.sessions(&key);
        if !self.live(&mut shard, &key, now) {
            return None;
        }
        let e = find(&mut shard, &key)?;
        if let Some(ttl) = ttl {
            e.touch(now, ttl);
        }
        e.record(id)
    }

    fn save(&self, record: &SessionRecord) -> Result<bool, StoreError> {
        let Some(key) = key_of(&record.id) else {
            return Ok(false);
        };
        let entry = Entry::new(&key, record)?;
        let now = now_ms();
        let mut shard = self.sessions(&key);
        if !self.live(&mut shard, &key, now) {
            return Ok(false);
        }
        let Some(old) = find(&mut shard, &key) else {
            return Ok(false);
        };
        if old.user() != entry.user() {
            self.unindex(old.user(), &key);
            self.index(entry.user(), &key);
        }
        *old = entry;
        Ok(true)
    }

    fn delete(&self, id: &str) -> bool {
        let Some(key) = key_of(id) else { return false };
        let now = now_ms();
        let mut shard = self.sessions(&key);
        match remove(&mut shard, &key) {
            Some(e) => {
                self.unindex(e.user(), &key);
                e.is_live_at(now)
            }
            None => false,
        }
    }

    fn touch(&self, id: &str, ttl: Duration) -> bool {
        let Some(key) = key_of(id) else { return false };
        let now = now_ms();
        let mut shard = self.sessions(&key);
        if !self.live(&mut shard, &key, now) {
            return false;
        }
        if let Some(e) = find(&mut shard, &key) {
            e.touch(now, ttl);
        }
        true
    }

    fn sessions_of(&self, user: &str) -> Vec<String> {
        let now = now_ms();
        let tokens: Vec<Token> = match self.users(user).get(user) {
            Some(set) => set.iter().copied().collect(),
            None => return Vec::new(),
        };
        tokens
            .iter()
            .filter_map(|token| {
                let mut shard = self.sessions(token);
                find(&mut shard, token)
                    .filter(|e| e.is_live_at(now) && e.user() == Some(user))
                    .map(|e| URL_SAFE_NO_PAD.encode(e.key()))
            })
            .collect()
    }

    fn delete_all_of(&self, user: &str) -> usize {
        let now = now_ms();
        let tokens: Vec<Token> = match self.users(user).remove(user) {
            Some(set) => set.into_iter().collect(),
            None => return 0,
        };
        let mut deleted = 0;
        for token in tokens {
            let mut shard = self.sessions(&token);
            let mine = find(&mut shard, &token).is_some_and(|e| e.user() == Some(user));
            if mine && remove(&mut shard, &token).is_some_and(|e| e.is_live_at(now)) {
                deleted += 1;
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
        Box::pin(async move { r })
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
