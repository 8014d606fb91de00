//! The session module over HTTP with the Redis store.
//!
//! The memory store's HTTP tests (`crates/hearth/tests/session_http/`) run here unchanged,
//! against Redis: they take their store from `crate::backend`, which is the memory store
//! there and [`backend`] here. `outages` adds what only a shared, remote store can show, and `tls` the
//! store over TLS.

mod backend;

// The shared test bodies, written for hearth's MSRV (no let chains).
#[allow(dead_code, clippy::collapsible_if)]
#[path = "../../../crates/hearth/tests/session_http/support.rs"]
mod support;

#[path = "../../../crates/hearth/tests/session_http/cookies.rs"]
mod cookies;
#[path = "../../../crates/hearth/tests/session_http/lifecycle.rs"]
mod lifecycle;
#[path = "../../../crates/hearth/tests/session_http/races.rs"]
mod races;
#[path = "../../../crates/hearth/tests/session_http/service.rs"]
mod service;

mod outages;
mod tls;
