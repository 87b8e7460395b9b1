//! Wasserstein-2 distances from a sample to an exact Gaussian mixture (theory/diffusion.md
//! section 13): in one dimension by the quantile coupling, the sample's order statistics
//! against the mixture's quantiles at the midpoints (i - 1/2)/n; in d dimensions sliced,
//! averaged over random directions, each direction's projected mixture again a mixture in
//! one dimension. The sample side is empirical, so even a sample of the mixture itself has a
//! positive distance (a floor that falls with n); the mixture side is exact.
use super::{Gmm, ProbError};
use crate::mc::Rng;
use ndarray::{Array2, ArrayView1, ArrayView2};
use rand_distr::{Distribution, StandardNormal};

impl Gmm {
    /// The u-quantile of a one-dimensional mixture, u in (0, 1) (`quantiles_1d` of one level).
    pub fn quantile_1d(&self, u: f64) -> Result<f64, ProbError> {
        Ok(self.quantiles_1d(&[u])?[0])
    }

    /// The quantiles of a one-dimensional mixture at increasing levels in (0, 1): Newton's
    /// method on the CDF from the previous quantile, kept inside a bracket [lo, hi] that every
    /// step narrows, bisecting where Newton would leave it; to 1e-12 of the widest component.
    pub fn quantiles_1d(&self, us: &[f64]) -> Result<Vec<f64>, ProbError> {
        if let Some(u) = us.iter().find(|u| !(**u > 0.0 && **u < 1.0)) {
            return Err(ProbError::Dimension(format!(
                "a quantile level must lie in (0, 1), got {u}"
            )));
        }
        if us.windows(2).any(|w| w[1] < w[0]) {
            return Err(ProbError::Dimension("quantile levels must increase".into()));
        }
        self.cdf_1d(0.0)?;
        let k = self.components();
        let w = self.weights();
        let comps: Vec<(f64, f64)> = (0..k).map(|c| self.moments_1d(c)).collect();
        let (mut lo0, mut hi0, mut spread) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for &(m, sd) in &comps {
            lo0 = lo0.min(m - 40.0 * sd);
            hi0 = hi0.max(m + 40.0 * sd);
            spread = spread.max(sd);
        }
        let tol = 1e-12 * spread;
        let norm = super::derivatives::standard_normal();
        let cdf_pdf = |x: f64| -> (f64, f64) {
            let mut f = 0.0;
            let mut p = 0.0;
            for (c, &(m, sd)) in comps.iter().enumerate() {
                let z = (x - m) / sd;
                f += w[c] * statrs::distribution::ContinuousCDF::cdf(&norm, z);
                p += w[c] * (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
            }
            (f, p)
        };
        let mut out = Vec::with_capacity(us.len());
        let mut start = lo0;
        for &u in us {
            let (mut lo, mut hi) = (start, hi0);
            let mut x = if start.is_finite() && start > lo0 {
                start
            } else {
                0.5 * (lo + hi)
            };
            for _ in 0..200 {
                let (f, p) = cdf_pdf(x);
                if f < u {
                    lo = x;
                } else {
                    hi = x;
                }
                if hi - lo <= tol {
                    break;
                }
                let newton = x - (f - u) / p;
                let next = if p > 0.0 && newton > lo && newton < hi {
                    newton
                } else {
                    0.5 * (lo + hi)
                };
                if (next - x).abs() <= tol {
                    x = next;
                    break;
                }
                x = next;
            }
            out.push(x);
            start = lo;
        }
        Ok(out)
    }
}

/// W2^2 between the empirical law of `x` and the one-dimensional mixture `law`, by the
/// quantile coupling: (1/n) sum_i (x_(i) - F^{-1}((i - 1/2)/n))^2.
pub fn w2_sq_1d(x: ArrayView1<f64>, law: &Gmm) -> Result<f64, ProbError> {
    let n = x.len();
    if n == 0 || x.iter().any(|v| !v.is_finite()) {
        return Err(ProbError::Dimension(
            "W2 needs a non-empty sample of finite values".into(),
        ));
    }
    let mut s = x.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let us: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / n as f64).collect();
    let q = law.quantiles_1d(&us)?;
    Ok(s.iter().zip(&q).map(|(v, q)| (v - q).powi(2)).sum::<f64>() / n as f64)
}

/// The sliced W2^2 between the rows of `x` and `law`: the mean over `directions` uniform random
/// unit vectors theta of W2^2 between the projections x theta and the projected mixture.
pub fn sliced_w2_sq(
    x: ArrayView2<f64>,
    law: &Gmm,
    directions: usize,
    rng: &mut Rng,
) -> Result<f64, ProbError> {
    let d = law.dim();
    if x.ncols() != d || directions == 0 {
        return Err(ProbError::Dimension(format!(
            "sliced W2: a sample of dimension {} against a law of dimension {d}, {directions} directions",
            x.ncols()
        )));
    }
    if d == 1 {
        return w2_sq_1d(x.column(0), law);
    }
    let mut acc = 0.0;
    for _ in 0..directions {
        let mut theta: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
        let norm = theta.iter().map(|v| v * v).sum::<f64>().sqrt();
        theta.iter_mut().for_each(|v| *v /= norm);
        let row = Array2::from_shape_vec((1, d), theta.clone())
            .map_err(|e| ProbError::Dimension(e.to_string()))?;
        let projected = law.affine(&row, None, None)?;
        let px = x.dot(&row.t()).column(0).to_owned();
        acc += w2_sq_1d(px.view(), &projected)?;
    }
    Ok(acc / directions as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};

    fn line() -> Gmm {
        Gmm::new(
            &[0.3, 0.7],
            array![[-2.0], [2.0]],
            vec![array![[0.25]], array![[1.0]]],
        )
        .unwrap()
    }

    #[test]
    fn quantiles_invert_the_cdf_and_their_own_sample_is_at_distance_zero() {
        let g = line();
        for u in [1e-6, 0.01, 0.3, 0.5, 0.97, 1.0 - 1e-9] {
            let q = g.quantile_1d(u).unwrap();
            assert!((g.cdf_1d(q).unwrap() - u).abs() < 1e-10, "u = {u}");
        }
        let n = 500;
        let x: Array1<f64> = (0..n)
            .map(|i| g.quantile_1d((i as f64 + 0.5) / n as f64).unwrap())
            .collect();
        assert!(w2_sq_1d(x.view(), &g).unwrap() < 1e-20);
        assert!(g.quantile_1d(0.0).is_err() && g.quantile_1d(1.0).is_err());
    }

    /// A shift by m: W2^2 = m^2 in one dimension; sliced over uniform directions in d = 2,
    /// E (theta . m)^2 = |m|^2 / 2. Both from large samples of the shifted law.
    #[test]
    fn a_shift_costs_its_square_and_half_of_it_sliced_in_the_plane() {
        let mut rng = crate::mc::stream(4, 0, 0);
        let g = line();
        let (x, _) = g.sample(20000, &mut rng);
        let shifted = x.column(0).mapv(|v| v + 0.5);
        let w = w2_sq_1d(shifted.view(), &g).unwrap();
        assert!((w - 0.25).abs() < 0.02, "{w}");
        let p = Gmm::new(
            &[1.0],
            array![[0.0, 0.0]],
            vec![array![[1.0, 0.3], [0.3, 0.5]]],
        )
        .unwrap();
        let (y, _) = p.sample(4000, &mut rng);
        let y = y + &array![[0.6, -0.8]];
        // (theta . m)^2 = |m|^2 cos^2 phi has standard deviation |m|^2 / sqrt(8) = 0.35: over
        // 1000 directions the mean is within 0.05 of 1/2 by more than four standard errors
        let s = sliced_w2_sq(y.view(), &p, 1000, &mut rng).unwrap();
        assert!((s - 0.5).abs() < 0.05, "{s}");
    }
}
