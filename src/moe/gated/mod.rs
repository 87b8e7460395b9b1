//! A gated mixture of experts for one-step prediction of switching Lorenz63.
//!
//! Data: x_{t+1} - x_t = y_t, sampled every `every` RK4 steps of h = 0.005 from K Lorenz63
//! systems that differ by a constant forcing along y, the active one a Markov chain.
//! Experts: y_t ≈ W_k^T psi(x_t), psi = (1, x_t / 20) (affine) or with the six quadratic
//! monomials / 400 (quadratic: contains every regime's Euler map). Gate:
//! g(u_t) = softmax(V^T u_t) on standardised u_t = (quadratic monomials of x_t, the mean over
//! the last w steps of the residuals y_s - W_0^T psi(x_s) of one pooled least-squares model
//! W_0 fitted to the training trajectory): what a router can know before seeing y_t.
//! Fitting: EM (Jordan and Jacobs 1994) from responsibilities that start in random blocks;
//! the M-step solves weighted least squares per expert and takes gradient steps for the gate.
//! Routing regulariser (strength lambda): the E-step couples consecutive assignments,
//! maximising sum_t r_t.(log g_t + log lik_t) + H(r_t) + lambda sum_t r_t.r_{t-1} by mean-field
//! sweeps, so that routes persist as regimes do. The routed expert of an observation is the
//! gate's argmax (no access to y_t).
mod data;
mod em;
mod routing;

pub use data::{Standardiser, SwitchingData, SwitchingSpec};
pub use em::{GatedMoe, MoeOptions, Start};
pub use routing::{routing_scores, RoutingScore};
// em and routing see the data part's crate-private items through the parent
use data::*;
