//! Sessions over real HTTP: one test per promise of the session module (issue 4).

mod support;

/// The store these tests run against: the memory store (the same files run against Redis in
/// `tests/tests/redis_session`).
mod backend {
    use std::sync::Arc;

    use hearth::session::MemoryStore;

    use crate::support::TestStore;

    pub fn store() -> TestStore {
        let memory = MemoryStore::new();
        let counted = memory.clone();
        TestStore::new(
            Arc::new(memory),
            Arc::new(move || {
                let n = counted.len();
                Box::pin(async move { n })
            }),
            None,
        )
    }
}

mod cookies;
mod lifecycle;
mod races;
mod service;
