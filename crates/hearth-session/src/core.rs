//! The state shared by the middleware, the `Session` handles and `SessionService`.

use std::sync::Arc;
use std::time::Duration;

use super::SessionError;
use super::id::new_id;
use super::options::{SessionOptions, Settings};
use super::record::{RecordData, SessionRecord, expiry, millis, user_of};
use super::signing::Signer;
use super::store::{SessionStore, StoreError};

/// How many times `create` is retried with a fresh id after a collision (with 256-bit ids a
/// collision means a broken random source or a hostile store, not bad luck).
const CREATE_ATTEMPTS: usize = 3;

/// The data key under which a session keeps the lifetime it set for itself
/// ([`Session::set_max_age`](super::Session::set_max_age)), in milliseconds. Keys starting
/// with `__` are Hearth's.
pub(crate) const MAX_AGE_KEY: &str = "__maxAge";

/// The longest lifetime a session can set for itself: browsers cap a cookie's `Max-Age` at
/// 400 days (RFC 6265bis), so a longer one could not reach the client anyway.
pub(crate) const LONGEST_MAX_AGE: Duration = Duration::from_secs(400 * 24 * 3600);

pub(crate) struct Core {
    pub(crate) settings: Settings,
    pub(crate) signer: Signer,
    pub(crate) store: Arc<dyn SessionStore>,
}

impl Core {
    /// Checks the options and builds the shared state; `Err` lists every problem.
    pub(crate) fn from_options(options: &SessionOptions) -> Result<Arc<Core>, Vec<String>> {
        let mut problems = options.problems();
        let store = options.store.build().map_err(|e| {
            problems.push(format!("SessionModule: {e}"));
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        let Ok(store) = store else {
            return Err(problems);
        };
        let signer = Signer::new(
            std::iter::once(options.secret.as_bytes())
                .chain(options.previous_secrets.iter().map(|s| s.as_bytes())),
        );
        Ok(Arc::new(Core {
            settings: Settings::of(options),
            signer,
            store,
        }))
    }

    /// A new record for `data`, created now.
    pub(crate) fn new_record(&self, id: String, data: RecordData, now: u64) -> SessionRecord {
        let deadline = self
            .settings
            .absolute_timeout
            .map(|t| now.saturating_add(millis(t)));
        self.record(id, data, now, deadline, now, None)
    }

    /// A record with the given metadata, expiring `max_age` from now (capped at the deadline).
    pub(crate) fn record(
        &self,
        id: String,
        data: RecordData,
        created_at: u64,
        deadline: Option<u64>,
        now: u64,
        index: Option<super::record::IndexHint>,
    ) -> SessionRecord {
        SessionRecord {
            index,
            user_id: user_of(&data, &self.settings.user_key),
            expires_at: expiry(now, self.max_age_of(&data), deadline),
            id,
            data,
            created_at,
            updated_at: now,
            deadline,
        }
    }

    /// The lifetime a session set for itself, when it is longer than `max_age`. A stored
    /// value that is shorter, or not a number, is ignored: the session then lives by the
    /// default, which is the shortest lifetime any session can have.
    pub(crate) fn own_max_age(&self, data: &RecordData) -> Option<Duration> {
        let ms = data.get::<u64>(MAX_AGE_KEY).ok().flatten()?;
        let own = Duration::from_millis(ms).min(LONGEST_MAX_AGE);
        (own > self.settings.max_age).then_some(own)
    }

    /// The expiry to give the cookie of a session with `data` that expires at `expires_at`:
    /// none for a browser-session cookie (`expire_on_close`, unless the session set a
    /// lifetime of its own).
    pub(crate) fn cookie_expiry(&self, data: &RecordData, expires_at: u64) -> Option<u64> {
        let persistent = !self.settings.expire_on_close || self.own_max_age(data).is_some();
        persistent.then_some(expires_at)
    }

    /// What a session stores under [`MAX_AGE_KEY`] for `max_age` (`None`: the default, stored
    /// as no key), or the error naming the allowed range.
    pub(crate) fn checked_max_age(&self, max_age: Duration) -> Result<Option<u64>, SessionError> {
        let default = self.settings.max_age;
        if max_age < default || max_age > LONGEST_MAX_AGE {
            return Err(SessionError::MaxAge(format!(
                "set_max_age({max_age:?}) is out of range: a session's own lifetime lies \
                 between SessionOptions::max_age ({default:?}) and 400 days; to give some \
                 sessions less, lower SessionOptions::max_age and raise it for the others"
            )));
        }
        Ok((max_age > default).then(|| millis(max_age)))
    }

    /// How long a session with `data` lives without activity.
    pub(crate) fn max_age_of(&self, data: &RecordData) -> Duration {
        self.own_max_age(data).unwrap_or(self.settings.max_age)
    }

    /// Reads a live session and extends it (rolling) by its lifetime. The store extends it by
    /// `max_age` in the same call that reads it, so a session with a longer lifetime of its
    /// own takes a second call, which extends it by that. Should the second call fail, the
    /// session has been extended by the default: shorter than it asked, never longer.
    pub(crate) async fn load_and_touch(
        &self,
        id: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let record = self.store.load_and_touch(id, self.settings.max_age).await?;
        match record.as_ref().and_then(|r| self.own_max_age(&r.data)) {
            Some(own) => self.store.load_and_touch(id, own).await,
            None => Ok(record),
        }
    }

    /// Refreshes the derived fields of a record after its data changed.
    pub(crate) fn refresh(&self, record: &mut SessionRecord, now: u64) {
        record.user_id = user_of(&record.data, &self.settings.user_key);
        record.updated_at = now;
    }

    /// Creates `record`, drawing a new id on a collision. The record's id is the stored one
    /// afterwards.
    pub(crate) async fn create(&self, record: &mut SessionRecord) -> Result<(), SessionError> {
        for attempt in 1..=CREATE_ATTEMPTS {
            match self.store.create(record).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Collision) if attempt < CREATE_ATTEMPTS => {
                    tracing::warn!("session id collision; drawing a new id");
                    record.id = new_id();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Collision.into())
    }

    /// The time left before `expires_at`.
    pub(crate) fn remaining(expires_at: u64, now: u64) -> Duration {
        Duration::from_millis(expires_at.saturating_sub(now))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn with_max_age(v: Value) -> RecordData {
        let mut d = RecordData::new();
        d.insert(MAX_AGE_KEY.into(), v);
        d
    }

    /// What a stored `__maxAge` can do: raise the default up to 400 days, nothing else.
    #[test]
    fn a_sessions_own_lifetime_only_ever_raises_the_default() {
        let hour = Duration::from_secs(3600);
        let core = Core::from_options(&SessionOptions {
            secret: "s".repeat(32),
            max_age: hour,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(core.max_age_of(&RecordData::new()), hour);
        let two_hours = with_max_age(json!(7_200_000));
        assert_eq!(core.max_age_of(&two_hours), 2 * hour);
        let now = 1_000_000;
        let r = core.new_record("x".into(), two_hours, now);
        assert_eq!(r.expires_at, now + 7_200_000, "a new record lives by it");
        assert_eq!(
            core.max_age_of(&with_max_age(json!(60_000))),
            hour,
            "shorter"
        );
        assert_eq!(
            core.max_age_of(&with_max_age(json!("soon"))),
            hour,
            "not ms"
        );
        assert_eq!(
            core.max_age_of(&with_max_age(json!(u64::MAX))),
            LONGEST_MAX_AGE
        );
    }
}
