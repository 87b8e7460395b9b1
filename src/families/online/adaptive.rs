//! Family `online`, topic `adaptive`.
use super::*;

pub const CONSTANT_TENTH: Control = Control::new("constant_tenth", "constant 0.35 instead of 3.5");

// ----------------------------------------------------- 8. adaptive step size

fn adaptive_grid(s: Scale) -> Vec<Params> {
    grid_over(true, horizon(s), &[("hint", strs(HINTS))])
        .into_iter()
        .map(|p| p.with("eta", "adaptive"))
        .collect()
}

fn adaptive_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let outs = runs(p, StepSize::Adaptive, ctx, faulty(v, Options::FAST))?;
    Ok(Evidence::worst_exact(outs.iter().map(|o| {
        let bound = adaptive_bound(o.r_max_sq, o.s);
        (o.regret, v.pick(CONSTANT_TENTH, bound, bound / 10.0))
    })))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "online.adaptive",
    kind: Kind::Exact,
    // found here: regime switching on the simplex breaks it (the entropic Bregman
    // divergence is unbounded); on the ball the largest ratio is about 0.63
    status: Status::Conjecture {
        expected: Some(Verdict::Refuted),
    },
    statement: "eta_t = R min{1, 1/(sqrt(S_{t-1}) + sqrt(S_{t-2}))}: Reg_T <= 3.5 R (sqrt(S) + 1)",
    source: "RS13 (adaptive step size); the constant 3.5 is unverified",
    replicates: 3,
    grid: adaptive_grid,
    check: adaptive_check,
    controls: &[CONSTANT_TENTH, UPHILL_STEP],
}];
