//! Family `moe`, topic `scaling`.
use super::*;

pub const RATES_SWAPPED: Control = Control::new("rates_swapped", "ERM at the fast rate [-1.1, -0.9], mirror averaging at the slow rate [-0.6, -0.4], excess decreasing in p");

/// The two-point task built once at n = 100 and reused at every n: its gap no longer shrinks
/// as n^{-1/2}, so ERM's error probability falls with n and the task stops being the worst.
pub const FIXED_GAP: Control = Control::mutation(
    "fixed_gap",
    "two-point task's gap fixed at its n = 100 value (not shrinking with n)",
);

// ------------------------------------------------------------ rates

fn scaling_grid(_s: Scale) -> Vec<Params> {
    let base = Params::new().with("B", 1.0).with("noise", 0.3);
    vec![
        base.clone()
            .with("claim", "erm_two_point")
            .with("p", 1usize)
            .with("eps", 0.25),
        // p = 1 with the optimum at the prior's centre: no prior bias, the variance rate shows
        // (at p = 2 the flat prior's pull toward 0 decays as n^-2 and steepens the slope to
        // -1.35 over n <= 1600; theory/moe.md)
        base.clone()
            .with("claim", "ewa")
            .with("p", 1usize)
            .with("eps", 0.01)
            .with("prior", "uniform"),
        base.with("claim", "ewa_vs_p")
            .with("n", 200usize)
            .with("eps", 0.25)
            .with("prior", "uniform"),
    ]
}

/// Sample sizes of the rate fits.
fn rate_ns(s: Scale) -> Vec<usize> {
    match s {
        Scale::Quick => vec![100, 200, 400, 800, 1600],
        Scale::Full => vec![100, 200, 400, 800, 1600, 3200, 6400],
    }
}

/// The two-point task of ERM over the p = 1 net {0, +-2 eps, ...}: the regression function's
/// mean sits delta_n = 0.75 sd(y) / sqrt(n) beyond the midpoint eps of the net points 0 and
/// 2 eps, so their risk gap is eps delta_n while the loss difference keeps standard deviation
/// eps sd(y): ERM errs with probability about Phi(-0.75) at every n (Le Cam's construction).
/// `gap_n` is the n the gap is built for (n itself; the mutation control passes 100).
fn two_point_params(p: &Params, n: usize, gap_n: usize) -> Result<Params, Error> {
    let eps = p.positive("eps")?;
    let a = p.nonnegative("noise")?;
    let sd_y = (0.125 + a * a / 3.0).sqrt();
    Ok(p.clone()
        .with("n", n)
        .with("offset", eps + 0.75 * sd_y / (gap_n as f64).sqrt())
        .with("delta", 0.05))
}

fn scaling_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let claim = p.str("claim")?;
    let swapped = v.is(RATES_SWAPPED);
    let (mut x, mut mean, mut se) = (Vec::new(), Vec::new(), Vec::new());
    let mut fewest = usize::MAX;
    let mut push = |xv: f64, samples: Vec<f64>| {
        let (m, sd) = mean_sd(&samples);
        fewest = fewest.min(samples.len());
        x.push(xv);
        mean.push(m);
        se.push(sd / (samples.len() as f64).sqrt());
    };
    let sub = |k: usize| ctx.cell * 64 + k as u64;
    let (lo, hi) = match claim {
        // ERM over a net, worst task at each n: the bound's n^{-1/2}
        "erm_two_point" => {
            for (k, n) in rate_ns(ctx.scale).into_iter().enumerate() {
                let gap_n = if v.is(FIXED_GAP) { 100 } else { n };
                let erm = EpsNetErm::new(&two_point_params(p, n, gap_n)?)?;
                let runs = mc::replicate(ctx.replicates, ctx.seed, sub(k), |_, rng| {
                    erm.excess_over_net(rng)
                });
                push(n as f64, runs);
            }
            if swapped {
                (-1.1, -0.9)
            } else {
                (-0.6, -0.4)
            }
        }
        // mirror averaging on a fine net: the exp-concave fast rate n^{-1}; and at fixed n,
        // the excess grows with the number of parameters
        "ewa" | "ewa_vs_p" => {
            let rate = claim == "ewa";
            let points: Vec<(f64, Params)> = if rate {
                rate_ns(ctx.scale)
                    .into_iter()
                    .map(|n| (n as f64, p.clone().with("n", n)))
                    .collect()
            } else {
                (1usize..=4)
                    .map(|d| (d as f64, p.clone().with("p", d)))
                    .collect()
            };
            let reps = ctx.replicates.div_ceil(if rate { 4 } else { 8 });
            for (k, (xv, q)) in points.into_iter().enumerate() {
                let ma = MirrorAveraging::new(&q)?;
                push(
                    xv,
                    mc::replicate(reps, ctx.seed, sub(k), |_, rng| ma.risk(rng) - ma.net.best),
                );
            }
            match (rate, swapped) {
                (true, false) => (-1.25, -0.75),
                (true, true) => (-0.6, -0.4),
                (false, false) => (0.0, f64::INFINITY),
                (false, true) => (f64::NEG_INFINITY, 0.0),
            }
        }
        other => {
            return Err(out_of_range(
                "claim",
                &other.into(),
                "must be erm_two_point, ewa or ewa_vs_p",
            )
            .into())
        }
    };
    Ok(Evidence::Slope {
        x,
        mean,
        se,
        replicates: fewest,
        lo,
        hi,
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "moe.scaling",
        kind: Kind::Scaling,
        status: Status::Claim,
        statement: "ERM over a net on the worst (two-point) task at each n: excess ~ n^s with s in [-0.6, -0.4]; mirror averaging (exp-concave loss, fine net): excess ~ n^s with s in [-1.25, -0.75]; at fixed n the excess grows with the parameter count p (fitted exponent > 0)",
        source: "Le Cam two-point construction; JRT (2008) fast rate; derived in theory/moe.md",
        replicates: 4000,
        grid: scaling_grid,
        check: scaling_check,
        controls: &[RATES_SWAPPED, FIXED_GAP],
    },
];
