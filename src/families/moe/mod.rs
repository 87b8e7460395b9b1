//! Family `moe` (first part): covering numbers of Euclidean balls and finite-class ERM
//! (theory/moe.md states each entry).
//!
//! Each topic file holds the entries whose id is `moe.TOPIC[.name]`; `measures` and
//! `pictures` are what the family hands the experiment engine.
pub mod conjecture;
pub mod cover;
pub mod erm;
pub mod ewa;
mod measures;
mod pictures;
pub mod scaling;
pub mod srm;
use crate::bounds::{
    Control, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant,
};
use crate::moe::{EpsNetErm, Fault, MirrorAveraging, Srm};
use crate::registry::Family;
use crate::stats::Target;

const THEORY: &str = "theory/moe.md";
use crate::mc;
use crate::moe::{
    covering_distances, covering_radius, greedy_packing, lattice_net_spaced, min_pairwise_distance,
    uniform_ball, FiniteClass, RegressionTask,
};
use crate::params::{out_of_range, Params};
use crate::stats::{mean_sd, Verdict};
use crate::Error;

#[cfg(test)]
mod tests {
    use super::MirrorAveraging;

    /// The closed-form minimiser of the generic bound against a brute-force grid search.
    #[test]
    fn bound_optimal_eps_matches_a_grid_search() {
        let (l, beta, b) = (0.9, 1.62, 1.0);
        for p in [1usize, 3] {
            for n in [10usize, 100, 10_000] {
                let g = |e: f64| l * e + beta * p as f64 * (1.0 + 2.0 * b / e).ln() / n as f64;
                let grid = (0..200_000).map(|i| 1e-6 * 1.0001f64.powi(i));
                let brute = grid
                    .filter(|e| *e <= 2.0)
                    .min_by(|x, y| g(*x).total_cmp(&g(*y)))
                    .unwrap();
                let closed = MirrorAveraging::bound_optimal_eps(l, beta, p, n, b);
                assert!(
                    (brute / closed - 1.0).abs() < 2e-4,
                    "p {p} n {n}: {brute} vs {closed}"
                );
            }
        }
    }
}

/// The fault a control injects into the learning rules (`Fault::None` for the statement and
/// for controls that change only the bound).
fn fault(v: Variant) -> Fault {
    if v.is(erm::ARGMAX_SLIP) {
        Fault::ArgmaxSlip
    } else if v.is(ewa::WEIGHTS_UPHILL) {
        Fault::WeightsUphill
    } else {
        Fault::None
    }
}

/// A grid point of the polynomial-expert task on a net: B = 1, noise a = 0.3.
fn net_point(p: usize, eps: f64, n: usize) -> Params {
    Params::new()
        .with("p", p)
        .with("eps", eps)
        .with("n", n)
        .with("B", 1.0)
        .with("noise", 0.3)
}

/// The family `moe`.
pub static FAMILY: Family = Family {
    name: "moe",
    summary: "mixture-of-experts aggregation over epsilon-nets: covering, ERM, penalised selection, mirror averaging, routing",
    theory: THEORY,
    topics: &[cover::ENTRIES, erm::ENTRIES, srm::ENTRIES, ewa::ENTRIES, scaling::ENTRIES, conjecture::ENTRIES],
    measures: measures::MEASURES,
    pictures: pictures::PICTURES,
    rounding_sensitive: &[],
};
