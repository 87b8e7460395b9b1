//! Conditionals of a Gaussian mixture: p(x_v | x_u) is again a mixture, with weights
//! reweighted by each component's marginal density of x_u, means shifted by the gains, and
//! Schur-complement covariances.
use super::logspace::log_sum_exp;
use super::{Gmm, ProbError, LN_2PI};
use crate::linalg::{submatrix, Spd};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// Which component weights a conditional mixture uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentWeights {
    /// w_k(u) ∝ w_k N(u; mu_u,k, S_uu,k): the correct conditional.
    Posterior,
    /// w_k(u) ∝ w_k exp(-q_k(u) / 2): the Gaussian's normalising constant |S_uu,k|^{-1/2}
    /// dropped, as if it cancelled across components (it does not when their covariances
    /// differ; a mutation control's slip).
    WithoutLogDet,
}

/// p(v | u) of a mixture, with everything that does not depend on the value of u
/// precomputed: per component the gain G_k = S_vu S_uu^{-1}, the Schur complement
/// S_vv - G_k S_uv, and the marginal of u that reweights the components.
#[derive(Debug, Clone)]
pub struct Conditioner {
    log_w: Array1<f64>,
    mu_u: Array2<f64>,
    mu_v: Array2<f64>,
    cov_u: Vec<Spd>,
    gain: Vec<Array2<f64>>,
    schur: Vec<Spd>,
}

impl Conditioner {
    pub(super) fn new(g: &Gmm, u: &[usize], v: &[usize]) -> Result<Self, ProbError> {
        let d = g.dim();
        if u.iter().chain(v).any(|&i| i >= d) {
            return Err(ProbError::Dimension(format!(
                "conditioning indices exceed dimension {d}"
            )));
        }
        let mut cov_u = Vec::new();
        let mut gain = Vec::new();
        let mut schur = Vec::new();
        for k in 0..g.components() {
            let c = g.covs[k].matrix();
            let suu = Spd::new(
                submatrix(c, u, u),
                &format!("conditioning block of component {k}"),
            )?;
            let suv = submatrix(c, u, v);
            let gk = suu.solve(&suv)?.reversed_axes(); // (S_uu^{-1} S_uv)^T = S_vu S_uu^{-1}
            let s = submatrix(c, v, v) - gk.dot(&suv);
            schur.push(Spd::new(
                s,
                &format!("conditional covariance of component {k}"),
            )?);
            gain.push(gk);
            cov_u.push(suu);
        }
        Ok(Conditioner {
            log_w: g.log_w.clone(),
            mu_u: g.means.select(Axis(1), u),
            mu_v: g.means.select(Axis(1), v),
            cov_u,
            gain,
            schur,
        })
    }

    /// Posterior log-weights log w_k + log N(u; mu_u,k, S_uu,k) - normaliser, for rows of `u` (n x m).
    fn posterior_log_weights(&self, u: ArrayView2<f64>) -> Result<Array2<f64>, ProbError> {
        self.posterior_log_weights_with(u, ComponentWeights::Posterior)
    }

    fn posterior_log_weights_with(
        &self,
        u: ArrayView2<f64>,
        weights: ComponentWeights,
    ) -> Result<Array2<f64>, ProbError> {
        let with_det = weights == ComponentWeights::Posterior;
        let n = u.nrows();
        let kk = self.log_w.len();
        let m = u.ncols();
        let mut lw = Array2::zeros((n, kk));
        for k in 0..kk {
            let z = self.cov_u[k].whiten_rows(&u - &self.mu_u.row(k))?; // n x m
            let q = z.mapv(|v| v * v).sum_axis(Axis(1));
            let log_det = if with_det {
                self.cov_u[k].log_det()
            } else {
                0.0
            };
            let c = self.log_w[k] - 0.5 * (m as f64 * LN_2PI + log_det);
            lw.column_mut(k).assign(&q.mapv(|qq| c - 0.5 * qq));
        }
        for mut row in lw.rows_mut() {
            let l = log_sum_exp(row.iter());
            row.mapv_inplace(|v| v - l);
        }
        Ok(lw)
    }

    /// Conditional means per component for rows of `u`: K arrays n x p.
    fn component_means(&self, u: ArrayView2<f64>) -> Vec<Array2<f64>> {
        (0..self.log_w.len())
            .map(|k| (&u - &self.mu_u.row(k)).dot(&self.gain[k].t()) + &self.mu_v.row(k))
            .collect()
    }

    /// The conditional mixture p(v | u) at one value of u.
    pub fn at(&self, u: ArrayView1<f64>) -> Result<Gmm, ProbError> {
        let uu = u.insert_axis(Axis(0));
        let lw = self.posterior_log_weights(uu)?;
        let means = self.component_means(uu);
        let kk = self.log_w.len();
        let p = self.mu_v.ncols();
        let mut m = Array2::zeros((kk, p));
        for k in 0..kk {
            m.row_mut(k).assign(&means[k].row(0));
        }
        Ok(Gmm::from_parts(lw.row(0).to_owned(), m, self.schur.clone()))
    }

    /// log p(v_i | u_i) for paired rows of `u` (n x m) and `v` (n x p). Batched per component.
    pub fn log_density(
        &self,
        u: ArrayView2<f64>,
        v: ArrayView2<f64>,
    ) -> Result<Array1<f64>, ProbError> {
        let n = u.nrows();
        let p = v.ncols();
        let lw = self.posterior_log_weights(u)?;
        let means = self.component_means(u);
        let kk = self.log_w.len();
        let mut terms = Array2::zeros((n, kk));
        for k in 0..kk {
            let z = self.schur[k].whiten_rows(&v - &means[k])?; // n x p
            let q = z.mapv(|x| x * x).sum_axis(Axis(1));
            let c = -0.5 * (p as f64 * LN_2PI + self.schur[k].log_det());
            for i in 0..n {
                terms[[i, k]] = lw[[i, k]] + c - 0.5 * q[i];
            }
        }
        Ok(terms
            .rows()
            .into_iter()
            .map(|r| log_sum_exp(r.iter()))
            .collect())
    }

    /// tr Cov(v | u_i) for rows of `u`: sum_k w_k(u) (tr S_k + ||m_k(u) - m(u)||^2).
    pub fn total_variance(&self, u: ArrayView2<f64>) -> Result<Array1<f64>, ProbError> {
        self.total_variance_with(u, ComponentWeights::Posterior)
    }

    /// `total_variance` with the component weights chosen: the posterior w_k(u) (correct),
    /// or a mutation control's slip.
    pub fn total_variance_with(
        &self,
        u: ArrayView2<f64>,
        weights: ComponentWeights,
    ) -> Result<Array1<f64>, ProbError> {
        let w = self.posterior_log_weights_with(u, weights)?.mapv(f64::exp);
        let means = self.component_means(u);
        let mbar = Self::mixed(&w, &means);
        let kk = self.log_w.len();
        Ok(Array1::from_shape_fn(u.nrows(), |i| {
            (0..kk)
                .map(|k| {
                    w[[i, k]]
                        * (self.schur[k].trace()
                            + (&means[k].row(i) - &mbar.row(i)).mapv(|x| x * x).sum())
                })
                .sum()
        }))
    }

    /// E[v | u_i] for rows of `u` (n x p), with the component weights chosen as in
    /// `total_variance_with`.
    pub fn mean_with(
        &self,
        u: ArrayView2<f64>,
        weights: ComponentWeights,
    ) -> Result<Array2<f64>, ProbError> {
        let w = self.posterior_log_weights_with(u, weights)?.mapv(f64::exp);
        Ok(Self::mixed(&w, &self.component_means(u)))
    }

    /// Row i of the result: sum_k w[i, k] means[k][i, :].
    fn mixed(w: &Array2<f64>, means: &[Array2<f64>]) -> Array2<f64> {
        let p = means.first().map_or(0, |m| m.ncols());
        let mut out = Array2::zeros((w.nrows(), p));
        for (k, mk) in means.iter().enumerate() {
            out += &(mk * &w.column(k).insert_axis(Axis(1)));
        }
        out
    }

    /// The same conditioner with the gain term's sign slipped in every Schur complement:
    /// S_vv + G_k S_uv = S_k + 2 G_k S_uu G_k^T, so conditioning inflates the covariance (a
    /// mutation control's slip; the weights and means are untouched).
    pub fn gain_sign_slipped(&self) -> Result<Conditioner, ProbError> {
        let mut out = self.clone();
        for (k, s) in out.schur.iter_mut().enumerate() {
            let g = &self.gain[k];
            let inflated = s.matrix() + &(g.dot(self.cov_u[k].matrix()).dot(&g.t()) * 2.0);
            *s = Spd::new(inflated, &format!("slipped covariance of component {k}"))?;
        }
        Ok(out)
    }

    /// The conditional covariance of component k (does not depend on u).
    pub fn schur(&self, k: usize) -> &Spd {
        &self.schur[k]
    }

    /// Component k's conditional mean as an affine map of u: (a, B) with
    /// E[v | u, k] = a + B u (a = mu_v - G mu_u, B = G).
    pub fn affine_mean(&self, k: usize) -> (Array1<f64>, Array2<f64>) {
        let g = self.gain[k].clone();
        let a = &self.mu_v.row(k) - &g.dot(&self.mu_u.row(k));
        (a, g)
    }

    pub fn components(&self) -> usize {
        self.log_w.len()
    }
}
