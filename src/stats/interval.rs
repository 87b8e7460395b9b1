//! Confidence intervals for means and proportions.
use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, StudentsT};

/// A two-sided confidence interval around a point estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
    /// Confidence level of the two-sided interval, e.g. 0.999.
    pub level: f64,
    pub n: usize,
}

impl Interval {
    /// The interval that says nothing (fewer than two samples).
    fn unbounded(estimate: f64, level: f64, n: usize) -> Self {
        Interval {
            estimate,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            level,
            n,
        }
    }
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
    pub fn half_width(&self) -> f64 {
        0.5 * (self.hi - self.lo)
    }
}

/// Sample mean and unbiased standard deviation (fixed summation order).
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, f64::NAN);
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, (ss / (n as f64 - 1.0)).sqrt())
}

/// Student-t interval for the mean at two-sided level `level`:
/// mean +- t_{n-1, (1+level)/2} sd / sqrt(n). Needs n >= 2.
pub fn student_t(xs: &[f64], level: f64) -> Interval {
    let n = xs.len();
    let (mean, sd) = mean_sd(xs);
    if n < 2 {
        return Interval::unbounded(mean, level, n);
    }
    let half = if sd == 0.0 {
        0.0
    } else {
        // n >= 2 so the freedom is positive and the constructor cannot fail.
        let t = StudentsT::new(0.0, 1.0, n as f64 - 1.0)
            .map(|d| d.inverse_cdf(0.5 + 0.5 * level))
            .unwrap_or(f64::INFINITY);
        t * sd / (n as f64).sqrt()
    };
    Interval {
        estimate: mean,
        lo: mean - half,
        hi: mean + half,
        level,
        n,
    }
}

/// The interval for the mean of a stationary, autocorrelated series (a filter's RMSE over
/// time), correcting the variance of the mean for an AR(1) fit of the series: with lag-1
/// autocorrelation a (clipped to [0, 0.99]), Var(mean) = (s^2 / n) (1 + 2 sum_{k=1}^{n-1}
/// (1 - k/n) a^k), the exact variance of the mean of an AR(1) process; normal quantile at
/// `level`. This is the practice of the data-assimilation literature (DAPPER's
/// `mean_with_conf` fits the same model). Needs n >= 3.
pub fn ar1_mean_interval(xs: &[f64], level: f64) -> Interval {
    let n = xs.len();
    let (mean, sd) = mean_sd(xs);
    if n < 3 || !sd.is_finite() {
        return Interval::unbounded(mean, level, n);
    }
    let c0: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    let c1: f64 = xs
        .windows(2)
        .map(|w| (w[0] - mean) * (w[1] - mean))
        .sum::<f64>()
        / (n - 1) as f64;
    let a = if c0 > 0.0 {
        (c1 / c0).clamp(0.0, 0.99)
    } else {
        0.0
    };
    let nf = n as f64;
    let mut factor = 1.0;
    let mut ak = 1.0;
    for k in 1..n {
        ak *= a;
        if ak < 1e-16 {
            break;
        }
        factor += 2.0 * (1.0 - k as f64 / nf) * ak;
    }
    let z = crate::stats::standard_normal().inverse_cdf(0.5 + 0.5 * level);
    let half = z * sd * (factor / nf).sqrt();
    Interval {
        estimate: mean,
        lo: mean - half,
        hi: mean + half,
        level,
        n,
    }
}

/// Empirical-Bernstein interval (Maurer & Pontil 2009, Thm 4) for samples in an
/// interval of width `range`: mean +- [sqrt(2 V ln(4/a) / n) + 7 range ln(4/a) / (3 (n-1))],
/// a = 1 - level split over the two sides. Valid for every n >= 2 without normality.
pub fn empirical_bernstein(xs: &[f64], range: f64, level: f64) -> Interval {
    let n = xs.len();
    let (mean, sd) = mean_sd(xs);
    if n < 2 {
        return Interval::unbounded(mean, level, n);
    }
    let l = (4.0 / (1.0 - level)).ln();
    let nf = n as f64;
    let half = (2.0 * sd * sd * l / nf).sqrt() + 7.0 * range * l / (3.0 * (nf - 1.0));
    Interval {
        estimate: mean,
        lo: mean - half,
        hi: mean + half,
        level,
        n,
    }
}

/// Clopper-Pearson exact interval for a binomial proportion: k successes of n.
pub fn clopper_pearson(k: u64, n: u64, level: f64) -> Interval {
    let a = 1.0 - level;
    let (kf, nf) = (k as f64, n as f64);
    let lo = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0)
            .map(|b| b.inverse_cdf(a / 2.0))
            .unwrap_or(0.0)
    };
    let hi = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf)
            .map(|b| b.inverse_cdf(1.0 - a / 2.0))
            .unwrap_or(1.0)
    };
    Interval {
        estimate: if n == 0 { f64::NAN } else { kf / nf },
        lo,
        hi,
        level,
        n: n as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ar1_interval_covers_the_mean_of_an_ar1_series_and_widens_with_correlation() {
        use rand_distr::{Distribution, StandardNormal};
        // 400 AR(1) series with a = 0.8: the 95% interval covers 0 in 90% to 99% of them,
        // where the independent-draws interval (a = 0 assumed) would cover far fewer
        let (a, n) = (0.8, 2000);
        let mut covered = 0;
        let mut naive = 0;
        for rep in 0..400 {
            let mut rng = crate::mc::stream(9, 0, rep);
            let mut x = 0.0;
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    x = a * x + (1.0f64 - a * a).sqrt() * z;
                    x
                })
                .collect();
            covered += ar1_mean_interval(&xs, 0.95).contains(0.0) as usize;
            naive += student_t(&xs, 0.95).contains(0.0) as usize;
        }
        assert!((360..=396).contains(&covered), "{covered}");
        assert!(naive < 300, "{naive}");
    }

    #[test]
    fn student_t_matches_table() {
        // t_{9, 0.975} = 2.262157 (standard table); xs has mean 4.5, sd 3.02765.
        let xs: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let iv = student_t(&xs, 0.95);
        let half = 2.262157 * 3.0276504 / 10f64.sqrt();
        assert!((iv.half_width() - half).abs() < 1e-5, "{iv:?}");
    }

    #[test]
    fn clopper_pearson_matches_reference() {
        // R: binom.test(3, 20)$conf.int = 0.03207094 0.37892683
        let iv = clopper_pearson(3, 20, 0.95);
        assert!((iv.lo - 0.03207094).abs() < 1e-6, "{iv:?}");
        assert!((iv.hi - 0.37892683).abs() < 1e-6, "{iv:?}");
        // zero successes: upper limit 1 - (a/2)^(1/n)
        let iv = clopper_pearson(0, 100, 0.999);
        assert_eq!(iv.lo, 0.0);
        assert!((iv.hi - (1.0 - 0.0005f64.powf(0.01))).abs() < 1e-9);
    }

    #[test]
    fn bernstein_is_wider_than_t_for_bounded_samples() {
        let xs: Vec<f64> = (0..200).map(|i| ((i * 37) % 100) as f64 / 100.0).collect();
        let eb = empirical_bernstein(&xs, 1.0, 0.999);
        let t = student_t(&xs, 0.999);
        assert!(eb.half_width() > t.half_width());
        assert!(eb.contains(t.estimate));
    }
}
