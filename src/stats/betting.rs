//! Betting confidence sequences for the mean of bounded samples (Waudby-Smith & Ramdas,
//! "Estimating means of bounded random variables by betting", JRSS-B 2024; theory/stats.md).
//!
//! For a candidate mean m of samples y_i in [0, 1], a gambler who bets a predictable fraction
//! lambda_i on "y_i > m" holds the capital K^+_t(m) = prod_{i <= t} (1 + lambda_i (y_i - m)),
//! a nonnegative martingale when m is the true mean; by Ville's inequality
//! P[sup_t K^+_t(m) >= 1/a] <= a. The lower end of the interval is the largest m at which
//! that capital reached 1/a at some look; the upper end is the mirror image with the bet
//! "y_i < m". Because the bets are predictable and Ville's inequality holds over all times at
//! once, the ends stay valid at every look with no split of the budget.
//!
//! The bets: lambda_i = min(sqrt(2 ln(1/a) / (h_i s2_{i-1})), c / m) (c / (1 - m) for the
//! mirror bet), c = 1/2, where s2_{i-1} is the running variance with one prior observation
//! (mean 1/2, variance 1/4) and h_i is the size of the look sample i belongs to (n0, 2 n0,
//! 4 n0 ...): a bet tuned to the sample size at which the verdict will be read. Each factor is
//! positive and monotone in m, so the rejected candidates form [0, lo) and (hi, 1]: both
//! ends are found by bisection.
use super::budget::EndErrors;
use super::interval::mean_sd;
use super::limits::{Limits, Method};

/// Truncation of the bets: |lambda (y - m)| <= c.
const TRUNCATION: f64 = 0.5;
/// Bisection steps: the ends to 2^-30 (1e-9) of the range, far below any interval's width;
/// the end returned is the last rejected candidate, so a coarser bisection only widens the
/// interval. Each step replays the whole sequence, so this sets the cost of a look.
const STEPS: usize = 30;

/// The look horizon of sample i (0-based): the smallest n0 2^k >= i + 1.
fn horizon(i: usize, n0: usize) -> f64 {
    let mut h = n0.max(1);
    while h < i + 1 {
        h *= 2;
    }
    h as f64
}

/// Predictable bet sizes before truncation, for a side with miss probability `a`.
fn bets(y: &[f64], a: f64, n0: usize) -> Vec<f64> {
    let l = (1.0 / a).ln();
    let (mut sum, mut ss, mut count) = (0.5, 0.25, 1.0);
    let mut out = Vec::with_capacity(y.len());
    for (i, &yi) in y.iter().enumerate() {
        let var = ss / count;
        out.push((2.0 * l / (horizon(i, n0) * var)).sqrt());
        sum += yi;
        count += 1.0;
        let mu = sum / count;
        ss += (yi - mu) * (yi - mu);
    }
    out
}

/// Whether the capital betting on `up` (y > m) or down (y < m) reached 1/a at a look time
/// (n0, 2 n0, ... and the last sample).
fn rejected(y: &[f64], lam: &[f64], m: f64, up: bool, a: f64, n0: usize) -> bool {
    let threshold = (1.0 / a).ln();
    let cap = TRUNCATION / if up { m } else { 1.0 - m };
    let mut log_k = 0.0;
    let mut next_look = n0.max(1);
    for (i, (&yi, &li)) in y.iter().zip(lam).enumerate() {
        let l = li.min(cap);
        let step = if up { l * (yi - m) } else { -l * (yi - m) };
        log_k += step.ln_1p();
        if i + 1 == next_look || i + 1 == y.len() {
            if log_k >= threshold {
                return true;
            }
            if i + 1 == next_look {
                next_look *= 2;
            }
        }
    }
    false
}

/// Where a monotone predicate on [0, 1] changes: `below` says the rejected candidates are
/// [0, x) (else (x, 1]); the end of [0, 1] itself when nothing is rejected there. Bisection.
fn boundary(rejected: impl Fn(f64) -> bool, below: bool) -> f64 {
    let (edge, inside) = if below { (0.0, 1.0) } else { (1.0, 0.0) };
    if !rejected(edge) {
        return edge;
    }
    // `r` is rejected, `k` is kept
    let (mut r, mut k) = (edge, inside);
    for _ in 0..STEPS {
        let m = 0.5 * (r + k);
        if rejected(m) {
            r = m;
        } else {
            k = m;
        }
    }
    r
}

/// The betting interval for samples in [lo, hi], each end at its miss probability, with
/// looks at n0, 2 n0, 4 n0 ... Returns `Err` naming the first sample outside [lo, hi].
pub fn betting_limits(
    xs: &[f64],
    lo: f64,
    hi: f64,
    ends: EndErrors,
    n0: usize,
) -> Result<Limits, String> {
    let width = hi - lo;
    if !(width > 0.0) {
        return Err(format!("support [{lo}, {hi}] is empty"));
    }
    let mut y = Vec::with_capacity(xs.len());
    for (i, &x) in xs.iter().enumerate() {
        if !(x >= lo && x <= hi) {
            return Err(format!(
                "sample {i} is {x}, outside the declared support [{lo}, {hi}]"
            ));
        }
        y.push((x - lo) / width);
    }
    let (mean, sd) = mean_sd(xs);
    let n = xs.len();
    let lam_up = bets(&y, ends.lo, n0);
    let lam_down = bets(&y, ends.hi, n0);
    // lower end: sup of the rejected set [0, L); upper end: inf of the rejected (U, 1]
    let low_end = boundary(|m| rejected(&y, &lam_up, m, true, ends.lo, n0), true);
    let high_end = boundary(|m| rejected(&y, &lam_down, m, false, ends.hi, n0), false);
    Ok(Limits {
        estimate: mean,
        lo: lo + width * low_end,
        hi: lo + width * high_end,
        ends,
        n,
        method: Method::Betting,
        se: sd / (n as f64).sqrt(),
        skewness: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_covers_the_mean_and_shrinks() {
        let e = EndErrors { lo: 1e-3, hi: 1e-3 };
        let xs: Vec<f64> = (0..400).map(|i| ((i * 37) % 100) as f64 / 100.0).collect();
        let l = betting_limits(&xs, 0.0, 1.0, e, 400).unwrap();
        assert!(l.lo < l.estimate && l.estimate < l.hi, "{l:?}");
        let more: Vec<f64> = xs.iter().cycle().take(3200).copied().collect();
        let m = betting_limits(&more, 0.0, 1.0, e, 400).unwrap();
        assert!(m.hi - m.lo < 0.6 * (l.hi - l.lo), "{l:?} {m:?}");
        // the same data on another scale gives the same interval, rescaled
        let scaled: Vec<f64> = xs.iter().map(|x| 10.0 * x - 5.0).collect();
        let s = betting_limits(&scaled, -5.0, 5.0, e, 400).unwrap();
        assert!((s.lo - (10.0 * l.lo - 5.0)).abs() < 1e-9);
    }

    #[test]
    fn narrower_than_empirical_bernstein_and_a_sample_outside_is_named() {
        let e = EndErrors { lo: 5e-4, hi: 5e-4 };
        let xs: Vec<f64> = (0..1000).map(|i| ((i * 61) % 97) as f64 / 96.0).collect();
        let l = betting_limits(&xs, 0.0, 1.0, e, 1000).unwrap();
        let eb = crate::stats::empirical_bernstein(&xs, 1.0, 0.999);
        assert!(l.hi - l.lo < eb.hi - eb.lo, "{l:?} {eb:?}");
        let err = betting_limits(&[0.5, 1.5], 0.0, 1.0, e, 2).unwrap_err();
        assert!(err.contains("sample 1 is 1.5"), "{err}");
    }
}
