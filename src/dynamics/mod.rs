//! Small dynamical systems for data assimilation and switching experiments:
//! Lorenz63, the Langford system with a drifting rotation frequency, switching
//! Lorenz63; integrators (fixed-step RK4, adaptive Dop853 from ode_solvers with dense
//! output, Euler-Maruyama for noise); closed-form Jacobians; Lyapunov spectra by QR.
mod batch;
mod integrate;
mod lorenz96;
mod lyapunov;
mod systems;

pub use batch::{
    batch_step, euler_maruyama_batch, integrate_batch, AffineField, BatchField, Scheme,
};
pub use integrate::{
    integrate, integrate_counted, rk4, rk4_step, rk4_weighted, sample_rk4, simulate_switching,
    Trajectory, RK4_WEIGHTS,
};
pub use phase::{langford_observations, PhaseProblem, PhaseScores};
mod phase;
pub use lorenz96::Lorenz96;
pub use lyapunov::{lyapunov_spectrum, LyapunovRun};
pub use systems::{finite_difference_jacobian, Flow, Langford, Lorenz63, SystemSpec};

use thiserror::Error;

/// A 3-vector state.
pub type V3 = nalgebra::Vector3<f64>;
/// A 3 x 3 matrix.
pub type M3 = nalgebra::Matrix3<f64>;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum DynamicsError {
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error("the trajectory diverged at t = {time:.4} (|x| = {norm:.3e})")]
    Diverged { time: f64, norm: f64 },
    #[error("integration failed: {0}")]
    Integration(String),
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
}

impl crate::error::SubjectError for DynamicsError {}

pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> DynamicsError {
    DynamicsError::Invalid {
        what,
        reason: reason.into(),
    }
}
