//! The built container: every provider with the module that owns it, what each module sees,
//! and the singletons, built in dependency order when the application is built.
//!
//! The container knows modules only as views (a name and the keys visible from it): how
//! imports and exports produce those views is the module graph's business (`crate::module`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::provider::{Kind, Provider};
use super::resolver::RequestScope;
use super::{AnyArc, DiError, ProviderKey, Resolver};

/// An index into the container's providers.
pub(crate) type ProviderId = usize;
/// An index into the container's module views.
pub(crate) type ModuleId = usize;

/// A provider with the module that registered it (whose view its dependencies resolve in).
pub(crate) struct Entry {
    pub(crate) provider: Provider,
    pub(crate) module: ModuleId,
}

/// What one module sees: its own providers, what its imports export, the global exports.
pub(crate) struct View {
    pub(crate) name: String,
    pub(crate) visible: HashMap<ProviderKey, ProviderId>,
}

pub(crate) struct Inner {
    pub(super) entries: Vec<Entry>,
    pub(super) views: Vec<View>,
    pub(super) instances: Vec<OnceLock<AnyArc>>,
    /// Singletons in dependency order.
    pub(super) order: Vec<ProviderId>,
}

/// The built container. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Container(pub(super) Arc<Inner>);

impl Container {
    /// A container over checked providers; `order` lists the singletons, dependencies first.
    pub(crate) fn new(entries: Vec<Entry>, views: Vec<View>, order: Vec<ProviderId>) -> Self {
        let instances = (0..entries.len()).map(|_| OnceLock::new()).collect();
        Container(Arc::new(Inner {
            entries,
            views,
            instances,
            order,
        }))
    }

    /// Resolves as module `module` sees it, inside the request whose cache is `scope`.
    pub(crate) fn resolver_in_request(&self, module: ModuleId, scope: RequestScope) -> Resolver {
        Resolver::new(self.0.clone(), module, Some(scope))
    }

    /// Resolves as module `module` sees it, outside any request.
    pub(crate) fn resolver(&self, module: ModuleId) -> Resolver {
        Resolver::new(self.0.clone(), module, None)
    }

    /// The built singleton registered under `key` by any module, visible or not (for tests
    /// that inspect a provider wherever it lives).
    pub(crate) fn find_singleton(&self, key: ProviderKey) -> Option<AnyArc> {
        let id = self
            .0
            .entries
            .iter()
            .position(|e| e.provider.keys.contains(&key))?;
        self.0.instances[id].get().cloned()
    }

    /// Builds every singleton in dependency order, then runs the `on_module_init` hooks in
    /// the same order. The first failure stops start-up: what depends on it cannot be built.
    pub(crate) async fn instantiate(&self) -> Result<(), DiError> {
        for &id in &self.0.order {
            let entry = &self.0.entries[id];
            let resolver = self.resolver(entry.module);
            let built = match &entry.provider.kind {
                Kind::Value(v) => Ok(v.clone()),
                Kind::Sync(f) => f(&resolver),
                Kind::Async(f) => f(resolver).await,
            };
            let value = built.map_err(|e| e.naming(&entry.provider.name))?;
            let _ = self.0.instances[id].set(value);
        }
        for &id in &self.0.order {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) = (&entry.provider.on_init, self.0.instances[id].get()) {
                hook(v.clone()).await.map_err(|source| DiError::Init {
                    provider: entry.provider.name.clone(),
                    source,
                })?;
            }
        }
        Ok(())
    }

    /// Runs `before_application_shutdown` hooks in reverse dependency order.
    pub(crate) async fn before_shutdown(&self) {
        for &id in self.0.order.iter().rev() {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) =
                (&entry.provider.before_shutdown, self.0.instances[id].get())
            {
                hook(v.clone()).await;
            }
        }
    }

    /// Runs `on_application_shutdown` hooks in reverse dependency order.
    pub(crate) async fn shutdown(&self) {
        for &id in self.0.order.iter().rev() {
            let entry = &self.0.entries[id];
            if let (Some(hook), Some(v)) = (&entry.provider.on_shutdown, self.0.instances[id].get())
            {
                hook(v.clone()).await;
            }
        }
    }
}

impl DiError {
    /// This error as the failure of building `provider`: an error that already names a
    /// provider stays as it is, any other is wrapped in [`DiError::Construct`].
    pub(crate) fn naming(self, provider: &str) -> DiError {
        match self {
            e @ (DiError::Construct { .. } | DiError::Init { .. }) => e,
            other => DiError::Construct {
                provider: provider.to_owned(),
                source: Box::new(other),
            },
        }
    }
}
