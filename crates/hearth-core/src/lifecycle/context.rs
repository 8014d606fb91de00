//! The context a request carries through its lifecycle: the application's container and
//! limits, the matched route, and the states the request layers opened. Extractors read it
//! from the request's extensions; nothing here reaches back into the application.

use std::any::Any;
use std::net::SocketAddr;
use std::sync::Arc;

use super::route::RouteInfo;
use crate::app::Limits;
use crate::di::{Container, RequestScope};

/// A layer's per-request state, type-erased.
pub type AnyState = Arc<dyn Any + Send + Sync>;

/// What the application shares with every request that needs a context.
pub(crate) struct AppShared {
    pub(crate) container: Container,
    pub(crate) limits: Limits,
    /// Who may say who the client is (`ClientIp`).
    pub(crate) proxies: crate::extract::TrustedProxies,
}

/// What a request's context points to: the application's shared part, as seen from the
/// connection the request came on. The server makes one per connection (so the peer costs a
/// request nothing); requests handled in process share one without a peer.
pub(crate) struct AppCore {
    pub(crate) shared: Arc<AppShared>,
    /// The TCP peer (`None` in process).
    pub(crate) peer: Option<SocketAddr>,
}

impl std::ops::Deref for AppCore {
    type Target = AppShared;
    fn deref(&self) -> &AppShared {
        &self.shared
    }
}

/// The request's context (one extension for everything, so one allocation).
#[derive(Clone)]
pub(crate) struct Ctx {
    pub(crate) app: Arc<AppCore>,
    pub(crate) route: Arc<RouteInfo>,
    pub(crate) states: States,
}

/// The states opened by layers: the first inline (most routes have one layer), the rest in a
/// vector.
#[derive(Clone, Default)]
pub(crate) struct States {
    first: Option<AnyState>,
    more: Vec<AnyState>,
}

impl States {
    pub(crate) fn push(&mut self, state: AnyState) {
        if self.first.is_none() {
            self.first = Some(state);
        } else {
            self.more.push(state);
        }
    }

    fn find<S: Send + Sync + 'static>(&self) -> Option<Arc<S>> {
        // The innermost layer of a type wins: search from the last opened.
        let found = self
            .more
            .iter()
            .rev()
            .find(|s| (***s).is::<S>())
            .or_else(|| self.first.as_ref().filter(|s| (***s).is::<S>()))?;
        found.clone().downcast::<S>().ok()
    }
}

/// The state of type `S` a request layer opened for this request, if any: how a battery's
/// extractor reaches what its layer prepared (the session battery's `Session` reads its
/// not-yet-loaded session this way).
pub fn request_state<S: Send + Sync + 'static>(extensions: &http::Extensions) -> Option<Arc<S>> {
    extensions.get::<Ctx>().and_then(|c| c.states.find::<S>())
}

/// Resolves `T` (by type) for the request whose head is `parts`, as the module of the
/// request's route sees it, sharing the request's scope with every other resolution in it
/// (what `Inject<T>` does).
pub(crate) fn resolve_for_request<T: Send + Sync + 'static>(
    parts: &mut http::request::Parts,
) -> Result<Arc<T>, crate::di::DiError> {
    let Some((container, module)) = parts
        .extensions
        .get::<Ctx>()
        .map(|c| (c.app.container.clone(), c.route.module))
    else {
        return Err(crate::di::DiError::Unresolved {
            key: crate::di::ProviderKey::of::<T>(),
            reason: crate::di::Unresolved::OutsideApplication,
        });
    };
    let scope = match parts.extensions.get::<RequestScope>() {
        Some(s) => s.clone(),
        None => {
            let s = RequestScope::default();
            parts.extensions.insert(s.clone());
            s
        }
    };
    container.resolver_in_request(module, scope).get::<T>()
}
