//! Reading and writing session records: `GET`/`GETEX` with the key's TTL, `SET … NX` to
//! create, `SET … XX` to update (with the user index's commands in the same pipeline when
//! needed), `DEL`.

use std::time::Duration;

use deadpool_redis::redis::{self, AsyncCommands};

use super::RedisSessionStore;
use super::encoding::StoredRef;
use super::index::index_commands;
use crate::record::{millis, now_ms};
use crate::store::{SessionRecord, StoreError};

/// Two expiry readings closer than this (ms) are the same instant.
const SAME_INSTANT_MS: u64 = 1000;

impl RedisSessionStore {
    /// A TTL in ms for `ttl`, capped by the store's `ttl` option.
    pub(super) fn cap(&self, ttl: u64) -> u64 {
        self.inner.ttl_cap.map_or(ttl, |c| ttl.min(c))
    }

    /// How long `record` has left to live in Redis at `now` (0 when it is over).
    pub(super) fn ttl_of(&self, record: &SessionRecord, now: u64) -> u64 {
        let end = record
            .deadline
            .map_or(record.expires_at, |d| d.min(record.expires_at));
        self.cap(end.saturating_sub(now))
    }

    pub(super) async fn load_impl(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
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
    pub(super) async fn touch_impl(
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
    /// [`IndexHint`](crate::IndexHint)) leaves the index alone: most writes are a single `SET`.
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

    pub(super) async fn create_impl(&self, record: &SessionRecord) -> Result<(), StoreError> {
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

    pub(super) async fn save_impl(&self, record: &SessionRecord) -> Result<bool, StoreError> {
        let now = now_ms();
        if self.ttl_of(record, now) == 0 {
            // The new version is already over: the session ends.
            return self.delete_impl(&record.id).await.map(|_| false);
        }
        self.write(record, "XX", now).await
    }

    pub(super) async fn delete_impl(&self, id: &str) -> Result<bool, StoreError> {
        let key = self.record_key(id);
        let n: i64 = self
            .inner
            .pool
            .run(|mut c| async move { c.del(key).await })
            .await?;
        Ok(n > 0)
    }
}

/// What a write sends: the `SET` alone, or in a pipeline with the index's commands.
enum Batch {
    Set(redis::Cmd),
    Indexed(redis::Pipeline),
}
