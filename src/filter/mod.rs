//! Filtering. The Kalman filter and RTS smoother for small fixed-size states; the
//! Gaussian-sum filter: exact posterior of a state with a mixture prior
//! under affine-Gaussian dynamics and linear-Gaussian observations.
mod gaussian_sum;
mod kalman;
mod phase;
mod state_space;
mod tracking;

pub use gaussian_sum::{gaussian_sum_filter, stacked_posterior, GaussianSumPlan};
pub use kalman::{Kalman, KalmanRun};
pub use phase::{window_predictions, PhaseEkf, PhaseTracker};
pub use state_space::StateSpaceModel;
pub use tracking::{simulate_tracking, tracking_model};

/// What the filters reject: a covariance that is not positive definite where the recursion
/// needs one, inputs of the wrong dimension, or an invalid mixture or matrix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    #[error("Kalman filter: the innovation covariance at step {step} is not positive definite")]
    NotPositiveDefinite { step: usize },
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    #[error("{0} is not positive definite")]
    NotSpd(&'static str),
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
}

impl crate::error::SubjectError for FilterError {}
