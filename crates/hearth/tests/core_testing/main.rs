//! Testing support: the in-process `TestClient`, and `TestingModule`, which replaces
//! providers and guards of a real application for a test.

mod client;
mod overrides;
