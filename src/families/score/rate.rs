//! Family `score`, topic `rate`: the smoothed empirical score's error against the number of
//! draws at the bandwidth h_n = n^{-1/(d+4)} (theory/score.md section 12).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::experiment::{Metrics, Replicate};
use crate::mc;
use crate::score::SmoothedEmpirical;

/// The bandwidth built for n = the first grid size and kept at every n: the smoothing bias no
/// longer shrinks, so the error stops falling.
pub const BANDWIDTH_FIXED: Control = Control::mutation(
    "bandwidth_fixed",
    "the kernel bandwidth fixed at its value for the smallest n instead of shrinking as n^{-1/(d+4)}",
);

/// The test draws per replicate at which the error is averaged.
const TEST: usize = 1000;

/// Quick: the plane (d = 2); the line's per-replicate spread needs about 16 training sets
/// for its interval to decide at the error budget, so d = 1 (and d = 4) are in the full grid.
fn grid(s: Scale) -> Vec<Params> {
    let targets: &[&str] = match s {
        Scale::Quick => &["plane"],
        Scale::Full => &["line", "plane", "d4"],
    };
    targets
        .iter()
        .map(|t| Params::new().with("target", *t))
        .collect()
}

fn sizes(s: Scale) -> Vec<usize> {
    match s {
        Scale::Quick => vec![100, 300, 1000, 3000],
        Scale::Full => vec![100, 300, 1000, 3000, 10000, 30000],
    }
}

/// The interval the fitted slope must lie in (theory/score.md section 12): the error is a
/// variance term C n^{-2/(d+4)} (ln n)^{d/2} (the Gaussian tails' region where the estimate has
/// data grows as (ln n)^{d/2}) plus a squared bias of order h^4 = n^{-4/(d+4)}; its log-log
/// slope therefore lies between -4/(d+4) and -2/(d+4) + (d/2) / ln n, ln n taken at the
/// grid's geometric mean.
fn interval(d: usize, ns: &[usize]) -> (f64, f64) {
    let k = d as f64 + 4.0;
    let ln_n = ns.iter().map(|&n| (n as f64).ln()).sum::<f64>() / ns.len() as f64;
    (-4.0 / k, -2.0 / k + d as f64 / (2.0 * ln_n))
}

/// The relative Fisher error of the smoothed empirical score of n draws at bandwidth h,
/// E ||s_hat - s||^2 / E ||s||^2 over TEST fresh draws of the target (no floor).
fn relative_error(g: &Gmm, n: usize, h: f64, rng: &mut crate::mc::Rng) -> Result<f64, Error> {
    let (x, _) = g.sample(n, rng);
    let kde = SmoothedEmpirical::new(x.view(), Noising::ve(h)?, 0.0, 0.0)?;
    let (y, _) = g.sample(TEST, rng);
    let (_, exact) = g.log_density_and_score(y.view())?;
    let (_, est) = kde.evaluate(y.view())?;
    Ok(crate::score::mean_sq_diff(&est, &exact) / crate::score::mean_sq_norm(&exact))
}

/// The bandwidth h_n = n^{-1/(d+4)} of the rate (theory/score.md section 12).
fn bandwidth(d: usize, n: usize) -> f64 {
    (n as f64).powf(-1.0 / (d as f64 + 4.0))
}

/// The bandwidth rules the measure sweeps: the rate's, and the mutation's (frozen at n = 100).
const RULES: &[&str] = &["shrinking", "fixed"];

/// The measure `score.rate`: one training set of `n` draws of `target`, its
/// smoothed empirical score at the bandwidth `bandwidth` (shrinking: n^{-1/(d+4)}; fixed: that
/// of n = 100, the mutation of the entry), and its relative Fisher error over fresh draws.
pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let g = target(p.str("target")?)?;
    let n = p.usize_at_least("n", 10)?;
    let rule = p.str("bandwidth")?;
    let h = match rule {
        "shrinking" => bandwidth(g.dim(), n),
        "fixed" => bandwidth(g.dim(), 100),
        other => return Err(crate::params::unknown_choice("bandwidth", other, RULES).into()),
    };
    Ok(Box::new(move |rng, _common| {
        let e = relative_error(&g, n, h, rng)?;
        let m: Metrics = vec![("error".into(), e), ("bandwidth_used".into(), h)];
        Ok(m)
    }))
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let g = target(p.str("target")?)?;
    let d = g.dim();
    let ns = sizes(ctx.scale);
    let mut points = Vec::new();
    for (k, &n) in ns.iter().enumerate() {
        let h = if v.is(BANDWIDTH_FIXED) {
            bandwidth(d, ns[0])
        } else {
            bandwidth(d, n)
        };
        let errs = mc::try_replicate(
            ctx.replicates,
            ctx.seed,
            ctx.cell * 64 + k as u64,
            |_, rng| relative_error(&g, n, h, rng),
        )?;
        points.push((n as f64, errs));
    }
    let (lo, hi) = interval(d, &ns);
    Ok(Evidence::slope_of(points, lo, hi))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.rate.smoothed_empirical",
    kind: Kind::Scaling,
    status: Status::Claim,
    statement: "the smoothed empirical score of n draws of a fixed Gaussian mixture in d = 2 (1 and 4 too in the full grid), at bandwidth h_n = n^{-1/(d+4)} and no floor: the log-log slope of its relative Fisher error against n lies in [-4/(d+4), -2/(d+4) + (d/2)/ln n] (ln n at the grid's geometric mean)",
    source: "Wibisono, Wu & Yang, COLT 2024, arXiv 2402.07747 (the rate n^{-2/(d+4)} up to logs for Lipschitz scores; abstract read here); the two-term derivation in theory/score.md section 12",
    replicates: 16,
    grid,
    check,
    controls: &[BANDWIDTH_FIXED],
}];
