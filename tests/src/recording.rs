//! A session store that records every id it is asked about.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth::session::store::StoreFuture;
use hearth::session::{MemoryStore, SessionRecord, SessionStore};

/// A [`MemoryStore`] that records, in order, every session id it is asked about (create,
/// load, save, delete, touch). Clones share the record and the sessions.
#[derive(Clone, Default)]
pub struct Recording {
    /// The sessions.
    pub inner: MemoryStore,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recording {
    fn saw(&self, id: &str) {
        self.seen.lock().unwrap().push(id.to_owned());
    }

    /// A position in the record, for [`since`](Recording::since).
    pub fn mark(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// The ids asked about since `mark`.
    pub fn since(&self, mark: usize) -> Vec<String> {
        self.seen.lock().unwrap()[mark..].to_vec()
    }
}

impl SessionStore for Recording {
    fn create<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, ()> {
        self.saw(&r.id);
        self.inner.create(r)
    }
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        self.saw(id);
        self.inner.load(id)
    }
    fn load_and_touch<'a>(
        &'a self,
        id: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Option<SessionRecord>> {
        self.saw(id);
        self.inner.load_and_touch(id, ttl)
    }
    fn save<'a>(&'a self, r: &'a SessionRecord) -> StoreFuture<'a, bool> {
        self.saw(&r.id);
        self.inner.save(r)
    }
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, bool> {
        self.saw(id);
        self.inner.delete(id)
    }
    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, bool> {
        self.saw(id);
        self.inner.touch(id, ttl)
    }
    fn sessions_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, Vec<String>> {
        self.inner.sessions_of(u)
    }
    fn delete_all_of<'a>(&'a self, u: &'a str) -> StoreFuture<'a, usize> {
        self.inner.delete_all_of(u)
    }
}
