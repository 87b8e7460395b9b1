//! Diffusion samplers and their exact output laws (theory/diffusion.md).
//!
//! The forward process is variance exploding: x_sigma = x + sigma z, z ~ N(0, I), so a Gaussian
//! mixture target stays a mixture at every noise level and its score is exact
//! (`crate::score::ExactScore`). A sampler runs a noise-level grid (`SigmaGrid`, validated:
//! strictly decreasing, no zero-length step) from the largest level down, one `Sampler::step`
//! per pair of consecutive levels; the loop is written once (`run`).
//!
//! Every step here is affine in (x, z) when the score is affine in x, as the exact score of a
//! Gaussian is. So for a Gaussian target the output law is Gaussian and is computed exactly by
//! running the same step on unit inputs (`gaussian_output`): x' = A x + B z with A the step's
//! image of the identity (z = 0) and B its image of the noise (x = 0); no Monte Carlo.
pub mod budget;
pub mod reconstruct;
pub mod sequence;
pub mod vp;

use crate::mc::Rng;
use crate::prob::Gmm;
use crate::score::{ExactScore, Noising, ScoreModel};
use ndarray::{Array2, ArrayView2};
use rand_distr::{Distribution, StandardNormal};
use thiserror::Error;

/// What the diffusion code rejects: a bad grid or parameter, a score or mixture error.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DiffusionError {
    #[error(transparent)]
    Score(#[from] crate::score::ScoreError),
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error(transparent)]
    Multiscale(#[from] crate::multiscale::MultiscaleError),
    #[error("{0}")]
    Input(String),
}

impl crate::error::SubjectError for DiffusionError {}

/// Noise levels sigma_0 > sigma_1 > ... > sigma_N >= 0 that a sampler steps along, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaGrid {
    sigmas: Vec<f64>,
}

impl SigmaGrid {
    /// Validates: at least two levels, each finite, all positive but possibly the last (0),
    /// strictly decreasing (a repeated level is a zero-length step, the schedule bug k-diffusion
    /// and diffusers users meet; the error names its index).
    pub fn new(sigmas: Vec<f64>) -> Result<SigmaGrid, DiffusionError> {
        if sigmas.len() < 2 {
            return Err(DiffusionError::Input(format!(
                "a noise-level grid needs at least two levels, got {}",
                sigmas.len()
            )));
        }
        let last = sigmas.len() - 1;
        for (i, &s) in sigmas.iter().enumerate() {
            let ok = s.is_finite() && (s > 0.0 || (i == last && s == 0.0));
            if !ok {
                return Err(DiffusionError::Input(format!(
                    "noise level {i} = {s}: must be finite and positive (only the last may be 0)"
                )));
            }
        }
        if let Some(i) = sigmas.windows(2).position(|w| w[1] >= w[0]) {
            return Err(DiffusionError::Input(format!(
                "noise levels {i} and {} are {} and {}: the grid must decrease strictly (a repeated level is a zero-length step)",
                i + 1,
                sigmas[i],
                sigmas[i + 1]
            )));
        }
        Ok(SigmaGrid { sigmas })
    }

    /// Karras et al.'s (EDM) grid: n levels sigma_i = (smax^{1/rho} + i/(n-1) (smin^{1/rho} -
    /// smax^{1/rho}))^rho, i = 0..n-1, then 0 (their defaults: smin 0.002, smax 80, rho 7).
    pub fn karras(n: usize, smin: f64, smax: f64, rho: f64) -> Result<SigmaGrid, DiffusionError> {
        if n < 2 || !(smin > 0.0 && smax > smin && smax.is_finite() && rho > 0.0) {
            return Err(DiffusionError::Input(format!(
                "Karras grid: need n >= 2, 0 < sigma_min < sigma_max finite, rho > 0; got n = {n}, sigma_min = {smin}, sigma_max = {smax}, rho = {rho}"
            )));
        }
        let (a, b) = (smax.powf(1.0 / rho), smin.powf(1.0 / rho));
        let mut s: Vec<f64> = (0..n)
            .map(|i| (a + i as f64 / (n - 1) as f64 * (b - a)).powf(rho))
            .collect();
        s.push(0.0);
        SigmaGrid::new(s)
    }

    /// Geometric levels from smax down to smin (n of them), then 0: Song et al.'s VE grid.
    pub fn geometric(n: usize, smin: f64, smax: f64) -> Result<SigmaGrid, DiffusionError> {
        if n < 2 || !(smin > 0.0 && smax > smin && smax.is_finite()) {
            return Err(DiffusionError::Input(format!(
                "geometric grid: need n >= 2 and 0 < sigma_min < sigma_max finite; got n = {n}, sigma_min = {smin}, sigma_max = {smax}"
            )));
        }
        let r = (smin / smax).ln();
        let mut s: Vec<f64> = (0..n)
            .map(|i| smax * (r * i as f64 / (n - 1) as f64).exp())
            .collect();
        s.push(0.0);
        SigmaGrid::new(s)
    }

    pub fn sigmas(&self) -> &[f64] {
        &self.sigmas
    }

    /// The (from, to) pairs of consecutive levels, in sampling order.
    pub fn steps(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.sigmas.windows(2).map(|w| (w[0], w[1]))
    }

    pub fn largest(&self) -> f64 {
        self.sigmas[0]
    }
}

/// A score of the VE-noised target at any noise level: grad log p_sigma at the rows of y.
pub trait NoisedScore: Sync {
    fn dim(&self) -> usize;
    fn score(&self, y: ArrayView2<f64>, sigma: f64) -> Result<Array2<f64>, DiffusionError>;
}

/// The exact score of a Gaussian mixture target, noised to each level in closed form.
pub struct ExactMixtureScore<'a> {
    pub target: &'a Gmm,
}

impl NoisedScore for ExactMixtureScore<'_> {
    fn dim(&self) -> usize {
        self.target.dim()
    }
    fn score(&self, y: ArrayView2<f64>, sigma: f64) -> Result<Array2<f64>, DiffusionError> {
        Ok(ExactScore::new(self.target, Noising::ve(sigma)?)?.score(y)?)
    }
}

/// A score with a relative error: (1 + delta) times `inner`'s at every level, so its relative
/// Fisher divergence to `inner` is delta^2 at every level (theory/diffusion.md section 3).
pub struct ScaledScore<'a> {
    pub inner: &'a dyn NoisedScore,
    pub delta: f64,
}

impl NoisedScore for ScaledScore<'_> {
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    fn score(&self, y: ArrayView2<f64>, sigma: f64) -> Result<Array2<f64>, DiffusionError> {
        Ok(self.inner.score(y, sigma)? * (1.0 + self.delta))
    }
}

/// The three terms of the Girsanov bound on KL(target || output) of Euler-Maruyama (theory
/// section 3): initialisation, discretisation, score error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GirsanovTerms {
    pub init: f64,
    pub discretisation: f64,
    pub score: f64,
}

impl GirsanovTerms {
    pub fn total(&self) -> f64 {
        self.init + self.discretisation + self.score
    }
}

/// The Girsanov bound for Euler-Maruyama on `grid` with the score (1 + delta) grad log p_sigma
/// of the centred Gaussian target with covariance eigenvalues `eigs`, started from
/// N(0, init_var I). In variance time v = sigma^2 the sampler solves dY = s_hat(Y_{v_i}, v_i) dtau
/// + dB exactly on each step, so
/// KL(p_0 || q_0) <= KL(p_V || q_V) + (1/2) sum_i int_{v_{i+1}}^{v_i} E_P |grad log p_v(X_v) -
/// s_hat(X_{v_i}, v_i)|^2 dv, and for this target the integrand is, per eigenvalue lambda,
/// 1/(lambda + v) - (1 - delta^2)/(lambda + v_i) (derived in the theory section).
pub fn girsanov_bound(
    eigs: &[f64],
    grid: &SigmaGrid,
    delta: f64,
    init_var: f64,
) -> Result<GirsanovTerms, DiffusionError> {
    if eigs.iter().any(|&l| !(l > 0.0 && l.is_finite())) || !(init_var > 0.0) {
        return Err(DiffusionError::Input(format!(
            "Girsanov bound: covariance eigenvalues and the initial variance must be positive, got {eigs:?} and {init_var}"
        )));
    }
    let v: Vec<f64> = grid.sigmas().iter().map(|s| s * s).collect();
    let (vmax, vmin) = (v[0], v[v.len() - 1]);
    let d = eigs.len();
    let p_v = Array2::from_diag(&ndarray::Array1::from_iter(eigs.iter().map(|l| l + vmax)));
    let q_v = Array2::<f64>::eye(d) * init_var;
    let zero = ndarray::Array1::<f64>::zeros(d);
    let init = crate::prob::kl_gaussian(
        zero.view(),
        &crate::linalg::Spd::new(p_v, "the noised target's covariance")?,
        zero.view(),
        &crate::linalg::Spd::new(q_v, "the initial covariance")?,
    )?;
    let (mut disc, mut sc) = (0.0, 0.0);
    for &l in eigs {
        // sum_i (v_i - v_{i+1}) / (lambda + v_i): the right-end Riemann sum of int dv/(lambda+v)
        let riemann: f64 = v.windows(2).map(|w| (w[0] - w[1]) / (l + w[0])).sum();
        disc += 0.5 * (((l + vmax) / (l + vmin)).ln() - riemann);
        sc += 0.5 * delta * delta * riemann;
    }
    Ok(GirsanovTerms {
        init,
        discretisation: disc,
        score: sc,
    })
}

/// The continuous-time limits (N -> infinity) of KL(target || output) for the centred Gaussian
/// target with covariance eigenvalues `eigs`, the score (1 + delta) grad log p_sigma, started
/// from N(0, init_var I) at sigma_max: (probability-flow ODE, reverse SDE). Per eigenvalue
/// lambda, with u = lambda + sigma^2 and u_0 = lambda + sigma_max^2, the ODE scales x by
/// (lambda / u_0)^{(1 + delta)/2}, so V = init_var (lambda / u_0)^{1 + delta}; the SDE's variance
/// solves dV/du = 2 (1 + delta) V / u - 1, so V = lambda / (1 + 2 delta) + (init_var - u_0 /
/// (1 + 2 delta)) (lambda / u_0)^{2 (1 + delta)}; each gives (1/2)(lambda/V - 1 - ln(lambda/V))
/// (theory/diffusion.md section 7). The SDE's limit needs 1 + 2 delta > 0.
pub fn scaled_score_limits(
    eigs: &[f64],
    sigma_max: f64,
    delta: f64,
    init_var: f64,
) -> Result<(f64, f64), DiffusionError> {
    if eigs.iter().any(|&l| !(l > 0.0 && l.is_finite()))
        || !(init_var > 0.0 && sigma_max > 0.0 && 1.0 + 2.0 * delta > 0.0)
    {
        return Err(DiffusionError::Input(format!(
            "continuous-time limits: need positive eigenvalues, init_var, sigma_max and 1 + 2 delta > 0; got {eigs:?}, {init_var}, {sigma_max}, delta = {delta}"
        )));
    }
    let kl = |lambda: f64, v: f64| {
        let r = lambda / v;
        0.5 * (r - 1.0 - r.ln())
    };
    let (mut ode, mut sde) = (0.0, 0.0);
    for &l in eigs {
        let shrink = l / (l + sigma_max * sigma_max);
        ode += kl(l, init_var * shrink.powf(1.0 + delta));
        let a = 1.0 / (1.0 + 2.0 * delta);
        let v =
            l * a + (init_var - (l + sigma_max * sigma_max) * a) * shrink.powf(2.0 * (1.0 + delta));
        sde += kl(l, v);
    }
    Ok((ode, sde))
}

/// A deliberate fault in a sampler (the catalogue's mutation controls; `None` in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplerFault {
    None,
    /// Heun's second slope evaluated at the Euler point but at the *old* noise level (a
    /// time-index slip): the corrector no longer cancels Euler's leading error.
    HeunOldLevel,
    /// Euler-Maruyama's noise scaled by sigma_i - sigma_{i+1} instead of
    /// sqrt(sigma_i^2 - sigma_{i+1}^2) (the variance increment confused with the level's step).
    NoiseScaledByStep,
    /// Euler-Maruyama's drift evaluated at the step's *new* level sigma_{i+1} instead of the
    /// level the state is at (an off-by-one in the time index); the last step, to sigma = 0,
    /// keeps sigma_i.
    DriftAtNewLevel,
    /// DPM-Solver++(2M)'s carried denoiser never updated after the first step (the memory
    /// written once): the extrapolation then mixes in a stale denoiser.
    DpmStaleMemory,
    /// The exponential integrator's decay written (t/s) (the probability-flow ODE's, DDIM's)
    /// where the SDE's exact linear part gives (t/s)^2, its noise kept.
    EiOdeDecay,
    /// The noise of a whole batch drawn from one stream (the batch's first row's) instead of
    /// one stream per sample: a sample then depends on the batch it is drawn in.
    SharedBatchStream,
}

/// The samplers of the VE process, each one step from level s to level t < s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// Probability-flow ODE dx/dsigma = -sigma grad log p_sigma(x), Euler's method (order 1).
    Euler,
    /// The same ODE by Heun's method (Karras et al., Algorithm 1 without churn): an Euler
    /// predictor and the trapezoid corrector; the last step, to sigma = 0, is Euler's (order 2).
    Heun,
    /// The reverse SDE, Euler-Maruyama: x' = x + (s^2 - t^2) grad log p_s(x) + sqrt(s^2 - t^2) z
    /// (weak order 1).
    EulerMaruyama,
    /// DPM-Solver++(2M) (Lu et al., arXiv 2211.01095, data prediction, multistep) on the
    /// probability-flow ODE: x' = (t/s) x + (1 - t/s) D~ with the denoiser D(x, s) = x + s^2
    /// grad log p_s(x) extrapolated as D~ = (1 + 1/(2 r)) D_i - (1/(2 r)) D_{i-1},
    /// r = ln(s_{i-1}/s_i) / ln(s_i/s_{i+1}), the previous level's denoiser carried from the step
    /// before; the first step and the step to sigma = 0 use D~ = D_i, which is Euler's step
    /// (DDIM for the VE process is Euler: (t/s) x + (1 - t/s) D = x + (t - s)(x - D)/s) (order 2).
    DpmSolver2M,
    /// The reverse SDE by the exponential integrator: with the denoiser D = D(x, s) held over
    /// the step, the SDE dx = -2 sigma grad log p_sigma(x) dsigma + sqrt(2 sigma) dW (sigma
    /// decreasing) is linear in x - D, d(x - D) = (2 / sigma)(x - D) dsigma + ..., and is solved
    /// exactly: x' = D + (t/s)^2 (x - D) + t sqrt(1 - t^2/s^2) z, DDPM's ancestral step for the
    /// VE process (theory/diffusion.md section 2; weak order 1). Its drift equals
    /// Euler-Maruyama's; its noise variance is (t/s)^2 times Euler-Maruyama's s^2 - t^2.
    ExpIntegrator,
}

impl Sampler {
    pub const NAMES: &'static [&'static str] = &[
        "euler",
        "heun",
        "euler_maruyama",
        "dpm_solver_2m",
        "exp_integrator",
    ];

    pub fn from_name(name: &str) -> Result<Sampler, crate::params::ParamError> {
        Ok(match name {
            "euler" => Sampler::Euler,
            "heun" => Sampler::Heun,
            "euler_maruyama" => Sampler::EulerMaruyama,
            "dpm_solver_2m" => Sampler::DpmSolver2M,
            "exp_integrator" => Sampler::ExpIntegrator,
            other => return Err(crate::params::unknown_choice("sampler", other, Self::NAMES)),
        })
    }

    /// Its order in the step size: the output law's error is O(h^order), its KL O(h^{2 order}).
    pub fn order(self) -> u32 {
        match self {
            Sampler::Euler | Sampler::EulerMaruyama | Sampler::ExpIntegrator => 1,
            Sampler::Heun | Sampler::DpmSolver2M => 2,
        }
    }

    /// Whether it samples the reverse SDE (it reads the noise draws `z`).
    pub fn stochastic(self) -> bool {
        matches!(self, Sampler::EulerMaruyama | Sampler::ExpIntegrator)
    }

    /// Whether a step reads the previous level's denoiser (`step_with_memory`).
    pub fn multistep(self) -> bool {
        self == Sampler::DpmSolver2M
    }

    /// One step that may read the previous step's level and denoiser (`prev`), returning the new
    /// state and this level's denoiser D(x, s) for the next step. For a memoryless sampler it
    /// is `step` and the denoiser returned is unused.
    #[allow(clippy::too_many_arguments)]
    pub fn step_with_memory(
        self,
        fault: SamplerFault,
        x: ArrayView2<f64>,
        z: ArrayView2<f64>,
        s: f64,
        t: f64,
        prev: Option<(f64, ArrayView2<f64>)>,
        score: &dyn NoisedScore,
    ) -> Result<(Array2<f64>, Array2<f64>), DiffusionError> {
        if self != Sampler::DpmSolver2M {
            let out = self.step(fault, x, z, s, t, score)?;
            return Ok((out, Array2::zeros((0, 0))));
        }
        let d = denoiser(x, s, score)?;
        let mixed = match prev {
            Some((sp, dp)) if t > 0.0 => {
                // r = h_last / h with h = ln(s / t), h_last = ln(s_prev / s)
                let r = (sp / s).ln() / (s / t).ln();
                &d * (1.0 + 0.5 / r) - &(&dp * (0.5 / r))
            }
            _ => d.clone(),
        };
        let next = &x * (t / s) + &(mixed * (1.0 - t / s));
        let carried = match prev {
            Some((_, dp)) if fault == SamplerFault::DpmStaleMemory => dp.to_owned(),
            _ => d,
        };
        Ok((next, carried))
    }

    /// One step from level `s` to level `t` of every row of `x`, with the standard normal
    /// draws `z` (one row per sample; read only by stochastic samplers).
    pub fn step(
        self,
        fault: SamplerFault,
        x: ArrayView2<f64>,
        z: ArrayView2<f64>,
        s: f64,
        t: f64,
        score: &dyn NoisedScore,
    ) -> Result<Array2<f64>, DiffusionError> {
        let h = t - s; // negative: the level decreases
        match self {
            // DPM-Solver++(2M) without memory is its first step, Euler's
            Sampler::Euler | Sampler::DpmSolver2M => {
                let d = score.score(x, s)? * (-s);
                Ok(&x + &(d * h))
            }
            Sampler::Heun => {
                let d = score.score(x, s)? * (-s);
                let euler = &x + &(&d * h);
                if t == 0.0 {
                    return Ok(euler);
                }
                let level = if fault == SamplerFault::HeunOldLevel {
                    s
                } else {
                    t
                };
                let d2 = score.score(euler.view(), level)? * (-t);
                Ok(&x + &((d + d2) * (0.5 * h)))
            }
            Sampler::EulerMaruyama => {
                let dv = s * s - t * t;
                let noise = if fault == SamplerFault::NoiseScaledByStep {
                    s - t
                } else {
                    dv.sqrt()
                };
                // the slip cannot reach sigma = 0 (no noised score there): the last step is right
                let level = if fault == SamplerFault::DriftAtNewLevel && t > 0.0 {
                    t
                } else {
                    s
                };
                Ok(&x + &(score.score(x, level)? * dv) + &(&z * noise))
            }
            Sampler::ExpIntegrator => {
                let d = denoiser(x, s, score)?;
                let r = t / s;
                let decay = if fault == SamplerFault::EiOdeDecay {
                    r
                } else {
                    r * r
                };
                let noise = t * (1.0 - r * r).sqrt();
                Ok(&d + &((&x - &d) * decay) + &(&z * noise))
            }
        }
    }
}

/// The denoiser D(x, s) = x + s^2 grad log p_s(x) (Tweedie's posterior mean of the clean state).
fn denoiser(
    x: ArrayView2<f64>,
    s: f64,
    score: &dyn NoisedScore,
) -> Result<Array2<f64>, DiffusionError> {
    Ok(&x + &(score.score(x, s)? * (s * s)))
}

/// Run `sampler` along `grid` from the rows of `x0` (drawn at the largest level). Row i's noise
/// comes from its own stream (`crate::mc::stream(seed, stream, first_row + i)`), so a sample
/// is the same whatever the batch it is drawn in.
#[allow(clippy::too_many_arguments)]
pub fn run(
    sampler: Sampler,
    fault: SamplerFault,
    grid: &SigmaGrid,
    score: &dyn NoisedScore,
    x0: Array2<f64>,
    seed: u64,
    stream: u64,
    first_row: u64,
) -> Result<Array2<f64>, DiffusionError> {
    let (n, d) = x0.dim();
    if d != score.dim() {
        return Err(DiffusionError::Input(format!(
            "initial states have {d} columns, the score model {}",
            score.dim()
        )));
    }
    let shared = fault == SamplerFault::SharedBatchStream;
    let mut rngs: Vec<Rng> = if shared {
        vec![crate::mc::stream(seed, stream, first_row)]
    } else {
        (0..n as u64)
            .map(|i| crate::mc::stream(seed, stream, first_row + i))
            .collect()
    };
    let mut x = x0;
    let mut z = Array2::<f64>::zeros((n, d));
    let mut memory: Option<(f64, Array2<f64>)> = None;
    for (s, t) in grid.steps() {
        if sampler.stochastic() {
            for (i, mut row) in z.rows_mut().into_iter().enumerate() {
                let rng = &mut rngs[if shared { 0 } else { i }];
                row.iter_mut().for_each(|v| *v = StandardNormal.sample(rng));
            }
        }
        if sampler.multistep() {
            let prev = memory.as_ref().map(|(sp, dp)| (*sp, dp.view()));
            let (next, den) =
                sampler.step_with_memory(fault, x.view(), z.view(), s, t, prev, score)?;
            x = next;
            memory = Some((s, den));
        } else {
            x = sampler.step(fault, x.view(), z.view(), s, t, score)?;
        }
    }
    Ok(x)
}

/// `run` over the rows of `x0` in chunks of `chunk` rows, the chunks in parallel (rayon):
/// each chunk is a `run` whose first row is its offset, so with per-sample streams the result
/// is the same, bit for bit, for any chunk size and thread count.
#[allow(clippy::too_many_arguments)]
pub fn run_chunked(
    sampler: Sampler,
    fault: SamplerFault,
    grid: &SigmaGrid,
    score: &dyn NoisedScore,
    x0: ArrayView2<f64>,
    seed: u64,
    stream: u64,
    chunk: usize,
) -> Result<Array2<f64>, DiffusionError> {
    use rayon::prelude::*;
    if chunk == 0 {
        return Err(DiffusionError::Input("chunk size 0".into()));
    }
    let n = x0.nrows();
    let parts: Vec<Array2<f64>> = (0..n)
        .step_by(chunk)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| {
            let end = (start + chunk).min(n);
            let part = x0.slice(ndarray::s![start..end, ..]).to_owned();
            run(
                sampler,
                fault,
                grid,
                score,
                part,
                seed,
                stream,
                start as u64,
            )
        })
        .collect::<Result<_, _>>()?;
    let views: Vec<ArrayView2<f64>> = parts.iter().map(|p| p.view()).collect();
    Ok(ndarray::concatenate(ndarray::Axis(0), &views)
        .map_err(|e| DiffusionError::Input(format!("joining chunks: {e}")))?)
}

/// One step's affine maps for a target whose noised score is affine and centred (the exact
/// score of N(0, Sigma) is -(Sigma + s^2 I)^{-1} x): x' = A x + B z, returned as (A^T, B^T),
/// read off the step itself applied to the identity (z = 0) and to the noise (x = 0).
fn step_maps(
    sampler: Sampler,
    fault: SamplerFault,
    s: f64,
    t: f64,
    score: &dyn NoisedScore,
) -> Result<(Array2<f64>, Array2<f64>), DiffusionError> {
    let d = score.dim();
    let eye = Array2::<f64>::eye(d);
    let zero = Array2::<f64>::zeros((d, d));
    // rows are samples: X' = X A^T + Z B^T, so the step's image of I is A^T
    let at = sampler.step(fault, eye.view(), zero.view(), s, t, score)?;
    let bt = sampler.step(fault, zero.view(), eye.view(), s, t, score)?;
    Ok((at, bt))
}

/// The exact output covariance of `sampler` along `grid` for a centred Gaussian target whose
/// noised score is affine, started from N(0, v0). The sampler's state is x, and for a
/// multistep sampler also D_prev, the denoiser it carries; each step maps it linearly,
/// state' = M state + N z, so the state's covariance V' = M V M^T + N N^T. M and N are read
/// off the step itself applied to the identity (x = I, then D_prev = I) and to the noise
/// (z = I). One loop for every sampler: a one-step sampler's state is x alone.
pub fn gaussian_output(
    sampler: Sampler,
    fault: SamplerFault,
    grid: &SigmaGrid,
    score: &dyn NoisedScore,
    v0: Array2<f64>,
) -> Result<Array2<f64>, DiffusionError> {
    use ndarray::s;
    let d = score.dim();
    // the carried denoiser's dimension (0 for a one-step sampler)
    let m = if sampler.multistep() { d } else { 0 };
    let eye = Array2::<f64>::eye(d);
    let zero = Array2::<f64>::zeros((d, d));
    let mut v = Array2::<f64>::zeros((d + m, d + m));
    v.slice_mut(s![..d, ..d]).assign(&v0);
    let mut prev_level: Option<f64> = None;
    for (lev, t) in grid.steps() {
        // the step applied to one block of the state (x, z, D_prev): its (x', D) images
        let apply = |x: &Array2<f64>, z: &Array2<f64>, dp: &Array2<f64>| {
            let memory = prev_level.map(|sp| (sp, dp.view()));
            sampler.step_with_memory(fault, x.view(), z.view(), lev, t, memory, score)
        };
        // rows are samples: [x', D] = [x, D_prev] M^T + z N^T
        let mut mm = Array2::<f64>::zeros((d + m, d + m));
        let mut nn = Array2::<f64>::zeros((d + m, d));
        let (x_t, c_t) = apply(&eye, &zero, &zero)?;
        mm.slice_mut(s![..d, ..d]).assign(&x_t.t());
        let (bx_t, bc_t) = apply(&zero, &eye, &zero)?;
        nn.slice_mut(s![..d, ..]).assign(&bx_t.t());
        if m > 0 {
            mm.slice_mut(s![d.., ..d]).assign(&c_t.t());
            nn.slice_mut(s![d.., ..]).assign(&bc_t.t());
            if prev_level.is_some() {
                let (ad_t, cd_t) = apply(&zero, &zero, &eye)?;
                mm.slice_mut(s![..d, d..]).assign(&ad_t.t());
                // what is carried may read the carried denoiser too (it does under a fault)
                mm.slice_mut(s![d.., d..]).assign(&cd_t.t());
            }
        }
        v = mm.dot(&v).dot(&mm.t()) + nn.dot(&nn.t());
        v = (&v + &v.t()) * 0.5;
        prev_level = Some(lev);
    }
    Ok(v.slice(s![..d, ..d]).to_owned())
}

/// The whole run as one affine map, for the same targets as `gaussian_output`: the output is
/// x_N = A x_0 + e with e ~ N(0, E) independent of x_0; returns (A, E). Every step here reads
/// the state only through the score's argument x - m when the target is N(m, Sigma), so for
/// that target the output is m + A (x_0 - m) + e: the law of the sampler started from any
/// x_0 (theory/diffusion.md section 6; unit-tested against the steps run on a shifted target).
pub fn gaussian_affine_law(
    sampler: Sampler,
    fault: SamplerFault,
    grid: &SigmaGrid,
    score: &dyn NoisedScore,
) -> Result<(Array2<f64>, Array2<f64>), DiffusionError> {
    if sampler.multistep() {
        return Err(DiffusionError::Input(format!(
            "{sampler:?} carries the previous level's denoiser: its run is not one affine map of the start alone here"
        )));
    }
    let d = score.dim();
    let mut a = Array2::<f64>::eye(d);
    let mut e = Array2::<f64>::zeros((d, d));
    for (s, t) in grid.steps() {
        let (at, bt) = step_maps(sampler, fault, s, t, score)?;
        a = at.t().dot(&a);
        e = at.t().dot(&e).dot(&at) + bt.t().dot(&bt);
        e = (&e + &e.t()) * 0.5;
    }
    Ok((a, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Spd;
    use ndarray::array;

    fn gaussian(var: f64) -> Gmm {
        Gmm::new(&[1.0], array![[0.0]], vec![array![[var]]]).unwrap()
    }

    #[test]
    fn grids_are_validated_and_karras_matches_its_formula() {
        let g = SigmaGrid::karras(5, 0.002, 80.0, 7.0).unwrap();
        let s = g.sigmas();
        assert_eq!(s.len(), 6);
        assert!((s[0] - 80.0).abs() < 1e-12 && (s[4] - 0.002).abs() < 1e-15 && s[5] == 0.0);
        let mid = ((80f64.powf(1.0 / 7.0) + 0.002f64.powf(1.0 / 7.0)) / 2.0).powi(7);
        assert!((s[2] - mid).abs() < 1e-12 * mid);
        let geo = SigmaGrid::geometric(3, 0.01, 100.0).unwrap();
        assert!((geo.sigmas()[1] - 1.0).abs() < 1e-12);
        // a repeated level (a zero-length step) and a level below zero are refused by name
        let e = SigmaGrid::new(vec![2.0, 1.0, 1.0, 0.0])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("levels 1 and 2") && e.contains("zero-length"),
            "{e}"
        );
        assert!(SigmaGrid::new(vec![2.0, 0.0, -1.0]).is_err());
        assert!(SigmaGrid::new(vec![2.0, 0.0, 0.0]).is_err());
        assert!(SigmaGrid::new(vec![1.0, f64::NAN]).is_err());
        assert!(SigmaGrid::karras(1, 0.002, 80.0, 7.0).is_err());
        // the sampler steps exactly along the grid it was given
        let steps: Vec<(f64, f64)> = g.steps().collect();
        assert_eq!(steps.len(), 5);
        assert!(steps
            .iter()
            .zip(s.windows(2))
            .all(|(p, w)| p.0 == w[0] && p.1 == w[1]));
    }

    #[test]
    fn one_step_coefficients_match_their_closed_forms() {
        // target N(0, lam): the exact score at s is -x / (lam + s^2)
        let lam = 0.7;
        let g = gaussian(lam);
        let sc = ExactMixtureScore { target: &g };
        let (s, t) = (2.0, 1.2);
        let k = |u: f64| 1.0 / (lam + u * u);
        let one = array![[1.0]];
        let zero = array![[0.0]];
        let a = |smp: Sampler, f: SamplerFault| {
            smp.step(f, one.view(), zero.view(), s, t, &sc).unwrap()[[0, 0]]
        };
        let euler = 1.0 + (t - s) * s * k(s);
        assert!((a(Sampler::Euler, SamplerFault::None) - euler).abs() < 1e-14);
        let heun = 1.0 + (t - s) / 2.0 * (s * k(s) + t * k(t) * euler);
        assert!((a(Sampler::Heun, SamplerFault::None) - heun).abs() < 1e-14);
        let slip = 1.0 + (t - s) / 2.0 * (s * k(s) + t * k(s) * euler);
        assert!((a(Sampler::Heun, SamplerFault::HeunOldLevel) - slip).abs() < 1e-14);
        let em = 1.0 - (s * s - t * t) * k(s);
        assert!((a(Sampler::EulerMaruyama, SamplerFault::None) - em).abs() < 1e-14);
        let em_slip = 1.0 - (s * s - t * t) * k(t);
        assert!((a(Sampler::EulerMaruyama, SamplerFault::DriftAtNewLevel) - em_slip).abs() < 1e-14);
        let b = Sampler::EulerMaruyama
            .step(SamplerFault::None, zero.view(), one.view(), s, t, &sc)
            .unwrap()[[0, 0]];
        assert!((b - (s * s - t * t).sqrt()).abs() < 1e-14);
        // the exponential integrator: D = x lam / (lam + s^2), x' = D + (t/s)^2 (x - D), so the
        // coefficient is (lam + t^2) / (lam + s^2), written here from that simplification; its
        // drift is Euler-Maruyama's, its noise t sqrt(1 - t^2/s^2)
        let ei = (lam + t * t) / (lam + s * s);
        assert!((a(Sampler::ExpIntegrator, SamplerFault::None) - ei).abs() < 1e-14);
        assert!((ei - em).abs() < 1e-14);
        let ei_slip = lam * k(s) + (t / s) * (s * s) * k(s);
        assert!((a(Sampler::ExpIntegrator, SamplerFault::EiOdeDecay) - ei_slip).abs() < 1e-14);
        let b = Sampler::ExpIntegrator
            .step(SamplerFault::None, zero.view(), one.view(), s, t, &sc)
            .unwrap()[[0, 0]];
        assert!((b - t * (1.0 - t * t / (s * s)).sqrt()).abs() < 1e-14);
        // its last step, to sigma = 0, is the denoiser, noise-free
        let last = Sampler::ExpIntegrator
            .step(SamplerFault::None, one.view(), one.view(), s, 0.0, &sc)
            .unwrap()[[0, 0]];
        assert!((last - lam * k(s)).abs() < 1e-14);
        // the exact flow maps N(0, lam + s^2) to N(0, lam + t^2): x_t = x_s sqrt((lam+t^2)/(lam+s^2))
        let exact = ((lam + t * t) / (lam + s * s)).sqrt();
        assert!((heun - exact).abs() < (euler - exact).abs());
    }

    #[test]
    fn the_girsanov_integrand_agrees_with_monte_carlo_of_the_forward_process() {
        // E |grad log p_v(X_v) - (1+delta) grad log p_u(X_u)|^2 for X_u = X_v + W_u - W_v,
        // X_v ~ N(0, lam + v): the closed form 1/(lam+v) - (1-delta^2)/(lam+u), per dimension
        let (lam, v, u, delta): (f64, f64, f64, f64) = (0.3, 0.5, 2.0, -0.4);
        let mut rng = crate::mc::stream(9, 0, 0);
        let n = 200_000;
        let mut acc = 0.0;
        for _ in 0..n {
            let z1: f64 = StandardNormal.sample(&mut rng);
            let z2: f64 = StandardNormal.sample(&mut rng);
            let xv = (lam + v).sqrt() * z1;
            let xu = xv + (u - v).sqrt() * z2;
            let e = -xv / (lam + v) + (1.0 + delta) * xu / (lam + u);
            acc += e * e;
        }
        let mc = acc / n as f64;
        let closed = 1.0 / (lam + v) - (1.0 - delta * delta) / (lam + u);
        // the integrand's sample has relative standard error about sqrt(2/n) = 0.3%
        assert!(
            (mc - closed).abs() < 5.0 * closed * (2.0 / n as f64).sqrt(),
            "{mc} vs {closed}"
        );
        // and the bound's terms: with delta = 0 and the exact start, only discretisation is left;
        // it shrinks as the grid is refined
        let g8 = SigmaGrid::karras(8, 0.002, 80.0, 7.0).unwrap();
        let g64 = SigmaGrid::karras(64, 0.002, 80.0, 7.0).unwrap();
        let t8 = girsanov_bound(&[1.0], &g8, 0.0, 1.0 + 6400.0).unwrap();
        let t64 = girsanov_bound(&[1.0], &g64, 0.0, 1.0 + 6400.0).unwrap();
        assert!(t8.init.abs() < 1e-15 && t8.score == 0.0);
        assert!(t64.discretisation < t8.discretisation && t64.discretisation > 0.0);
    }

    #[test]
    fn the_exact_recursion_agrees_with_monte_carlo_of_the_sampler() {
        // each SDE sampler on N(0, 0.5), 12 Karras levels: the sample variance of 20000 runs
        // against the exact recursion's (an independent route: the samples see no recursion)
        let g = gaussian(0.5);
        let sc = ExactMixtureScore { target: &g };
        let grid = SigmaGrid::karras(12, 0.01, 10.0, 7.0).unwrap();
        let v0 = 0.5 + 100.0;
        for sampler in [Sampler::EulerMaruyama, Sampler::ExpIntegrator] {
            let exact = gaussian_output(sampler, SamplerFault::None, &grid, &sc, array![[v0]])
                .unwrap()[[0, 0]];
            let n = 20000;
            let mut rng = crate::mc::stream(5, 0, 0);
            let x0 = Array2::from_shape_fn((n, 1), |_| {
                v0.sqrt() * {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z
                }
            });
            let out = run(sampler, SamplerFault::None, &grid, &sc, x0, 5, 1, 0).unwrap();
            let var = out.column(0).mapv(|v| v * v).mean().unwrap();
            // the sample variance's standard error is about var sqrt(2/n) = 0.01 var
            assert!(
                (var - exact).abs() < 5.0 * exact * (2.0 / n as f64).sqrt(),
                "{sampler:?}: {var} vs {exact}"
            );
        }
    }

    #[test]
    fn the_affine_law_is_the_steps_run_on_a_shifted_target() {
        // target N(m, S) with S correlated: the steps themselves, noise z fixed, from x0, against
        // m + A (x0 - m) + (the same steps on the centred target from 0 with the same noise)
        let s = array![[1.0, 0.4], [0.4, 0.5]];
        let m = array![1.5, -2.0];
        let shifted = Gmm::new(
            &[1.0],
            m.clone().insert_axis(ndarray::Axis(0)),
            vec![s.clone()],
        )
        .unwrap();
        let centred = Gmm::new(&[1.0], Array2::zeros((1, 2)), vec![s]).unwrap();
        let grid = SigmaGrid::karras(7, 0.01, 10.0, 7.0).unwrap();
        for (sampler, fault) in [
            (Sampler::EulerMaruyama, SamplerFault::None),
            (Sampler::EulerMaruyama, SamplerFault::DriftAtNewLevel),
            (Sampler::Heun, SamplerFault::None),
            (Sampler::ExpIntegrator, SamplerFault::None),
        ] {
            let (sh, ce) = (
                ExactMixtureScore { target: &shifted },
                ExactMixtureScore { target: &centred },
            );
            let (a, e) = gaussian_affine_law(sampler, fault, &grid, &ce).unwrap();
            let x0 = array![[3.0, 4.0]];
            let mut rng = crate::mc::stream(4, 0, 0);
            let (mut x, mut y) = (x0.clone(), Array2::<f64>::zeros((1, 2)));
            for (s1, t1) in grid.steps() {
                let z = Array2::from_shape_fn((1, 2), |_| StandardNormal.sample(&mut rng));
                x = sampler
                    .step(fault, x.view(), z.view(), s1, t1, &sh)
                    .unwrap();
                y = sampler
                    .step(fault, y.view(), z.view(), s1, t1, &ce)
                    .unwrap();
            }
            let predicted = &m + &a.dot(&(&x0.row(0) - &m)) + &y.row(0);
            assert!(
                (&x.row(0) - &predicted).iter().all(|v| v.abs() < 1e-10),
                "{sampler:?} {fault:?}: {x} vs {predicted}"
            );
            // and A V0 A^T + E is gaussian_output's covariance
            let v0 = Array2::<f64>::eye(2) * 100.0;
            let v = gaussian_output(sampler, fault, &grid, &ce, v0.clone()).unwrap();
            let w = a.dot(&v0).dot(&a.t()) + &e;
            assert!((&v - &w)
                .iter()
                .all(|x| x.abs() < 1e-10 * v[[0, 0]].abs().max(1.0)));
        }
    }

    #[test]
    fn fine_grids_reach_the_continuous_time_limits_with_a_scaled_score() {
        // d = 2, eigenvalues 1 and 0.1, sigma_max = 80: Heun (order 2) and Euler-Maruyama
        // (order 1) at 4096 levels against the closed forms, for three score errors. (The
        // grid's last step, an Euler step from sigma_min = 0.002 to 0, keeps a fixed error of
        // order sigma_min^2 / lambda that no N removes: 4e-4 at lambda = 0.01, which is why the
        // smallest eigenvalue here is 0.1, where it is 4e-5.)
        let target = Gmm::new(
            &[1.0],
            Array2::zeros((1, 2)),
            vec![array![[1.0, 0.0], [0.0, 0.1]]],
        )
        .unwrap();
        let exact = ExactMixtureScore { target: &target };
        let grid = SigmaGrid::karras(4096, 0.002, 80.0, 7.0).unwrap();
        let half = SigmaGrid::karras(2048, 0.002, 80.0, 7.0).unwrap();
        let sigma = Spd::new(array![[1.0, 0.0], [0.0, 0.1]], "target").unwrap();
        let zero = ndarray::Array1::<f64>::zeros(2);
        for delta in [-0.2, 0.05, 0.3] {
            let score = ScaledScore {
                inner: &exact,
                delta,
            };
            let (ode, sde) = scaled_score_limits(&[1.0, 0.1], 80.0, delta, 6400.0).unwrap();
            let kl = |s: Sampler, g: &SigmaGrid| {
                let v = gaussian_output(
                    s,
                    SamplerFault::None,
                    g,
                    &score,
                    Array2::<f64>::eye(2) * 6400.0,
                )
                .unwrap();
                crate::prob::kl_gaussian(
                    zero.view(),
                    &sigma,
                    zero.view(),
                    &Spd::new(v, "out").unwrap(),
                )
                .unwrap()
            };
            let heun = kl(Sampler::Heun, &grid);
            assert!(
                (heun - ode).abs() < 1e-3 * ode,
                "delta {delta}: Heun {heun} vs {ode}"
            );
            // Euler-Maruyama is of order 1, so its error at 4096 levels is still visible; the
            // Richardson extrapolation 2 KL(4096) - KL(2048) removes the 1/N term
            let em = 2.0 * kl(Sampler::EulerMaruyama, &grid) - kl(Sampler::EulerMaruyama, &half);
            assert!(
                (em - sde).abs() < 1e-2 * sde,
                "delta {delta}: EM {em} vs {sde}"
            );
        }
        assert!(scaled_score_limits(&[1.0], 80.0, -0.6, 6400.0).is_err());
    }

    #[test]
    fn dpm_solver_2m_runs_as_its_exact_recursion_says() {
        // target N(0, S) in d = 2: run the sampler (carrying its memory in `run`) from the rows
        // of L^T, V0 = L L^T; then sum_i out_i out_i^T is the output covariance, against the
        // augmented recursion of multistep_gaussian_output (an independent route)
        let s = array![[1.0, 0.3], [0.3, 0.2]];
        let g = Gmm::new(&[1.0], Array2::zeros((1, 2)), vec![s]).unwrap();
        let sc = ExactMixtureScore { target: &g };
        let grid = SigmaGrid::karras(10, 0.01, 10.0, 7.0).unwrap();
        let v0 = array![[101.0, 0.3], [0.3, 100.2]];
        let l = Spd::new(v0.clone(), "v0").unwrap().chol().to_owned();
        for fault in [SamplerFault::None, SamplerFault::DpmStaleMemory] {
            let out = run(
                Sampler::DpmSolver2M,
                fault,
                &grid,
                &sc,
                l.t().to_owned(),
                0,
                0,
                0,
            )
            .unwrap();
            let from_run = out.t().dot(&out);
            let exact =
                gaussian_output(Sampler::DpmSolver2M, fault, &grid, &sc, v0.clone()).unwrap();
            assert!(
                (&from_run - &exact).iter().all(|x| x.abs() < 1e-10),
                "{fault:?}: {from_run} vs {exact}"
            );
        }
        // one step without memory is Euler's (DDIM for the VE process)
        let x = array![[0.5, -1.0]];
        let z = Array2::zeros((1, 2));
        let e = Sampler::Euler
            .step(SamplerFault::None, x.view(), z.view(), 3.0, 2.0, &sc)
            .unwrap();
        let (m, _) = Sampler::DpmSolver2M
            .step_with_memory(SamplerFault::None, x.view(), z.view(), 3.0, 2.0, None, &sc)
            .unwrap();
        assert!((&e - &m).iter().all(|v| v.abs() < 1e-12));
        // a multistep run is not one affine map of its start here
        assert!(gaussian_affine_law(Sampler::DpmSolver2M, SamplerFault::None, &grid, &sc).is_err());
    }

    #[test]
    fn a_sample_is_the_same_whatever_its_batch() {
        let g = gaussian(1.0);
        let sc = ExactMixtureScore { target: &g };
        let grid = SigmaGrid::karras(6, 0.01, 5.0, 7.0).unwrap();
        let x0 = Array2::from_shape_fn((7, 1), |(i, _)| i as f64 - 3.0);
        let all = run(
            Sampler::EulerMaruyama,
            SamplerFault::None,
            &grid,
            &sc,
            x0.clone(),
            3,
            0,
            0,
        )
        .unwrap();
        let tail = run(
            Sampler::EulerMaruyama,
            SamplerFault::None,
            &grid,
            &sc,
            x0.slice(ndarray::s![4.., ..]).to_owned(),
            3,
            0,
            4,
        )
        .unwrap();
        assert_eq!(all.slice(ndarray::s![4.., ..]), tail);
    }
}
