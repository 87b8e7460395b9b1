//! The error budget of one entry, and how it is spent (theory/stats.md, "The error budget").
//!
//! An entry gets `alpha` (1e-3 by default) for each of its two wrong verdicts: a false
//! VIOLATED (the statement is true at every grid point, the engine says VIOLATED) and a false
//! HOLDS (the statement is false at some grid point, the engine says HOLDS). Each verdict is
//! read off one end of an interval, so the budget is spent on the ends:
//!
//! * A false VIOLATED needs one grid point's interval to miss on the side that makes it
//!   VIOLATED, at any of its looks: a union over grid points and looks (Bonferroni).
//! * A false HOLDS needs the false point itself to HOLD (the entry HOLDS only when every point
//!   does: the intersection-union principle), at any of its looks: a union over looks only.
//! * An interval that is valid at every sample size at once (a confidence sequence: the
//!   betting interval) needs no split over looks.
use serde::{Deserialize, Serialize};

/// Error budget per entry and per wrong verdict unless a caller says otherwise.
pub const DEFAULT_ALPHA: f64 = 1e-3;
/// Looks at one grid point: n0, 2 n0, 4 n0, 8 n0 replicates (each taken only when the
/// previous one was INCONCLUSIVE; the random streams extend, nothing is redrawn).
pub const LOOKS: usize = 4;
/// Looks at one grid point whose interval is a confidence sequence (the betting interval):
/// n0 .. 64 n0 replicates. Ville's inequality holds at every sample size at once, so these
/// looks cost no error budget (`Budget::ends` with `anytime`); the cap only bounds the work.
/// A bounded variable whose declared range is far wider than its spread needs about
/// range x log(1/alpha) / gap replicates to decide (theory/stats.md), which can exceed 8 n0.
pub const ANYTIME_LOOKS: usize = 7;

/// What the two ends of an interval are used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sides {
    /// A one-sided claim (E Z <= B, a rate <= delta): the lower end can make it VIOLATED, the
    /// upper end can make it HOLD.
    UpperClaim,
    /// A two-sided claim (a value within a margin, a slope inside an interval): each end can
    /// make it VIOLATED and can make it HOLD.
    TwoSided,
}

/// One entry's budget over its grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Probability of a false VIOLATED, and separately of a false HOLDS, for the whole entry.
    pub alpha: f64,
    /// Grid points the entry is checked at.
    pub points: usize,
}

/// The miss probabilities allowed to the two ends of one interval, at one look.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EndErrors {
    /// P[lower end > the true value].
    pub lo: f64,
    /// P[upper end < the true value].
    pub hi: f64,
}

impl Budget {
    pub fn new(alpha: f64, points: usize) -> Budget {
        Budget {
            alpha,
            points: points.max(1),
        }
    }

    /// The ends' errors for one interval at one look. `anytime`: the interval is a
    /// confidence sequence, valid at every look at once.
    pub fn ends(&self, sides: Sides, anytime: bool) -> EndErrors {
        let looks = if anytime { 1.0 } else { LOOKS as f64 };
        let g = self.points as f64;
        let to_violate = self.alpha / (g * looks);
        let to_hold = self.alpha / looks;
        match sides {
            UpperClaim => EndErrors {
                lo: to_violate,
                hi: to_hold,
            },
            // each end serves both verdicts; a point is falsely VIOLATED through either end
            TwoSided => {
                let e = (to_violate / 2.0).min(to_hold);
                EndErrors { lo: e, hi: e }
            }
        }
    }
}

use Sides::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_adds_up_to_the_budget() {
        let b = Budget::new(1e-3, 10);
        let e = b.ends(Sides::UpperClaim, false);
        // false VIOLATED: 10 points x 4 looks x lower end
        assert!((e.lo * 10.0 * LOOKS as f64 - 1e-3).abs() < 1e-15);
        // false HOLDS: 4 looks x upper end of the one false point
        assert!((e.hi * LOOKS as f64 - 1e-3).abs() < 1e-15);
        let e = b.ends(Sides::TwoSided, true);
        assert!((e.lo + e.hi) * 10.0 - 1e-3 < 1e-15);
    }
}
