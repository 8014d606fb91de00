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
            id,
            data,
            created_at,
            updated_at: now,
            expires_at: expiry(now, self.settings.max_age, deadline),
            deadline,
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
