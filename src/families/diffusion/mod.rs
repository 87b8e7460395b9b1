//! Family `diffusion`: diffusion samplers checked against exact output laws (theory/diffusion.md
//! states, sources or derives every entry).
//!
//! Each topic file holds the entries whose id is `diffusion.TOPIC[.name]`.
pub mod conjecture;
pub mod discretisation;
pub mod error_budget;
pub mod gap_mixtures;
pub mod girsanov;
pub mod marginals;
pub mod measures;
pub mod pictures;
pub mod reproducible;
pub mod sequence;
pub mod truncation;
pub mod vp;

use crate::bounds::{Control, Variant};
use crate::diffusion::budget::{
    scored_gaussian_budget, BudgetFault, IrBudget, LevelSampler, Scheme, Scores,
};
use crate::diffusion::{gaussian_output, ExactMixtureScore, Sampler, SamplerFault, SigmaGrid};
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::multiscale::{IrModel, ModelSpec};
use crate::params::Params;
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

pub const EI_ODE_DECAY: Control = Control::mutation(
    "ei_ode_decay",
    "the exponential integrator's decay of x - D written t/s (the probability-flow ODE's) instead of the SDE's exact (t/s)^2, its noise kept",
);

pub const DPM_STALE_MEMORY: Control = Control::mutation(
    "dpm_stale_memory",
    "DPM-Solver++(2M)'s carried denoiser written at the first step and never updated",
);

/// Grid points whose sampler is Euler-Maruyama / Heun / DPM-Solver++(2M) / the exponential
/// integrator (where a fault of that sampler applies).
fn is_sde(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::EulerMaruyama)
}
fn is_heun(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::Heun)
}
fn is_dpm(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::DpmSolver2M)
}
fn is_ei(p: &crate::params::Params) -> Result<bool, Error> {
    Ok(Sampler::from_name(p.str("sampler")?)? == Sampler::ExpIntegrator)
}

/// The sampler fault a variant asks for (`None` for the statement and for bound controls).
fn sampler_fault(v: Variant) -> SamplerFault {
    if v.is(HEUN_OLD_LEVEL) {
        SamplerFault::HeunOldLevel
    } else if v.is(NOISE_SCALED_BY_STEP) {
        SamplerFault::NoiseScaledByStep
    } else if v.is(DRIFT_AT_NEW_LEVEL) {
        SamplerFault::DriftAtNewLevel
    } else if v.is(EI_ODE_DECAY) {
        SamplerFault::EiOdeDecay
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

/// The schedules a parameter set can name (`schedule`), Karras's the default.
pub(super) const SCHEDULES: &[&str] = &["karras", "geometric", "vp", "cosine"];

/// The noise grid of a parameter set: `levels` levels from SIGMA_MAX down to SIGMA_MIN, then 0,
/// spaced by `schedule` (default "karras", with `rho`, default 7; or "geometric", Song et
/// al.'s VE grid, which reads no `rho`; or "vp", Song et al.'s linear VP schedule at evenly
/// spaced times from 1 to 1e-3 seen as VE levels sigma / alpha, its own range from about 152
/// down to 0.0105, `diffusion::vp`). An unknown schedule is a parameter error naming the
/// nearest one.
pub(super) fn grid_from_params(p: &Params) -> Result<SigmaGrid, Error> {
    let n = p.usize_at_least("levels", 2)?;
    Ok(match p.str_or("schedule", "karras")? {
        "karras" => SigmaGrid::karras(n, SIGMA_MIN, SIGMA_MAX, p.positive_or("rho", RHO)?)?,
        "geometric" => SigmaGrid::geometric(n, SIGMA_MIN, SIGMA_MAX)?,
        // the VP process's own range: sigma / alpha from about 152 down to 0.0105
        "vp" => crate::diffusion::vp::VpSchedule::song().ve_grid(n)?,
        // Nichol and Dhariwal's cosine chain with n steps: from about 1e3 (n = 64) to 0
        "cosine" => crate::diffusion::vp::DiscreteVp::cosine(n)?.ve_grid()?,
        other => return Err(crate::params::unknown_choice("schedule", other, SCHEDULES).into()),
    })
}

/// KL(output law || target) of `sampler` on `grid` (from SIGMA_MAX down, then 0), started
/// from the target's exact law at the largest level (no initialisation error): the exact
/// Gaussian recursion, no Monte Carlo.
fn exact_kl(
    sampler: Sampler,
    fault: SamplerFault,
    grid: &SigmaGrid,
    target: &Gmm,
) -> Result<f64, Error> {
    let sigma = target.cov_of(0).matrix().to_owned();
    let d = target.dim();
    // the grid's own largest level (until 2026-12-06 SIGMA_MAX, right only for the grids that
    // start there; the VP grid starts at about 152 and its ODE kept the wrong start's error)
    let top = grid.largest();
    let v0 = &sigma + &(Array2::<f64>::eye(d) * (top * top));
    let score = ExactMixtureScore { target };
    let v = gaussian_output(sampler, fault, grid, &score, v0)?;
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

/// KL(target || output) of `sampler` (with `fault`) on the grid of `grid_from_params`, for
/// the target `gaussian_target(d, kappa)` and the score (1 + delta) times its exact score,
/// started from N(0, sigma_max^2 I) (the usual start, not the noised target's law).
fn scaled_kl(
    sampler: Sampler,
    fault: SamplerFault,
    p: &crate::params::Params,
) -> Result<f64, Error> {
    let d = p.usize_at_least("d", 1)?;
    let target = gaussian_target(d, p.positive("kappa")?)?;
    let grid = grid_from_params(p)?;
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
        sequence::ENTRIES,
        truncation::ENTRIES,
        vp::ENTRIES,
    ],
    measures: measures::MEASURES,
    pictures: pictures::PICTURES,
    rounding_sensitive: &[],
};

/// What IR and one-shot share wherever they are compared (the measures
/// diffusion.ir_vs_one_shot(.learned) and the conjecture diffusion.conjecture.ir_beats_one_shot):
/// the Gaussian model spec, the level r0 both start from, and their samplers: `levels` noise
/// levels per IR block, as many in all for one-shot's single run (equal score evaluations).
pub(super) struct IrComparison {
    spec: ModelSpec,
    r0: usize,
    per_level: LevelSampler,
    one_run: LevelSampler,
}

impl IrComparison {
    /// From the multiscale parameters (K = 1), `r0` and `levels`, every score times 1 + delta.
    pub(super) fn from_params(p: &Params, delta: f64) -> Result<Self, Error> {
        let spec = gaussian_spec(p)?;
        let r0 = spec.level(p, "r0", 1)?;
        let blocks = spec.hier.levels() - r0;
        let n = p.usize_at_least("levels", 2)?;
        Ok(IrComparison {
            spec,
            r0,
            per_level: em_sampler(n, delta)?,
            one_run: em_sampler(n * blocks, delta)?,
        })
    }

    /// A random model drawn from `rng`.
    pub(super) fn model(&self, rng: &mut Rng) -> Result<IrModel, Error> {
        let (hier, g, dynm) = self.spec.build(rng)?;
        Ok(IrModel::new(hier, &g, &dynm)?)
    }

    /// IR's budget, its blocks scored by `scores`, with `fault` injected.
    pub(super) fn ir(
        &self,
        ir: &IrModel,
        scores: Scores,
        fault: BudgetFault,
    ) -> Result<IrBudget, Error> {
        let from = Some(self.r0);
        Ok(scored_gaussian_budget(
            ir,
            Scheme::Ir { from },
            &self.per_level,
            fault,
            scores,
        )?)
    }

    /// One-shot's budget, its block scored by `scores` (one-shot is never faulted).
    pub(super) fn one_shot(&self, ir: &IrModel, scores: Scores) -> Result<IrBudget, Error> {
        let scheme = Scheme::OneShot { from: self.r0 };
        Ok(scored_gaussian_budget(
            ir,
            scheme,
            &self.one_run,
            BudgetFault::None,
            scores,
        )?)
    }
}

/// The model spec of a parameter set, refused unless Gaussian (K = 1).
pub(super) fn gaussian_spec(p: &Params) -> Result<ModelSpec, Error> {
    let spec = ModelSpec::from_params(p)?;
    if spec.mixture.components != 1 {
        return Err(crate::params::out_of_range(
            "K",
            &spec.mixture.components.into(),
            "the exact IR budget needs a Gaussian model: K = 1",
        )
        .into());
    }
    Ok(spec)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_parameter_builds_the_grid_it_names() {
        let p = Params::new().with("levels", 12usize);
        let karras = SigmaGrid::karras(12, SIGMA_MIN, SIGMA_MAX, RHO).unwrap();
        assert_eq!(grid_from_params(&p).unwrap().sigmas(), karras.sigmas());
        let p3 = p.clone().with("schedule", "karras").with("rho", 3.0);
        let k3 = SigmaGrid::karras(12, SIGMA_MIN, SIGMA_MAX, 3.0).unwrap();
        assert_eq!(grid_from_params(&p3).unwrap().sigmas(), k3.sigmas());
        let pg = p.clone().with("schedule", "geometric");
        let g = SigmaGrid::geometric(12, SIGMA_MIN, SIGMA_MAX).unwrap();
        assert_eq!(grid_from_params(&pg).unwrap().sigmas(), g.sigmas());
        // the two schedules differ, so the parameter is read
        assert_ne!(karras.sigmas(), g.sigmas());
        let pc = p.clone().with("schedule", "cosine");
        let c = crate::diffusion::vp::DiscreteVp::cosine(12)
            .unwrap()
            .ve_grid()
            .unwrap();
        assert_eq!(grid_from_params(&pc).unwrap().sigmas(), c.sigmas());
        let bad = p.with("schedule", "cosin");
        let e = grid_from_params(&bad).unwrap_err().to_string();
        assert!(e.contains("schedule") && e.contains("cosine"), "{e}");
    }
}
