//! Gaussians and Gaussian mixtures: batched sampling, log-density and score through
//! BLAS, noising, affine push-forward, linear marginals and block conditionals, KL;
//! Gauss-Hermite quadrature for one-dimensional mixture expectations.
mod conditioner;
mod derivatives;
mod gmm;
mod kl;
pub mod logspace;
pub mod quad;
pub mod testing;
pub mod transport;

pub use conditioner::{ComponentWeights, Conditioner};
pub use gmm::Gmm;
pub use kl::{
    chi_square_gaussian, expected_conditional_kl_gaussian, kl_gaussian, kl_gmm_monte_carlo,
    log1p_chi_square_gaussian,
};
pub use logspace::{
    log_sum_exp, max_of, normalise_log_weights, softmax_in_place, RunningLogSumExp,
};

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProbError {
    #[error("mixture weights: {0}")]
    Weights(String),
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
}

/// ln(2 pi)
pub const LN_2PI: f64 = 1.8378770664093453;

impl crate::error::SubjectError for ProbError {}
