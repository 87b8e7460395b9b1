//! Family `online`, topic `hedge`.
use super::*;

pub const CONSTANT_HALVED: Control =
    Control::new("constant_halved", "Reg_T <= (1/2) sqrt((T/2) ln N)");

// ------------------------------------------------------------ 10. Hedge

fn hedge_grid(s: Scale) -> Vec<Params> {
    let ts: &[usize] = match s {
        Scale::Quick => &[100, 1000],
        Scale::Full => &[100, 1000, 10000],
    };
    let mut out = Vec::new();
    for &t in ts {
        for d in [2usize, 4, 16] {
            out.push(
                Params::new()
                    .with("d", d)
                    .with("sequence", "adversary")
                    .with("T", t),
            );
        }
        out.push(
            Params::new()
                .with("d", 2usize)
                .with("sequence", "two_experts")
                .with("T", t),
        );
    }
    out
}

fn hedge_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let t = p.usize_at_least("T", 1)? as f64;
    let d = p.usize_at_least("d", 2)? as f64;
    let q = p.clone().with("domain", "simplex").with("hint", "zero");
    let eta = (8.0 * d.ln() / t).sqrt();
    let outs = runs(&q, StepSize::Fixed(eta), ctx, faulty(v, Options::FAST))?;
    let c = v.pick(CONSTANT_HALVED, 1.0, 0.5);
    Ok(Evidence::worst_exact(
        outs.iter().map(|o| (o.regret, c * hedge_bound(t, d))),
    ))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "online.hedge",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "Hedge, losses in [0, 1], eta = sqrt(8 ln N / T): Reg_T <= sqrt((T/2) ln N)",
    source: "Cesa-Bianchi & Lugosi, Prediction, Learning, and Games, Thm 2.2",
    replicates: 2,
    grid: hedge_grid,
    check: hedge_check,
    controls: &[CONSTANT_HALVED, UPHILL_STEP],
}];
