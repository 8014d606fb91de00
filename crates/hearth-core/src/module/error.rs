//! Errors of the module graph.

use crate::body::BoxError;
use crate::di::{Chain, ProviderKey};

/// A problem with how modules are put together.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModuleError {
    /// Modules that import each other in a circle.
    #[error("module import cycle: {chain}; a module cannot (indirectly) import itself")]
    ImportCycle {
        /// `AppModule → UsersModule → AppModule`.
        chain: Chain,
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
        key: ProviderKey,
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
        key: ProviderKey,
    },
    /// A configuration error a module recorded with
    /// [`ModuleDef::error`](super::ModuleDef::error) (an option out of its range).
    /// Its text is the module's own message, which names the fix.
    #[error("{source}")]
    Config {
        /// The module.
        module: String,
        /// The module's message.
        source: BoxError,
    },
}

impl ModuleError {
    /// A configuration error of `module` (its text names the fix), for a battery that checks
    /// its options outside a module definition as well.
    pub fn config(module: impl Into<String>, problem: impl Into<BoxError>) -> Self {
        ModuleError::Config {
            module: module.into(),
            source: problem.into(),
        }
    }
}
