//! The gated mixture and its EM fit: options, the design, the E-step with the routing
//! coupling (mean-field), the M-step (weighted least squares per expert, gradient steps for
//! the gate).
//! (Over 400 lines only with its unit tests: 361 lines of code, then the tests.)
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::moe::MoeError;
use crate::params::{out_of_range, Params};
use crate::prob::softmax_in_place;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rand::Rng as _;

use super::*;

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
    /// Where EM starts.
    pub start: Start,
}

/// Where EM starts: random blocks (the method), or the generating regimes (an oracle that
/// tells an optimisation failure from an objective that prefers other routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    #[default]
    Random,
    Regimes,
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
            start: Start::Random,
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
            start: match p.str_or("start", "random")? {
                "random" => Start::Random,
                "regimes" => Start::Regimes,
                other => {
                    return Err(out_of_range(
                        "start",
                        &other.into(),
                        "expected \"random\" or \"regimes\"",
                    )
                    .into())
                }
            },
            ..d
        })
    }
}

pub(super) fn unreachable_fit() -> MoeError {
    out_of_range("restarts", &0usize.into(), "must be >= 1").into()
}

/// Row-wise softmax of the logits.
pub(super) fn softmax_rows(mut a: Array2<f64>) -> Array2<f64> {
    for mut row in a.rows_mut() {
        softmax_in_place(row.view_mut());
    }
    a
}

/// Weighted least squares (psi^T diag(c) psi + ridge I)^{-1} psi^T diag(c) y.
pub(super) fn weighted_least_squares(
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
pub(super) struct Design {
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
    /// highest objective is kept. With `Start::Regimes`, one run from the generating regimes.
    pub fn fit(
        data: &SwitchingData,
        opts: &MoeOptions,
        rng: &mut Rng,
    ) -> Result<GatedMoe, MoeError> {
        if opts.start == Start::Regimes {
            return Self::fit_from_regimes(data, opts);
        }
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
                softmax_in_place(&mut z[..]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

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
