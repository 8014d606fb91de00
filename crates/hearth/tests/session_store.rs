//! The memory store: the conformance suite, and its background sweep.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::store_conformance::{record, run_store_conformance};
use hearth::session::{MemoryStore, SessionStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_conforms() {
    run_store_conformance(Arc::new(MemoryStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_swept_in_the_background() {
    let store = MemoryStore::with_sweep_interval(Duration::from_millis(100));
    let live = record(Duration::from_secs(600), None, Some("u"));
    store.create(&live).await.unwrap();
    for _ in 0..20 {
        store
            .create(&record(Duration::from_millis(500), None, Some("u")))
            .await
            .unwrap();
    }
    assert_eq!(store.len(), 21);
    // Nothing reads the expired records: only the sweeper can free them.
    let mut waited = Duration::ZERO;
    while store.len() > 1 {
        assert!(waited < Duration::from_secs(20), "the sweeper never ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    assert_eq!(store.len(), 1);
    assert_eq!(store.sessions_of("u").await.unwrap(), vec![live.id.clone()]);
    assert_eq!(store.purge_expired(), 0);
}

#[tokio::test]
async fn the_sweeper_ends_when_the_store_is_dropped() {
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let store = MemoryStore::with_sweep_interval(Duration::from_millis(10));
    store
        .create(&record(Duration::from_secs(600), None, None))
        .await
        .unwrap();
    assert_eq!(
        metrics.num_alive_tasks(),
        before + 1,
        "the sweeper started on first use"
    );
    drop(store);
    // The task holds only a weak reference: it ends on its next tick.
    let mut waited = 0;
    while metrics.num_alive_tasks() > before {
        assert!(waited < 200, "the sweeper outlived its store");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
}
