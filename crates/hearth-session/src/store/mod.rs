//! Where sessions live: the [`SessionStore`] trait and the built-in [`MemoryStore`].
//!
//! A store keeps [`SessionRecord`]s by id. Every operation is a single atomic step on one
//! record, which is what the session middleware relies on for its guarantees:
//!
//! - [`create`](SessionStore::create) never overwrites: a live record with the same id is a
//!   [`StoreError::Collision`] (the caller retries with a new id).
//! - [`save`](SessionStore::save) only updates a record that still exists; it returns
//!   `false` instead of recreating a record that was deleted meanwhile (a logout in another
//!   tab must not be undone by a slower request of the same session).
//! - [`load`](SessionStore::load) never returns a record that is no longer live.
//! - [`touch`](SessionStore::touch) extends the expiry, never past the record's deadline.
//!
//! Implement the trait for another backend with boxed futures (no `async-trait` needed):
//!
//! ```
//! use std::time::Duration;
//! use hearth::session::store::{SessionStore, StoreError, StoreFuture};
//! use hearth::session::SessionRecord;
//!
//! struct NullStore;
//!
//! impl SessionStore for NullStore {
//!     fn create<'a>(&'a self, _: &'a SessionRecord) -> StoreFuture<'a, ()> {
//!         Box::pin(async { Err(StoreError::unavailable("the null store stores nothing")) })
//!     }
//!     fn load<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
//!         Box::pin(async { Ok(None) })
//!     }
//!     fn save<'a>(&'a self, _: &'a SessionRecord) -> StoreFuture<'a, bool> {
//!         Box::pin(async { Ok(false) })
//!     }
//!     fn delete<'a>(&'a self, _: &'a str) -> StoreFuture<'a, bool> {
//!         Box::pin(async { Ok(false) })
//!     }
//!     fn touch<'a>(&'a self, _: &'a str, _: Duration) -> StoreFuture<'a, bool> {
//!         Box::pin(async { Ok(false) })
//!     }
//!     fn sessions_of<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Vec<String>> {
//!         Box::pin(async { Ok(Vec::new()) })
//!     }
//!     fn delete_all_of<'a>(&'a self, _: &'a str) -> StoreFuture<'a, usize> {
//!         Box::pin(async { Ok(0) })
//!     }
//! }
//! ```

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::time::Duration;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisOptions, RedisSessionStore, StartupCheck};

pub use super::record::SessionRecord;
use hearth_core::BoxError;
use hearth_core::middleware::BoxFuture;

/// The future every [`SessionStore`] method returns.
pub type StoreFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// [`create`](SessionStore::create) found a live record with the same id.
    #[error("a session with this id already exists")]
    Collision,
    /// The store cannot be reached or timed out: requests get a 503 and may be retried.
    #[error("session store unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// A stored record could not be encoded or decoded.
    #[error("session record could not be (de)serialized: {0}")]
    Serialization(#[source] BoxError),
    /// Any other failure (a 500).
    #[error("session store error: {0}")]
    Other(#[source] BoxError),
}

impl StoreError {
    /// A [`StoreError::Unavailable`] from any error or message.
    pub fn unavailable(err: impl Into<BoxError>) -> Self {
        StoreError::Unavailable(err.into())
    }

    /// A [`StoreError::Other`] from any error or message.
    pub fn other(err: impl Into<BoxError>) -> Self {
        StoreError::Other(err.into())
    }

    /// Whether the store is temporarily unavailable (answered with 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// A session backend. Object-safe: the application holds it as `Arc<dyn SessionStore>`.
///
/// Ids reaching a store are always ones Hearth generated and whose signature verified (or
/// that server code passed to [`SessionService`](super::SessionService) and that have the
/// shape of an id), so a store never sees a raw client-chosen string.
///
/// The reusable conformance suite in `crates/hearth/tests/common/store_conformance.rs` checks
/// every rule below; run it against any new store.
pub trait SessionStore: Send + Sync + 'static {
    /// Inserts a new record. A *live* record with the same id makes it fail with
    /// [`StoreError::Collision`] (never overwrite); an expired one may be replaced.
    fn create<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()>;

    /// The live record with this id, if any.
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>>;

    /// [`load`](SessionStore::load) and [`touch`](SessionStore::touch) in one step (Redis:
    /// `GETEX`), returning the record with its new `expires_at`. The default does both calls.
    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            let Some(mut record) = self.load(id).await? else {
                return Ok(None);
            };
            if !self.touch(id, ttl).await? {
                return Ok(None);
            }
            record.expires_at = record.expiry_after(super::record::now_ms(), ttl);
            Ok(Some(record))
        })
    }

    /// Replaces a record that still exists (and is live), including its `expires_at` and
    /// `user_id`. Returns whether it existed; a missing record is **not** recreated.
    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool>;

    /// Deletes a record. Returns whether a live record existed.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool>;

    /// Sets a live record's expiry to `now + ttl`, capped at its `deadline`. Returns whether
    /// a live record existed.
    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool>;

    /// The ids of the live sessions whose `user_id` is `user_id`.
    fn sessions_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, Vec<String>>;

    /// Deletes every session of `user_id` ("log out everywhere"). Returns how many live
    /// sessions were deleted.
    fn delete_all_of<'a>(&'a self, user_id: &'a str) -> StoreFuture<'a, usize>;

    /// Checks that the store is ready; run once when the application starts (by
    /// [`SessionModule`](super::SessionModule)), where an error stops the start-up. The
    /// default does nothing; a remote store connects here.
    fn check(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    /// Whether the store keeps state per thread (such as one connection per worker thread)
    /// that serving **thread per core** makes the most of. With it,
    /// [`SessionModule::for_root`](super::SessionModule::for_root) asks
    /// [`Application::run`](hearth_core::Application::run) (under [`Scheduler::Auto`](hearth_core::Scheduler::Auto))
    /// to serve thread per core. The default is `false`.
    fn prefers_thread_per_core(&self) -> bool {
        false
    }
}
