//! The intervals verdicts are read from: each end at its own miss probability (the budget,
//! `budget.rs`), by the method that fits the data (theory/stats.md, "Intervals"):
//!
//! * `Betting`: samples with known bounds (indicators, bounded losses, NMI): a confidence
//!   sequence, valid at every sample size and every look (`betting.rs`).
//! * `ClopperPearson`: a count of violations among n independent trials (exact).
//! * `StudentT`: unbounded samples. Valid to first order; the end that a skewed sample makes
//!   too short is used only when the leading Edgeworth term of the Student statistic says its
//!   miss probability is at most 1.5 times nominal for the largest skewness the sample allows
//!   (sample skewness + 2 standard errors), and is then computed at nominal / 1.5. Otherwise
//!   that end is left open (infinite): the point stays INCONCLUSIVE until more replicates make
//!   the correction small; at the catalogue's budget this needs about 150-300 replicates.
//! * `Gaussian`: Student's t without the rule, for a replicate that is itself an average of
//!   many weakly dependent terms (the entry says why); the assumption is the entry's.
use super::budget::EndErrors;
use super::interval::mean_sd;
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, Continuous, ContinuousCDF, Normal, StudentsT};

/// How an interval was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    StudentT,
    Gaussian,
    Betting,
    ClopperPearson,
}

/// An interval whose ends have stated miss probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
    /// P[lo > truth] and P[hi < truth] allowed (before any skewness safety factor).
    pub ends: EndErrors,
    pub n: usize,
    pub method: Method,
    /// Standard error of the estimate (for the power report).
    pub se: f64,
    /// Sample skewness (Student-t only; 0 otherwise).
    pub skewness: f64,
}

/// Largest allowed leading Edgeworth correction, relative to the nominal tail.
pub const MAX_EDGEWORTH: f64 = 0.5;

/// The standard normal law (its quantiles for intervals, tests and effect sizes): the one
/// construction in the project.
pub fn standard_normal() -> Normal {
    // mean 0, sd 1 are valid parameters
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// Sample skewness m3 / m2^{3/2} (0 for a constant sample).
pub fn skewness(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 3 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / n;
    let (mut m2, mut m3) = (0.0, 0.0);
    for x in xs {
        let d = x - m;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= n;
    m3 /= n;
    if m2 > 0.0 {
        m3 / m2.powf(1.5)
    } else {
        0.0
    }
}

/// Standard error of the sample skewness of n normal samples:
/// sqrt(6 (n - 2) / ((n + 1) (n + 3))).
pub fn skewness_se(n: usize) -> f64 {
    let n = n as f64;
    (6.0 * (n - 2.0).max(0.0) / ((n + 1.0) * (n + 3.0))).sqrt()
}

/// The relative excess of the Student statistic's tail beyond z over the normal tail, from
/// the leading Edgeworth term (Hall 1992, section 2.6: P[T <= x] = Phi(x) + n^{-1/2}
/// gamma (2x^2 + 1) phi(x) / 6 + O(1/n)), for the tail that skewness gamma lengthens.
pub fn edgeworth_excess(gamma: f64, z: f64, n: usize) -> f64 {
    let nd = standard_normal();
    gamma.abs() * (2.0 * z * z + 1.0) * nd.pdf(z) / (6.0 * (n as f64).sqrt() * nd.sf(z))
}

/// Student-t limits with the skewness rule above. Needs n >= 2 (else both ends open).
pub fn student_t_limits(xs: &[f64], ends: EndErrors) -> Limits {
    t_limits(xs, ends, true)
}

/// Student-t limits without the skewness rule, for a replicate known to be near normal.
pub fn gaussian_limits(xs: &[f64], ends: EndErrors) -> Limits {
    t_limits(xs, ends, false)
}

fn t_limits(xs: &[f64], ends: EndErrors, skew_rule: bool) -> Limits {
    let n = xs.len();
    let (mean, sd) = mean_sd(xs);
    let gamma = skewness(xs);
    let se = sd / (n as f64).sqrt();
    let mut lim = Limits {
        estimate: mean,
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
        ends,
        n,
        method: if skew_rule {
            Method::StudentT
        } else {
            Method::Gaussian
        },
        se,
        skewness: gamma,
    };
    if n < 2 || !mean.is_finite() {
        return lim;
    }
    let Ok(t) = StudentsT::new(0.0, 1.0, n as f64 - 1.0) else {
        return lim;
    };
    // One end: its quantile at err / 1.5, or open when the skewness correction may be too
    // large. A right-skewed law (gamma > 0) shortens the upper end, a left-skewed the lower;
    // the sample skewness is uncertain (small samples from a skewed law often look
    // symmetric), so the rule uses gamma_hat +- 2 se(gamma_hat), the normal-theory standard
    // error: an end is at risk unless the sample rules out the skew that shortens it.
    let se_gamma = skewness_se(n);
    let end = |err: f64, worst_skew: f64| -> Option<f64> {
        let z = standard_normal().inverse_cdf(1.0 - err);
        if worst_skew > 0.0 && edgeworth_excess(worst_skew, z, n) > MAX_EDGEWORTH {
            return None;
        }
        let q = t.inverse_cdf(1.0 - err / (1.0 + MAX_EDGEWORTH));
        Some(if sd == 0.0 { 0.0 } else { q * se })
    };
    let (right, left) = if skew_rule {
        // the most right (left) skew the sample allows
        (gamma + 2.0 * se_gamma, -gamma + 2.0 * se_gamma)
    } else {
        (0.0, 0.0)
    };
    if let Some(h) = end(ends.lo, left) {
        lim.lo = mean - h;
    }
    if let Some(h) = end(ends.hi, right) {
        lim.hi = mean + h;
    }
    lim
}

/// Clopper-Pearson limits for k successes in n trials, each end at its own error.
pub fn clopper_pearson_limits(k: u64, n: u64, ends: EndErrors) -> Limits {
    let (kf, nf) = (k as f64, n as f64);
    let lo = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0)
            .map(|b| b.inverse_cdf(ends.lo))
            .unwrap_or(0.0)
    };
    let hi = if k >= n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf)
            .map(|b| b.inverse_cdf(1.0 - ends.hi))
            .unwrap_or(1.0)
    };
    let p = if n == 0 { f64::NAN } else { kf / nf };
    Limits {
        estimate: p,
        lo,
        hi,
        ends,
        n: n as usize,
        method: Method::ClopperPearson,
        se: (p * (1.0 - p) / nf).sqrt(),
        skewness: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::clopper_pearson;

    #[test]
    fn equal_ends_match_the_two_sided_intervals() {
        let e = EndErrors {
            lo: 0.025,
            hi: 0.025,
        };
        let a = clopper_pearson_limits(3, 20, e);
        let b = clopper_pearson(3, 20, 0.95);
        assert!((a.lo - b.lo).abs() < 1e-12 && (a.hi - b.hi).abs() < 1e-12);
        // without the skewness rule the t ends are the textbook ones (at err / 1.5)
        let xs: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let l = gaussian_limits(&xs, e);
        let q = StudentsT::new(0.0, 1.0, 9.0)
            .unwrap()
            .inverse_cdf(1.0 - 0.025 / 1.5);
        assert!((l.hi - 4.5 - q * l.se).abs() < 1e-9, "{l:?}");
        assert!(skewness(&xs).abs() < 1e-12);
    }

    #[test]
    fn small_samples_cannot_rule_out_skew_large_ones_can() {
        let e = EndErrors {
            lo: 2.5e-4,
            hi: 2.5e-4,
        };
        let sym = |n: usize| -> Vec<f64> { (0..n).map(|i| (i % 2) as f64).collect() };
        let small = student_t_limits(&sym(24), e);
        assert!(
            small.lo.is_infinite() && small.hi.is_infinite(),
            "{small:?}"
        );
        let large = student_t_limits(&sym(400), e);
        assert!(large.lo.is_finite() && large.hi.is_finite(), "{large:?}");
        let g = gaussian_limits(&sym(24), e);
        assert!(g.lo.is_finite() && g.hi.is_finite());
    }

    #[test]
    fn a_skewed_small_sample_leaves_its_short_end_open() {
        // one large value among small ones: right-skewed; the upper end is the one at risk
        let mut xs = vec![0.1; 399];
        xs.extend([5.0, 5.0, 5.0, 5.0]);
        let l = student_t_limits(&xs, EndErrors { lo: 1e-4, hi: 1e-4 });
        assert!(skewness(&xs) > 2.0);
        assert!(l.hi.is_infinite() && l.lo.is_finite(), "{l:?}");
    }
}
