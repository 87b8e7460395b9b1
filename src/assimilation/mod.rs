//! Ensemble data assimilation and particle filters: one ensemble type (N members as the rows
//! of an N x d array, stepped together through the batched integrators), the ensemble Kalman
//! analyses (the stochastic EnKF with perturbed observations and the ETKF with a symmetric
//! square root, multiplicative inflation and random mean-preserving rotations), the bootstrap
//! particle filter's weights and its four resamplers, and the variance tau^2 of the
//! observation log-likelihood that governs the particle filter's collapse
//! (theory/assimilation.md).
mod analysis;
mod collapse;
mod cycle;
mod ensemble;
mod guidance;
mod guidance_features;
mod localisation;
mod particle;
mod residual;
mod score_filter;
mod taxonomy;

pub use analysis::{
    enkf_perturbed, etkf, kalman_analysis, kalman_gain, EnkfFault, EtkfFault, LinearObservation,
};
pub use collapse::{
    snyder_asymptote, CollapseCase, Proposal, ProposalFault, WeightDraw, PROPOSALS,
};
pub use cycle::{CycleFault, CycleRun, Method, System, Twin, ENSF_EPS_ALPHA};
pub use ensemble::{complement_basis, ensemble_with_moments, Ensemble, RotationFault};
pub use guidance::{
    AffineForecast, CycledError, GaussianAnalysis, Guided, Objectives, Windows, OBJECTIVE_NAMES,
};
pub use guidance_features::{
    cycle_features, train_features, FeatureCycle, FeatureGuided, FeatureRegression, FeatureSettings,
};
pub use localisation::{letkf, Localisation, Taper};
pub use particle::{
    bootstrap_filter_linear, effective_sample_size, log_likelihood_variance_closed,
    log_likelihoods, normalised_weights, resample, PfFault, PfSettings, Resampler, ResamplerFault,
    RESAMPLERS,
};
pub use residual::{fit as fit_linear_analysis, LinearAnalysis, ResidualFault, ResidualProblem};
pub use score_filter::{
    ensf_analysis, EnsfFault, EnsfPrior, Likelihood, OdeFault, PseudoTime, ScoreAnalysis,
    ScoreFault, Start,
};
pub use taxonomy::{Targets, Taxonomy, TaxonomyFault};

/// What the assimilation code rejects, each naming its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssimilationError {
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    /// A cycled filter's estimate stopped being finite: a property of the run (a lost
    /// filter), not of the input, which a benchmark check counts as a lost run.
    #[error("the {what} diverged at observation time {cycle} (its estimate is no longer finite)")]
    Diverged { what: &'static str, cycle: usize },
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error(transparent)]
    Dynamics(#[from] crate::dynamics::DynamicsError),
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
    #[error(transparent)]
    Filter(#[from] crate::filter::FilterError),
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Score(#[from] crate::score::ScoreError),
}

impl crate::error::SubjectError for AssimilationError {}

pub(crate) fn diverged(what: &'static str, cycle: usize) -> AssimilationError {
    AssimilationError::Diverged { what, cycle }
}

pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> AssimilationError {
    AssimilationError::Invalid {
        what,
        reason: reason.into(),
    }
}
