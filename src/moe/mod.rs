//! Mixture-of-experts aggregation via epsilon-nets (first part): nets of Euclidean balls
//! and their covering radius, and empirical risk minimisation over a finite class.
mod cover;
mod erm;
mod poly;

pub use cover::{
    covering_distances, greedy_packing, lattice_net, min_pairwise_distance, uniform_ball,
};
pub use erm::{FiniteClass, RegressionTask};
pub use poly::PolyExperts;
