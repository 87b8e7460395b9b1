//! Filtering. The Kalman filter and RTS smoother for small fixed-size states; the
//! Gaussian-sum filter: exact posterior of a state with a mixture prior
//! under affine-Gaussian dynamics and linear-Gaussian observations.
mod gaussian_sum;
mod kalman;
mod phase;

pub use gaussian_sum::{gaussian_sum_filter, stacked_posterior, LinearGaussianModel};
pub use kalman::{Kalman, KalmanError, KalmanRun};
pub use phase::{window_predictions, PhaseEkf, PhaseTracker};
