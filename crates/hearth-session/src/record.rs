//! The stored form of a session: its data plus timestamps, as JSON-friendly values.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::data::RecordData;

/// The data of one session: a JSON object (key → value).
pub type SessionData = Map<String, Value>;

/// One session as a [`SessionStore`](super::SessionStore) keeps it.
///
/// Every timestamp is in milliseconds since the Unix epoch, so the record serializes to
/// plain JSON (`serde_json::to_string(&record)`) and a remote store can derive its own TTL
/// from [`expires_at`](SessionRecord::expires_at).
///
/// A record is *live* while `now < expires_at` and, when set, `now < deadline`
/// ([`is_live_at`](SessionRecord::is_live_at)); a store never returns a record that is not live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The session id (not the signed cookie value).
    pub id: String,
    /// The session's data.
    #[serde(default)]
    pub data: RecordData,
    /// When the session was created (ms since the epoch).
    pub created_at: u64,
    /// When the session's data was last written (ms since the epoch).
    pub updated_at: u64,
    /// When the session expires unless it is touched again (ms since the epoch).
    pub expires_at: u64,
    /// The absolute end of the session (creation + `absolute_timeout`), which no touch may
    /// extend past (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<u64>,
    /// The user the session belongs to (the value of the configured `user_key`, as text),
    /// which stores index for [`sessions_of`](super::SessionStore::sessions_of).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// What the store's per-user index is known to hold for this session, as the store
    /// reported it when the record was loaded; carried unchanged to the next
    /// [`save`](super::SessionStore::save), so that a store need not index an unchanged owner
    /// again. Stores without such an index leave it `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexHint>,
}

/// See [`SessionRecord::index`]: the user a store indexed the session under, and until when
/// (ms since the epoch) that index entry is known to last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexHint {
    /// The user the session is indexed under.
    pub user_id: String,
    /// Until when the index entry lasts (ms since the epoch).
    pub until: u64,
}

impl SessionRecord {
    /// Whether the record is live at `now_ms`.
    pub fn is_live_at(&self, now_ms: u64) -> bool {
        now_ms < self.expires_at && self.deadline.is_none_or(|d| now_ms < d)
    }

    /// The expiry a touch at `now_ms` with `ttl` gives: `now + ttl`, capped at the deadline.
    pub fn expiry_after(&self, now_ms: u64, ttl: Duration) -> u64 {
        expiry(now_ms, ttl, self.deadline)
    }

    /// How long the record has left at `now_ms` (zero when it is not live).
    pub fn remaining_at(&self, now_ms: u64) -> Duration {
        if self.is_live_at(now_ms) {
            Duration::from_millis(self.expires_at - now_ms)
        } else {
            Duration::ZERO
        }
    }
}

/// `now + ttl`, capped at `deadline`.
pub(crate) fn expiry(now_ms: u64, ttl: Duration, deadline: Option<u64>) -> u64 {
    let e = now_ms.saturating_add(millis(ttl));
    deadline.map_or(e, |d| e.min(d))
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The current time in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

/// The user a session belongs to: the value under `user_key`, when it is a string or a
/// number.
pub(crate) fn user_of(data: &RecordData, user_key: &str) -> Option<String> {
    match data.get_value(user_key)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
