//! Family `online`, topic `omd`.
use super::*;

pub const DROP_RMAX_TERM: Control = Control::new("drop_rmax_term", "the R_max^2/eta term dropped");
pub const VARIANCE_TERM_QUARTERED: Control =
    Control::new("variance_term_quartered", "(eta/8) S instead of (eta/2) S");
pub const TUNED_CONSTANT_QUARTERED: Control = Control::new(
    "tuned_constant_quartered",
    "R sqrt(S/8) instead of R sqrt(2S)",
);
pub const S_AT_MOST_T: Control = Control::new(
    "s_at_most_t",
    "S <= T (forgets that ||x_t - M_t||_* can reach 2)",
);
pub const CONSTANT_HALVED: Control = Control::new("constant_halved", "Reg_T <= R^2/(2 eta)");

// ---------------------------------------------------------------- 1. the lemma

fn lemma_grid(s: Scale) -> Vec<Params> {
    grid_over(
        true,
        horizon(s),
        &[("hint", strs(HINTS)), ("eta", nums(&[0.05, 0.5, 5.0]))],
    )
}

fn lemma_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let eta = p.positive("eta")?;
    let outs = runs(p, StepSize::Fixed(eta), ctx, faulty(v, Options::DETAILED))?;
    let keep = v.pick(DROP_RMAX_TERM, 1.0, 0.0);
    Ok(Evidence::worst_exact(outs.iter().map(|o| {
        (
            o.regret,
            keep * o.r_max_sq / eta + o.cross - o.negative / (2.0 * eta),
        )
    })))
}

// ------------------------------------------------------- 2. fixed and tuned eta

fn fixed_eta_grid(s: Scale) -> Vec<Params> {
    let mut g = grid_over(
        true,
        horizon(s),
        &[("hint", strs(HINTS)), ("eta", nums(&[0.05, 0.5, 5.0]))],
    );
    g.extend(
        grid_over(
            false,
            horizon(s),
            &[(
                "hint",
                strs(&["zero", "last", "mean", "fading", "ar1", "learned"]),
            )],
        )
        .into_iter()
        .map(|p| p.with("eta", "tuned")),
    );
    g
}

fn fixed_eta_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let prob = Problem::from_params(p)?;
    let opts = faulty(v, Options::FAST);
    let outs = mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        prob.run(rng, opts)
    })?;
    let tuned = p.get("eta") == Some(&Value::from("tuned"));
    Ok(Evidence::worst_exact(outs.iter().map(|(o, eta)| {
        let r2 = o.r_max_sq;
        if tuned {
            (
                o.regret,
                v.pick(TUNED_CONSTANT_QUARTERED, 1.0, 0.25) * tuned_bound(r2, o.s),
            )
        } else {
            (
                o.regret,
                if v.is(VARIANCE_TERM_QUARTERED) {
                    r2 / eta + 0.125 * eta * o.s
                } else {
                    fixed_eta_bound(r2, *eta, o.s)
                },
            )
        }
    })))
}

// ------------------------------------------------------------- 3. degradation

fn degradation_grid(s: Scale) -> Vec<Params> {
    grid_over(
        true,
        horizon(s),
        &[(
            "hint",
            strs(&["zero", "last", "mean", "fading", "ar1", "learned"]),
        )],
    )
    .into_iter()
    .map(tuned_unless_adversary)
    .collect()
}

fn degradation_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let prob = Problem::from_params(p)?;
    let t = prob.rounds as f64;
    let tuned = p.get("eta") == Some(&Value::from("tuned"));
    let outs = mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        prob.run(rng, faulty(v, Options::PREMISES))
    })?;
    let c = v.pick(S_AT_MOST_T, 4.0, 1.0);
    let mut pairs = Vec::new();
    for (o, _) in &outs {
        pairs.push((o.s, c * t));
        if tuned {
            pairs.push((o.regret, (c * 2.0 * o.r_max_sq * t).sqrt()));
        }
    }
    // ||x_t||_*, ||M_t||_* <= 1 is the premise, checked apart from the statement
    let premise = Premise::worst(
        "||x_t||_*, ||M_t||_* <= 1",
        outs.iter()
            .map(|(o, _)| (o.max_dual_x.max(o.max_dual_hint), 1.0)),
    );
    Ok(Evidence::worst_exact(pairs).with_premises(vec![premise]))
}

fn perfect_hint_limit(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    perfect_hint_evidence(p, v.pick(CONSTANT_HALVED, 1.0, 0.5), v, ctx)
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "online.omd.lemma",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "sum<f_t - f*, x_t> <= R^2/eta + sum ||x_t - M_t||_* ||g_t - f_t|| - (1/2eta) sum (||g_t - f_t||^2 + ||g_{t-1} - f_t||^2)",
        source: "Rakhlin & Sridharan, COLT 2013 (arXiv 1208.3728), Lemma 1",
        replicates: 3,
        grid: lemma_grid,
        check: lemma_check,
        controls: &[DROP_RMAX_TERM, HINT_IN_UPDATE, UPHILL_STEP],
    },
    Entry {
        id: "online.omd.fixed_eta",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "Reg_T <= R^2/eta + (eta/2) S, S = sum ||x_t - M_t||_*^2; with eta = R sqrt(2/S): Reg_T <= R sqrt(2S)",
        source: "RS13 Corollary (derived: AM-GM on the lemma's middle term)",
        replicates: 3,
        grid: fixed_eta_grid,
        check: fixed_eta_check,
        controls: &[
            VARIANCE_TERM_QUARTERED,
            TUNED_CONSTANT_QUARTERED,
            UPHILL_STEP,
        ],
    },
    Entry {
        id: "online.omd.degradation",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "||x_t||_*, ||M_t||_* <= 1 imply S <= 4T, so the tuned regret is at most R sqrt(8T)",
        source: "derived (triangle inequality)",
        replicates: 3,
        grid: degradation_grid,
        check: degradation_check,
        controls: &[S_AT_MOST_T, UPHILL_STEP],
    },
    Entry {
        id: "online.omd.perfect_hint_limit",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "with M_t = x_t: Reg_T <= R^2/eta (so Reg_T -> 0 as eta -> infinity, the limit form of the perfect-hint claim)",
        source: "RS13 Lemma 1 with x_t - M_t = 0",
        replicates: 2,
        grid: perfect_hint_grid,
        check: perfect_hint_limit,
        controls: &[CONSTANT_HALVED, LATE_ORACLE],
    },
];
