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
            (Some(a), Some(b)) if (a - b).abs() <= RATIO_TOLERANCE * b.abs().max(1e-12) => None,
            (a, b) => Some(format!("max ratio {a:?} (recorded {b:?})")),
        }
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
