//! The verdict rules of the checking protocol (theory/stats.md).
use super::budget::Sides;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A claim about a number that an interval estimates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The number is at most this (E Z <= B, a rate <= delta).
    AtMost(f64),
    /// An equality claim checked with a stated margin: |number - value| <= margin
    /// (two one-sided tests: HOLDS needs the whole interval inside the band).
    Within { value: f64, margin: f64 },
    /// The number lies in [lo, hi] (a slope's stated interval).
    Between { lo: f64, hi: f64 },
}

impl Target {
    /// Which ends of the interval decide the verdict.
    pub fn sides(&self) -> Sides {
        match self {
            Target::AtMost(_) => Sides::UpperClaim,
            _ => Sides::TwoSided,
        }
    }
    /// The band the number must lie in.
    pub fn band(&self) -> (f64, f64) {
        match *self {
            Target::AtMost(b) => (f64::NEG_INFINITY, b),
            Target::Within { value, margin } => (value - margin, value + margin),
            Target::Between { lo, hi } => (lo, hi),
        }
    }
    /// The number the measurement is compared with (B, the claimed value, the upper end).
    pub fn reference(&self) -> f64 {
        match *self {
            Target::AtMost(b) => b,
            Target::Within { value, .. } => value,
            Target::Between { hi, .. } => hi,
        }
    }
}

/// The verdict of an interval [lo, hi] on a target: HOLDS when the interval lies inside the
/// target's band, VIOLATED when it misses the band, INCONCLUSIVE otherwise. NaN never holds.
pub fn verdict_interval(lo: f64, hi: f64, target: &Target) -> Verdict {
    let (a, b) = target.band();
    if lo.is_nan() || hi.is_nan() || a.is_nan() || b.is_nan() {
        return Verdict::Violated;
    }
    if lo >= a && hi <= b {
        Verdict::Holds
    } else if lo > b || hi < a {
        Verdict::Violated
    } else {
        Verdict::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_rule_and_nan() {
        assert_eq!(verdict_exact(1.0, 1.0), Verdict::Holds);
        assert_eq!(verdict_exact(1.0 + 1e-12, 1.0), Verdict::Holds);
        assert_eq!(verdict_exact(1.0 + 1e-6, 1.0), Verdict::Violated);
        assert_eq!(verdict_exact(f64::NAN, 1.0), Verdict::Violated);
    }

    #[test]
    fn interval_rule_three_outcomes() {
        let at_most = Target::AtMost(1.0);
        assert_eq!(verdict_interval(0.2, 0.9, &at_most), Verdict::Holds);
        assert_eq!(verdict_interval(1.1, 1.5, &at_most), Verdict::Violated);
        assert_eq!(verdict_interval(0.9, 1.1, &at_most), Verdict::Inconclusive);
        let eq = Target::Within {
            value: 1.0,
            margin: 0.1,
        };
        assert_eq!(verdict_interval(0.95, 1.05, &eq), Verdict::Holds);
        // inside the margin's reach but wider than it: not yet shown
        assert_eq!(verdict_interval(0.85, 1.05, &eq), Verdict::Inconclusive);
        assert_eq!(verdict_interval(1.2, 1.3, &eq), Verdict::Violated);
        assert_eq!(verdict_interval(0.5, 0.8, &eq), Verdict::Violated);
        assert_eq!(verdict_interval(f64::NAN, 1.0, &eq), Verdict::Violated);
        let slope = Target::Between { lo: 0.4, hi: 0.6 };
        assert_eq!(verdict_interval(0.5, 0.5, &slope), Verdict::Holds);
        assert_eq!(verdict_interval(0.3, 0.5, &slope), Verdict::Inconclusive);
    }
}
