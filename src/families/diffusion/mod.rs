//! Family `diffusion`: diffusion samplers checked against exact output laws (theory/diffusion.md
//! states, sources or derives every entry).
//!
//! Each topic file holds the entries whose id is `diffusion.TOPIC[.name]`.
pub mod conjecture;
pub mod discretisation;
pub mod error_budget;
pub mod girsanov;
pub mod marginals;
pub mod measures;
pub mod reproducible;

use crate::bounds::{Control, Variant};
use crate::diffusion::budget::{
    scored_gaussian_budget, BudgetFault, IrBudget, LevelSampler, Scheme, Scores,
};
use crate::diffusion::{gaussian_output, ExactMixtureScore, Sampler, SamplerFault, SigmaGrid};
use crate::linalg::Spd;
use crate::multiscale::IrModel;
use crate::prob::{kl_gaussian, Gmm};
use crate::registry::Family;
use crate::Error;
use ndarray::{Array1, Array2};

const THEORY: &str = "theory/diffusion.md";

/// The sampler mutations the entries' controls apply (one definition each, shared by topics).
pub const HEUN_OLD_LEVEL: Control = Control::mutation(
    "heun_old_level",
    "Heun's corrector evaluates the score at the Euler point but at the old noise level sigma_i instead of sigma_{i+1} (a time-index slip)",
);

pub const NOISE_SCALED_BY_STEP: Control = Control::mutation(
    "noise_scaled_by_step",
    "Euler-Maruyama's noise scaled by sigma_i - sigma_{i+1} instead of sqrt(sigma_i^2 - sigma_{i+1}^2)",
);

pub const DRIFT_AT_NEW_LEVEL: Control = Control::mutation(
    "drift_at_new_level",
    "Euler-Maruyama's drift evaluated at the step's new level sigma_{i+1} instead of sigma_i (an off-by-one in the time index)",
);

pub const DPM_STALE_MEMORY: Control = Control::mutation(
    "dpm_stale_memory",
    "DPM-Solver++(2M)'s carried denoiser written at the first step and never updated",
);

/// Grid points whose sampler is Euler-Maruyama / Heun / DPM-Solver++(2M) (where a fault of
/// that sampler applies).
fn is_sde(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::EulerMaruyama)
}
fn is_heun(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::Heun)
}
fn is_dpm(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::DpmSolver2M)
}

/// The sampler fault a variant asks for (`None` for the statement and for bound controls).
fn sampler_fault(v: Variant) -> SamplerFault {
    if v.is(HEUN_OLD_LEVEL) {
        SamplerFault::HeunOldLevel
    } else if v.is(NOISE_SCALED_BY_STEP) {
        SamplerFault::NoiseScaledByStep
    } else if v.is(DRIFT_AT_NEW_LEVEL) {
        SamplerFault::DriftAtNewLevel
    } else if v.is(DPM_STALE_MEMORY) {
        SamplerFault::DpmStaleMemory
    } else {
        SamplerFault::None
    }
}

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

/// Condition numbers 1 and 100 (d = 4) against the numbers of Karras levels and score errors
/// delta given.
fn scaled_score_grid(levels: &[usize], deltas: &[f64]) -> Vec<crate::params::Params> {
    let mut out = Vec::new();
    for kappa in [1.0, 100.0] {
        for &n in levels {
            for &delta in deltas {
                out.push(
                    crate::params::Params::new()
                        .with("d", 4usize)
                        .with("kappa", kappa)
                        .with("levels", n)
                        .with("delta", delta),
                );
            }
        }
    }
    out
}

/// KL(target || output) of `sampler` (with `fault`) on the Karras grid with `levels` levels, for
/// the target `gaussian_target(d, kappa)` and the score (1 + delta) times its exact score,
/// started from N(0, sigma_max^2 I) (the usual start, not the noised target's law).
fn scaled_kl(
    sampler: Sampler,
    fault: SamplerFault,
    p: &crate::params::Params,
) -> Result<f64, Error> {
    let d = p.usize_at_least("d", 1)?;
    let target = gaussian_target(d, p.positive("kappa")?)?;
    let grid = SigmaGrid::karras(p.usize_at_least("levels", 2)?, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let exact = ExactMixtureScore { target: &target };
    let score = crate::diffusion::ScaledScore {
        inner: &exact,
        delta: p.f64("delta")?,
    };
    let v = gaussian_output(
        sampler,
        fault,
        &grid,
        &score,
        Array2::<f64>::eye(d) * (SIGMA_MAX * SIGMA_MAX),
    )?;
    let zero = Array1::<f64>::zeros(d);
    Ok(kl_gaussian(
        zero.view(),
        &Spd::new(
            target.cov_of(0).matrix().to_owned(),
            "the target covariance",
        )?,
        zero.view(),
        &Spd::new(v, "the output covariance")?,
    )?)
}

/// The family `diffusion`.
pub static FAMILY: Family = Family {
    name: "diffusion",
    summary: "diffusion samplers of the variance-exploding process checked against exact output laws: the discretisation order of Euler, Heun, Euler-Maruyama and DPM-Solver++(2M) from the exact KL of their Gaussian output, the Girsanov bound, and the error budget of one iterative-refinement step across resolution levels",
    theory: THEORY,
    topics: &[
        conjecture::ENTRIES,
        discretisation::ENTRIES,
        error_budget::ENTRIES,
        girsanov::ENTRIES,
        marginals::ENTRIES,
        reproducible::ENTRIES,
    ],
    measures: measures::MEASURES,
    pictures: &[],
};

/// IR against one-shot on one model, each scheme's blocks scored by `scores`, IR with
/// `ir_fault` injected (one-shot is never faulted).
pub(super) fn ir_and_one_shot(
    ir: &IrModel,
    r0: usize,
    per_level: &LevelSampler,
    one_run: &LevelSampler,
    scores: Scores,
    ir_fault: BudgetFault,
) -> Result<(IrBudget, IrBudget), Error> {
    let a = scored_gaussian_budget(
        ir,
        Scheme::Ir { from: Some(r0) },
        per_level,
        ir_fault,
        scores,
    )?;
    let b = scored_gaussian_budget(
        ir,
        Scheme::OneShot { from: r0 },
        one_run,
        BudgetFault::None,
        scores,
    )?;
    Ok((a, b))
}

/// Euler-Maruyama on Karras's grid with `levels` levels, the score times 1 + delta.
pub(super) fn em_sampler(levels: usize, delta: f64) -> Result<LevelSampler, Error> {
    Ok(LevelSampler {
        sampler: Sampler::EulerMaruyama,
        fault: SamplerFault::None,
        grid: SigmaGrid::karras(levels, SIGMA_MIN, SIGMA_MAX, RHO)?,
        delta,
        init_var: SIGMA_MAX * SIGMA_MAX,
    })
}
