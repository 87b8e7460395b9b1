//! The resolution hierarchy: orthonormal Haar transforms of 1-D signals (length 2^L)
//! and 2-D fields (2^L x 2^L), block-average projections P^r, structured multi-scale
//! Gaussian mixtures, affine dynamics, and the iterative-refinement conditionals.
mod dynamics;
mod generator;
mod haar;
mod ir;
mod model;
mod separation;

pub use dynamics::AffineDynamics;
pub use generator::MultiscaleGmmSpec;
pub use haar::{Geometry, Hierarchy};
pub use ir::{DetailSpread, IrFault, IrModel};
pub use model::{hierarchy, model, observation_model, resolution_and_rank_tails, ModelSpec};
pub use separation::{component_through, mode_separation, projected_mahalanobis};

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum MultiscaleError {
    #[error("signal length {0} is not a power of two")]
    NotPowerOfTwo(usize),
    #[error("resolution level {level} out of range 0..={max}")]
    Level { level: usize, max: usize },
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error(transparent)]
    Filter(#[from] crate::filter::FilterError),
}

impl crate::error::SubjectError for MultiscaleError {}

/// The Gaussian multi-scale test model (1-D, d = 8, three Haar levels, heterogeneous level
/// variances) with one more parameter `key` = `value`, drawn from stream `seed`: the unit
/// tests of the diffusion budget and of sequences share it.
#[cfg(test)]
pub(crate) fn gaussian_test_model(key: &str, value: f64, seed: u64) -> IrModel {
    let p = crate::params::Params::new()
        .with("geom", "1d")
        .with("L", 3usize)
        .with("K", 1usize)
        .with("hetero", 1.0)
        .with(key, value);
    let mut rng = crate::mc::stream(seed, 0, 0);
    let (hier, g, dynm) = model(&p, &mut rng).expect("the test model's parameters are valid");
    IrModel::new(hier, &g, &dynm).expect("the test model is Gaussian and proper")
}
