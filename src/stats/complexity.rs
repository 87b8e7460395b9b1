//! The sample-complexity search (theory/score.md section 10): n*(eps), the smallest training-set
//! size N on a grid at which an error meets eps, bracketed by replicate confidence intervals.
//! Shared by any (target, model) pair and by the figures (`experiment`'s `n_star` charts).
use super::{student_t, Interval};
use serde::Serialize;

/// An error against N: one confidence interval of the mean error per grid size (ascending N).
#[derive(Debug, Clone)]
pub struct ErrorCurve {
    pub ns: Vec<usize>,
    pub intervals: Vec<Interval>,
}

impl ErrorCurve {
    /// From replicate errors per N at two-sided level `level` (Student's t).
    pub fn from_replicates(ns: &[usize], errors: &[Vec<f64>], level: f64) -> ErrorCurve {
        ErrorCurve {
            ns: ns.to_vec(),
            intervals: errors.iter().map(|e| student_t(e, level)).collect(),
        }
    }
}

/// The bracket of n*(eps): `upper` is the smallest N whose upper confidence limit is <= eps
/// (enough, with confidence), `lower` the largest N whose lower limit is > eps (not enough,
/// with confidence). Both are non-increasing in eps by construction; `None` when no grid size
/// qualifies (n* beyond the grid, or below it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NStar {
    pub eps: f64,
    pub upper: Option<usize>,
    pub lower: Option<usize>,
    /// The smallest N whose mean error is <= eps (the grid's point estimate).
    pub estimate: Option<usize>,
    /// Where the mean error crosses eps, interpolated linearly in (log N, log error) between
    /// the last grid size above eps and the next (NaN when the mean is above eps at every
    /// size, or at or below it already at the first).
    pub interpolated: f64,
}

pub fn n_star(curve: &ErrorCurve, eps: f64) -> NStar {
    let pick = |keep: &dyn Fn(&Interval) -> bool| {
        curve
            .ns
            .iter()
            .zip(&curve.intervals)
            .filter(|(_, i)| keep(i))
            .map(|(&n, _)| n)
            .collect::<Vec<_>>()
    };
    NStar {
        eps,
        upper: pick(&|i| i.hi <= eps).into_iter().min(),
        lower: pick(&|i| i.lo > eps).into_iter().max(),
        estimate: pick(&|i| i.estimate <= eps).into_iter().min(),
        interpolated: crossing(curve, eps),
    }
}

fn crossing(curve: &ErrorCurve, eps: f64) -> f64 {
    let m: Vec<f64> = curve.intervals.iter().map(|i| i.estimate).collect();
    let Some(k) = m.iter().position(|&e| e <= eps) else {
        return f64::NAN;
    };
    if k == 0 || !(eps > 0.0 && m[k] > 0.0) {
        return f64::NAN;
    }
    let (n0, n1) = (curve.ns[k - 1] as f64, curve.ns[k] as f64);
    crossing_in_ln_n((n0, m[k - 1].ln()), (n1, m[k].ln()), eps.ln())
}

/// Where a curve read at two sizes crosses `target`, the value taken linear in ln n between
/// (n0, v0) and (n1, v1): the one interpolation of every "size at which a curve meets a
/// level" here (the figures' n*, the collapse search, the particles that match a filter).
pub fn crossing_in_ln_n((n0, v0): (f64, f64), (n1, v1): (f64, f64), target: f64) -> f64 {
    let t = (target - v0) / (v1 - v0);
    (n0.ln() + t * (n1.ln() - n0.ln())).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bracket_is_monotone_in_eps_and_brackets_the_crossing() {
        // errors 1/sqrt(N) with a little spread: the crossing of eps is at N = 1/eps^2
        let ns = [100, 300, 1000, 3000, 10000];
        let errs: Vec<Vec<f64>> = ns
            .iter()
            .map(|&n| {
                let m = 1.0 / (n as f64).sqrt();
                vec![m * 0.98, m, m * 1.02, m * 0.99, m * 1.01]
            })
            .collect();
        let c = ErrorCurve::from_replicates(&ns, &errs, 0.95);
        let mut prev = (usize::MAX, usize::MAX);
        for eps in [0.005, 0.01, 0.02, 0.03, 0.05, 0.2] {
            let s = n_star(&c, eps);
            let up = s.upper.unwrap_or(usize::MAX);
            let lo = s.lower.unwrap_or(0);
            assert!(up <= prev.0 && (lo <= prev.1), "{s:?}");
            assert!(lo < up, "{s:?}");
            prev = (up, lo);
        }
        let s = n_star(&c, 0.02); // 1/sqrt(N) <= 0.02 from N = 2500
        assert_eq!(
            (s.lower, s.upper, s.estimate),
            (Some(1000), Some(3000), Some(3000))
        );
        assert_eq!(n_star(&c, 0.001).upper, None);
        // an exact power law is interpolated exactly: 1/sqrt(N) = 0.02 at N = 2500
        let exact: Vec<Vec<f64>> = ns
            .iter()
            .map(|&n| vec![1.0 / (n as f64).sqrt(); 3])
            .collect();
        let c = ErrorCurve::from_replicates(&ns, &exact, 0.95);
        assert!((n_star(&c, 0.02).interpolated - 2500.0).abs() < 1e-9);
        assert!(n_star(&c, 0.5).interpolated.is_nan()); // met at the first size
        assert!(n_star(&c, 0.001).interpolated.is_nan()); // beyond the grid
    }
}
