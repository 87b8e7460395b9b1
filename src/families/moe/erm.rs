//! Family `moe`, topic `erm`.
use super::*;

pub const BOUND_HUNDREDTH: Control = Control::new("bound_hundredth", "the bound divided by 100");
pub const NET_ATTAINS_INFIMUM: Control = Control::new(
    "net_attains_infimum",
    "R(theta_hat) - inf R <= 0 (both terms dropped)",
);

/// ERM with a min/max slip: the hypothesis with the largest empirical risk.
pub const ARGMAX_SLIP: Control = Control::mutation(
    "argmax_slip",
    "ERM returns the hypothesis with the largest empirical risk (a min/max slip)",
);

fn erm_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    // where the bound is nearly attained: two constant classifiers of a coin whose risks
    // differ by gap = 1.5 / sqrt(n), so ERM picks the worse one with probability ~0.067 > delta
    // and the (1 - delta)-quantile of the excess is the gap, about half the bound
    for n in [51usize, 1001] {
        out.push(
            Params::new()
                .with("task", "coin")
                .with("n", n)
                .with("M", 2usize)
                .with("gap", 1.5 / (n as f64).sqrt())
                .with("delta", 0.05),
        );
    }
    for n in [50usize, 200, 1000] {
        for m in [5usize, 50] {
            out.push(
                Params::new()
                    .with("n", n)
                    .with("M", m)
                    .with("noise", 0.3)
                    .with("delta", 0.05),
            );
        }
    }
    out
}

/// R(h_hat) - min_H R <= 2 sqrt(log(2M/delta) / (2n)) with probability >= 1 - delta.
fn erm_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let n = p.usize_at_least("n", 1)?;
    let m = p.usize_at_least("M", 1)?;
    let delta = p.positive("delta")?;
    let bound = v.pick(BOUND_HUNDREDTH, 1.0, 0.01)
        * 2.0
        * ((2.0 * m as f64 / delta).ln() / (2.0 * n as f64)).sqrt();
    if p.str_or("task", "regression")? == "coin" {
        let coin = crate::moe::CoinTask::with_gap(p.nonnegative("gap")?)?;
        if m != 2 {
            return Err(
                crate::params::out_of_range("M", &m.into(), "the coin task has M = 2").into(),
            );
        }
        let excess = mc::replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
            coin.excess_with(n, rng, fault(v))
        });
        return Ok(Evidence::tail(&excess, bound, delta));
    }
    let task = RegressionTask {
        noise: p.nonnegative("noise")?,
    };
    let class = FiniteClass::linear(m);
    // near-exact risks on a large held-out sample (one per grid point)
    let (zt, yt) = task.sample(400_000, &mut mc::stream(ctx.seed, ctx.cell, u64::MAX >> 8));
    let risk = class.risks(&zt, &yt);
    let best = risk.iter().cloned().fold(f64::INFINITY, f64::min);
    let excess = mc::replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        let (z, y) = task.sample(n, rng);
        let pick = class.erm_with(&z, &y, fault(v));
        risk[pick] - best
    });
    Ok(Evidence::tail(&excess, bound, delta))
}

fn epsnet_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    let ps: &[usize] = match s {
        Scale::Quick => &[2, 3],
        Scale::Full => &[2, 3, 4],
    };
    for &p in ps {
        for eps in [0.5, 0.2] {
            for n in [50usize, 500] {
                for loss in ["squared", "absolute"] {
                    out.push(net_point(p, eps, n).with("delta", 0.05).with("loss", loss));
                }
                // random Fourier features in place of monomials
                out.push(
                    net_point(p, eps, n)
                        .with("delta", 0.05)
                        .with("features", "random"),
                );
            }
        }
    }
    // where the statement can fail: at the points above the bound exceeds max_N R - inf R
    // (0.12-0.84 of it), so no estimator over the net could break it; with the absolute loss
    // at n = 5000, eps = 0.2 the worst member's excess is 1.2-1.5 times the bound
    // (theory/moe.md; `epsnet_bound_is_attainable_somewhere`)
    for &p in ps {
        out.push(
            net_point(p, 0.2, 5000)
                .with("delta", 0.05)
                .with("loss", "absolute"),
        );
    }
    out
}

fn epsnet_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let delta = p.positive("delta")?;
    // the control claims ERM over the net attains inf R (both terms dropped)
    let c = v.pick(NET_ATTAINS_INFIMUM, 1.0, 0.0);
    let erm = EpsNetErm::new(p)?;
    let fault = fault(v);
    let runs = mc::replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        erm.excess_with(rng, fault)
    });
    Ok(Evidence::tail(&runs, c * erm.bound, delta))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "moe.erm.finite",
        kind: Kind::HighProbability,
        status: Status::Claim,
        statement: "losses in [0, 1], |H| = M: R(h_hat) - min_H R <= 2 sqrt(log(2M/delta)/(2n)) with probability >= 1 - delta",
        source: "Hoeffding + union bound (derived in theory/moe.md)",
        replicates: 2000,
        grid: erm_grid,
        check: erm_check,
        controls: &[BOUND_HUNDREDTH, ARGMAX_SLIP],
    },
    Entry {
        id: "moe.erm.epsnet",
        kind: Kind::HighProbability,
        status: Status::Claim,
        statement: "ERM over an eps-net of the expert ball: R(theta_hat) - inf R <= L eps + sqrt(2 [p log(1 + 2B/eps) + log(2/delta)] / n) with probability >= 1 - delta",
        source: "finite-class ERM on the net + Lipschitz approximation (derived in theory/moe.md)",
        replicates: 1000,
        grid: epsnet_grid,
        check: epsnet_check,
        controls: &[NET_ATTAINS_INFIMUM, ARGMAX_SLIP],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The check can fail: at some grid point a member of the net has an excess above the
    /// bound (elsewhere the bound exceeds max_N R - inf R, and no estimator over the net
    /// could break it). Prints the ratio at every point.
    #[test]
    fn epsnet_bound_is_attainable_somewhere() {
        let mut attainable = 0;
        for p in epsnet_grid(Scale::Quick) {
            let erm = EpsNetErm::new(&p).unwrap();
            let r = erm.worst_member_excess() / erm.bound;
            println!("{p:?}: worst member excess / bound = {r:.3}");
            attainable += (r > 1.0) as usize;
        }
        assert!(
            attainable >= 2,
            "the bound can be broken at only {attainable} points"
        );
    }
}
