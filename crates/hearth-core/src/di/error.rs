//! Errors of the DI container: typed values that render as one line naming the chain and
//! the fix.

use std::fmt;

use super::ProviderKey;
use crate::body::BoxError;

/// Why a provider could not be resolved or built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiError {
    /// A dependency that no visible provider satisfies.
    #[error("{chain}: not provided; {}", .fix.describe(.key))]
    Missing {
        /// `UserController → AuthService → MailerService (MAILER_TOKEN)`.
        chain: Chain,
        /// The key nobody provides (as the asking module sees it).
        key: ProviderKey,
        /// How to fix it.
        fix: Box<MissingFix>,
    },
    /// Providers that depend on each other in a circle.
    #[error("dependency cycle: {chain}; break it by removing one of these dependencies")]
    Cycle {
        /// `A → B → A`.
        chain: Chain,
    },
    /// A singleton that (transitively) depends on a request-scoped provider.
    #[error(
        "{chain}: {singleton} is a singleton but depends on the request-scoped {request}; \
         make {singleton} request-scoped, or take `Inject<{request}>` as a handler parameter instead"
    )]
    ScopeMismatch {
        /// The dependency chain.
        chain: Chain,
        /// The singleton.
        singleton: String,
        /// The request-scoped provider.
        request: String,
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
    /// A provider's `on_module_init` hook (or [`Provider::on_init`](super::Provider::on_init))
    /// failed, which aborts start-up.
    #[error("{provider}: on_module_init failed: {source}")]
    Init {
        /// The provider.
        provider: String,
        /// The cause.
        source: BoxError,
    },
    /// A key asked for at run time that cannot be resolved there.
    #[error("{}", .reason.describe(.key))]
    Unresolved {
        /// The key.
        key: ProviderKey,
        /// Why.
        reason: Unresolved,
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

    /// `error` as the failure of building `provider`: a [`DiError`] is [named](DiError::naming), anything
    /// else becomes [`DiError::Construct`].
    pub(crate) fn building(provider: &str, error: BoxError) -> Self {
        match error.downcast::<DiError>() {
            Ok(e) => e.naming(provider),
            Err(source) => DiError::Construct {
                provider: provider.to_owned(),
                source,
            },
        }
    }
}

/// A chain of dependants, outermost first, rendered `A → B → C`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Chain(Vec<String>);

impl Chain {
    /// The names, outermost first.
    pub fn links(&self) -> &[String] {
        &self.0
    }
}

impl From<Vec<String>> for Chain {
    fn from(links: Vec<String>) -> Self {
        Chain(links)
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" → "))
    }
}

/// How to provide a key that a module needs but cannot see.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissingFix {
    /// `module` provides and exports it: import `module` in `into`.
    Import {
        /// The providing module.
        module: String,
        /// The module that needs the key.
        into: String,
    },
    /// `module` provides it and is imported, but does not export it.
    Export {
        /// The providing module.
        module: String,
    },
    /// `module` provides it, neither exports it nor is imported.
    ExportAndImport {
        /// The providing module.
        module: String,
        /// The module that needs the key.
        into: String,
    },
    /// Nobody provides it: add a provider to `into`.
    Provide {
        /// The module that needs the key.
        into: String,
    },
    /// Nobody provides it; the battery that does registered this fix (a [`ProviderHint`]).
    Hint(String),
}

impl MissingFix {
    /// The fix as a sentence about `key`.
    pub fn describe(&self, key: &ProviderKey) -> String {
        match self {
            MissingFix::Import { module, into } => {
                format!("{key} is provided by {module}; import {module} in {into}")
            }
            MissingFix::Export { module } => format!(
                "{key} is provided by {module} but not exported; add it to the exports of {module}"
            ),
            MissingFix::ExportAndImport { module, into } => format!(
                "{key} is provided by {module} but not exported; add it to the exports of \
                 {module} and import {module} in {into}"
            ),
            MissingFix::Provide { into } => match key.token() {
                Some(token) => format!(
                    "add a provider for {token} (`Provider::value_for(&{token}, ..)` or \
                     `Provider::factory_for(&{token}, ..)`) to the providers of {into}"
                ),
                None => format!("add {} to the providers of {into}", key.short_type_name()),
            },
            MissingFix::Hint(hint) => hint.clone(),
        }
    }
}

/// Why a key asked for at run time could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unresolved {
    /// The asking module cannot see the key.
    NotVisible {
        /// The asking module.
        module: String,
    },
    /// Asked for outside a request routed by a Hearth application.
    OutsideApplication,
    /// A singleton asked for before start-up built it.
    NotBuilt,
    /// A request-scoped provider asked for outside a request.
    OutsideRequest,
}

impl Unresolved {
    fn describe(&self, key: &ProviderKey) -> String {
        match self {
            Unresolved::NotVisible { module } => format!(
                "{key} is not visible from {module}; declare it as a dependency so that \
                 start-up checks it"
            ),
            Unresolved::OutsideApplication => format!(
                "{key} cannot be resolved here: the request was not routed by a Hearth application"
            ),
            Unresolved::NotBuilt => format!(
                "{key} is not built yet; declare it as a dependency so that it is built first \
                 (or resolve it after start-up)"
            ),
            Unresolved::OutsideRequest => format!(
                "{key} is request-scoped and exists only inside a request; take `Inject<{}>` \
                 as a handler parameter",
                key.short_type_name()
            ),
        }
    }
}

/// A fix shown when a key is provided nowhere, registered by the battery that provides it
/// (a `MailerModule` registers one for its `MailerService`). `{module}` is replaced by the name of
/// the module that needs the key.
///
/// ```
/// # pub struct MailerService;
/// fn mailer() -> hearth::di::ProviderKey {
///     hearth::di::ProviderKey::of::<MailerService>()
/// }
/// hearth::inventory::submit! {
///     hearth::di::ProviderHint::new(mailer, "import MailerModule::for_root(..) in {module}")
/// }
/// # fn main() {}
/// ```
pub struct ProviderHint {
    key: fn() -> ProviderKey,
    hint: &'static str,
}
inventory::collect!(ProviderHint);

impl ProviderHint {
    /// The fix `hint` for the key `key` returns; `{module}` in it names the module that needs
    /// the key.
    pub const fn new(key: fn() -> ProviderKey, hint: &'static str) -> Self {
        ProviderHint { key, hint }
    }

    /// The registered fix for `key`, as seen from `module`.
    pub(crate) fn find(key: ProviderKey, module: &str) -> Option<String> {
        inventory::iter::<ProviderHint>
            .into_iter()
            .find(|h| (h.key)() == key)
            .map(|h| h.hint.replace("{module}", module))
    }
}
