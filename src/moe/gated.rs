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
use super::MoeError;
use crate::dynamics::{simulate_switching, DynamicsError, Lorenz63, V3};
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::params::{out_of_range, Params};
use crate::prob::softmax_in_place;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rand::Rng as _;

const H: f64 = 0.005;
const MEAN_FIELD_SWEEPS: usize = 5;
const INIT_BLOCK: f64 = 50.0;

/// An optional positive integer parameter: its value when given (errors name it), else `default`.
fn opt_count(p: &Params, name: &str, default: usize) -> Result<usize, MoeError> {
    match p.get(name) {
        Some(_) => Ok(p.usize_at_least(name, 1)?),
        None => Ok(default),
    }
}

/// The switching system and how it is observed.
#[derive(Debug, Clone, Copy)]
pub struct SwitchingSpec {
    pub k: usize,
    pub forcing: f64,
    pub dwell: f64,
    /// Process noise per unit time (Euler-Maruyama).
    pub noise: f64,
    /// Samples kept (after a transient of 5 time units).
    pub samples: usize,
    /// Time between samples in RK4 steps of 0.005.
    pub every: usize,
    pub quadratic_experts: bool,
    /// Past residuals the gate averages over.
    pub window: usize,
}

/// One trajectory at consecutive sample times t = 0..T: monomials q_t of x_t (T x 9), expert
/// features psi_t (T x pe), increments y_t = x_{t+1} - x_t (T x 3), the regime that drove
/// each increment.
#[derive(Debug, Clone)]
pub struct SwitchingData {
    pub q: Array2<f64>,
    pub psi: Array2<f64>,
    pub y: Array2<f64>,
    pub regime: Vec<usize>,
    pub window: usize,
}

impl SwitchingData {
    /// The regimes of the rows the mixture is fitted and evaluated on (t >= window).
    pub fn routed_regimes(&self) -> &[usize] {
        &self.regime[self.window.min(self.regime.len())..]
    }
}

fn monomials(x: &V3) -> [f64; 9] {
    [
        x[0],
        x[1],
        x[2],
        x[0] * x[0],
        x[1] * x[1],
        x[2] * x[2],
        x[0] * x[1],
        x[0] * x[2],
        x[1] * x[2],
    ]
}

impl SwitchingSpec {
    /// From parameters K, forcing, dwell, noise, samples, every, window, experts
    /// (errors name the field).
    pub fn from_params(p: &Params) -> Result<Self, MoeError> {
        let spec = SwitchingSpec {
            k: p.usize_at_least("K", 1)?,
            forcing: p.f64_or("forcing", 20.0)?,
            dwell: p.positive_or("dwell", 1.0)?,
            noise: p.f64_or("noise", 0.5)?,
            samples: p.usize_at_least("samples", 10)?,
            every: opt_count(p, "every", 1)?,
            window: opt_count(p, "window", 20)?,
            quadratic_experts: match p.str_or("experts", "quadratic")? {
                "affine" => false,
                "quadratic" => true,
                other => {
                    return Err(out_of_range(
                        "experts",
                        &other.into(),
                        "must be \"affine\" or \"quadratic\"",
                    )
                    .into())
                }
            },
        };
        if !(spec.noise >= 0.0) {
            return Err(out_of_range("noise", &spec.noise.into(), "must be >= 0").into());
        }
        if !spec.forcing.is_finite() {
            return Err(out_of_range("forcing", &spec.forcing.into(), "must be finite").into());
        }
        if spec.window >= spec.samples {
            return Err(out_of_range(
                "window",
                &spec.window.into(),
                "must be below the number of samples",
            )
            .into());
        }
        Ok(spec)
    }

    /// Simulate one trajectory (random start, 5 time units of transient dropped).
    pub fn sample(&self, rng: &mut Rng) -> Result<SwitchingData, MoeError> {
        let systems = Lorenz63::switching_family(self.k, self.forcing);
        let transient = (5.0 / (H * self.every as f64)).ceil() as usize;
        let n = self.samples + transient + 1;
        let x0 = V3::new(
            rng.random_range(-5.0..5.0),
            rng.random_range(-5.0..5.0),
            rng.random_range(15.0..30.0),
        );
        let tr = simulate_switching(
            &systems,
            self.dwell,
            x0,
            H,
            n * self.every,
            self.every,
            self.noise,
            rng,
        )?;
        let xs = &tr.x[transient..];
        let t = self.samples;
        let pe = if self.quadratic_experts { 10 } else { 4 };
        let mut q = Array2::zeros((t, 9));
        let mut psi = Array2::zeros((t, pe));
        let mut y = Array2::zeros((t, 3));
        for i in 0..t {
            let m = monomials(&xs[i]);
            for j in 0..9 {
                q[[i, j]] = m[j];
            }
            psi[[i, 0]] = 1.0;
            for j in 1..pe {
                psi[[i, j]] = m[j - 1] / if j <= 3 { 20.0 } else { 400.0 };
            }
            for j in 0..3 {
                y[[i, j]] = xs[i + 1][j] - xs[i][j];
            }
        }
        if !q.iter().chain(y.iter()).all(|v| v.is_finite()) {
            return Err(DynamicsError::Invalid {
                what: "switching data",
                reason: "non-finite states (lower the noise or the forcing)".into(),
            }
            .into());
        }
        Ok(SwitchingData {
            q,
            psi,
            y,
            regime: tr.regime[transient..transient + t].to_vec(),
            window: self.window,
        })
    }
}

/// Column means and standard deviations of the training gate inputs, applied to any set.
#[derive(Debug, Clone)]
pub struct Standardiser {
    mean: Array1<f64>,
    sd: Array1<f64>,
}

impl Standardiser {
    pub fn fit(u: &Array2<f64>) -> Self {
        let mean = u
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(u.ncols()));
        let sd = u
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s > 1e-12 { s } else { 1.0 });
        Standardiser { mean, sd }
    }
    /// Standardised columns and a constant column (the gate's intercept).
    pub fn apply(&self, u: &Array2<f64>) -> Array2<f64> {
        let z = (u - &self.mean) / &self.sd;
        let mut out = Array2::ones((u.nrows(), u.ncols() + 1));
        out.slice_mut(s![.., 1..]).assign(&z);
        out
    }
}

/// Fitting options.
#[derive(Debug, Clone, Copy)]
pub struct MoeOptions {
    pub k: usize,
    pub em_iterations: usize,
    pub gate_steps: usize,
    pub gate_rate: f64,
    /// Routing regulariser: coupling of consecutive assignments in the E-step (0: plain EM).
    pub lambda: f64,
    pub ridge: f64,
    /// EM runs from independent initialisations; the best objective wins.
    pub restarts: usize,
}

impl Default for MoeOptions {
    fn default() -> Self {
        MoeOptions {
            k: 3,
            em_iterations: 40,
            gate_steps: 10,
            gate_rate: 0.5,
            lambda: 0.0,
            ridge: 1e-6,
            restarts: 1,
        }
    }
}

impl MoeOptions {
    /// Experts = K (or `experts_k`); lambda, em_iterations, gate_steps when given.
    pub fn from_params(p: &Params) -> Result<Self, MoeError> {
        let d = MoeOptions::default();
        let lambda = p.f64_or("lambda", 0.0)?;
        if !(lambda >= 0.0 && lambda.is_finite()) {
            return Err(out_of_range("lambda", &lambda.into(), "must be >= 0").into());
        }
        Ok(MoeOptions {
            k: opt_count(p, "experts_k", p.usize_at_least("K", 1)?)?,
            lambda,
            em_iterations: opt_count(p, "em_iterations", d.em_iterations)?,
            gate_steps: opt_count(p, "gate_steps", d.gate_steps)?,
            restarts: opt_count(p, "restarts", d.restarts)?,
            ..d
        })
    }
}

fn unreachable_fit() -> MoeError {
    out_of_range("restarts", &0usize.into(), "must be >= 1").into()
}

/// Row-wise softmax of the logits.
fn softmax_rows(mut a: Array2<f64>) -> Array2<f64> {
    for mut row in a.rows_mut() {
        softmax_in_place(row.iter_mut());
    }
    a
}

/// Weighted least squares (psi^T diag(c) psi + ridge I)^{-1} psi^T diag(c) y.
fn weighted_least_squares(
    psi: ArrayView2<f64>,
    y: ArrayView2<f64>,
    c: ndarray::ArrayView1<f64>,
    ridge: f64,
    name: &str,
) -> Result<Array2<f64>, MoeError> {
    let weighted = &psi * &c.insert_axis(Axis(1));
    let a = weighted.t().dot(&psi) + Array2::<f64>::eye(psi.ncols()) * ridge;
    Ok(Spd::new(a, name)?.solve(&weighted.t().dot(&y))?)
}

/// The rows t >= w of a trajectory as the mixture sees them.
struct Design {
    /// Standardised gate inputs with an intercept column.
    u: Array2<f64>,
    psi: Array2<f64>,
    y: Array2<f64>,
}

/// A fitted mixture: pooled residual model W_0, gate V (du x K), experts W_k (pe x 3),
/// their variances.
#[derive(Debug, Clone)]
pub struct GatedMoe {
    pooled: Array2<f64>,
    standardiser: Standardiser,
    pub v: Array2<f64>,
    pub w: Vec<Array2<f64>>,
    pub var: Vec<f64>,
}

impl GatedMoe {
    /// Raw gate inputs of rows t >= w: monomials of x_t and the mean pooled residual of the
    /// w previous increments.
    fn gate_inputs(pooled: &Array2<f64>, data: &SwitchingData) -> Array2<f64> {
        let w = data.window;
        let t = data.y.nrows();
        let resid = &data.y - &data.psi.dot(pooled);
        let mut u = Array2::zeros((t.saturating_sub(w), 12));
        // running window sum of the residuals
        let mut sum = [0.0; 3];
        for s in 0..w.min(t) {
            for j in 0..3 {
                sum[j] += resid[[s, j]];
            }
        }
        for i in w..t {
            let row = i - w;
            for j in 0..9 {
                u[[row, j]] = data.q[[i, j]];
            }
            for j in 0..3 {
                u[[row, 9 + j]] = sum[j] / w as f64;
                sum[j] += resid[[i, j]] - resid[[i - w, j]];
            }
        }
        u
    }

    fn design(&self, data: &SwitchingData) -> Design {
        let w = data.window;
        Design {
            u: self
                .standardiser
                .apply(&Self::gate_inputs(&self.pooled, data)),
            psi: data.psi.slice(s![w.., ..]).to_owned(),
            y: data.y.slice(s![w.., ..]).to_owned(),
        }
    }

    /// EM from `restarts` block-random initialisations drawn from `rng`; the fit with the
    /// highest objective is kept.
    pub fn fit(
        data: &SwitchingData,
        opts: &MoeOptions,
        rng: &mut Rng,
    ) -> Result<GatedMoe, MoeError> {
        let mut best: Option<(f64, GatedMoe)> = None;
        for _ in 0..opts.restarts.max(1) {
            let moe = Self::fit_once(data, opts, rng)?;
            let f = moe.objective(data, opts.lambda);
            if best.as_ref().is_none_or(|(b, _)| f > *b) {
                best = Some((f, moe));
            }
        }
        best.map(|(_, m)| m).ok_or_else(|| unreachable_fit())
    }

    fn fit_once(
        data: &SwitchingData,
        opts: &MoeOptions,
        rng: &mut Rng,
    ) -> Result<GatedMoe, MoeError> {
        let k = opts.k.max(1);
        let t = data.y.nrows().saturating_sub(data.window);
        // blocks of geometric length (mean INIT_BLOCK samples), each leaning 0.8 towards a
        // random expert
        let mut resp = Array2::from_elem((t, k), if k > 1 { 0.2 / (k - 1) as f64 } else { 1.0 });
        let mut expert = rng.random_range(0..k);
        for mut row in resp.rows_mut() {
            if rng.random::<f64>() < 1.0 / INIT_BLOCK {
                expert = rng.random_range(0..k);
            }
            if k > 1 {
                row[expert] = 0.8;
            }
        }
        Self::fit_from(data, opts, resp)
    }

    /// EM started from the generating regimes (one-hot responsibilities): the reference
    /// that tells an optimisation failure from an objective that prefers other routes.
    pub fn fit_from_regimes(data: &SwitchingData, opts: &MoeOptions) -> Result<GatedMoe, MoeError> {
        let labels = data.routed_regimes();
        let mut resp = Array2::zeros((labels.len(), opts.k.max(1)));
        for (i, &r) in labels.iter().enumerate() {
            resp[[i, r.min(opts.k.max(1) - 1)]] = 1.0;
        }
        Self::fit_from(data, opts, resp)
    }

    fn fit_from(
        data: &SwitchingData,
        opts: &MoeOptions,
        mut resp: Array2<f64>,
    ) -> Result<GatedMoe, MoeError> {
        let k = opts.k.max(1);
        let ones = Array1::ones(data.y.nrows());
        let pooled = weighted_least_squares(
            data.psi.view(),
            data.y.view(),
            ones.view(),
            opts.ridge,
            "pooled model normal equations",
        )?;
        let standardiser = Standardiser::fit(&Self::gate_inputs(&pooled, data));
        let mut moe = GatedMoe {
            pooled,
            standardiser,
            v: Array2::zeros((13, k)),
            w: vec![Array2::zeros((data.psi.ncols(), 3)); k],
            var: vec![1.0; k],
        };
        let d = moe.design(data);
        for _ in 0..opts.em_iterations {
            moe.m_step_experts(&d, &resp, opts.ridge)?;
            moe.m_step_gate(&d.u, &resp, opts);
            resp = moe.responsibilities(&d, opts.lambda);
        }
        Ok(moe)
    }

    /// The E-step's objective per observation at its own responsibilities (the
    /// log-likelihood per observation when lambda = 0).
    pub fn objective(&self, data: &SwitchingData, lambda: f64) -> f64 {
        let d = self.design(data);
        let r = self.responsibilities(&d, lambda);
        self.free_energy(&d, &r, lambda) / d.y.nrows().max(1) as f64
    }

    fn m_step_experts(
        &mut self,
        d: &Design,
        resp: &Array2<f64>,
        ridge: f64,
    ) -> Result<(), MoeError> {
        // floor: 1e-3 of the targets' mean square (a component on a handful of points would
        // otherwise shrink its variance to zero and the likelihood diverge)
        let var_floor = 1e-3 * d.y.mapv(|v| v * v).mean().unwrap_or(1.0).max(1e-300);
        for (j, col) in resp.columns().into_iter().enumerate() {
            let w = weighted_least_squares(
                d.psi.view(),
                d.y.view(),
                col,
                ridge,
                &format!("expert {j} normal equations"),
            )?;
            let r = &d.y - &d.psi.dot(&w);
            let sse: f64 = r
                .rows()
                .into_iter()
                .zip(col.iter())
                .map(|(row, c)| c * row.dot(&row))
                .sum();
            self.var[j] = (sse / (3.0 * col.sum().max(1e-12))).max(var_floor);
            self.w[j] = w;
        }
        Ok(())
    }

    /// Gradient ascent on (1/T) sum_t sum_k r_tk log g_k(u_t) (concave in V).
    fn m_step_gate(&mut self, u: &Array2<f64>, resp: &Array2<f64>, opts: &MoeOptions) {
        let t = u.nrows().max(1) as f64;
        for _ in 0..opts.gate_steps {
            let g = softmax_rows(u.dot(&self.v));
            let grad = u.t().dot(&(resp - &g)) / t;
            self.v.scaled_add(opts.gate_rate, &grad);
        }
    }

    /// log g_k(u_t) + log N(y_t; W_k^T psi_t, var_k I), T x K.
    fn log_joint(&self, d: &Design) -> Array2<f64> {
        let mut logp = softmax_rows(d.u.dot(&self.v)).mapv(|v| v.max(1e-300).ln());
        for (j, w) in self.w.iter().enumerate() {
            let r = &d.y - &d.psi.dot(w);
            let var = self.var[j];
            let c = -1.5 * (std::f64::consts::TAU * var).ln();
            for (i, row) in r.rows().into_iter().enumerate() {
                logp[[i, j]] += c - row.dot(&row) / (2.0 * var);
            }
        }
        logp
    }

    /// E-step: r_t ∝ exp(log g_t + log lik_t + lambda (r_{t-1} + r_{t+1})), by sequential
    /// mean-field sweeps (independent posteriors when lambda = 0).
    fn responsibilities(&self, d: &Design, lambda: f64) -> Array2<f64> {
        let logp = self.log_joint(d);
        let mut r = softmax_rows(logp.clone());
        if lambda <= 0.0 {
            return r;
        }
        let (t, k) = r.dim();
        let mut z = vec![0.0; k];
        for _ in 0..MEAN_FIELD_SWEEPS {
            for i in 0..t {
                for j in 0..k {
                    let nb = if i > 0 { r[[i - 1, j]] } else { 0.0 }
                        + if i + 1 < t { r[[i + 1, j]] } else { 0.0 };
                    z[j] = logp[[i, j]] + lambda * nb;
                }
                softmax_in_place(z.iter_mut());
                for j in 0..k {
                    r[[i, j]] = z[j];
                }
            }
        }
        r
    }

    /// The objective the E-step ascends, at responsibilities r.
    fn free_energy(&self, d: &Design, r: &Array2<f64>, lambda: f64) -> f64 {
        let logp = self.log_joint(d);
        let mut f = 0.0;
        for (i, row) in r.rows().into_iter().enumerate() {
            for (j, &q) in row.iter().enumerate() {
                if q > 0.0 {
                    f += q * (logp[[i, j]] - q.ln());
                }
                if i > 0 {
                    f += lambda * q * r[[i - 1, j]];
                }
            }
        }
        f
    }

    /// The gate's probabilities on the rows t >= w of a trajectory.
    pub fn gate(&self, data: &SwitchingData) -> Array2<f64> {
        softmax_rows(self.design(data).u.dot(&self.v))
    }

    /// The expert each row t >= w is routed to: the gate's argmax.
    pub fn route(&self, data: &SwitchingData) -> Vec<usize> {
        self.gate(data)
            .rows()
            .into_iter()
            .map(|r| {
                (0..r.len())
                    .max_by(|&a, &b| r[a].total_cmp(&r[b]))
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Mean squared one-step error of the gated prediction sum_k g_k W_k^T psi (rows t >= w).
    pub fn mse(&self, data: &SwitchingData) -> f64 {
        let d = self.design(data);
        let g = softmax_rows(d.u.dot(&self.v));
        let mut pred = Array2::<f64>::zeros(d.y.raw_dim());
        for (j, w) in self.w.iter().enumerate() {
            pred += &(d.psi.dot(w) * &g.column(j).insert_axis(Axis(1)));
        }
        let r = &d.y - &pred;
        r.mapv(|v| v * v).sum() / d.y.nrows().max(1) as f64
    }
}

/// One fitted mixture's routing on held-out data.
#[derive(Debug, Clone)]
pub struct RoutingScore {
    pub lambda: f64,
    /// NMI between the routed expert and the generating regime on the test trajectory.
    pub nmi: f64,
    /// One-step prediction MSE on the test trajectory.
    pub mse: f64,
    pub routed: Vec<usize>,
    pub regime: Vec<usize>,
    /// Training objective per observation of EM started at the generating regimes minus that
    /// of the fit (> 0: the objective prefers regime routing and EM did not find it).
    pub objective_gap: f64,
}

/// Train and test trajectories drawn once, one fit per lambda from the same random
/// initialisation (paired comparisons across regulariser strengths). With `reference`, EM is
/// also started at the true regimes to measure the objective gap of the *first* lambda (NaN
/// for the others, and for all without `reference`).
pub fn routing_scores(
    spec: &SwitchingSpec,
    opts: &MoeOptions,
    lambdas: &[f64],
    reference: bool,
    rng: &mut Rng,
) -> Result<Vec<RoutingScore>, MoeError> {
    let train = spec.sample(rng)?;
    let test = spec.sample(rng)?;
    let init = rng.clone();
    lambdas
        .iter()
        .enumerate()
        .map(|(i, &lambda)| {
            let o = MoeOptions { lambda, ..*opts };
            let moe = GatedMoe::fit(&train, &o, &mut init.clone())?;
            let objective_gap = if reference && i == 0 {
                GatedMoe::fit_from_regimes(&train, &o)?.objective(&train, lambda)
                    - moe.objective(&train, lambda)
            } else {
                f64::NAN
            };
            let routed = moe.route(&test);
            let regime = test.routed_regimes().to_vec();
            Ok(RoutingScore {
                lambda,
                nmi: crate::stats::normalized_mutual_information(&routed, &regime),
                mse: moe.mse(&test),
                routed,
                regime,
                objective_gap,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gate step's ascent direction is the gradient of its objective (finite differences).
    #[test]
    fn gate_gradient_matches_finite_differences() {
        let mut rng = crate::mc::stream(3, 0, 0);
        let (t, du, k) = (7, 3, 3);
        let u = Array2::from_shape_fn((t, du), |_| rng.random_range(-1.0..1.0));
        let mut resp = Array2::from_shape_fn((t, k), |_| rng.random_range(0.1..1.0));
        for mut r in resp.rows_mut() {
            let z = r.sum();
            r /= z;
        }
        let v0 = Array2::from_shape_fn((du, k), |_| rng.random_range(-1.0..1.0));
        let objective = |v: &Array2<f64>| -> f64 {
            (&resp * &softmax_rows(u.dot(v)).mapv(f64::ln)).sum() / t as f64
        };
        let mut moe = GatedMoe {
            pooled: Array2::zeros((1, 3)),
            standardiser: Standardiser::fit(&u),
            v: v0.clone(),
            w: Vec::new(),
            var: Vec::new(),
        };
        let opts = MoeOptions {
            gate_steps: 1,
            gate_rate: 1.0,
            ..MoeOptions::default()
        };
        moe.m_step_gate(&u, &resp, &opts);
        let step = &moe.v - &v0; // = the gradient (rate 1, one step)
        for i in 0..du {
            for j in 0..k {
                let (mut vp, mut vm) = (v0.clone(), v0.clone());
                vp[[i, j]] += 1e-6;
                vm[[i, j]] -= 1e-6;
                let fd = (objective(&vp) - objective(&vm)) / 2e-6;
                assert!(
                    (fd - step[[i, j]]).abs() < 1e-7,
                    "({i}, {j}): {fd} vs {}",
                    step[[i, j]]
                );
            }
        }
    }

    /// Each mean-field sweep does not decrease the E-step objective, and at lambda = 0 the
    /// responsibilities are the exact posteriors (the objective's maximiser: it equals the
    /// log-likelihood there).
    #[test]
    fn mean_field_ascends_and_matches_the_posterior_at_zero() {
        let spec = SwitchingSpec {
            k: 3,
            forcing: 20.0,
            dwell: 1.0,
            noise: 0.5,
            samples: 400,
            every: 1,
            quadratic_experts: true,
            window: 20,
        };
        let mut rng = crate::mc::stream(5, 0, 0);
        let data = spec.sample(&mut rng).unwrap();
        let moe = GatedMoe::fit(
            &data,
            &MoeOptions {
                em_iterations: 3,
                ..MoeOptions::default()
            },
            &mut rng,
        )
        .unwrap();
        let d = moe.design(&data);
        let logp = moe.log_joint(&d);
        let loglik: f64 = logp
            .rows()
            .into_iter()
            .map(|r| crate::prob::log_sum_exp(r.iter()))
            .sum();
        let r0 = moe.responsibilities(&d, 0.0);
        assert!((moe.free_energy(&d, &r0, 0.0) - loglik).abs() < 1e-6 * loglik.abs());
        let r1 = moe.responsibilities(&d, 2.0);
        assert!(moe.free_energy(&d, &r1, 2.0) >= moe.free_energy(&d, &r0, 2.0) - 1e-9);
    }
}
