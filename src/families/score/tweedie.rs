//! Family `score`, topic `tweedie`: Tweedie's formula from the exact score is the posterior
//! mean by Gaussian conditioning of the joint law (theory/score.md section 2).
use super::exact::{grid, model, points, NOISE_NOT_ADDED};
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::score::{posterior_mean, tweedie_mean};

/// Tweedie's formula with the score's sign slipped: (y - s^2 score) / a.
pub const TWEEDIE_SIGN: Control = Control::mutation(
    "tweedie_sign",
    "Tweedie's formula taken as (y - s^2 grad log p) / a (the score's sign slipped)",
);

/// Relative agreement demanded of Tweedie's formula and the conditioning route.
const TWEEDIE_TOL: f64 = 1e-9;

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = target(p.str("target")?)?;
    let n = noising(p)?;
    let m = model(&g, n, v)?;
    let y = points(&n.apply(&g)?);
    let mut tw = tweedie_mean(&m, n, y.view())?;
    if v.is(TWEEDIE_SIGN) {
        // (y - s^2 score) / a = 2 y / a - (y + s^2 score) / a
        tw = &y * (2.0 / n.a) - &tw;
    }
    let mut pairs = Vec::new();
    for i in 0..y.nrows() {
        let post = posterior_mean(&g, n, y.row(i))?;
        for j in 0..g.dim() {
            pairs.push((
                (tw[[i, j]] - post[j]).abs(),
                TWEEDIE_TOL * (1.0 + post[j].abs()),
            ));
        }
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.tweedie",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "Tweedie's formula: (y + s^2 grad log p_{a,s}(y)) / a equals E[x | y], computed independently by Gaussian conditioning of the joint law of (x, y) (posterior weights, per-component gains), to 1e-9 relative, for mixtures under VE and VP noising, at the modes, between them and ten deviations out",
    source: "Tweedie's formula (Robbins 1956; Efron, JASA 106, 2011; neither read here): derived in theory/score.md section 2; the conditioning route is prob::Conditioner",
    replicates: 1,
    grid,
    check,
    controls: &[NOISE_NOT_ADDED, TWEEDIE_SIGN],
}];
