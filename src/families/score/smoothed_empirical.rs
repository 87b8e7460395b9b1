//! Family `score`, topic `smoothed_empirical`: the Gaussian-smoothed empirical score is the
//! exact score of the noised empirical law, floored where its density is small
//! (theory/score.md section 4).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::mc;
use crate::score::{KdeFault, SmoothedEmpirical};

pub const BANDWIDTH_DROPPED: Control = Control::mutation(
    "bandwidth_dropped",
    "the kernel's variance taken as s^2, the extra bandwidth h dropped",
);

fn grid(s: Scale) -> Vec<Params> {
    cases(scale_targets(s), &[("ve", 0.2), ("vp", 0.6)])
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let g = target(p.str("target")?)?;
    let n = noising(p)?;
    let h = 0.3;
    let fault = if v.is(BANDWIDTH_DROPPED) {
        KdeFault::BandwidthDropped
    } else {
        KdeFault::None
    };
    let mut rng = mc::stream(ctx.seed, ctx.cell, 0);
    let (x, _) = g.sample(50, &mut rng);
    let (y, _) = n.apply(&g)?.sample(64, &mut rng);
    // the noised empirical law as a mixture of its centres
    let var = n.s * n.s + h * h;
    let d = g.dim();
    let emp = Gmm::new(
        &vec![1.0 / 50.0; 50],
        &x * n.a,
        vec![Array2::eye(d) * var; 50],
    )?;
    let (lp, sc) = emp.log_density_and_score(y.view())?;
    // a floor at the median density: half the points are floored
    let mut sorted = lp.to_vec();
    sorted.sort_by(f64::total_cmp);
    let eps = sorted[sorted.len() / 2].exp();
    let kde = SmoothedEmpirical::with_fault(x.view(), n, h, eps, fault)?;
    let (klp, ksc) = kde.evaluate(y.view())?;
    let mut pairs = Vec::new();
    for i in 0..y.nrows() {
        pairs.push(((lp[i] - klp[i]).abs(), 1e-10 * (1.0 + lp[i].abs())));
        let factor = (lp[i] - eps.ln()).exp().min(1.0);
        for j in 0..d {
            let want = sc[[i, j]] * factor;
            pairs.push(((ksc[[i, j]] - want).abs(), 1e-10 * (1.0 + want.abs())));
        }
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.smoothed_empirical",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "the Gaussian-smoothed empirical score of n draws x_i is grad rho / max(rho, eps) for rho = (1/n) sum_i N(a x_i, (s^2 + h^2) I): its log-density and score equal those of that mixture built as a prob::Gmm (to 1e-10 relative), scaled by rho / eps where rho < eps",
    source: "Wibisono, Wu & Yang, COLT 2024, arXiv 2402.07747 (the estimator; abstract read here); theory/score.md section 4",
    replicates: 1,
    grid,
    check,
    controls: &[BANDWIDTH_DROPPED],
}];
