//! The `SessionStore` conformance suite: every store (memory, Redis, yours) must pass it.
//!
//! ```ignore
//! mod common;
//! #[tokio::test]
//! async fn my_store_conforms() {
//!     common::store_conformance::run_store_conformance(Arc::new(MyStore::new())).await;
//! }
//! ```
//!
//! Ids and user ids are random per run, so the suite can run against a shared backend.
//! It sleeps a few seconds in total (expiry needs real time) and makes no speed assertion.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use hearth::session::store::{SessionStore, StoreError};
use hearth::session::{SessionRecord, new_id, now_ms};
use serde_json::json;

/// A record with `ttl` to live (and an optional absolute deadline), owned by `user`.
pub fn record(ttl: Duration, deadline: Option<Duration>, user: Option<&str>) -> SessionRecord {
    let now = now_ms();
    let mut data = serde_json::Map::new();
    data.insert("n".into(), json!(1));
    if let Some(u) = user {
        data.insert("userId".into(), json!(u));
    }
    SessionRecord {
        id: new_id(),
        data: data.into(),
        created_at: now,
        updated_at: now,
        expires_at: now + ttl.as_millis() as u64,
        deadline: deadline.map(|d| now + d.as_millis() as u64),
        index: None,
        user_id: user.map(str::to_owned),
    }
}

const LONG: Duration = Duration::from_secs(600);

/// Runs every check against `store`.
pub async fn run_store_conformance(store: Arc<dyn SessionStore>) {
    create_and_load(&*store).await;
    create_never_overwrites(&*store).await;
    save_is_update_only(&*store).await;
    delete_reports_existence(&*store).await;
    touch_extends_within_deadline(&*store).await;
    load_and_touch(&*store).await;
    per_user_index(&*store).await;
    concurrent_creates(store.clone()).await;
    expiry(&*store).await;
}

async fn create_and_load(store: &dyn SessionStore) {
    let r = record(LONG, None, None);
    store.create(&r).await.expect("create");
    let loaded = store
        .load(&r.id)
        .await
        .expect("load")
        .expect("record exists");
    assert_eq!(loaded.id, r.id);
    assert_eq!(loaded.data, r.data);
    assert_eq!(loaded.created_at, r.created_at);
    assert!(
        store.load(&new_id()).await.expect("load").is_none(),
        "unknown id loads nothing"
    );
}

async fn create_never_overwrites(store: &dyn SessionStore) {
    let r = record(LONG, None, None);
    store.create(&r).await.expect("create");
    let mut other = r.clone();
    other.data.map_mut().unwrap().insert("n".into(), json!(2));
    match store.create(&other).await {
        Err(StoreError::Collision) => {}
        other => panic!("a second create of a live id must be a Collision, got {other:?}"),
    }
    let loaded = store.load(&r.id).await.unwrap().unwrap();
    assert_eq!(
        loaded.data.get_value("n").unwrap(),
        json!(1),
        "the first record is untouched"
    );
}

async fn save_is_update_only(store: &dyn SessionStore) {
    let mut r = record(LONG, None, None);
    store.create(&r).await.unwrap();
    r.data.map_mut().unwrap().insert("n".into(), json!(3));
    assert!(store.save(&r).await.unwrap(), "save of an existing record");
    assert_eq!(
        store
            .load(&r.id)
            .await
            .unwrap()
            .unwrap()
            .data
            .get_value("n")
            .unwrap(),
        json!(3)
    );

    let ghost = record(LONG, None, None);
    assert!(
        !store.save(&ghost).await.unwrap(),
        "save of a missing record reports it"
    );
    assert!(
        store.load(&ghost.id).await.unwrap().is_none(),
        "save must not create a record"
    );

    assert!(store.delete(&r.id).await.unwrap());
    assert!(
        !store.save(&r).await.unwrap(),
        "save after delete reports it"
    );
    assert!(
        store.load(&r.id).await.unwrap().is_none(),
        "a deleted session is not resurrected by a save"
    );
}

async fn delete_reports_existence(store: &dyn SessionStore) {
    let r = record(LONG, None, None);
    store.create(&r).await.unwrap();
    assert!(store.delete(&r.id).await.unwrap());
    assert!(!store.delete(&r.id).await.unwrap());
    assert!(store.load(&r.id).await.unwrap().is_none());
    assert!(
        !store.touch(&r.id, LONG).await.unwrap(),
        "touch of a deleted record"
    );
}

async fn touch_extends_within_deadline(store: &dyn SessionStore) {
    let r = record(Duration::from_secs(60), None, None);
    store.create(&r).await.unwrap();
    assert!(store.touch(&r.id, Duration::from_secs(3600)).await.unwrap());
    let after = store.load(&r.id).await.unwrap().unwrap();
    assert!(
        after.expires_at >= now_ms() + 3000 * 1000,
        "touch extends the expiry"
    );

    let capped = record(
        Duration::from_secs(60),
        Some(Duration::from_secs(120)),
        None,
    );
    store.create(&capped).await.unwrap();
    assert!(
        store
            .touch(&capped.id, Duration::from_secs(3600))
            .await
            .unwrap()
    );
    let after = store.load(&capped.id).await.unwrap().unwrap();
    assert!(
        after.expires_at <= capped.deadline.unwrap(),
        "touch never extends past the deadline"
    );
    assert!(
        !store.touch(&new_id(), LONG).await.unwrap(),
        "touch of an unknown id"
    );
}

async fn load_and_touch(store: &dyn SessionStore) {
    let r = record(Duration::from_secs(60), None, None);
    store.create(&r).await.unwrap();
    let got = store
        .load_and_touch(&r.id, Duration::from_secs(3600))
        .await
        .unwrap()
        .expect("record");
    assert!(
        got.expires_at >= now_ms() + 3000 * 1000,
        "returned expiry is the new one"
    );
    let again = store.load(&r.id).await.unwrap().unwrap();
    assert!(
        again.expires_at >= now_ms() + 3000 * 1000,
        "stored expiry is the new one"
    );
    assert!(
        store
            .load_and_touch(&new_id(), LONG)
            .await
            .unwrap()
            .is_none()
    );
}

async fn per_user_index(store: &dyn SessionStore) {
    let u1 = format!("user-{}", new_id());
    let u2 = format!("user-{}", new_id());
    let a = record(LONG, None, Some(&u1));
    let mut b = record(LONG, None, Some(&u1));
    let c = record(LONG, None, Some(&u2));
    let anon = record(LONG, None, None);
    for r in [&a, &b, &c, &anon] {
        store.create(r).await.unwrap();
    }
    let set = |v: Vec<String>| v.into_iter().collect::<HashSet<_>>();
    assert_eq!(
        set(store.sessions_of(&u1).await.unwrap()),
        set(vec![a.id.clone(), b.id.clone()])
    );
    // b changes hands.
    b.data.map_mut().unwrap().insert("userId".into(), json!(u2));
    b.user_id = Some(u2.clone());
    assert!(store.save(&b).await.unwrap());
    assert_eq!(
        set(store.sessions_of(&u1).await.unwrap()),
        set(vec![a.id.clone()])
    );
    assert_eq!(
        set(store.sessions_of(&u2).await.unwrap()),
        set(vec![b.id.clone(), c.id.clone()])
    );
    // A deleted session leaves the index.
    assert!(store.delete(&a.id).await.unwrap());
    assert!(store.sessions_of(&u1).await.unwrap().is_empty());
    // Log out everywhere.
    assert_eq!(store.delete_all_of(&u2).await.unwrap(), 2);
    assert!(store.load(&b.id).await.unwrap().is_none());
    assert!(store.load(&c.id).await.unwrap().is_none());
    assert!(store.sessions_of(&u2).await.unwrap().is_empty());
    assert_eq!(store.delete_all_of(&u2).await.unwrap(), 0);
    assert!(
        store.load(&anon.id).await.unwrap().is_some(),
        "others untouched"
    );
    assert!(
        store
            .sessions_of(&format!("nobody-{}", new_id()))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn concurrent_creates(store: Arc<dyn SessionStore>) {
    // 100 different ids at once: all stored.
    let records: Vec<SessionRecord> = (0..100).map(|_| record(LONG, None, None)).collect();
    let tasks: Vec<_> = records
        .iter()
        .cloned()
        .map(|r| {
            let store = store.clone();
            tokio::spawn(async move { store.create(&r).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("distinct ids never collide");
    }
    for r in &records {
        assert!(store.load(&r.id).await.unwrap().is_some());
    }
    // The same id 16 times at once: exactly one wins.
    let r = record(LONG, None, None);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            let r = r.clone();
            tokio::spawn(async move { store.create(&r).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(StoreError::Collision) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one create of the same id succeeds");
}

async fn expiry(store: &dyn SessionStore) {
    let short = record(Duration::from_millis(1000), None, None);
    let capped = record(LONG, Some(Duration::from_millis(1000)), None);
    let user = format!("user-{}", new_id());
    let owned = record(Duration::from_millis(1000), None, Some(&user));
    for r in [&short, &capped, &owned] {
        store.create(r).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for r in [&short, &capped, &owned] {
        assert!(
            store.load(&r.id).await.unwrap().is_none(),
            "expired records are gone"
        );
        assert!(
            !store.touch(&r.id, LONG).await.unwrap(),
            "an expired record cannot be touched back"
        );
        assert!(
            !store.save(r).await.unwrap(),
            "an expired record cannot be saved back"
        );
        assert!(store.load(&r.id).await.unwrap().is_none());
    }
    assert!(store.sessions_of(&user).await.unwrap().is_empty());
    // An expired id may be created again.
    let mut fresh = short.clone();
    fresh.expires_at = now_ms() + 60_000;
    store.create(&fresh).await.expect("an expired id is free");
    assert!(store.delete(&fresh.id).await.unwrap());
}
