//! Online linear optimisation with predictable sequences (Rakhlin & Sridharan,
//! COLT 2013): domains with their mirror maps, optimistic mirror descent and
//! optimistic FTRL, hint processes M_t, and loss sequences x_t.
//!
//! Losses are linear, <f_t, x_t>; every sequence is kept inside the dual unit
//! ball of its domain (||x_t||_* <= 1), and so is every hint.
pub mod bounds;
mod domain;
mod hint;
mod omd;
mod problem;
mod sequence;
pub mod testing;

pub use domain::{Ball, ClippedSimplex, Domain, Simplex};
pub use hint::{Hint, HintSpec};
pub use hint::{HINT_NAMES, LEARNED_HINT_RATE};
pub use omd::{oftrl, omd, plain_mirror_descent, Fault, OftrlOutcome, Options, Outcome, StepSize};
pub use problem::{Problem, StepChoice};
pub use sequence::{Sequence, SequenceSpec, SEQUENCE_NAMES};

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum OnlineError {
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error("unknown {what} `{name}`; known: {known}")]
    Unknown {
        what: &'static str,
        name: String,
        known: &'static str,
    },
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
}

impl crate::error::SubjectError for OnlineError {}

pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> OnlineError {
    OnlineError::Invalid {
        what,
        reason: reason.into(),
    }
}
