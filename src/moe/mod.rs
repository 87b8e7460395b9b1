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
    greedy_packing, lattice_net, lattice_net_spaced, min_pairwise_distance, uniform_ball,
};
pub use erm::{CoinTask, FiniteClass, RegressionTask};
pub use ewa::mirror_averaging;
pub use gated::{
    routing_scores, GatedMoe, MoeOptions, RoutingScore, Standardiser, Start, SwitchingData,
    SwitchingSpec,
};
pub use poly::{ExpertNet, Loss, PolyExperts};
pub use rules::{check_prior, net_log_prior, EpsNetErm, MirrorAveraging, Srm, SrmOutcome};

/// A fault injected into a learning rule by the catalogue's mutation controls; normal use
/// passes `Fault::None`. Each is a slip a real implementation could make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// ERM (and the within-class ERM of penalised selection) returns the member of *largest*
    /// empirical risk: a min/max slip.
    ArgmaxSlip,
    /// Mirror averaging multiplies the weights by exp(+loss / beta): the update's sign slipped,
    /// so the mixture moves towards the worse experts.
    WeightsUphill,
}

/// The index the rule picks from empirical risks: the smallest (first on ties), or under
/// `Fault::ArgmaxSlip` the largest.
pub(crate) fn pick(emp: &[f64], fault: Fault) -> usize {
    let idx = 0..emp.len();
    if fault == Fault::ArgmaxSlip {
        idx.max_by(|&a, &b| emp[a].total_cmp(&emp[b])).unwrap_or(0)
    } else {
        idx.min_by(|&a, &b| emp[a].total_cmp(&emp[b])).unwrap_or(0)
    }
}

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
