//! The Redis session store against a real Redis: the shared store conformance suite, the
//! key layout, and what the per-user index and the deadline cap look like inside Redis.

#[path = "../../crates/hearth/tests/common/store_conformance.rs"]
mod conformance;

use std::sync::Arc;
use std::time::Duration;

use conformance::{record, run_store_conformance};
use deadpool_redis::redis::{self, AsyncCommands};
use hearth::session::store::{RedisOptions, RedisSessionStore, SessionStore};
use hearth::session::{StoreConfig, new_id, now_ms};

fn store(url: &str, test: &str) -> (RedisSessionStore, String) {
    let prefix = hearth_e2e::unique_prefix(test);
    let store = RedisSessionStore::new(RedisOptions {
        url: Some(url.to_owned()),
        key_prefix: prefix.clone(),
        ..Default::default()
    })
    .expect("valid options");
    (store, prefix)
}

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("connect to the test Redis")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_conforms() {
    let redis = hearth_e2e::redis();
    let (store, _) = store(redis.url(), "conformance");
    run_store_conformance(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_json_with_the_session_ttl_and_users_are_indexed() {
    let redis = hearth_e2e::redis();
    let (store, prefix) = store(redis.url(), "layout");
    let mut c = raw(redis.url()).await;
    let user = format!("u-{}", new_id());
    let r = record(Duration::from_secs(300), None, Some(&user));
    store.create(&r).await.unwrap();

    let json: String = c.get(format!("{prefix}{}", r.id)).await.unwrap();
    let stored: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(stored["id"], r.id.as_str());
    assert_eq!(stored["user_id"], user.as_str());
    let pttl: i64 = c.pttl(format!("{prefix}{}", r.id)).await.unwrap();
    assert!(
        (290_000..=300_000).contains(&pttl),
        "TTL = the session's: {pttl}"
    );
    // The index: a list of the user's session ids.
    let index = format!("{prefix}by-user:{user}");
    assert_eq!(store.user_key(&user), index);
    let members: Vec<String> = c.lrange(&index, 0, -1).await.unwrap();
    assert_eq!(members, vec![r.id.clone()]);
    // The index outlives its sessions: twice the session's TTL.
    let set_ttl: i64 = c.pttl(&index).await.unwrap();
    assert!((590_000..=600_000).contains(&set_ttl), "{set_ttl}");

    // A longer-lived session of the same user extends the index; a shorter one does not
    // shorten it.
    let long = record(Duration::from_secs(900), None, Some(&user));
    store.create(&long).await.unwrap();
    let short = record(Duration::from_secs(10), None, Some(&user));
    store.create(&short).await.unwrap();
    let set_ttl: i64 = c.pttl(&index).await.unwrap();
    assert!(set_ttl > 1_790_000, "{set_ttl}");

    // The user logs out of one session by removing the user key: it is no longer theirs,
    // and reading the index drops it.
    let mut anon = long.clone();
    anon.user_id = None;
    anon.data.map_mut().unwrap().remove("userId");
    assert!(store.save(&anon).await.unwrap());
    let listed = store.sessions_of(&user).await.unwrap();
    assert!(!listed.contains(&long.id), "{listed:?}");
    let members: Vec<String> = c.lrange(&index, 0, -1).await.unwrap();
    assert!(!members.contains(&long.id), "{members:?}");

    // load reports the expiry Redis holds (after a touch).
    assert!(store.touch(&r.id, Duration::from_secs(1000)).await.unwrap());
    let loaded = store.load(&r.id).await.unwrap().unwrap();
    assert!(loaded.expires_at >= now_ms() + 990_000, "{loaded:?}");

    assert_eq!(store.delete_all_of(&user).await.unwrap(), 2);
    let left: Vec<String> = c.keys(format!("{prefix}*")).await.unwrap();
    assert_eq!(
        left,
        vec![format!("{prefix}{}", long.id)],
        "only the anonymous one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_deleted_elsewhere_is_recreated_with_a_ttl() {
    // The store remembers how long it made each user's index live, and then skips extending
    // it; an index deleted meanwhile (by another process's "log out everywhere", or evicted)
    // must still come back with a TTL that covers the new session, never as a key that lives
    // forever.
    let redis = hearth_e2e::redis();
    let (store, prefix) = store(redis.url(), "recreated-index");
    let mut c = raw(redis.url()).await;
    let user = format!("u-{}", new_id());
    let index = format!("{prefix}by-user:{user}");
    let first = record(Duration::from_secs(300), None, Some(&user));
    store.create(&first).await.unwrap();
    let _: i64 = c.del(&index).await.unwrap();

    let second = record(Duration::from_secs(300), None, Some(&user));
    store.create(&second).await.unwrap();
    let members: Vec<String> = c.lrange(&index, 0, -1).await.unwrap();
    assert_eq!(members, vec![second.id.clone()]);
    let set_ttl: i64 = c.pttl(&index).await.unwrap();
    assert!(
        set_ttl >= 300_000,
        "the index must outlive the session: {set_ttl}"
    );
    assert_eq!(
        store.sessions_of(&user).await.unwrap(),
        vec![second.id.clone()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_never_extend_a_session_past_its_deadline() {
    let redis = hearth_e2e::redis();
    let (store, prefix) = store(redis.url(), "deadline");
    let mut c = raw(redis.url()).await;
    let r = record(Duration::from_secs(60), Some(Duration::from_secs(30)), None);
    store.create(&r).await.unwrap();
    let key = format!("{prefix}{}", r.id);
    let pttl: i64 = c.pttl(&key).await.unwrap();
    assert!(pttl <= 30_000, "created with the deadline's TTL: {pttl}");

    let got = store
        .load_and_touch(&r.id, Duration::from_secs(3600))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.expires_at,
        r.deadline.unwrap(),
        "capped at the deadline"
    );
    let pttl: i64 = c.pttl(&key).await.unwrap();
    assert!(
        (1..=30_000).contains(&pttl),
        "the Redis TTL is capped too: {pttl}"
    );

    assert!(store.touch(&r.id, Duration::from_secs(3600)).await.unwrap());
    let pttl: i64 = c.pttl(&key).await.unwrap();
    assert!((1..=30_000).contains(&pttl), "{pttl}");

    // Without a deadline the TTL follows the touch.
    let free = record(Duration::from_secs(60), None, None);
    store.create(&free).await.unwrap();
    store
        .load_and_touch(&free.id, Duration::from_secs(3600))
        .await
        .unwrap()
        .unwrap();
    let pttl: i64 = c.pttl(format!("{prefix}{}", free.id)).await.unwrap();
    assert!(pttl > 3_590_000, "{pttl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ttl_option_caps_every_record() {
    let redis = hearth_e2e::redis();
    let prefix = hearth_e2e::unique_prefix("ttl-cap");
    let store = RedisSessionStore::new(RedisOptions {
        url: Some(redis.url().to_owned()),
        key_prefix: prefix.clone(),
        ttl: Some(Duration::from_secs(60)),
        ..Default::default()
    })
    .unwrap();
    let mut c = raw(redis.url()).await;
    let r = record(Duration::from_secs(86_400), None, None);
    store.create(&r).await.unwrap();
    let pttl: i64 = c.pttl(format!("{prefix}{}", r.id)).await.unwrap();
    assert!((1..=60_000).contains(&pttl), "{pttl}");
    store
        .touch(&r.id, Duration::from_secs(86_400))
        .await
        .unwrap();
    let pttl: i64 = c.pttl(format!("{prefix}{}", r.id)).await.unwrap();
    assert!((1..=60_000).contains(&pttl), "{pttl}");
}

#[test]
fn bad_options_are_clear_errors() {
    let e = RedisSessionStore::new(RedisOptions {
        url: Some("http://not-redis".into()),
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("invalid Redis address http://not-redis"), "{e}");
    let e = RedisSessionStore::new(RedisOptions {
        command_timeout: Duration::ZERO,
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("command_timeout"), "{e}");
    // Passwords never show up in errors or Debug output.
    let o = RedisOptions {
        url: Some("redis://:hunter2@127.0.0.1:1/0".into()),
        ..Default::default()
    };
    assert!(!format!("{o:?}").contains("hunter2"));
    assert!(!format!("{:?}", StoreConfig::redis(o)).contains("hunter2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_that_outlast_the_user_index_extend_it() {
    let redis = hearth_e2e::redis();
    let (store, prefix) = store(redis.url(), "index-horizon");
    let mut c = raw(redis.url()).await;
    let user = format!("u-{}", new_id());
    let r = record(Duration::from_secs(5), None, Some(&user));
    store.create(&r).await.unwrap();
    let index = format!("{prefix}by-user:{user}");
    let set_ttl: i64 = c.pttl(&index).await.unwrap();
    assert!((1..=10_000).contains(&set_ttl), "{set_ttl}");

    // A rolling read extends the session to 60 s, past the index's 10 s: the index follows,
    // so "log out everywhere" still finds the session.
    let got = store
        .load_and_touch(&r.id, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert!(got.expires_at >= now_ms() + 59_000);
    let set_ttl: i64 = c.pttl(&index).await.unwrap();
    assert!(
        set_ttl >= 60_000,
        "the index must outlive the session: {set_ttl}"
    );
    // The extension appended the id again (the index may have been lost meanwhile); later
    // reads within the new horizon leave the index alone rather than append on every read.
    let len: i64 = c.llen(&index).await.unwrap();
    assert_eq!(len, 2);
    for _ in 0..3 {
        store
            .load_and_touch(&r.id, Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
    }
    let len: i64 = c.llen(&index).await.unwrap();
    assert_eq!(len, 2, "reads within the horizon must not grow the index");
    // Listing names the session once and drops the repeat from the index.
    assert_eq!(store.sessions_of(&user).await.unwrap(), vec![r.id.clone()]);
    let members: Vec<String> = c.lrange(&index, 0, -1).await.unwrap();
    assert_eq!(members, vec![r.id.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_carry_the_index_hint_and_reindex_a_new_owner() {
    let redis = hearth_e2e::redis();
    let (store, prefix) = store(redis.url(), "index-hint");
    let mut c = raw(redis.url()).await;
    let (a, b) = (format!("a-{}", new_id()), format!("b-{}", new_id()));
    let r = record(Duration::from_secs(60), None, Some(&a));
    store.create(&r).await.unwrap();

    // A read reports what the index holds; a save by the same owner keeps it valid.
    let mut loaded = store
        .load_and_touch(&r.id, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let hint = loaded
        .index
        .clone()
        .expect("the Redis store reports its index");
    assert_eq!(hint.user_id, a);
    assert!(hint.until >= now_ms() + 110_000, "{hint:?}");
    loaded
        .data
        .map_mut()
        .unwrap()
        .insert("x".into(), serde_json::json!(1));
    assert!(store.save(&loaded).await.unwrap());
    assert_eq!(store.sessions_of(&a).await.unwrap(), vec![r.id.clone()]);
    let set_ttl: i64 = c.pttl(format!("{prefix}by-user:{a}")).await.unwrap();
    assert!(
        set_ttl >= 60_000,
        "the index still outlives the session: {set_ttl}"
    );

    // A new owner is indexed at once, and the old owner no longer lists the session.
    let mut moved = loaded.clone();
    moved.user_id = Some(b.clone());
    moved
        .data
        .map_mut()
        .unwrap()
        .insert("userId".into(), serde_json::json!(b));
    assert!(store.save(&moved).await.unwrap());
    assert_eq!(store.sessions_of(&b).await.unwrap(), vec![r.id.clone()]);
    assert!(store.sessions_of(&a).await.unwrap().is_empty());
    assert_eq!(store.delete_all_of(&b).await.unwrap(), 1);
    assert!(store.load(&r.id).await.unwrap().is_none());
}
