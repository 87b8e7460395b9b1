//! The Gaussian mixture, implemented once. A Gaussian is a mixture with K = 1.
//! (Over 400 lines only with its unit tests: 379 lines of code, then the tests.)
use super::logspace::log_sum_exp;
use super::{Conditioner, ProbError, LN_2PI};
use crate::linalg::{submatrix, Spd};
use crate::mc::Rng;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// Points are evaluated in blocks of this many rows: the block's product with all K
/// precision matrices side by side (d x Kd) stays in cache (DESIGN.md section 5).
const BLOCK: usize = 1024;

/// sum_k w_k N(mu_k, Sigma_k) in R^d, weights kept as logs.
#[derive(Debug, Clone)]
pub struct Gmm {
    pub(super) log_w: Array1<f64>,
    pub(super) means: Array2<f64>,
    pub(super) covs: Vec<Spd>,
}

impl Gmm {
    /// Validated constructor: weights >= 0 summing to one (1e-9), means K x d,
    /// K covariance matrices d x d, each SPD (errors name the component).
    pub fn new(
        weights: &[f64],
        means: Array2<f64>,
        covs: Vec<Array2<f64>>,
    ) -> Result<Gmm, ProbError> {
        let k = weights.len();
        if k == 0 {
            return Err(ProbError::Weights("no components".into()));
        }
        if let Some(i) = weights.iter().position(|w| !(*w >= 0.0) || !w.is_finite()) {
            return Err(ProbError::Weights(format!(
                "weight {i} is {}, must be >= 0",
                weights[i]
            )));
        }
        let sum: f64 = weights.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(ProbError::Weights(format!("weights sum to {sum}, not 1")));
        }
        if means.nrows() != k || covs.len() != k {
            return Err(ProbError::Dimension(format!(
                "{k} weights, {} means, {} covariances",
                means.nrows(),
                covs.len()
            )));
        }
        let d = means.ncols();
        let mut spd = Vec::with_capacity(k);
        for (i, c) in covs.into_iter().enumerate() {
            if c.dim() != (d, d) {
                return Err(ProbError::Dimension(format!(
                    "covariance of component {i} is {:?}, means have dimension {d}",
                    c.dim()
                )));
            }
            spd.push(Spd::new(c, &format!("covariance of component {i}"))?);
        }
        if means.iter().any(|v| !v.is_finite()) {
            return Err(ProbError::Dimension("means have non-finite entries".into()));
        }
        Ok(Gmm {
            log_w: weights.iter().map(|w| w.ln()).collect(),
            means,
            covs: spd,
        })
    }

    /// A single Gaussian.
    pub fn gaussian(mean: Array1<f64>, cov: Array2<f64>) -> Result<Gmm, ProbError> {
        let d = mean.len();
        Gmm::new(
            &[1.0],
            mean.into_shape_with_order((1, d))
                .map_err(|e| ProbError::Dimension(e.to_string()))?,
            vec![cov],
        )
    }

    /// A mixture from normalised log-weights and factorised covariances, unchecked: for
    /// callers that built the parts from a valid mixture (shapes agree, weights sum to one).
    pub(crate) fn from_parts(log_w: Array1<f64>, means: Array2<f64>, covs: Vec<Spd>) -> Gmm {
        Gmm { log_w, means, covs }
    }

    pub fn dim(&self) -> usize {
        self.means.ncols()
    }
    pub fn components(&self) -> usize {
        self.log_w.len()
    }
    pub fn log_weights(&self) -> ArrayView1<'_, f64> {
        self.log_w.view()
    }
    pub fn weights(&self) -> Array1<f64> {
        self.log_w.mapv(f64::exp)
    }
    pub fn means(&self) -> ArrayView2<'_, f64> {
        self.means.view()
    }
    pub fn mean_of(&self, k: usize) -> ArrayView1<'_, f64> {
        self.means.row(k)
    }
    pub fn cov_of(&self, k: usize) -> &Spd {
        &self.covs[k]
    }

    /// The Gaussian fitted to the rows of `x` by their sample mean and unbiased sample
    /// covariance (one GEMM). Its conditionals are the least-squares regressions of one block
    /// of coordinates on another, with the residual covariance normalised by n - 1: the
    /// plug-in score model of a Gaussian target. Needs more rows than columns.
    pub fn fit_gaussian(x: ArrayView2<f64>) -> Result<Gmm, ProbError> {
        let (n, d) = x.dim();
        if n <= d {
            return Err(ProbError::Dimension(format!(
                "a Gaussian in {d} dimensions needs more than {d} samples to fit, got {n}"
            )));
        }
        let mean = x.mean_axis(Axis(0)).expect("n > 0");
        let c = &x - &mean.view().insert_axis(Axis(0));
        let cov = c.t().dot(&c) / (n as f64 - 1.0);
        Gmm::gaussian(mean, cov)
    }

    /// The mixture's mean sum_k w_k mu_k.
    pub fn mean(&self) -> Array1<f64> {
        self.weights().dot(&self.means)
    }

    /// The mixture's covariance sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T.
    pub fn covariance(&self) -> Array2<f64> {
        let w = self.weights();
        let m = self.mean();
        let d = self.dim();
        let mut c = Array2::zeros((d, d));
        for k in 0..self.components() {
            let dm = &self.means.row(k) - &m;
            let outer = dm
                .view()
                .insert_axis(Axis(1))
                .dot(&dm.view().insert_axis(Axis(0)));
            c = c + (self.covs[k].matrix() + &outer) * w[k];
        }
        c
    }

    /// Trace of the mixture covariance (cheaper than forming it).
    pub fn total_variance(&self) -> f64 {
        let w = self.weights();
        let m = self.mean();
        (0..self.components())
            .map(|k| {
                w[k] * (self.covs[k].trace() + (&self.means.row(k) - &m).mapv(|v| v * v).sum())
            })
            .sum()
    }

    /// n samples (rows) and their component labels. Per component: one GEMM Z L^T.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> (Array2<f64>, Vec<usize>) {
        let w = self.weights();
        let labels: Vec<usize> = (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                for (k, wk) in w.iter().enumerate() {
                    acc += wk;
                    if u < acc {
                        return k;
                    }
                }
                w.len() - 1
            })
            .collect();
        let d = self.dim();
        let z = Array2::from_shape_fn((n, d), |_| StandardNormal.sample(rng));
        let mut x = Array2::zeros((n, d));
        for k in 0..self.components() {
            let rows: Vec<usize> = (0..n).filter(|&i| labels[i] == k).collect();
            if rows.is_empty() {
                continue;
            }
            let zk = z.select(Axis(0), &rows);
            let xk = zk.dot(&self.covs[k].chol().t()) + &self.means.row(k);
            for (j, &i) in rows.iter().enumerate() {
                x.row_mut(i).assign(&xk.row(j));
            }
        }
        (x, labels)
    }

    /// Log-density and score (gradient of the log-density) at the rows of `x` (n x d).
    ///
    /// For each block of points, one GEMM against all K precision matrices side by side
    /// (d x Kd) gives every quadratic form and every component score; log-sum-exp and the
    /// responsibility-weighted score are fused into the same pass. Cost 2 K d^2 flops per point.
    pub fn log_density_and_score(
        &self,
        x: ArrayView2<f64>,
    ) -> Result<(Array1<f64>, Array2<f64>), ProbError> {
        let (n, d) = x.dim();
        if d != self.dim() {
            return Err(ProbError::Dimension(format!(
                "points have dimension {d}, the mixture {}",
                self.dim()
            )));
        }
        let kk = self.components();
        // precisions side by side, their products with the means, constants
        let mut pcat = Array2::zeros((d, kk * d));
        let mut mp = Array2::zeros((kk, d)); // mu_k^T P_k
        let mut c = Array1::zeros(kk); // log w_k - (d ln 2pi + ln det)/2 - mu^T P mu / 2
        for k in 0..kk {
            let p = self.covs[k].inverse()?;
            let mu = self.means.row(k);
            let mpk = mu.dot(&p);
            c[k] = self.log_w[k]
                - 0.5 * (d as f64 * LN_2PI + self.covs[k].log_det())
                - 0.5 * mpk.dot(&mu);
            mp.row_mut(k).assign(&mpk);
            pcat.slice_mut(s![.., k * d..(k + 1) * d]).assign(&p);
        }
        crate::linalg::single_threaded_blas();
        let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
        // blocks in parallel (rayon), each with one single-threaded GEMM; collected in order
        let parts: Vec<(Vec<f64>, Array2<f64>)> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + BLOCK).min(n);
                let xb = x
                    .slice(s![start..end, ..])
                    .as_standard_layout()
                    .into_owned();
                self.block_density_and_score(&xb, &pcat, &mp, &c)
            })
            .collect();
        let mut logp = Array1::zeros(n);
        let mut score = Array2::zeros((n, d));
        for (&start, (lp, sc)) in starts.iter().zip(parts) {
            let end = start + lp.len();
            logp.slice_mut(s![start..end]).assign(&Array1::from(lp));
            score.slice_mut(s![start..end, ..]).assign(&sc);
        }
        Ok((logp, score))
    }

    /// One block: XP = X_b [P_1 .. P_K] (the only O(d^2) work), then per point the K
    /// quadratic forms x^T P_k x - 2 x^T P_k mu_k + mu_k^T P_k mu_k, log-sum-exp, and the
    /// responsibility-weighted score -sum_k r_k (P_k x - P_k mu_k), in plain loops over
    /// contiguous rows while they are in cache.
    fn block_density_and_score(
        &self,
        xb: &Array2<f64>,
        pcat: &Array2<f64>,
        mp: &Array2<f64>,
        c: &Array1<f64>,
    ) -> (Vec<f64>, Array2<f64>) {
        let (nb, d) = xb.dim();
        let kk = self.components();
        let xp = xb.dot(pcat);
        let xs = xb.as_slice().expect("standard layout");
        let xps = xp.as_slice().expect("standard layout");
        let mps = mp.as_slice().expect("standard layout");
        let mut lp = vec![0.0; nb];
        let mut sc = Array2::zeros((nb, d));
        let scs = sc.as_slice_mut().expect("standard layout");
        let mut logc = vec![0.0; kk];
        for i in 0..nb {
            let xi = &xs[i * d..(i + 1) * d];
            for k in 0..kk {
                let xpk = &xps[i * kk * d + k * d..i * kk * d + (k + 1) * d];
                let mpk = &mps[k * d..(k + 1) * d];
                let mut xpx = 0.0;
                let mut xmp = 0.0;
                for j in 0..d {
                    xpx += xi[j] * xpk[j];
                    xmp += xi[j] * mpk[j];
                }
                logc[k] = c[k] - 0.5 * xpx + xmp;
            }
            let l = log_sum_exp(logc.iter());
            lp[i] = l;
            let si = &mut scs[i * d..(i + 1) * d];
            for k in 0..kk {
                let r = (logc[k] - l).exp();
                if r == 0.0 {
                    continue;
                }
                let xpk = &xps[i * kk * d + k * d..i * kk * d + (k + 1) * d];
                let mpk = &mps[k * d..(k + 1) * d];
                for j in 0..d {
                    si[j] -= r * (xpk[j] - mpk[j]);
                }
            }
        }
        (lp, sc)
    }

    /// Log-density only.
    pub fn log_density(&self, x: ArrayView2<f64>) -> Result<Array1<f64>, ProbError> {
        Ok(self.log_density_and_score(x)?.0)
    }

    /// Every covariance mapped by `f` and re-validated (errors name `what` and the component).
    fn map_covs(
        &self,
        what: &str,
        f: impl Fn(&Array2<f64>) -> Array2<f64>,
    ) -> Result<Vec<Spd>, ProbError> {
        self.covs
            .iter()
            .enumerate()
            .map(|(k, c)| {
                Spd::new(f(c.matrix()), &format!("{what} covariance {k}")).map_err(ProbError::from)
            })
            .collect()
    }

    /// The law of x + s z, z ~ N(0, I): every covariance plus s^2 I.
    pub fn noised(&self, s: f64) -> Result<Gmm, ProbError> {
        let eye = Array2::<f64>::eye(self.dim()) * (s * s);
        let covs = self.map_covs("noised", |c| c + &eye)?;
        Ok(Gmm::from_parts(
            self.log_w.clone(),
            self.means.clone(),
            covs,
        ))
    }

    /// The law of A x + b + e, e ~ N(0, Q) (Q = None for no noise): means A mu + b,
    /// covariances A Sigma A^T + Q. A is m x d (m <= d, full row rank for SPD images).
    pub fn affine(
        &self,
        a: &Array2<f64>,
        b: Option<&Array1<f64>>,
        q: Option<&Array2<f64>>,
    ) -> Result<Gmm, ProbError> {
        if a.ncols() != self.dim() {
            return Err(ProbError::Dimension(format!(
                "map is {:?}, mixture dimension {}",
                a.dim(),
                self.dim()
            )));
        }
        let mut means = self.means.dot(&a.t());
        if let Some(b) = b {
            means += b;
        }
        let covs = self.map_covs("pushed-forward", |c| {
            let m = a.dot(c).dot(&a.t());
            match q {
                Some(q) => m + q,
                None => m,
            }
        })?;
        Ok(Gmm::from_parts(self.log_w.clone(), means, covs))
    }

    /// Marginal of the coordinates `idx`.
    pub fn marginal(&self, idx: &[usize]) -> Result<Gmm, ProbError> {
        let means = self.means.select(Axis(1), idx);
        let covs = self.map_covs("marginal", |c| submatrix(c, idx, idx))?;
        Ok(Gmm::from_parts(self.log_w.clone(), means, covs))
    }

    /// The law of (x, y) with x ~ self and y ~ other independent: K1 K2 components, means
    /// side by side, covariances block-diagonal, weights multiplied.
    pub fn independent(&self, other: &Gmm) -> Result<Gmm, ProbError> {
        let (d1, d2) = (self.dim(), other.dim());
        let (k1, k2) = (self.components(), other.components());
        let mut means = Array2::zeros((k1 * k2, d1 + d2));
        let mut covs = Vec::with_capacity(k1 * k2);
        let mut log_w = Array1::zeros(k1 * k2);
        for i in 0..k1 {
            for j in 0..k2 {
                let k = i * k2 + j;
                log_w[k] = self.log_w[i] + other.log_w[j];
                means.slice_mut(s![k, ..d1]).assign(&self.means.row(i));
                means.slice_mut(s![k, d1..]).assign(&other.means.row(j));
                let mut c = Array2::zeros((d1 + d2, d1 + d2));
                c.slice_mut(s![..d1, ..d1]).assign(self.covs[i].matrix());
                c.slice_mut(s![d1.., d1..]).assign(other.covs[j].matrix());
                covs.push(Spd::new(c, &format!("covariance of component ({i}, {j})"))?);
            }
        }
        Ok(Gmm::from_parts(log_w, means, covs))
    }

    /// Prepare p(x_v | x_u) for coordinate sets u and v (disjoint).
    pub fn conditioner(&self, u: &[usize], v: &[usize]) -> Result<Conditioner, ProbError> {
        Conditioner::new(self, u, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_fitted_gaussians_conditional_is_the_least_squares_regression() {
        // independent route: the normal equations of y = b0 + b1 x0 + b2 x1 + r
        let mut rng = crate::mc::stream(11, 0, 0);
        let truth = Gmm::gaussian(
            array![0.5, -1.0, 2.0],
            array![[1.0, 0.3, 0.5], [0.3, 2.0, -0.4], [0.5, -0.4, 1.5]],
        )
        .unwrap();
        let (x, _) = truth.sample(60, &mut rng);
        let fit = Gmm::fit_gaussian(x.view()).unwrap();
        let (a, g) = fit.conditioner(&[0, 1], &[2]).unwrap().affine_mean(0);
        let design =
            Array2::from_shape_fn((60, 3), |(i, j)| if j == 0 { 1.0 } else { x[[i, j - 1]] });
        let xtx = Spd::new(design.t().dot(&design), "X^T X").unwrap();
        let beta = xtx.solve(&design.t().dot(&x.slice(s![.., 2..3]))).unwrap();
        assert!((a[0] - beta[[0, 0]]).abs() < 1e-10, "{a} {beta}");
        assert!((g[[0, 0]] - beta[[1, 0]]).abs() < 1e-10);
        assert!((g[[0, 1]] - beta[[2, 0]]).abs() < 1e-10);
        let resid = &x.slice(s![.., 2..3]) - &design.dot(&beta);
        let s2 = resid.mapv(|v| v * v).sum() / 59.0;
        let schur = fit.conditioner(&[0, 1], &[2]).unwrap().schur(0).matrix()[[0, 0]];
        assert!((schur - s2).abs() < 1e-10, "{schur} {s2}");
        // too few rows is an error, not a singular matrix
        assert!(Gmm::fit_gaussian(x.slice(s![..3, ..])).is_err());
    }

    #[test]
    fn the_independent_pair_has_the_sum_of_log_densities() {
        let p = two_component();
        let q = Gmm::gaussian(array![1.0, -2.0], array![[2.0, 0.4], [0.4, 1.0]]).unwrap();
        let pq = p.independent(&q).unwrap();
        let mut rng = crate::mc::stream(5, 0, 0);
        let (x, _) = pq.sample(50, &mut rng);
        let joint = pq.log_density(x.view()).unwrap();
        let a = p.log_density(x.slice(s![.., ..3])).unwrap();
        let b = q.log_density(x.slice(s![.., 3..])).unwrap();
        for i in 0..50 {
            assert!((joint[i] - a[i] - b[i]).abs() < 1e-12, "{i}");
        }
        assert_eq!(pq.components(), 2);
    }

    fn two_component() -> Gmm {
        Gmm::new(
            &[0.3, 0.7],
            array![[0.0, 1.0, -1.0], [2.0, -1.0, 0.5]],
            vec![
                array![[1.0, 0.3, 0.1], [0.3, 2.0, 0.2], [0.1, 0.2, 0.5]],
                array![[0.5, -0.1, 0.0], [-0.1, 1.0, 0.3], [0.0, 0.3, 1.5]],
            ],
        )
        .unwrap()
    }

    /// Per-point reference: log sum_k w_k N(x; mu_k, S_k) by explicit inverse and determinant.
    fn brute_log_density(g: &Gmm, x: ArrayView1<f64>) -> f64 {
        let d = g.dim() as f64;
        let terms: Vec<f64> = (0..g.components())
            .map(|k| {
                let r = &x - &g.mean_of(k);
                let p = g.cov_of(k).inverse().unwrap();
                g.log_weights()[k]
                    - 0.5 * (d * LN_2PI + g.cov_of(k).log_det())
                    - 0.5 * r.dot(&p.dot(&r))
            })
            .collect();
        log_sum_exp(terms.iter())
    }

    #[test]
    fn batched_density_and_score_match_brute_force_and_finite_differences() {
        let g = two_component();
        let mut rng = crate::mc::stream(1, 0, 0);
        let (x, _) = g.sample(2500, &mut rng); // crosses a block boundary
        let (lp, sc) = g.log_density_and_score(x.view()).unwrap();
        for i in [0, 1023, 1024, 2499] {
            assert!((lp[i] - brute_log_density(&g, x.row(i))).abs() < 1e-10);
            for j in 0..3 {
                let h = 1e-5;
                let mut a = x.row(i).to_owned();
                let mut b = a.clone();
                a[j] += h;
                b[j] -= h;
                let fd =
                    (brute_log_density(&g, a.view()) - brute_log_density(&g, b.view())) / (2.0 * h);
                assert!(
                    (sc[[i, j]] - fd).abs() < 1e-6,
                    "score {i},{j}: {} vs {fd}",
                    sc[[i, j]]
                );
            }
        }
    }

    #[test]
    fn conditional_matches_bayes_rule() {
        // log p(v | u) = log p(u, v) - log p(u) at random points
        let g = two_component();
        let (u, v) = ([0usize], [1usize, 2]);
        let cond = g.conditioner(&u, &v).unwrap();
        let mu = g.marginal(&u).unwrap();
        let mut rng = crate::mc::stream(2, 0, 0);
        let (x, _) = g.sample(50, &mut rng);
        let lp_joint = g.log_density(x.view()).unwrap();
        let xu = x.select(Axis(1), &u);
        let xv = x.select(Axis(1), &v);
        let lp_u = mu.log_density(xu.view()).unwrap();
        let lp_c = cond.log_density(xu.view(), xv.view()).unwrap();
        for i in 0..50 {
            assert!((lp_c[i] - (lp_joint[i] - lp_u[i])).abs() < 1e-10);
        }
        // the conditional mixture at one point has the same density
        let at = cond.at(xu.row(0)).unwrap();
        let l = at.log_density(xv.slice(s![0..1, ..])).unwrap();
        assert!((l[0] - lp_c[0]).abs() < 1e-10);
        // the batched conditional mean and total variance are those of the mixture at each
        // point, and the weights slip moves the mean (the two components' covariances differ)
        use super::super::conditioner::ComponentWeights::{Posterior, WithoutLogDet};
        let m = cond.mean_with(xu.view(), Posterior).unwrap();
        let tv = cond.total_variance(xu.view()).unwrap();
        let slipped = cond.mean_with(xu.view(), WithoutLogDet).unwrap();
        let mut moved: f64 = 0.0;
        for i in 0..50 {
            let at = cond.at(xu.row(i)).unwrap();
            assert!((&m.row(i) - &at.mean()).iter().all(|d| d.abs() < 1e-12));
            assert!((tv[i] - at.total_variance()).abs() < 1e-12);
            moved = moved.max(
                (&slipped.row(i) - &m.row(i))
                    .iter()
                    .fold(0.0, |a, d| a.max(d.abs())),
            );
        }
        assert!(
            moved > 1e-3,
            "the weights slip left the means in place: {moved}"
        );
    }

    #[test]
    fn moments_of_samples_match() {
        let g = two_component();
        let mut rng = crate::mc::stream(3, 0, 0);
        let (x, _) = g.sample(200_000, &mut rng);
        let m = x.mean_axis(Axis(0)).unwrap();
        assert!((&m - &g.mean()).iter().all(|v| v.abs() < 0.02));
        let tv: f64 = x.var_axis(Axis(0), 1.0).sum();
        assert!((tv - g.total_variance()).abs() < 0.05);
        assert!((g.covariance().diag().sum() - g.total_variance()).abs() < 1e-12);
    }

    #[test]
    fn bad_mixtures_are_named() {
        let e = Gmm::new(
            &[0.5, 0.6],
            array![[0.0], [1.0]],
            vec![array![[1.0]], array![[1.0]]],
        )
        .unwrap_err();
        assert!(e.to_string().contains("sum to"));
        let e = Gmm::new(
            &[1.5, -0.5],
            array![[0.0], [1.0]],
            vec![array![[1.0]], array![[1.0]]],
        )
        .unwrap_err();
        assert!(e.to_string().contains(">= 0"));
        let e = Gmm::new(
            &[0.5, 0.5],
            array![[0.0], [1.0]],
            vec![array![[1.0]], array![[-1.0]]],
        )
        .unwrap_err();
        assert!(e.to_string().contains("component 1"), "{e}");
        let e = Gmm::new(&[1.0], array![[0.0, 1.0]], vec![array![[1.0]]]).unwrap_err();
        assert!(e.to_string().contains("dimension"));
    }
}
