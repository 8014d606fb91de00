//! Concurrency and failures: distinct ids, no resurrection, failed saves.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use hearth::prelude::*;
use hearth::session::StoreConfig;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_logins_get_distinct_ids() {
    let store = fresh_store();
    let app = Arc::new(
        start(SessionOptions {
            store: StoreConfig::custom(store.clone()),
            ..options()
        })
        .await,
    );
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { app.login(&format!("user{i}"), None).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in tasks {
        let c = t.await.unwrap();
        ids.insert(id_of(&c).to_owned());
    }
    assert_eq!(ids.len(), 100);
    assert_eq!(store.len().await, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destroyed_session_is_not_resurrected_by_a_slower_request() {
    let store = fresh_store();
    let gate = Arc::new(Gate::default());
    let app = Arc::new(
        start_with(
            SessionOptions {
                store: StoreConfig::custom(store.clone()),
                ..options()
            },
            gate.clone(),
            false,
        )
        .await,
    );
    let c = app.login("alice", None).await;
    // A slow request loads the session and waits...
    let slow = {
        let (app, c) = (app.clone(), c.clone());
        tokio::spawn(async move { app.post("/slow", Some(&c)).await })
    };
    gate.entered.notified().await;
    // ...while the user logs out in another tab...
    let res = app.post("/logout", Some(&c)).await;
    assert_eq!(res.status, 200);
    assert!(store.is_empty().await);
    // ...then the slow request writes and finishes.
    gate.release.notify_one();
    let res = slow.await.unwrap();
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        store.is_empty().await,
        "the destroyed session was resurrected"
    );
    let set = app.session_set_cookie(&res).expect("cookie cleared");
    assert_eq!(attr(&set, "Max-Age"), Some("0"));
    assert_eq!(app.user(&c).await, Value::Null);
}

#[tokio::test]
async fn a_failed_save_is_an_error_response_not_lost_data() {
    let store = Counting::default();
    let app = start(SessionOptions {
        store: StoreConfig::custom(store.clone()),
        ..options()
    })
    .await;
    let c = app.login("alice", None).await;
    store.fail_writes.store(true, Ordering::SeqCst);
    let res = app.post("/set?v=5", Some(&c)).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(
        !res.body.contains("test"),
        "store error text is not sent: {}",
        res.body
    );
    let res = app.post("/login", None).await;
    assert_eq!(res.status, 503);
    // Reads still work.
    store.fail_writes.store(false, Ordering::SeqCst);
    assert_eq!(app.user(&c).await, "alice");
    app.server.shutdown().await.unwrap();
}
