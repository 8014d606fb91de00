//! The index of each user's sessions: a list of session ids under
//! `key_prefix + "by-user:" + user_id`, kept alive at least as long as the sessions it names
//! (see "Layout" on [`RedisSessionStore`]), listed and pruned by `sessions_of`, emptied by
//! "log out everywhere".

use deadpool_redis::redis::{self, AsyncCommands};

use super::encoding::KeyArg;
use super::{RedisSessionStore, scripts};
use crate::record::now_ms;
use crate::store::{SessionRecord, StoreError};

/// How long this process knows each user's index to live (ms since the epoch): the
/// horizons it set itself. A write whose session ends before the known horizon sends the
/// `RPUSH` alone, without the `PEXPIRE`s; its answer still tells when the list was deleted
/// meanwhile and made anew (see [`index_commands`]). Bounded: a full shard is emptied, which
/// only costs the next writes of those users their `PEXPIRE`s.
pub(super) struct Horizons {
    shards: Box<[std::sync::Mutex<HorizonMap>]>,
}

/// User id → horizon. foldhash rather than SipHash: this is on every login's path, and its
/// per-process random seed still keeps chosen user ids from colliding on purpose.
type HorizonMap = std::collections::HashMap<String, u64, foldhash::fast::RandomState>;

const HORIZON_SHARDS: usize = 16;
const HORIZONS_PER_SHARD: usize = 4096;

impl Horizons {
    pub(super) fn new() -> Self {
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
    pub(super) fn get(&self, user: &str) -> Option<u64> {
        let shard = self.shard(user).lock().unwrap_or_else(|e| e.into_inner());
        shard.get(user).copied()
    }

    /// `user`'s index lives at least until `until`.
    pub(super) fn extend(&self, user: &str, until: u64) {
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

    pub(super) fn forget(&self, user: &str) {
        let mut shard = self.shard(user).lock().unwrap_or_else(|e| e.into_inner());
        shard.remove(user);
    }
}

impl RedisSessionStore {
    /// Gives `user`'s index, which has no TTL, one (`PEXPIRE … NX`). On failure the store
    /// forgets the index's horizon, so that the next login sends the TTL with its write.
    pub(super) async fn restore_index_ttl(&self, user: &str, ttl: u64) {
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

    pub(super) async fn sessions_of_impl(&self, user: &str) -> Result<Vec<String>, StoreError> {
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

    pub(super) async fn delete_all_of_impl(&self, user: &str) -> Result<usize, StoreError> {
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
pub(super) fn index_commands(
    p: &mut redis::Pipeline,
    index: KeyArg<'_>,
    id: &str,
    ttl: u64,
    extend: bool,
) {
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

/// `PEXPIRE index ttl flag`.
pub(super) fn pexpire(index: KeyArg<'_>, ttl: u64, flag: &str) -> redis::Cmd {
    let mut expire = redis::Cmd::with_capacity(4, index.len() + 32);
    expire.arg("PEXPIRE").arg(index).arg(ttl).arg(flag);
    expire
}
