//! Filtering. The Gaussian-sum filter: exact posterior of a state with a mixture prior
//! under affine-Gaussian dynamics and linear-Gaussian observations.
mod gaussian_sum;

pub use gaussian_sum::{gaussian_sum_filter, stacked_posterior, LinearGaussianModel};
