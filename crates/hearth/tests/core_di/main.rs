//! Dependency injection: resolution by type and by token, every provider kind, the three
//! scopes observed over real HTTP, module encapsulation and global modules, and every
//! start-up error naming its chain and its fix. Lifecycle hooks run around serving.

#[path = "../common/core_util.rs"]
mod util;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hearth::app::RunningServer;
use hearth::di::{Dependency, Lifecycle};
use hearth::extract::FromRequestParts;
use hearth::prelude::*;
use hearth::routing::{Controller, ControllerMeta, RouteDef};
use http::Method;
use util::*;

/// A class provider whose fields are `Arc`s resolved by type.
macro_rules! service {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        struct $name { $( #[allow(dead_code)] $field: Arc<$ty>, )* }
        impl Injectable for $name {
            fn dependencies() -> Vec<Dependency> {
                vec![$(Dependency::of::<$ty>(stringify!($field))),*]
            }
            fn construct(_r: &Resolver) -> Result<Self, DiError> {
                Ok($name { $($field: _r.get::<$ty>()?,)* })
            }
        }
    };
}

/// A controller with no routes whose fields are resolved by type.
macro_rules! controller {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        service!($name { $($field: $ty),* });
        impl ControllerMeta for $name {
            fn prefix() -> &'static str { "/" }
        }
        impl Controller for $name {
            fn routes() -> Vec<RouteDef<Self>> { vec![] }
        }
    };
}

/// A module built from a function.
macro_rules! module {
    ($name:ident => $body:expr) => {
        struct $name;
        impl Module for $name {
            fn definition() -> ModuleDef {
                $body
            }
        }
    };
}

pub(crate) static NEXT_ID: AtomicU64 = AtomicU64::new(1);
pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::SeqCst)
}

/// The body of `GET path` on `server`, as text.
pub(crate) async fn get_text(server: &RunningServer, path: &str) -> String {
    let res = reqwest::get(format!("{}{path}", server.url()))
        .await
        .unwrap();
    res.text().await.unwrap()
}

/// The body of `GET path` on `server`, as JSON.
pub(crate) async fn get_json(server: &RunningServer, path: &str) -> Value {
    let res = reqwest::get(format!("{}{path}", server.url()))
        .await
        .unwrap();
    res.json().await.unwrap()
}

pub(crate) async fn inject<T: Send + Sync + 'static>(parts: &mut http::request::Parts) -> Arc<T> {
    Inject::<T>::from_request_parts(parts).await.unwrap().0
}

mod encapsulation;
mod errors;
mod factories;
mod hooks;
mod wiring;
