//! Family `score`, topic `vp_ve`: a variance-preserving noising is a rescaled
//! variance-exploding one, so its score is the VE score at y / a divided by a (theory/score.md
//! section 3).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::score::{ExactScore, ScoreModel};

/// The chain rule's factor 1/a dropped.
pub const CHAIN_RULE_DROPPED: Control = Control::mutation(
    "chain_rule_dropped",
    "the VP score taken as the VE score at y / a without the chain rule's factor 1 / a",
);

fn grid(s: Scale) -> Vec<Params> {
    cases(scale_targets(s), &[("vp", 0.1), ("vp", 0.6), ("vp", 0.95)])
}

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = target(p.str("target")?)?;
    let vp = noising(p)?;
    let ve = crate::score::Noising::ve(vp.s / vp.a)?;
    let y = super::exact::points(&vp.apply(&g)?);
    let direct = ExactScore::new(&g, vp)?.score(y.view())?;
    let via = ExactScore::new(&g, ve)?.score((&y / vp.a).view())?;
    let via = if v.is(CHAIN_RULE_DROPPED) {
        via
    } else {
        via / vp.a
    };
    let pairs = direct
        .iter()
        .zip(via.iter())
        .map(|(a, b)| ((a - b).abs(), 1e-10 * (1.0 + a.abs())));
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.vp_ve",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "a VP noising y = a x + s z is a VE noising at s / a seen at y / a: grad log p_{a,s}(y) = grad log p_{1,s/a}(y / a) / a, to 1e-10 relative, for mixtures at s = 0.1, 0.6, 0.95",
    source: "derived (p_{a,s}(y) = a^{-d} p_{1,s/a}(y / a)), theory/score.md section 3",
    replicates: 1,
    grid,
    check,
    controls: &[CHAIN_RULE_DROPPED],
}];
