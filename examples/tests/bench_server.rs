//! `examples/bench_server` answers every route of the benchmark contract, with the memory
//! store and with Redis.

mod common;

#[tokio::test]
async fn contract_routes_with_memory_store() {
    let ex = common::start("bench_server", &[("STORE", "memory")]).await;
    // The memory store keeps no per-thread state: work stealing (Scheduler::Auto).
    assert!(ex.banner.contains("work stealing"), "{}", ex.banner);
    common::walk_contract(&ex.url).await;
}

#[tokio::test]
async fn contract_routes_with_redis_store() {
    let redis = hearth_e2e::redis();
    let ex = common::start(
        "bench_server",
        &[("STORE", "redis"), ("REDIS_URL", redis.url())],
    )
    .await;
    // One Redis connection per worker thread: thread per core (Scheduler::Auto).
    assert!(ex.banner.contains("thread per core"), "{}", ex.banner);
    common::walk_contract(&ex.url).await;
}
