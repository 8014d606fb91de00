//! The error type of start-up and serving, and the typed problems a start-up error lists.

use crate::di::DiError;
use crate::module::ModuleError;
use crate::testing::OverrideError;

/// What can go wrong building or running an application. Request-time problems are
/// [`HttpException`](crate::HttpException)s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The application cannot start: every problem found at once, each naming its fix.
    #[error("the application cannot start:{}", render(.0))]
    Startup(Vec<StartupError>),
    /// A dependency injection error outside start-up (a [`Resolver`](crate::di::Resolver)
    /// asked for something it cannot give).
    #[error(transparent)]
    Di(Box<DiError>),
    /// An I/O error (binding the port, accepting connections).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
}

fn render(problems: &[StartupError]) -> String {
    problems.iter().map(|p| format!("\n  - {p}")).collect()
}

impl Error {
    /// A start-up error listing `problems`.
    pub fn startup<P: Into<StartupError>>(problems: impl IntoIterator<Item = P>) -> Self {
        Error::Startup(problems.into_iter().map(Into::into).collect())
    }

    /// The start-up problems, in the order they were found (empty for other errors).
    pub fn problems(&self) -> &[StartupError] {
        match self {
            Error::Startup(p) => p,
            _ => &[],
        }
    }
}

/// The start-up problems of a provider that could not be built: its error, or, when its
/// factory or `on_init` hook failed with a start-up [`Error`] (a battery checking the options
/// an async factory built), that error's own problems, each on its line.
pub(crate) fn problems_of(e: DiError) -> Vec<StartupError> {
    let unwrap = |source: crate::BoxError| match source.downcast::<Error>() {
        Ok(e) => match *e {
            Error::Startup(problems) => Ok(problems),
            other => Err(Box::new(other) as crate::BoxError),
        },
        Err(source) => Err(source),
    };
    match e {
        DiError::Construct { provider, source } => unwrap(source)
            .unwrap_or_else(|source| vec![DiError::Construct { provider, source }.into()]),
        DiError::Init { provider, source } => {
            unwrap(source).unwrap_or_else(|source| vec![DiError::Init { provider, source }.into()])
        }
        other => vec![other.into()],
    }
}

impl From<DiError> for Error {
    fn from(e: DiError) -> Self {
        Error::Di(Box::new(e))
    }
}

impl From<StartupError> for Error {
    fn from(problem: StartupError) -> Self {
        Error::Startup(vec![problem])
    }
}

/// One reason the application cannot start. Each renders as one line naming the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartupError {
    /// The provider graph: a missing provider, a cycle, a scope mismatch, a factory or an
    /// `on_module_init` hook that failed…
    #[error(transparent)]
    Di(#[from] DiError),
    /// The module graph: an import cycle, a bad export, a key provided twice, a module's
    /// configuration error.
    #[error(transparent)]
    Module(#[from] ModuleError),
    /// The route table: an invalid path, two routes that conflict.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// The server configuration.
    #[error(transparent)]
    Server(#[from] ServerConfigError),
    /// A controller, guard, interceptor, filter or request layer that could not be built.
    #[error("{name} could not be built: {source}")]
    Build {
        /// What was being built.
        name: String,
        /// Why it failed.
        source: DiError,
    },
    /// A test override that replaces nothing
    /// ([`TestingModule`](crate::testing::TestingModule)).
    #[error(transparent)]
    Override(#[from] OverrideError),
}

/// A problem with the route table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// A path that is not a valid route path.
    #[error("{route}: {reason}")]
    InvalidPath {
        /// The route (`UserController::show`).
        route: String,
        /// What is wrong with its path.
        reason: String,
    },
    /// A path the router refuses next to another (two parameters of different names at one
    /// place, say).
    #[error("{route} ({method} {path}): {source}")]
    Conflict {
        /// The route.
        route: String,
        /// Its method.
        method: http::Method,
        /// Its path as declared.
        path: String,
        /// The router's reason.
        source: matchit::InsertError,
    },
    /// One method and path declared by two routes.
    #[error("{method} {path} is declared twice: by {first} and by {second}; remove one")]
    Duplicate {
        /// The method.
        method: http::Method,
        /// The path as declared.
        path: String,
        /// The route declared first.
        first: String,
        /// The route declared second.
        second: String,
    },
}

/// A problem with the [`ServerConfig`](crate::ServerConfig) or with how the server is
/// started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerConfigError {
    /// `max_header_bytes` below what real clients send.
    #[error("ServerConfig::max_header_bytes is {0}, below the minimum of 8192; raise it")]
    HeaderLimitTooSmall(usize),
    /// A zero body limit.
    #[error("ServerConfig::body_limit is 0; no request body could be read")]
    ZeroBodyLimit,
    /// A timeout of zero.
    #[error("ServerConfig::{0} is zero; give it a duration")]
    ZeroTimeout(&'static str),
    /// An entry of `trusted_proxies` that is no address or network (the message names it).
    #[error("{0}")]
    TrustedProxy(String),
}

/// `Result<T, hearth::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
