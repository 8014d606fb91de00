//! Sessions over real HTTP: one test per promise of the session module (issue 4).

mod support;

mod cookies;
mod lifecycle;
mod races;
mod service;
