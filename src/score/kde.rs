//! The Gaussian-smoothed empirical score (Wibisono, Wu & Yang, COLT 2024, arXiv 2402.07747):
//! for training draws x_1..x_n of the target, the kernel density estimate of the noised law,
//! rho(y) = (1/n) sum_i N(y; a x_i, v I) with v = s^2 + h^2 (s the noise level, h an extra
//! bandwidth), and the score grad rho / max(rho, eps) (the density floor eps keeps the
//! estimate bounded where rho is tiny; eps = 0 is the plain score of the estimate).
use super::{check_dim, Noising, ScoreError, ScoreModel};
use crate::prob::softmax_in_place;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// Test points per block: the block's kernel matrix (block x n) stays near 32 MB at n = 1e5.
const BLOCK_ENTRIES: usize = 4_000_000;

/// A mistake in the estimate (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdeFault {
    None,
    /// The kernel's variance taken as s^2, the extra bandwidth h dropped.
    BandwidthDropped,
}

pub struct SmoothedEmpirical {
    centres: Array2<f64>,
    sq_norms: Array1<f64>,
    var: f64,
    log_floor: f64,
}

impl SmoothedEmpirical {
    /// From training draws `x` (n x d) of the clean target, the noising, the extra bandwidth
    /// h >= 0 and the floor eps >= 0; errors name the parameter.
    pub fn new(
        x: ArrayView2<f64>,
        noising: Noising,
        h: f64,
        floor: f64,
    ) -> Result<SmoothedEmpirical, ScoreError> {
        SmoothedEmpirical::with_fault(x, noising, h, floor, KdeFault::None)
    }

    /// `new` with a fault injected (mutation controls).
    pub fn with_fault(
        x: ArrayView2<f64>,
        noising: Noising,
        h: f64,
        floor: f64,
        fault: KdeFault,
    ) -> Result<SmoothedEmpirical, ScoreError> {
        if x.nrows() == 0 {
            return Err(ScoreError::Input(
                "the smoothed empirical score needs at least one training draw (`n` >= 1)".into(),
            ));
        }
        if !(h >= 0.0 && h.is_finite()) {
            return Err(ScoreError::Input(format!(
                "bandwidth `h` = {h}: must be >= 0 and finite"
            )));
        }
        if !(floor >= 0.0 && floor.is_finite()) {
            return Err(ScoreError::Input(format!(
                "density floor `eps` = {floor}: must be >= 0 and finite"
            )));
        }
        let var = noising.s * noising.s
            + if fault == KdeFault::BandwidthDropped {
                0.0
            } else {
                h * h
            };
        SmoothedEmpirical::from_centres(x.to_owned() * noising.a, var, floor)
    }

    /// The estimate (1/n) sum_i N(y; c_i, var I) of given centres c_i (rows) with the floor
    /// eps >= 0: the conditional estimator's joint kernel (`conditional::ConditionalKde`).
    pub(crate) fn from_centres(
        centres: Array2<f64>,
        var: f64,
        floor: f64,
    ) -> Result<SmoothedEmpirical, ScoreError> {
        if centres.nrows() == 0 {
            return Err(ScoreError::Input(
                "the smoothed empirical score needs at least one training draw (`n` >= 1)".into(),
            ));
        }
        if !(var > 0.0 && var.is_finite() && floor >= 0.0 && floor.is_finite()) {
            return Err(ScoreError::Input(format!(
                "kernel variance {var} must be positive and the floor {floor} non-negative"
            )));
        }
        let sq_norms = centres.map_axis(Axis(1), |r| r.dot(&r));
        Ok(SmoothedEmpirical {
            centres,
            sq_norms,
            var,
            log_floor: if floor > 0.0 {
                floor.ln()
            } else {
                f64::NEG_INFINITY
            },
        })
    }

    /// Log-density of the estimate and its score at the rows of one block.
    fn block(&self, yb: ArrayView2<f64>) -> (Vec<f64>, Array2<f64>) {
        let (nb, d) = yb.dim();
        let n = self.centres.nrows();
        let v = self.var;
        let lognorm = -0.5 * d as f64 * (2.0 * std::f64::consts::PI * v).ln() - (n as f64).ln();
        // -|y - c|^2 / (2v) through one GEMM
        let mut k = yb.dot(&self.centres.t());
        let mut logp = vec![0.0; nb];
        for (i, mut row) in k.axis_iter_mut(Axis(0)).enumerate() {
            let yi = yb.row(i);
            let y2 = yi.dot(&yi);
            for (j, e) in row.iter_mut().enumerate() {
                *e = -(y2 - 2.0 * *e + self.sq_norms[j]) / (2.0 * v);
            }
            // one exp per entry: the responsibilities and the log-sum-exp from one pass
            logp[i] = softmax_in_place(row.view_mut()) + lognorm;
        }
        // responsibilities times centres: the posterior mean of the centre
        let mean = k.dot(&self.centres);
        let mut score = (mean - &yb) / v;
        for (i, mut row) in score.axis_iter_mut(Axis(0)).enumerate() {
            if logp[i] < self.log_floor {
                row *= (logp[i] - self.log_floor).exp();
            }
        }
        (logp, score)
    }

    /// Log-density of the estimate at the rows of `y`.
    pub fn log_density(&self, y: ArrayView2<f64>) -> Result<Array1<f64>, ScoreError> {
        Ok(self.evaluate(y)?.0)
    }

    /// Log-density and score at the rows of `y`.
    pub fn evaluate(&self, y: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>), ScoreError> {
        check_dim(y, self.centres.ncols(), "the smoothed empirical score")?;
        let n = y.nrows();
        let rows = (BLOCK_ENTRIES / self.centres.nrows().max(1)).clamp(1, 1024);
        let starts: Vec<usize> = (0..n).step_by(rows).collect();
        crate::linalg::single_threaded_blas();
        let parts: Vec<(Vec<f64>, Array2<f64>)> = starts
            .par_iter()
            .map(|&st| self.block(y.slice(s![st..(st + rows).min(n), ..])))
            .collect();
        let mut logp = Array1::zeros(n);
        let mut score = Array2::zeros(y.dim());
        for (&st, (lp, sc)) in starts.iter().zip(parts) {
            let end = st + lp.len();
            logp.slice_mut(s![st..end]).assign(&Array1::from(lp));
            score.slice_mut(s![st..end, ..]).assign(&sc);
        }
        Ok((logp, score))
    }
}

impl ScoreModel for SmoothedEmpirical {
    fn dim(&self) -> usize {
        self.centres.ncols()
    }
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        Ok(self.evaluate(y)?.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prob::Gmm;
    use ndarray::array;

    #[test]
    fn the_estimate_is_the_mixture_of_its_centres() {
        // two training points: the estimate is 0.5 N(a x1, v) + 0.5 N(a x2, v) exactly
        let x = array![[0.0, 1.0], [2.0, -1.0]];
        let n = Noising::new(0.8, 0.6).unwrap();
        let kde = SmoothedEmpirical::new(x.view(), n, 0.3, 0.0).unwrap();
        let v = 0.36 + 0.09;
        let g = Gmm::new(
            &[0.5, 0.5],
            &x * 0.8,
            vec![Array2::eye(2) * v, Array2::eye(2) * v],
        )
        .unwrap();
        let y = array![[0.1, 0.2], [5.0, -3.0], [1.0, 0.0]];
        let (lp, sc) = g.log_density_and_score(y.view()).unwrap();
        let (klp, ksc) = kde.evaluate(y.view()).unwrap();
        for i in 0..3 {
            assert!((lp[i] - klp[i]).abs() < 1e-12, "{} {}", lp[i], klp[i]);
            for j in 0..2 {
                assert!((sc[[i, j]] - ksc[[i, j]]).abs() < 1e-12);
            }
        }
        // the floor scales the score by rho / eps where rho < eps
        let eps = (klp[1] + 1.0).exp();
        let floored = SmoothedEmpirical::new(x.view(), n, 0.3, eps).unwrap();
        let f = floored.score(y.view()).unwrap();
        assert!((f[[1, 0]] - ksc[[1, 0]] * (-1.0f64).exp()).abs() < 1e-12);
        assert!(SmoothedEmpirical::new(x.view(), n, -1.0, 0.0).is_err());
    }
}
