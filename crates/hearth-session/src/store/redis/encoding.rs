//! How keys and records are written: keys as command arguments, records as JSON with the
//! index hint (`index_until`).

use deadpool_redis::redis;

use super::RedisSessionStore;
use crate::record::IndexHint;
use crate::store::{SessionRecord, StoreError};

impl RedisSessionStore {
    /// [`key`](Self::key) as a command argument, written without building the string.
    pub(super) fn record_key<'a>(&'a self, id: &'a str) -> KeyArg<'a> {
        KeyArg(&self.inner.prefix, id)
    }

    /// [`user_key`](Self::user_key) as a command argument.
    pub(super) fn index_key<'a>(&'a self, user_id: &'a str) -> KeyArg<'a> {
        KeyArg(&self.inner.user_prefix, user_id)
    }

    pub(super) fn decode(&self, id: &str, json: &str) -> Result<Stored, StoreError> {
        let stored: Stored =
            serde_json::from_str(json).map_err(|e| StoreError::Serialization(Box::new(e)))?;
        if stored.id != id {
            return Err(StoreError::other("session record stored under another id"));
        }
        Ok(stored)
    }
}

/// A key, `prefix + name`, as one command argument written straight into the command's
/// buffer: the commands of every request name one or two keys, and this saves building each
/// as a `String` only to copy it.
#[derive(Clone, Copy)]
pub(super) struct KeyArg<'a>(&'a str, &'a str);

impl KeyArg<'_> {
    pub(super) fn len(&self) -> usize {
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

/// A record as stored: the [`SessionRecord`]'s fields plus how long its user's index is
/// known to live (`index_until`). Spelled out rather than `#[serde(flatten)]`ed, which would
/// buffer every value before decoding it: this is on every request's path.
#[derive(serde::Deserialize)]
pub(super) struct Stored {
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
    pub(super) fn into_parts(self) -> Result<(SessionRecord, Option<u64>), StoreError> {
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
pub(super) struct StoredRef<'a> {
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
    pub(super) fn new(r: &'a SessionRecord, index_until: Option<u64>) -> Self {
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
