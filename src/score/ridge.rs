//! Random-feature score models fitted by denoising score matching in closed form.
//!
//! Features phi(u) = sqrt(2 / m) cos(u Omega + b), Omega with N(0, 1 / l^2) entries, b uniform
//! on [0, 2 pi) (random Fourier features of a Gaussian kernel of length scale l), of an input
//! u (the noisy point, and later conditioning variables and embeddings). The model is
//! s(u) = phi(u) W with W (m x d) minimising the empirical denoising objective
//! J(W) = (1/n) sum_i ||phi(u_i) W - t_i||^2 + lambda ||W||_F^2, whose normal equations
//! (Phi^T Phi + n lambda I) W = Phi^T T are formed by GEMM and solved by Cholesky.
use super::{check_dim, ScoreError, ScoreModel};
use crate::linalg::Spd;
use crate::mc::Rng;
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

/// Rows of features formed at a time by the blockwise products (`normal_equations`,
/// `predict`): 8192 x 1024 doubles is 64 MB.
pub const FEATURE_BLOCK_ROWS: usize = 8192;

/// A mistake in the fit (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RidgeFault {
    None,
    /// lambda I in the normal equations where n lambda I belongs (the 1/n of the objective
    /// forgotten): the solution of a different objective.
    PenaltyNotScaled,
}

/// A random Fourier feature map of inputs of dimension p.
#[derive(Debug, Clone)]
pub struct RandomFeatures {
    omega: Array2<f64>,
    phase: Array1<f64>,
}

impl RandomFeatures {
    /// m features of p-dimensional inputs at length scale l; errors name the parameter.
    pub fn new(p: usize, m: usize, l: f64, rng: &mut Rng) -> Result<RandomFeatures, ScoreError> {
        if m == 0 {
            return Err(ScoreError::Input(
                "`features` = 0: a random-feature model needs at least one feature".into(),
            ));
        }
        if !(l > 0.0 && l.is_finite()) {
            return Err(ScoreError::Input(format!(
                "length scale `l` = {l}: must be positive and finite"
            )));
        }
        let omega = Array2::from_shape_fn((p, m), |_| {
            let z: f64 = StandardNormal.sample(rng);
            z / l
        });
        let phase = Array1::from_shape_fn(m, |_| rng.random::<f64>() * std::f64::consts::TAU);
        Ok(RandomFeatures { omega, phase })
    }

    pub fn len(&self) -> usize {
        self.phase.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phase.is_empty()
    }

    /// Phi^T Phi (m x m) and Phi^T T (m x k) for the rows of u and T without forming Phi:
    /// features are computed `FEATURE_BLOCK_ROWS` rows at a time and their products
    /// accumulated, so memory is O(block m + m^2) whatever n (at n = 1e6, m = 1024: 64 MB of
    /// features and 8 MB of Gram, where Phi would take 8 GB). Up to that many rows it is one
    /// block: the same two GEMMs as on a formed Phi.
    pub fn normal_equations(
        &self,
        u: ArrayView2<f64>,
        t: ArrayView2<f64>,
    ) -> Result<(Array2<f64>, Array2<f64>), ScoreError> {
        if t.nrows() != u.nrows() {
            return Err(ScoreError::Input(format!(
                "ridge fit: {} inputs, {} targets",
                u.nrows(),
                t.nrows()
            )));
        }
        let m = self.len();
        let mut gram = Array2::zeros((m, m));
        let mut rhs = Array2::zeros((m, t.ncols()));
        for st in (0..u.nrows()).step_by(FEATURE_BLOCK_ROWS) {
            let end = (st + FEATURE_BLOCK_ROWS).min(u.nrows());
            let phi = self.map(u.slice(s![st..end, ..]))?;
            crate::linalg::add_gram(phi.view(), &mut gram);
            general_mat_mul(1.0, &phi.t(), &t.slice(s![st..end, ..]), 1.0, &mut rhs);
        }
        Ok((gram, rhs))
    }

    /// phi(u) W for the rows of u, `FEATURE_BLOCK_ROWS` rows of features at a time.
    pub fn predict(&self, u: ArrayView2<f64>, w: &Array2<f64>) -> Result<Array2<f64>, ScoreError> {
        let mut out = Array2::zeros((u.nrows(), w.ncols()));
        for st in (0..u.nrows()).step_by(FEATURE_BLOCK_ROWS) {
            let end = (st + FEATURE_BLOCK_ROWS).min(u.nrows());
            out.slice_mut(s![st..end, ..])
                .assign(&self.map(u.slice(s![st..end, ..]))?.dot(w));
        }
        Ok(out)
    }

    /// phi(u) for the rows of u (n x p): n x m, one GEMM.
    pub fn map(&self, u: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(u, self.omega.nrows(), "random features")?;
        let c = (2.0 / self.len() as f64).sqrt();
        let mut f = u.dot(&self.omega) + &self.phase;
        f.mapv_inplace(|v| c * v.cos());
        Ok(f)
    }
}

/// A fitted random-feature score model s(y) = phi(y) W.
#[derive(Debug, Clone)]
pub struct RandomFeatureScore {
    pub features: RandomFeatures,
    pub w: Array2<f64>,
}

impl ScoreModel for RandomFeatureScore {
    fn dim(&self) -> usize {
        self.w.ncols()
    }
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        self.features.predict(y, &self.w)
    }
}

/// The ridge solution W of the denoising objective for features Phi (n x m) and targets
/// T (n x d) at penalty lambda > 0.
pub fn ridge_fit(
    phi: &Array2<f64>,
    t: &Array2<f64>,
    lambda: f64,
    fault: RidgeFault,
) -> Result<Array2<f64>, ScoreError> {
    let n = phi.nrows();
    if t.nrows() != n {
        return Err(ScoreError::Input(format!(
            "ridge fit: {n} feature rows, {} targets",
            t.nrows()
        )));
    }
    if !(lambda > 0.0 && lambda.is_finite()) {
        return Err(ScoreError::Input(format!(
            "ridge penalty `lambda` = {lambda}: must be positive and finite"
        )));
    }
    crate::linalg::single_threaded_blas();
    let pen = match fault {
        RidgeFault::None => n as f64 * lambda,
        RidgeFault::PenaltyNotScaled => lambda,
    };
    ridge_solve(&phi.t().dot(phi), &phi.t().dot(t), pen)
}

/// (G + pen I)^{-1} R by Cholesky for a Gram matrix G = Phi^T Phi and R = Phi^T T: the ridge
/// solution with the penalty already scaled (n lambda), so one Gram serves every penalty.
pub fn ridge_solve(
    gram: &Array2<f64>,
    rhs: &Array2<f64>,
    pen: f64,
) -> Result<Array2<f64>, ScoreError> {
    let mut g = gram.clone();
    for i in 0..g.nrows() {
        g[[i, i]] += pen;
    }
    Ok(Spd::new(g, "the ridge normal equations")?.solve(rhs)?)
}

/// The empirical objective J(W) and its gradient (2/n) Phi^T (Phi W - T) + 2 lambda W.
pub fn ridge_objective(
    phi: &Array2<f64>,
    t: &Array2<f64>,
    lambda: f64,
    w: &Array2<f64>,
) -> (f64, Array2<f64>) {
    let n = phi.nrows() as f64;
    let r = phi.dot(w) - t;
    let j =
        r.iter().map(|v| v * v).sum::<f64>() / n + lambda * w.iter().map(|v| v * v).sum::<f64>();
    let grad = phi.t().dot(&r) * (2.0 / n) + &(w * (2.0 * lambda));
    (j, grad)
}

/// The same minimiser by conjugate gradients on the normal equations, column by column (an
/// independent route: no factorisation), to a relative residual `tol`.
pub fn ridge_fit_cg(
    phi: &Array2<f64>,
    t: &Array2<f64>,
    lambda: f64,
    tol: f64,
    max_iter: usize,
) -> Array2<f64> {
    let (n, m) = phi.dim();
    let pen = n as f64 * lambda;
    let apply = |v: &Array1<f64>| -> Array1<f64> { phi.t().dot(&phi.dot(v)) + &(v * pen) };
    let rhs = phi.t().dot(t);
    let mut w = Array2::zeros((m, t.ncols()));
    for c in 0..t.ncols() {
        let b = rhs.column(c).to_owned();
        let bn = b.dot(&b).sqrt().max(1e-300);
        let mut x = Array1::zeros(m);
        let mut r = b.clone();
        let mut p = r.clone();
        let mut rr = r.dot(&r);
        for _ in 0..max_iter {
            if rr.sqrt() <= tol * bn {
                break;
            }
            let ap = apply(&p);
            let alpha = rr / p.dot(&ap);
            x = x + &(&p * alpha);
            r = r - &(&ap * alpha);
            let rr_new = r.dot(&r);
            p = &r + &(&p * (rr_new / rr));
            rr = rr_new;
        }
        w.column_mut(c).assign(&x);
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blockwise_products_equal_the_formed_feature_matrix() {
        // three blocks and a ragged end: n = 2 * FEATURE_BLOCK_ROWS + 123
        let mut rng = crate::mc::stream(3, 0, 0);
        let n = 2 * FEATURE_BLOCK_ROWS + 123;
        let u = Array2::from_shape_fn((n, 3), |_| StandardNormal.sample(&mut rng));
        let t = Array2::from_shape_fn((n, 2), |_| StandardNormal.sample(&mut rng));
        let rf = RandomFeatures::new(3, 40, 1.0, &mut rng).unwrap();
        let phi = rf.map(u.view()).unwrap();
        let (gram, rhs) = rf.normal_equations(u.view(), t.view()).unwrap();
        let close = |a: &Array2<f64>, b: &Array2<f64>| {
            let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-12 * scale)
        };
        assert!(close(&gram, &phi.t().dot(&phi)));
        assert!(close(&rhs, &phi.t().dot(&t)));
        let w = ridge_solve(&gram, &rhs, n as f64 * 1e-3).unwrap();
        assert!(close(
            &w,
            &ridge_fit(&phi, &t, 1e-3, RidgeFault::None).unwrap()
        ));
        assert!(close(&rf.predict(u.view(), &w).unwrap(), &phi.dot(&w)));
        // a mismatch of rows is an error, not a panic
        assert!(rf
            .normal_equations(u.view(), t.slice(s![..10, ..]))
            .is_err());
    }
}
