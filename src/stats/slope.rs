//! Slopes with confidence limits, for `Scaling` checks (theory/stats.md, "Slopes").
//!
//! The claimed quantity is the least-squares slope of log E[Z] against log x over the stated
//! grid of x: a fixed number, whether or not E[Z] is an exact power of x. Its estimate is the
//! ordinary least-squares slope b = sum_i c_i log(mean_i), c_i = (u_i - u_bar) / S_uu with
//! u = log x, so var(b) = sum_i c_i^2 var(log mean_i), and var(log mean_i) = (se_i / mean_i)^2
//! by the delta method, the points being independent. Curvature of the relation is part of
//! the estimand, not noise, so residual scatter does not enter the interval (it is reported as
//! `misfit`). The quantile is Student's t with r - 1 degrees of freedom (r replicates per
//! mean: each se_i is estimated from r samples). A fit of deterministic values (all se = 0) is
//! reported as a fit: its limits are the slope itself.
use super::budget::EndErrors;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A fitted log-log slope with limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlopeFit {
    pub slope: f64,
    pub intercept: f64,
    pub se: f64,
    pub lo: f64,
    pub hi: f64,
    pub ends: EndErrors,
    /// sqrt(chi^2 / (k - 2)) of the log-means about the line, weighted by their errors:
    /// above 1 when the relation is curved beyond the noise (reported, not used).
    pub misfit: f64,
    /// No sampling error: the limits are the slope.
    pub deterministic: bool,
}

/// c_i = (u_i - u_bar) / S_uu: the least-squares slope is sum_i c_i y_i.
fn ls_weights(u: &[f64]) -> Vec<f64> {
    let ubar = u.iter().sum::<f64>() / u.len() as f64;
    let suu: f64 = u.iter().map(|ui| (ui - ubar).powi(2)).sum();
    u.iter().map(|ui| (ui - ubar) / suu).collect()
}

/// The ordinary least-squares line y = a + b u: (b, a); None with fewer than two distinct u
/// (or lengths that differ).
pub fn least_squares_line(u: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    if u.len() != y.len() || u.len() < 2 || u.iter().all(|v| *v == u[0]) {
        return None;
    }
    let k = u.len() as f64;
    let ubar = u.iter().sum::<f64>() / k;
    let ybar = y.iter().sum::<f64>() / k;
    let b: f64 = ls_weights(u).iter().zip(y).map(|(ci, yi)| ci * yi).sum();
    Some((b, ybar - b * ubar))
}

/// The least-squares slope of log(mean) on log(x) with limits at the ends' errors.
/// `replicates`: samples behind each mean (the degrees of freedom of its se). Needs all
/// x > 0, mean > 0 and at least two distinct x.
pub fn grid_slope(
    x: &[f64],
    mean: &[f64],
    se: &[f64],
    replicates: usize,
    ends: EndErrors,
) -> SlopeFit {
    let u: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = mean.iter().map(|v| v.ln()).collect();
    let k = u.len() as f64;
    let c = ls_weights(&u);
    let (b, a) = least_squares_line(&u, &ly).unwrap_or((f64::NAN, f64::NAN));
    let var_log: Vec<f64> = mean.iter().zip(se).map(|(m, s)| (s / m).powi(2)).collect();
    let var_b: f64 = c.iter().zip(&var_log).map(|(ci, v)| ci * ci * v).sum();
    let deterministic = var_log.iter().all(|v| *v == 0.0);
    let chi2: f64 = u
        .iter()
        .zip(&ly)
        .zip(&var_log)
        .map(|((ui, yi), v)| {
            let r2 = (yi - a - b * ui).powi(2);
            if *v > 0.0 {
                r2 / v
            } else {
                0.0
            }
        })
        .sum();
    let misfit = if k > 2.0 {
        (chi2 / (k - 2.0)).sqrt()
    } else {
        0.0
    };
    let se_b = var_b.sqrt();
    let (lo, hi) = if deterministic {
        (b, b)
    } else {
        let q = |err: f64| {
            StudentsT::new(0.0, 1.0, (replicates.max(2) - 1) as f64)
                .map(|t| t.inverse_cdf(1.0 - err))
                .unwrap_or(f64::INFINITY)
        };
        (b - q(ends.lo) * se_b, b + q(ends.hi) * se_b)
    };
    SlopeFit {
        slope: b,
        intercept: a,
        se: se_b,
        lo,
        hi,
        ends,
        misfit,
        deterministic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const E: EndErrors = EndErrors { lo: 1e-3, hi: 1e-3 };

    #[test]
    fn least_squares_line_recovers_a_line_and_refuses_a_point() {
        let u = [0.0, 1.0, 2.0, 4.0];
        let y: Vec<f64> = u.iter().map(|v| 3.0 - 0.5 * v).collect();
        let (b, a) = least_squares_line(&u, &y).unwrap();
        assert!((b + 0.5).abs() < 1e-12 && (a - 3.0).abs() < 1e-12);
        // small scatter about the line moves it little
        let noisy = [3.1, 2.4, 2.1, 0.9];
        let (b2, _) = least_squares_line(&u, &noisy).unwrap();
        assert!((b2 - (-0.5)).abs() < 0.1, "{b2}");
        assert!(least_squares_line(&[1.0, 1.0], &[0.0, 1.0]).is_none());
        assert!(least_squares_line(&[1.0], &[0.0]).is_none());
        assert!(least_squares_line(&[1.0, 2.0], &[0.0]).is_none());
    }

    #[test]
    fn an_exact_power_law_has_its_exact_slope() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        let m: Vec<f64> = x.iter().map(|v: &f64| 3.0 * v.powf(0.5)).collect();
        let fit = grid_slope(&x, &m, &[0.0; 5], 1, E);
        assert!((fit.slope - 0.5).abs() < 1e-12 && fit.deterministic && fit.lo == fit.hi);
        let se: Vec<f64> = m.iter().map(|v| 0.01 * v).collect();
        let fit = grid_slope(&x, &m, &se, 100, E);
        assert!((fit.slope - 0.5).abs() < 1e-12 && fit.lo < 0.5 && fit.hi > 0.5);
    }

    #[test]
    fn the_variance_is_the_propagated_one() {
        // two points: b = (log m2 - log m1) / (u2 - u1); var = (v1 + v2) / (u2 - u1)^2
        let x = [1.0, std::f64::consts::E];
        let m = [1.0, 2.0];
        let se = [0.1, 0.2];
        let fit = grid_slope(&x, &m, &se, 50, E);
        assert!((fit.slope - 2f64.ln()).abs() < 1e-12);
        assert!((fit.se - (0.01f64 + 0.01).sqrt()).abs() < 1e-12, "{fit:?}");
    }

    #[test]
    fn curvature_shows_as_misfit() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let m: Vec<f64> = x.iter().map(|v: &f64| v.sqrt() + v.ln().powi(2)).collect();
        let se: Vec<f64> = m.iter().map(|v| 1e-3 * v).collect();
        assert!(grid_slope(&x, &m, &se, 100, E).misfit > 1.0);
    }
}
