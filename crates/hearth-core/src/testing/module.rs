//! [`TestingModule`]: an application with some providers and guards replaced, built for
//! in-process tests.

use std::any::TypeId;
use std::sync::Arc;

use super::TestClient;
use crate::app::Application;
use crate::di::{Provider, ProviderKey, Token};
use crate::lifecycle::{Enhancer, Guard};
use crate::module::{Import, IntoImport, Module};

/// An application under test, with providers and guards replaced: NestJS's
/// `Test.createTestingModule({ imports: [AppModule] }).overrideProvider(..)`.
///
/// ```
/// # use hearth::prelude::*;
/// # use hearth::testing::TestingModule;
/// # #[module()] struct AppModule;
/// # #[derive(Default)] struct UserRepository;
/// # struct AuthGuard;
/// # impl Guard for AuthGuard {
/// #     async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> Result<bool, HttpException> { Ok(false) }
/// # }
/// # struct AllowAll;
/// # impl Guard for AllowAll {
/// #     async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> Result<bool, HttpException> { Ok(true) }
/// # }
/// # async fn test() -> hearth::Result<()> {
/// let client = TestingModule::for_module::<AppModule>()
///     .override_provider::<UserRepository>(UserRepository::default())
///     .override_guard::<AuthGuard>(AllowAll)
///     .build()
///     .await?;
/// # let _ = client; Ok(()) }
/// ```
///
/// Overrides keep the module structure: a replaced provider stays in the module that
/// registered it, visible exactly where the original was, and everything that depended on
/// the original (directly or through other providers) gets the replacement. An override of
/// something the application does not have is a start-up error, so a renamed type cannot
/// silently leave a test talking to the real thing.
#[must_use = "call .build().await"]
pub struct TestingModule {
    root: Import,
    providers: Vec<Provider>,
    guards: Vec<(TypeId, &'static str, crate::lifecycle::GuardDef)>,
}

impl std::fmt::Debug for TestingModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestingModule")
            .field("root", &self.root)
            .field("providers", &self.providers)
            .field(
                "guards",
                &self.guards.iter().map(|g| g.1).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl TestingModule {
    /// The application rooted at module `M`.
    pub fn for_module<M: Module>() -> Self {
        Self::from_module(Import::of::<M>())
    }

    /// The application rooted at a dynamic module (a [`ModuleDef`](crate::module::ModuleDef)).
    pub fn from_module(root: impl IntoImport) -> Self {
        TestingModule {
            root: root.into_import(),
            providers: Vec::new(),
            guards: Vec::new(),
        }
    }

    /// Replaces the provider of type `T`, wherever it is registered, with `value` (a `T` or
    /// an `Arc<T>` the test keeps to inspect later).
    pub fn override_provider<T: Send + Sync + 'static>(self, value: impl Into<Arc<T>>) -> Self {
        self.override_with(Provider::shared(value.into()))
    }

    /// Replaces the provider registered under `token`, wherever it is registered.
    pub fn override_token<T: Send + Sync + 'static>(
        self,
        token: &Token<T>,
        value: impl Into<Arc<T>>,
    ) -> Self {
        self.override_with(Provider::shared_for(token, value.into()))
    }

    /// Replaces the provider registered under `provider`'s key with `provider` (a factory
    /// with its own dependencies, say: NestJS's `useFactory`). The replacement keeps the
    /// original's module, so its dependencies resolve from there.
    pub fn override_with(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Replaces the guard of type `G` wherever it is listed (a module's global guards,
    /// `#[use_guards]` on controllers and routes) with `guard`.
    pub fn override_guard<G: Guard>(mut self, guard: impl Guard) -> Self {
        self.guards.push((
            TypeId::of::<G>(),
            crate::di::short_name(std::any::type_name::<G>()),
            Enhancer::guard_value(guard),
        ));
        self
    }

    /// The application with its overrides, its module graph checked, nothing built yet: for
    /// a test that configures it further (`use_global_filter`, `configure`) before building.
    pub fn compile(self) -> crate::Result<Application> {
        let mut app = Application::with_overrides(self.root, self.providers)?;
        for (tid, name, guard) in self.guards {
            app.guard_overrides.guards.insert(tid, (name, guard));
        }
        Ok(app)
    }

    /// Builds the application (every provider, `on_module_init` hooks, the routes) and
    /// returns a client that sends requests straight to it.
    pub async fn build(self) -> crate::Result<TestClient> {
        TestClient::new(self.compile()?).await
    }
}

/// A test override that replaces nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OverrideError {
    /// `override_provider` / `override_token` of a key no module registers.
    #[error(
        "cannot override {key}: no module of the application provides it; override a type or \
         token the application registers (`T` and `Arc<dyn Trait>` are different keys)"
    )]
    NotProvided {
        /// The key.
        key: ProviderKey,
    },
    /// `override_guard` of a guard nothing lists.
    #[error(
        "cannot override the guard {guard}: no module, controller or route of the application \
         lists it (`#[use_guards({guard})]`, `ModuleDef::guard::<{guard}>()`)"
    )]
    GuardNotListed {
        /// The guard's type.
        guard: String,
    },
}
