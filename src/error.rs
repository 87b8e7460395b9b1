//! The crate-level error. Every user-facing failure maps to an exit code:
//! 2 for bad input (config, arguments, parameters), 1 for failed checks.
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// A parameter is missing, has the wrong type, or is out of range.
    #[error("{0}")]
    Param(#[from] crate::params::ParamError),
    /// An experiment config could not be read or is invalid.
    #[error("{0}")]
    Config(#[from] crate::experiment::ConfigError),
    /// An online-learning object was built with invalid inputs.
    #[error("{0}")]
    Online(#[from] crate::online::OnlineError),
    /// A matrix or mixture was built from invalid inputs.
    #[error("{0}")]
    Prob(#[from] crate::prob::ProbError),
    #[error("{0}")]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error("{0}")]
    Multiscale(#[from] crate::multiscale::MultiscaleError),
    #[error("{0}")]
    Dynamics(#[from] crate::dynamics::DynamicsError),
    /// Something the user asked for does not exist (family, id, experiment).
    #[error("{0}")]
    Unknown(String),
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
    /// Exit code for the CLI: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Param(_)
            | Error::Config(_)
            | Error::Online(_)
            | Error::Prob(_)
            | Error::Linalg(_)
            | Error::Multiscale(_)
            | Error::Dynamics(_)
            | Error::Unknown(_) => 2,
            Error::Io { .. } | Error::Plot { .. } => 1,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}
