//! Statistics for verdicts: the error budget (`budget`), the intervals verdicts are read from
//! (`limits`, `betting`), log-log slopes (`slope`) and the verdict rules (`verdict`), each in
//! one place (theory/stats.md); display intervals for figures (`interval`); mutual information.
mod betting;
mod budget;
mod complexity;
mod interval;
mod limits;
mod rank;
mod slope;
mod verdict;

mod info;
pub use betting::betting_limits;
pub use budget::{Budget, EndErrors, Sides, ANYTIME_LOOKS, DEFAULT_ALPHA, LOOKS};
pub use complexity::{crossing_in_ln_n, n_star, ErrorCurve, NStar};
pub use info::{contingency, nmi_of_table, normalized_mutual_information};
pub use interval::{
    ar1_mean_interval, clopper_pearson, empirical_bernstein, mean_sd, student_t, Interval,
};
pub use limits::{
    clopper_pearson_limits, edgeworth_excess, gaussian_limits, skewness, skewness_se,
    standard_normal, student_t_limits, Limits, Method, MAX_EDGEWORTH,
};
pub use rank::{mid_ranks, spearman};
pub use slope::{grid_slope, least_squares_line, SlopeFit};
pub use verdict::{verdict_exact, verdict_interval, Target, Verdict, EXACT_RELATIVE_TOLERANCE};
