//! Golden summaries of the catalogue: per entry and per control, the verdict and the
//! largest tightness ratio. Recorded on purpose (`boundlab check --quick --controls
//! --record FILE`) and compared by `tests/catalogue.rs`, so a refactoring that changes a
//! number is caught and the change has to be named.
use super::EntryReport;
use crate::stats::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Relative tolerance on a recorded ratio. Ratios are computed from seeded streams, so they
/// repeat exactly on one machine; the slack covers the last bits that differ between
/// OpenBLAS kernels on different CPUs.
pub const RATIO_TOLERANCE: f64 = 1e-6;
/// Absolute slack on a recorded ratio. An identity checked to a rounding allowance reports a
/// ratio such as 1e-15 / 5e-10 = 2e-6, whose digits are all rounding: the same binary gives
/// score.tweedie 4.72e-7 on one CPU and 4.79e-7 on another, score.ridge_optimal 6.9e-7 and
/// 2.0e-6. Tightness is reported to three decimals, so a difference below 1e-4 in a ratio is
/// one no report shows; the verdicts are compared exactly whatever the ratio.
pub const RATIO_FLOOR: f64 = 1e-4;
/// Two ratios both below this are the same record: the statement held with a thousandfold
/// room, and the digits are rounding that moves further between CPUs than RATIO_FLOOR allows
/// (assimilation.enkf.rotation: 2.2e-5 on the CPU it was recorded on, 1.4e-4 on the next
/// session's, the same binary and seeds: 1e-14 rounding against a 1e-10 allowance).
pub const RATIO_NEGLIGIBLE: f64 = 1e-3;

/// One (entry, variant): its verdict and its largest finite LHS/RHS (None when no finite ratio).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GoldenLine {
    pub verdict: Verdict,
    pub max_ratio: Option<f64>,
}

/// id -> variant ("correct" or a control's name) -> line.
pub type Golden = BTreeMap<String, BTreeMap<String, GoldenLine>>;

impl GoldenLine {
    pub fn of(r: &EntryReport) -> GoldenLine {
        GoldenLine {
            verdict: r.verdict,
            max_ratio: r.max_ratio.is_finite().then_some(r.max_ratio),
        }
    }

    /// Why `self` (measured now) differs from `want` (recorded), if it does.
    pub fn differs_from(&self, want: &GoldenLine) -> Option<String> {
        if self.verdict != want.verdict {
            return Some(format!(
                "verdict {} (recorded {})",
                self.verdict, want.verdict
            ));
        }
        match (self.max_ratio, want.max_ratio) {
            (None, None) => None,
            (Some(a), Some(b)) if (a - b).abs() <= RATIO_TOLERANCE * b.abs() + RATIO_FLOOR => None,
            (Some(a), Some(b)) if a.abs() < RATIO_NEGLIGIBLE && b.abs() < RATIO_NEGLIGIBLE => None,
            (a, b) => Some(format!("max ratio {a:?} (recorded {b:?})")),
        }
    }
}

impl GoldenLine {
    /// Why `self` differs from `want` in verdict, if it does: the comparison for an entry
    /// whose tightness depends on rounding (`registry::Family::rounding_sensitive`).
    pub fn verdict_differs_from(&self, want: &GoldenLine) -> Option<String> {
        (self.verdict != want.verdict)
            .then(|| format!("verdict {} (recorded {})", self.verdict, want.verdict))
    }
}

/// The golden summary of a set of reports.
pub fn summarise<'a>(reports: impl IntoIterator<Item = &'a EntryReport>) -> Golden {
    let mut g = Golden::new();
    for r in reports {
        g.entry(r.id.clone())
            .or_default()
            .insert(r.variant.clone(), GoldenLine::of(r));
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(r: f64) -> GoldenLine {
        GoldenLine {
            verdict: Verdict::Holds,
            max_ratio: Some(r),
        }
    }

    #[test]
    fn ratios_agree_to_their_tolerance_and_rounding_residue_is_not_compared() {
        // a meaningful tightness moved in its 4th digit is a difference
        assert!(line(0.5005).differs_from(&line(0.5)).is_some());
        assert!(line(0.5 * (1.0 + 1e-7)).differs_from(&line(0.5)).is_none());
        // an identity's rounding residue on two CPUs is not
        assert!(line(4.787645045311255e-7)
            .differs_from(&line(4.7211499752374877e-7))
            .is_none());
        assert!(line(1.970491487446926e-6)
            .differs_from(&line(6.903170126605866e-7))
            .is_none());
        // but not a tightness that moved in its third decimal
        assert!(line(0.0012).differs_from(&line(0.001)).is_some());
        // rounding-level ratios of one identity on two CPUs
        assert!(line(1.3899278307465587e-4)
            .differs_from(&line(2.213260876984966e-5))
            .is_none());
        assert!(line(0.0011).differs_from(&line(0.0008)).is_some());
        // a verdict change always is
        let mut v = line(0.5);
        v.verdict = Verdict::Violated;
        assert!(v.differs_from(&line(0.5)).is_some());
    }
}
