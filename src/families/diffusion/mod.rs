//! Family `diffusion`: diffusion samplers checked against exact output laws (theory/diffusion.md
//! states, sources or derives every entry).
//!
//! Each topic file holds the entries whose id is `diffusion.TOPIC[.name]`.
pub mod discretisation;

use crate::diffusion::{gaussian_output, ExactMixtureScore, Sampler, SamplerFault, SigmaGrid};
use crate::linalg::Spd;
use crate::prob::{kl_gaussian, Gmm};
use crate::registry::Family;
use crate::Error;
use ndarray::{Array1, Array2};

const THEORY: &str = "theory/diffusion.md";

/// Karras et al.'s default noise range and grid shape (EDM): sigma from 80 down to 0.002, rho 7.
const SIGMA_MAX: f64 = 80.0;
const SIGMA_MIN: f64 = 0.002;
const RHO: f64 = 7.0;

/// The centred Gaussian target in d dimensions with covariance eigenvalues kappa^{-j/(d-1)},
/// j = 0..d-1 (largest 1, condition number kappa), along the coordinate axes.
fn gaussian_target(d: usize, kappa: f64) -> Result<Gmm, Error> {
    let lam = Array1::from_shape_fn(d, |j| kappa.powf(-(j as f64) / (d.max(2) - 1) as f64));
    Ok(Gmm::new(
        &[1.0],
        Array2::zeros((1, d)),
        vec![Array2::from_diag(&lam)],
    )?)
}

/// KL(output law || target) of `sampler` on the Karras grid with `n` levels (then 0), started
/// from the target's exact law at the largest level (no initialisation error): the exact
/// Gaussian recursion, no Monte Carlo.
fn exact_kl(sampler: Sampler, fault: SamplerFault, n: usize, target: &Gmm) -> Result<f64, Error> {
    let grid = SigmaGrid::karras(n, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let sigma = target.cov_of(0).matrix().to_owned();
    let d = target.dim();
    let v0 = &sigma + &(Array2::<f64>::eye(d) * (SIGMA_MAX * SIGMA_MAX));
    let score = ExactMixtureScore { target };
    let v = gaussian_output(sampler, fault, &grid, &score, v0)?;
    let zero = Array1::<f64>::zeros(d);
    Ok(kl_gaussian(
        zero.view(),
        &Spd::new(v, "the output covariance")?,
        zero.view(),
        &Spd::new(sigma, "the target covariance")?,
    )?)
}

/// The family `diffusion`.
pub static FAMILY: Family = Family {
    name: "diffusion",
    summary: "diffusion samplers of the variance-exploding process checked against exact output laws: the discretisation order of Euler, Heun and Euler-Maruyama from the exact KL of their Gaussian output",
    theory: THEORY,
    topics: &[discretisation::ENTRIES],
    measures: &[],
    pictures: &[],
};
