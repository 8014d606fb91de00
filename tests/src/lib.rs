//! Support for Hearth's end-to-end tests: a real Redis for every test that needs one.
//!
//! [`redis()`] gives a Redis URL: `REDIS_URL` when set, else a `redis-server` started from
//! `PATH` on a free port (stopped when the handle drops). When neither is possible the test
//! fails with a message saying how to install Redis — it never silently skips.

pub mod raw;
pub mod recording;
pub mod redis;

pub use redis::{
    RedisServer, redis, spawn_redis, spawn_redis_mtls, spawn_redis_tls, test_ca_pem,
    test_client_cert_pem, test_client_key_pem,
};

/// A key prefix unique to this test run and call, so tests sharing one Redis never collide.
pub fn unique_prefix(test: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "hearth-test:{test}:{}:{nanos}:{}:",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}
