//! Second derivatives of a mixture's log-density, and the one-dimensional mixture's CDF.
//!
//! With responsibilities r_k(x), component scores a_k = -P_k (x - mu_k) and the score
//! s = sum_k r_k a_k, the Hessian of log p is sum_k r_k (a_k a_k^T - P_k) - s s^T: the
//! responsibility-weighted mean of the component Hessians plus the covariance of the
//! component scores (so -Hess log p can fail to be positive where components overlap, the
//! Bakry-Emery obstruction).
use super::{log_sum_exp, Gmm, ProbError, LN_2PI};
use ndarray::{Array1, Array2, ArrayView1};
use statrs::distribution::{ContinuousCDF, Normal};

impl Gmm {
    /// log p(x), the score and the Hessian of log p at one point.
    pub fn log_density_score_hessian(
        &self,
        x: ArrayView1<f64>,
    ) -> Result<(f64, Array1<f64>, Array2<f64>), ProbError> {
        let d = self.dim();
        if x.len() != d {
            return Err(ProbError::Dimension(format!(
                "a point of dimension {}, the mixture {d}",
                x.len()
            )));
        }
        let kk = self.components();
        let mut logc = Vec::with_capacity(kk);
        let mut scores = Vec::with_capacity(kk);
        let mut precisions = Vec::with_capacity(kk);
        for k in 0..kk {
            let p = self.covs[k].inverse()?;
            let diff = &x - &self.means.row(k);
            let a = -p.dot(&diff);
            logc.push(
                self.log_w[k] - 0.5 * (d as f64 * LN_2PI + self.covs[k].log_det())
                    + 0.5 * diff.dot(&a),
            );
            scores.push(a);
            precisions.push(p);
        }
        let l = log_sum_exp(logc.iter());
        let mut s = Array1::zeros(d);
        let mut h = Array2::zeros((d, d));
        for k in 0..kk {
            let r = (logc[k] - l).exp();
            if r == 0.0 {
                continue;
            }
            s.scaled_add(r, &scores[k]);
            let a = &scores[k];
            for i in 0..d {
                for j in 0..d {
                    h[[i, j]] += r * (a[i] * a[j] - precisions[k][[i, j]]);
                }
            }
        }
        for i in 0..d {
            for j in 0..d {
                h[[i, j]] -= s[i] * s[j];
            }
        }
        Ok((l, s, h))
    }

    /// P(X <= x) for a one-dimensional mixture.
    pub fn cdf_1d(&self, x: f64) -> Result<f64, ProbError> {
        self.check_1d()?;
        let w = self.weights();
        Ok((0..self.components())
            .map(|k| {
                let (m, sd) = self.moments_1d(k);
                w[k] * standard_normal().cdf((x - m) / sd)
            })
            .sum())
    }

    /// P(X > x) for a one-dimensional mixture, accurate in the far tail (no 1 - cdf).
    pub fn sf_1d(&self, x: f64) -> Result<f64, ProbError> {
        self.check_1d()?;
        let w = self.weights();
        Ok((0..self.components())
            .map(|k| {
                let (m, sd) = self.moments_1d(k);
                w[k] * standard_normal().sf((x - m) / sd)
            })
            .sum())
    }

    /// Component k's mean and standard deviation (one-dimensional mixture).
    pub fn moments_1d(&self, k: usize) -> (f64, f64) {
        (self.means[[k, 0]], self.covs[k].matrix()[[0, 0]].sqrt())
    }

    fn check_1d(&self) -> Result<(), ProbError> {
        if self.dim() == 1 {
            Ok(())
        } else {
            Err(ProbError::Dimension(format!(
                "a one-dimensional law was needed, not dimension {}",
                self.dim()
            )))
        }
    }
}

pub(crate) fn standard_normal() -> Normal {
    Normal::standard()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The Hessian against central differences of the score (batched route), in 2-D, and the
    /// one-dimensional CDF against a sum of normal CDFs and its survival function.
    #[test]
    fn hessian_matches_differences_of_the_score_and_the_cdf_its_tail() {
        let g = Gmm::new(
            &[0.3, 0.7],
            array![[-1.0, 0.5], [1.5, -0.2]],
            vec![
                array![[0.5, 0.1], [0.1, 0.8]],
                array![[1.2, -0.3], [-0.3, 0.6]],
            ],
        )
        .unwrap();
        let x = array![0.2, 0.1];
        let (l, s, h) = g.log_density_score_hessian(x.view()).unwrap();
        let (l2, s2) = g
            .log_density_and_score(x.view().insert_axis(ndarray::Axis(0)))
            .unwrap();
        assert!((l - l2[0]).abs() < 1e-12 && (&s - &s2.row(0)).iter().all(|v| v.abs() < 1e-12));
        let eps = 1e-5;
        for j in 0..2 {
            let mut xp = x.clone();
            let mut xm = x.clone();
            xp[j] += eps;
            xm[j] -= eps;
            let (_, sp, _) = g.log_density_score_hessian(xp.view()).unwrap();
            let (_, sm, _) = g.log_density_score_hessian(xm.view()).unwrap();
            for i in 0..2 {
                let fd = (sp[i] - sm[i]) / (2.0 * eps);
                assert!(
                    (fd - h[[i, j]]).abs() < 1e-7,
                    "H[{i},{j}] {} vs {fd}",
                    h[[i, j]]
                );
            }
        }
        let g1 = Gmm::new(
            &[0.2, 0.8],
            array![[4.0], [-4.0]],
            vec![array![[1.0]], array![[1.0]]],
        )
        .unwrap();
        let n = Normal::standard();
        let want = 0.2 * n.cdf(-3.5) + 0.8 * n.cdf(4.5);
        assert!((g1.cdf_1d(0.5).unwrap() - want).abs() < 1e-15);
        assert!((g1.sf_1d(12.0).unwrap() - 0.2 * n.sf(8.0) - 0.8 * n.sf(16.0)).abs() < 1e-30);
        assert!(g.cdf_1d(0.0).is_err());
    }
}
