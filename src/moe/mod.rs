//! Mixture-of-experts aggregation via epsilon-nets: nets of Euclidean balls and their
//! covering radius, empirical risk minimisation over finite classes and nets, mirror
//! averaging, and the gated mixture of experts.
mod cover;
mod erm;
mod ewa;
mod gated;
mod poly;
mod rules;

pub use cover::{
    covering_distances, covering_distances_direct, covering_distances_gemm, covering_radius,
    greedy_packing, lattice_net, min_pairwise_distance, uniform_ball,
};
pub use erm::{FiniteClass, RegressionTask};
pub use ewa::mirror_averaging;
pub use gated::{
    routing_scores, GatedMoe, MoeOptions, RoutingScore, Standardiser, SwitchingData, SwitchingSpec,
};
pub use poly::{ExpertNet, Loss, PolyExperts};
pub use rules::{check_prior, net_log_prior, EpsNetErm, MirrorAveraging, Srm, SrmOutcome};

/// What the mixture-of-experts code rejects: a parameter out of range, a matrix that is not
/// positive definite, a switching simulation that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoeError {
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error(transparent)]
    Dynamics(#[from] crate::dynamics::DynamicsError),
}

impl crate::error::SubjectError for MoeError {}
