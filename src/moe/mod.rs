//! Mixture-of-experts aggregation via epsilon-nets: nets of Euclidean balls and their
//! covering radius, empirical risk minimisation over finite classes and nets, mirror
//! averaging, and the gated mixture of experts.
mod cover;
mod erm;
mod ewa;
mod gated;
mod poly;

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
