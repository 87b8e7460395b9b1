//! Statistics for verdicts: confidence intervals, log-log slopes, and the
//! checking protocol's verdict rules (DESIGN.md section 3), each in one place.
mod interval;
mod slope;
mod verdict;

mod info;
pub use info::{contingency, normalized_mutual_information};
pub use interval::{clopper_pearson, empirical_bernstein, mean_sd, student_t, Interval};
pub use slope::{loglog_slope, ols_slope, SlopeFit};
pub use verdict::{
    verdict_exact, verdict_expectation, verdict_high_probability, verdict_scaling, Verdict,
    DEFAULT_CONFIDENCE, EXACT_RELATIVE_TOLERANCE,
};
