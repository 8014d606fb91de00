//! [`Resolver`]: providers as one module sees them, with the cache of one request's
//! request-scoped instances.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::container::{Inner, ModuleId, ProviderId};
use super::provider::Kind;
use super::{AnyArc, DiError, ProviderKey, Scope, Token, Unresolved};

/// The cache of request-scoped instances of one request.
#[derive(Clone, Default)]
pub(crate) struct RequestScope(Arc<Mutex<HashMap<ProviderId, AnyArc>>>);

/// Resolves providers as seen from one module (and, inside a request, that request's scope).
#[derive(Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
    module: ModuleId,
    request: Option<RequestScope>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("module", &self.inner.views[self.module].name)
            .finish()
    }
}

impl Resolver {
    pub(super) fn new(inner: Arc<Inner>, module: ModuleId, request: Option<RequestScope>) -> Self {
        Resolver {
            inner,
            module,
            request,
        }
    }

    /// The provider registered for type `T`.
    pub fn get<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, DiError> {
        self.get_key(ProviderKey::of::<T>())
    }

    /// The provider registered under `token`.
    pub fn get_token<T: Send + Sync + 'static>(&self, token: &Token<T>) -> Result<Arc<T>, DiError> {
        self.get_key(token.key())
    }

    /// The name of the module this resolver sees from.
    pub fn module_name(&self) -> &str {
        &self.inner.views[self.module].name
    }

    fn get_key<T: Send + Sync + 'static>(&self, key: ProviderKey) -> Result<Arc<T>, DiError> {
        let unresolved = |reason| DiError::Unresolved { key, reason };
        let view = &self.inner.views[self.module];
        let id = *view.visible.get(&key).ok_or_else(|| {
            unresolved(Unresolved::NotVisible {
                module: view.name.clone(),
            })
        })?;
        let any = self.instance(id, key)?;
        // A key's type id is its value's, so this only fails for a provider registered
        // `also_as` a key of another type (a debug assertion in `also_as`).
        any.downcast::<T>().map_err(|_| {
            unresolved(Unresolved::NotVisible {
                module: view.name.clone(),
            })
        })
    }

    fn instance(&self, id: ProviderId, key: ProviderKey) -> Result<AnyArc, DiError> {
        let entry = &self.inner.entries[id];
        match entry.provider.scope {
            Scope::Singleton => {
                self.inner.instances[id]
                    .get()
                    .cloned()
                    .ok_or(DiError::Unresolved {
                        key,
                        reason: Unresolved::NotBuilt,
                    })
            }
            Scope::Transient => self.build(id),
            Scope::Request => {
                let scope = self.request.as_ref().ok_or(DiError::Unresolved {
                    key,
                    reason: Unresolved::OutsideRequest,
                })?;
                if let Some(v) = scope.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
                    return Ok(v.clone());
                }
                // Built outside the lock: its own dependencies may be request-scoped too.
                let v = self.build(id)?;
                let mut cache = scope.0.lock().unwrap_or_else(|e| e.into_inner());
                Ok(cache.entry(id).or_insert(v).clone())
            }
        }
    }

    fn build(&self, id: ProviderId) -> Result<AnyArc, DiError> {
        let entry = &self.inner.entries[id];
        let owner = Resolver::new(self.inner.clone(), entry.module, self.request.clone());
        match &entry.provider.kind {
            Kind::Value(v) => Ok(v.clone()),
            Kind::Sync(f) => f(&owner),
            // Refused at start-up; kept as an error rather than a panic.
            Kind::Async(_) => Err(DiError::AsyncScope {
                provider: entry.provider.name.clone(),
            }),
        }
    }
}
