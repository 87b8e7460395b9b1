//! Family `online`, topic `scaling`.
use super::*;

pub const LINEAR_RATE: Control = Control::new("linear_rate", "slope in [0.9, 1.1] (linear regret)");

// ------------------------------------------------------------ 6. iid scaling

fn scaling_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for dom in domains() {
        for sigma in [0.0, 0.1, 0.5] {
            out.push(
                dom.clone()
                    .with("sequence", "iid")
                    .with("sigma", sigma)
                    .with("gap", 0.5)
                    .with("hint", "mean"),
            );
        }
    }
    out
}

fn scaling_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let sigma = p.nonnegative("sigma")?;
    let ts: Vec<usize> = match ctx.scale {
        Scale::Quick => vec![100, 200, 400, 800, 1600, 3200],
        Scale::Full => vec![100, 300, 1000, 3000, 10000, 30000],
    };
    let mut points = Vec::new();
    for (k, &t) in ts.iter().enumerate() {
        let prob = Problem::from_params(&p.clone().with("T", t).with("eta", "tuned"))?;
        let sub = Ctx {
            cell: ctx.cell * 64 + k as u64,
            ..*ctx
        };
        let regrets: Vec<f64> = mc::try_replicate(sub.replicates, sub.seed, sub.cell, |_, rng| {
            prob.run(rng, faulty(v, Options::FAST))
                .map(|(o, _)| o.regret)
        })?;
        points.push((t as f64, regrets));
    }
    let (lo, hi) = if v.is(LINEAR_RATE) {
        (0.9, 1.1)
    } else if sigma > 0.0 {
        (0.4, 0.6)
    } else {
        (f64::NEG_INFINITY, 0.15)
    };
    Ok(Evidence::slope_of(points, lo, hi))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "online.scaling.iid",
        kind: Kind::Scaling,
        status: Status::Claim,
        statement: "x_t = m + sigma xi_t, mean hint, tuned eta: slope of log E[Reg_T] vs log T in [0.4, 0.6] for sigma > 0, below 0.15 for sigma = 0",
        source: "derived from online.omd.fixed_eta (S ~ sigma^2 T) and its lower-bound counterpart",
        replicates: 64,
        grid: scaling_grid,
        check: scaling_check,
        controls: &[LINEAR_RATE, UPHILL_STEP],
    },
];
