//! The application error and its exit codes: 2 for bad input (a config, an argument, a
//! parameter, a name that does not exist), 3 for a run that could not finish through no
//! fault of the input (an internal error, a file that could not be written). 1 is left to
//! the CLI for "a check failed".
use thiserror::Error;

/// A subject module's error enum (`OnlineError`, `MoeError`, ...): what the mathematics
/// rejected in the model or parameters it was given. Implementing this marker is all a new
/// subject module does to reach the CLI; its errors exit 2 with their own message.
pub trait SubjectError: std::error::Error + Send + Sync + 'static {}

impl<E: SubjectError> From<E> for Error {
    fn from(e: E) -> Error {
        Error::Subject(Box::new(e))
    }
}

#[derive(Debug, Error)]
pub enum Error {
    /// A parameter is missing, has the wrong type, or is out of range.
    #[error("{0}")]
    Param(#[from] crate::params::ParamError),
    /// An experiment config could not be read or is invalid.
    #[error("{0}")]
    Config(#[from] crate::experiment::ConfigError),
    /// A subject module rejected the model or parameters it was given (see `SubjectError`).
    #[error("{0}")]
    Subject(Box<dyn std::error::Error + Send + Sync>),
    /// Something the user asked for does not exist (family, id, measure, control).
    #[error("{0}")]
    NotFound(String),
    /// A user-supplied value the subject code rejected for a reason no error type names.
    #[error("{0}")]
    Input(String),
    /// A bug: an invariant the code should keep did not hold (never the user's input).
    #[error("internal error: {0}")]
    Internal(String),
    /// Writing results or figures failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Drawing a figure failed.
    #[error("figure {path}: {message}")]
    Plot { path: String, message: String },
}

impl Error {
    /// Exit code for the CLI: 2 for bad input, 3 for internal and output failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Param(_)
            | Error::Config(_)
            | Error::Subject(_)
            | Error::NotFound(_)
            | Error::Input(_) => 2,
            Error::Internal(_) | Error::Io { .. } | Error::Plot { .. } => 3,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
