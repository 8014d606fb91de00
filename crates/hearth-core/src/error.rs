//! The error type of start-up and serving.

/// What can go wrong building or running an application. Request-time problems are
/// [`HttpException`](crate::HttpException)s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The application is misconfigured: each line names one problem and its fix.
    #[error("the application cannot start:\n  - {}", .0.join("\n  - "))]
    Startup(Vec<String>),
    /// A dependency injection error.
    #[error(transparent)]
    Di(#[from] crate::di::DiError),
    /// An I/O error (binding the port, accepting connections).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// The start-up problems, one per line (empty for other errors).
    pub fn problems(&self) -> Vec<String> {
        match self {
            Error::Startup(p) => p.clone(),
            other => vec![other.to_string()],
        }
    }
}

/// `Result<T, hearth::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
