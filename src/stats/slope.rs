//! Slopes with confidence intervals, for `Scaling` checks.
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A fitted slope with a two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlopeFit {
    pub slope: f64,
    pub intercept: f64,
    pub se: f64,
    pub lo: f64,
    pub hi: f64,
    pub level: f64,
    /// Birge ratio sqrt(chi^2 / dof) of the weighted fit (1 when not weighted);
    /// the standard error is inflated by it when it exceeds one.
    pub scale_factor: f64,
}

/// Ordinary least squares y = a + b x with a Student-t interval on b from the residuals.
pub fn ols_slope(x: &[f64], y: &[f64], level: f64) -> SlopeFit {
    let w = vec![1.0; x.len()];
    let (a, b, sxx, _) = weighted_fit(x, y, &w);
    let n = x.len() as f64;
    let rss: f64 = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (yi - a - b * xi).powi(2))
        .sum();
    let dof = n - 2.0;
    let se = if dof > 0.0 {
        (rss / dof / sxx).sqrt()
    } else {
        f64::INFINITY
    };
    let q = if dof > 0.0 {
        StudentsT::new(0.0, 1.0, dof)
            .map(|d| d.inverse_cdf(0.5 + 0.5 * level))
            .unwrap_or(f64::INFINITY)
    } else {
        f64::INFINITY
    };
    let half = if se == 0.0 { 0.0 } else { q * se };
    SlopeFit {
        slope: b,
        intercept: a,
        se,
        lo: b - half,
        hi: b + half,
        level,
        scale_factor: 1.0,
    }
}

/// Slope of log(mean) against log(x), from Monte Carlo means with standard errors.
///
/// Each point's variance on the log scale is (se_i / mean_i)^2 (delta method); the
/// fit is weighted least squares with those known variances, and the slope's standard
/// error is inflated by the Birge ratio when the points scatter more than their
/// errors allow (a curved relation then widens the interval instead of hiding).
/// Falls back to `ols_slope` when the means carry no sampling error (deterministic).
/// Needs all means > 0.
pub fn loglog_slope(x: &[f64], mean: &[f64], se: &[f64], level: f64) -> SlopeFit {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = mean.iter().map(|v| v.ln()).collect();
    let var: Vec<f64> = mean.iter().zip(se).map(|(m, s)| (s / m).powi(2)).collect();
    if var.iter().any(|v| !(*v > 0.0)) {
        return ols_slope(&lx, &ly, level);
    }
    let w: Vec<f64> = var.iter().map(|v| 1.0 / v).collect();
    let (a, b, sxx_w, _) = weighted_fit(&lx, &ly, &w);
    let chi2: f64 = lx
        .iter()
        .zip(&ly)
        .zip(&w)
        .map(|((xi, yi), wi)| wi * (yi - a - b * xi).powi(2))
        .sum();
    let dof = lx.len() as f64 - 2.0;
    let birge = if dof > 0.0 { (chi2 / dof).sqrt() } else { 1.0 };
    let se_b = (1.0 / sxx_w).sqrt() * birge.max(1.0);
    let z = Normal::new(0.0, 1.0)
        .map(|d| d.inverse_cdf(0.5 + 0.5 * level))
        .unwrap_or(f64::INFINITY);
    SlopeFit {
        slope: b,
        intercept: a,
        se: se_b,
        lo: b - z * se_b,
        hi: b + z * se_b,
        level,
        scale_factor: birge,
    }
}

/// Weighted least squares: returns (intercept, slope, sum w (x - xbar_w)^2, xbar_w).
fn weighted_fit(x: &[f64], y: &[f64], w: &[f64]) -> (f64, f64, f64, f64) {
    let sw: f64 = w.iter().sum();
    let xbar = x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let ybar = y.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / sw;
    let mut sxx = 0.0;
    let mut sxy = 0.0;
    for ((xi, yi), wi) in x.iter().zip(y).zip(w) {
        sxx += wi * (xi - xbar) * (xi - xbar);
        sxy += wi * (xi - xbar) * (yi - ybar);
    }
    let b = sxy / sxx;
    (ybar - b * xbar, b, sxx, xbar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_power_law_has_exact_slope() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0];
        let m: Vec<f64> = x.iter().map(|v: &f64| 3.0 * v.powf(0.5)).collect();
        let fit = loglog_slope(&x, &m, &[0.0; 5], 0.999);
        assert!((fit.slope - 0.5).abs() < 1e-12);
        assert!(fit.hi - fit.lo < 1e-9);
        let se: Vec<f64> = m.iter().map(|v| 0.01 * v).collect();
        let fit = loglog_slope(&x, &m, &se, 0.999);
        assert!((fit.slope - 0.5).abs() < 1e-12 && fit.lo < 0.5 && fit.hi > 0.5);
    }

    #[test]
    fn curvature_inflates_the_interval() {
        let x = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let m: Vec<f64> = x.iter().map(|v: &f64| v.sqrt() + v.ln().powi(2)).collect();
        let se: Vec<f64> = m.iter().map(|v| 1e-3 * v).collect();
        let fit = loglog_slope(&x, &m, &se, 0.999);
        assert!(fit.scale_factor > 1.0);
    }
}
