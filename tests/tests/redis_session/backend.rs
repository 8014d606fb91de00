//! The Redis backend of the shared session tests: every store gets its own key prefix on
//! one Redis (`REDIS_URL`, or a private `redis-server` that lives while any store uses it).

use std::sync::{Arc, Mutex, Weak};

use deadpool_redis::redis::{self, AsyncCommands};
use hearth::session::store::{RedisOptions, RedisSessionStore};
use hearth_e2e::RedisServer;

use crate::support::TestStore;

static SERVER: Mutex<Weak<RedisServer>> = Mutex::new(Weak::new());

fn server() -> Arc<RedisServer> {
    let mut current = SERVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = current.upgrade() {
        return s;
    }
    let s = Arc::new(hearth_e2e::redis());
    *current = Arc::downgrade(&s);
    s
}

pub fn store() -> TestStore {
    let server = server();
    let url = server.url().to_owned();
    let prefix = hearth_e2e::unique_prefix("session-http");
    let store = RedisSessionStore::new(RedisOptions {
        url: Some(url.clone()),
        key_prefix: prefix.clone(),
        // Generous bounds: these tests check behaviour, not latency, on a possibly busy CI.
        command_timeout: std::time::Duration::from_secs(5),
        connect_timeout: std::time::Duration::from_secs(5),
        ..Default::default()
    })
    .expect("valid Redis options");
    TestStore::new(
        Arc::new(store),
        Arc::new(move || {
            let (url, prefix) = (url.clone(), prefix.clone());
            Box::pin(async move { records(&url, &prefix).await })
        }),
        Some(server),
    )
}

/// How many session records (not user indexes) live under `prefix`.
async fn records(url: &str, prefix: &str) -> usize {
    let mut c = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .expect("connect to the test Redis");
    let keys: Vec<String> = c.keys(format!("{prefix}*")).await.unwrap();
    keys.iter()
        .filter(|k| !k[prefix.len()..].contains(':'))
        .count()
}
