//! The benchmark's reference servers (`bench/peers`: bare hyper, axum + tower-sessions,
//! actix-web + actix-session) build and answer the same contract as Hearth's bench server,
//! so that `bench/run` cannot compare Hearth against a peer that rotted or drifted from it.
//!
//! The peers are their own Cargo workspace (heavy dependencies, never linked into Hearth):
//! the first test here builds them once with `cargo build --locked` into
//! `bench/peers/target/debug`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `bench/peers/target/debug`, after building every peer there.
fn peers() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("examples/ lives in the repository root");
        let manifest = root.join("bench/peers/Cargo.toml");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--locked", "--bins", "--manifest-path"])
            .arg(&manifest)
            // Always the peers' own target directory, whatever the outer build uses.
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .expect("run cargo");
        assert!(
            status.success(),
            "building the bench peers failed: `cargo build --locked --manifest-path {}` ({status})",
            manifest.display()
        );
        root.join("bench/peers/target/debug")
    })
}

fn peer(name: &str, env: &[(&str, &str)]) -> common::Example {
    common::start_binary(&peers().join(name), name, env)
}

#[tokio::test]
async fn bare_hyper_answers_plaintext_and_json() {
    let ex = peer("hyper_bare", &[]);
    common::walk_cheap(&ex.url).await;
}

#[tokio::test]
async fn axum_with_the_memory_store_answers_the_contract() {
    let ex = peer("axum_sessions", &[("STORE", "memory")]);
    common::walk_contract(&ex.url).await;
}

#[tokio::test]
async fn actix_with_the_cookie_store_answers_the_contract() {
    let ex = peer("actix_sessions", &[("STORE", "cookie")]);
    common::walk_contract(&ex.url).await;
}

/// Walks peer `name` with its Redis store, on the tests' Redis.
async fn walk_on_redis(name: &str) {
    let redis = hearth_e2e::redis();
    let ex = peer(name, &[("STORE", "redis"), ("REDIS_URL", redis.url())]);
    common::walk_contract(&ex.url).await;
}

#[tokio::test]
async fn axum_with_redis_answers_the_contract() {
    walk_on_redis("axum_sessions").await;
}

#[tokio::test]
async fn actix_with_redis_answers_the_contract() {
    walk_on_redis("actix_sessions").await;
}
