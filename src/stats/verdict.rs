//! The verdict rules of the checking protocol (DESIGN.md section 3).
use super::{Interval, SlopeFit};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Confidence level of every check unless a caller overrides it: 1 - 1e-3.
pub const DEFAULT_CONFIDENCE: f64 = 0.999;
/// Exact checks pass when LHS <= RHS + this * max(1, |RHS|).
pub const EXACT_RELATIVE_TOLERANCE: f64 = 1e-9;

/// Outcome of a check. Conjectures report `Supported`/`Refuted` instead of
/// `Holds`/`Violated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Holds,
    Violated,
    Inconclusive,
    Supported,
    Refuted,
}

impl Verdict {
    /// The conjecture form of a verdict.
    pub fn as_conjecture(self) -> Verdict {
        match self {
            Verdict::Holds => Verdict::Supported,
            Verdict::Violated => Verdict::Refuted,
            v => v,
        }
    }
    /// Whether the statement was shown false.
    pub fn is_negative(self) -> bool {
        matches!(self, Verdict::Violated | Verdict::Refuted)
    }
    /// Combine per-point verdicts: any violation wins, then any inconclusive.
    pub fn combine(self, other: Verdict) -> Verdict {
        use Verdict::*;
        match (self, other) {
            (Violated, _) | (_, Violated) => Violated,
            (Inconclusive, _) | (_, Inconclusive) => Inconclusive,
            _ => Holds,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Verdict::Holds => "HOLDS",
            Verdict::Violated => "VIOLATED",
            Verdict::Inconclusive => "INCONCLUSIVE",
            Verdict::Supported => "SUPPORTED",
            Verdict::Refuted => "REFUTED",
        };
        f.pad(s)
    }
}

/// Exact: LHS <= RHS up to the relative tolerance. Non-finite sides are violations
/// (a NaN must never pass).
pub fn verdict_exact(lhs: f64, rhs: f64) -> Verdict {
    if !lhs.is_finite() || rhs.is_nan() {
        return Verdict::Violated;
    }
    if lhs <= rhs + EXACT_RELATIVE_TOLERANCE * rhs.abs().max(1.0) {
        Verdict::Holds
    } else {
        Verdict::Violated
    }
}

/// Expectation E[Z] <= B (one-sided) or E[Z] = B (two-sided) from an interval on E[Z].
pub fn verdict_expectation(iv: &Interval, bound: f64, two_sided: bool) -> Verdict {
    if iv.estimate.is_nan() || bound.is_nan() {
        return Verdict::Violated;
    }
    if two_sided {
        if iv.contains(bound) {
            Verdict::Holds
        } else {
            Verdict::Violated
        }
    } else if iv.hi <= bound {
        Verdict::Holds
    } else if iv.lo > bound {
        Verdict::Violated
    } else {
        Verdict::Inconclusive
    }
}

/// HighProbability P[Z > B] <= delta from a Clopper-Pearson interval on the violation rate.
pub fn verdict_high_probability(iv: &Interval, delta: f64) -> Verdict {
    if iv.hi <= delta {
        Verdict::Holds
    } else if iv.lo > delta {
        Verdict::Violated
    } else {
        Verdict::Inconclusive
    }
}

/// Scaling: the slope's interval inside [lo, hi] holds, disjoint from it violates.
pub fn verdict_scaling(fit: &SlopeFit, lo: f64, hi: f64) -> Verdict {
    if fit.slope.is_nan() {
        return Verdict::Violated;
    }
    if fit.lo >= lo && fit.hi <= hi {
        Verdict::Holds
    } else if fit.hi < lo || fit.lo > hi {
        Verdict::Violated
    } else {
        Verdict::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{clopper_pearson, student_t};

    #[test]
    fn exact_rule_and_nan() {
        assert_eq!(verdict_exact(1.0, 1.0), Verdict::Holds);
        assert_eq!(verdict_exact(1.0 + 1e-12, 1.0), Verdict::Holds);
        assert_eq!(verdict_exact(1.0 + 1e-6, 1.0), Verdict::Violated);
        assert_eq!(verdict_exact(f64::NAN, 1.0), Verdict::Violated);
    }

    #[test]
    fn expectation_three_outcomes() {
        let xs: Vec<f64> = (0..100).map(|i| (i % 10) as f64).collect(); // mean 4.5
        let iv = student_t(&xs, 0.999);
        assert_eq!(verdict_expectation(&iv, 10.0, false), Verdict::Holds);
        assert_eq!(verdict_expectation(&iv, 1.0, false), Verdict::Violated);
        assert_eq!(verdict_expectation(&iv, 4.6, false), Verdict::Inconclusive);
        assert_eq!(verdict_expectation(&iv, 4.5, true), Verdict::Holds);
        assert_eq!(verdict_expectation(&iv, 1.0, true), Verdict::Violated);
    }

    #[test]
    fn high_probability_three_outcomes() {
        assert_eq!(
            verdict_high_probability(&clopper_pearson(0, 10_000, 0.999), 0.01),
            Verdict::Holds
        );
        assert_eq!(
            verdict_high_probability(&clopper_pearson(500, 1000, 0.999), 0.01),
            Verdict::Violated
        );
        assert_eq!(
            verdict_high_probability(&clopper_pearson(1, 50, 0.999), 0.01),
            Verdict::Inconclusive
        );
    }
}
