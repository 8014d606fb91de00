//! The request lifecycle, end to end through the in-process `TestClient`: routing →
//! middleware → request layers → guards (global → controller → route) → interceptors →
//! extractors → handler → interceptors (after) → exception filters (route → controller →
//! global) → layers close. Every stage here is a real component (a middleware, a layer,
//! injectable guards, interceptors and filters declared with the attributes), and each test
//! records what ran.

mod battery;
mod inject;
mod injectable;
mod layers;
mod order;
mod precedence;
mod rewriting;
mod short_circuit;
mod support;
