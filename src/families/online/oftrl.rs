//! Family `online`, topic `oftrl`.
use super::*;

pub const GAMMA_4X: Control = Control::new("gamma_4x", "gamma = 1/eta instead of 1/(4 eta)");

// ---------------------------------------------------------------- 4. RVU

fn rvu_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for d in [2usize, 8] {
        for seq in battery(true) {
            for eta in [0.05, 0.3, 1.0] {
                out.push(
                    seq.clone()
                        .with("domain", "simplex")
                        .with("d", d)
                        .with("T", horizon(s))
                        .with("hint", "last")
                        .with("eta", eta),
                );
            }
        }
    }
    out
}

fn rvu_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let prob = Problem::from_params(p)?;
    let eta = p.positive("eta")?;
    let d = prob.domain.dim();
    let outs = mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        let mut seq = Sequence::new(prob.sequence.clone(), d, rng)?;
        let mut hint = Hint::new(&HintSpec::Last, d);
        oftrl(
            prob.domain.as_ref(),
            &mut seq,
            &mut hint,
            eta,
            prob.rounds,
            rng,
            faulty(v, Options::FAST),
        )
    })?;
    let gamma = v.pick(GAMMA_4X, 1.0 / (4.0 * eta), 1.0 / eta);
    Ok(Evidence::worst_exact(outs.iter().map(|o| {
        // utilities u_t = -x_t: sum <x* - p_t, u_t> is the regret; ||u_t - u_{t-1}||_inf^2
        // summed with u_0 = 0 is S of the last-value hint.
        let alpha = o.outcome.r_max_sq / eta;
        (
            o.outcome.regret,
            alpha + eta * o.outcome.s - gamma * o.movement,
        )
    })))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "online.oftrl.rvu",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "optimistic FTRL (entropy, M_t = u_{t-1}): Reg <= ln d/eta + eta sum||u_t - u_{t-1}||^2 - (1/4eta) sum||p_t - p_{t-1}||_1^2",
        source: "Syrgkanis, Agarwal, Luo, Schapire, NeurIPS 2015 (arXiv 1507.00407), Prop. 7",
        replicates: 3,
        grid: rvu_grid,
        check: rvu_check,
        controls: &[GAMMA_4X, UPHILL_STEP],
    },
];
