//! Errors of the DI container.

use crate::body::BoxError;

/// Why a provider could not be resolved or built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiError {
    /// A dependency that no visible provider satisfies.
    #[error("{chain}: not provided; {fix}")]
    Missing {
        /// `UserController → AuthService → SessionService (SESSION_SERVICE_TOKEN)`.
        chain: String,
        /// How to fix it.
        fix: String,
    },
    /// Providers that depend on each other in a circle.
    #[error("dependency cycle: {chain}; break it by removing one of these dependencies")]
    Cycle {
        /// `A → B → A`.
        chain: String,
    },
    /// A singleton that (transitively) depends on a request-scoped provider.
    #[error(
        "{chain}: {singleton} is a singleton but depends on the request-scoped {request}; \
         make {singleton} request-scoped, or take `Inject<{request}>` as a handler parameter instead"
    )]
    ScopeMismatch {
        /// The dependency chain.
        chain: String,
        /// The singleton.
        singleton: String,
        /// The request-scoped provider.
        request: String,
    },
    /// Modules that import each other in a circle.
    #[error("module import cycle: {chain}; a module cannot (indirectly) import itself")]
    ImportCycle {
        /// `AppModule → UsersModule → AppModule`.
        chain: String,
    },
    /// A module exports a key it neither provides nor imports.
    #[error(
        "{module} exports {key}, which it neither provides nor imports from a module that exports it; \
         add {key} to the providers of {module} or remove it from its exports"
    )]
    BadExport {
        /// The module.
        module: String,
        /// The key.
        key: String,
    },
    /// Two providers of one module registered under the same key.
    #[error(
        "{module} provides {key} twice; keep one of the two providers, or register one under \
         a token of its own (`Provider::value_for(&TOKEN, ..)`) and inject it by that token"
    )]
    DuplicateProvider {
        /// The module.
        module: String,
        /// The key.
        key: String,
    },
    /// An async factory declared with a scope other than singleton.
    #[error("{provider}: async factories must be singletons (they are awaited at start-up)")]
    AsyncScope {
        /// The provider.
        provider: String,
    },
    /// A provider whose construction failed.
    #[error("building {provider} failed: {source}")]
    Construct {
        /// The provider.
        provider: String,
        /// The cause.
        source: BoxError,
    },
    /// A key asked for at run time that the asking module cannot see.
    #[error("{key} is not visible from {context}")]
    Unresolved {
        /// The key.
        key: String,
        /// Where it was asked for.
        context: String,
    },
}

impl DiError {
    /// Wraps any error raised by a factory.
    pub fn construct(provider: impl Into<String>, source: impl Into<BoxError>) -> Self {
        DiError::Construct {
            provider: provider.into(),
            source: source.into(),
        }
    }
}
