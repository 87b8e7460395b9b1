//! The engine measures itself (theory/stats.md, "Measured error rates"): synthetic claims
//! whose truth is known exactly, run through the same looks and verdict rules as every entry
//! (`look_until_decided`, `evaluate`), over many seeds. Each scenario states which verdict
//! would be wrong and the rate it may reach (the budget), or which verdict it must reach and
//! how often (power); the measured rate is reported with its Clopper-Pearson interval.
use super::entry::{Ctx, Evidence, Scale, Support};
use super::run::look_until_decided;
use crate::mc::{self, Rng};
use crate::stats::{clopper_pearson, Budget, Target, Verdict};
use crate::Error;
use rand::Rng as _;
use rand_distr::{Distribution, Exp1, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::ContinuousCDF;

/// The law of one replicate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Law {
    Normal,
    /// Exp(1): right-skewed, skewness 2.
    Exponential,
    /// -Exp(1): left-skewed.
    NegExponential,
    /// exp(N(0, 1)): skewness 6.2.
    LogNormal,
    /// U[0, 1], support [0, 1].
    Uniform,
    /// Bernoulli(p), support [0, 1].
    Bernoulli(f64),
}

impl Law {
    fn draw(&self, rng: &mut Rng) -> f64 {
        match *self {
            Law::Normal => StandardNormal.sample(rng),
            Law::Exponential => Exp1.sample(rng),
            Law::NegExponential => -Distribution::<f64>::sample(&Exp1, rng),
            Law::LogNormal => Distribution::<f64>::sample(&StandardNormal, rng).exp(),
            Law::Uniform => rng.random::<f64>(),
            Law::Bernoulli(p) => f64::from(u8::from(rng.random::<f64>() < p)),
        }
    }
    pub fn mean(&self) -> f64 {
        match *self {
            Law::Normal => 0.0,
            Law::Exponential => 1.0,
            Law::NegExponential => -1.0,
            Law::LogNormal => 0.5f64.exp(),
            Law::Uniform => 0.5,
            Law::Bernoulli(p) => p,
        }
    }
    pub fn sd(&self) -> f64 {
        match *self {
            Law::Normal | Law::Exponential | Law::NegExponential => 1.0,
            Law::LogNormal => ((1f64.exp() - 1.0) * 1f64.exp()).sqrt(),
            Law::Uniform => (1.0f64 / 12.0).sqrt(),
            Law::Bernoulli(p) => (p * (1.0 - p)).sqrt(),
        }
    }
    fn support(&self, assume_gaussian: bool) -> Support {
        if assume_gaussian {
            return Support::Gaussian {
                why: "the scenario's assumption",
            };
        }
        match self {
            Law::Uniform | Law::Bernoulli(_) => Support::Bounded { lo: 0.0, hi: 1.0 },
            _ => Support::Unbounded,
        }
    }
}

/// What the synthetic check claims, relative to the truth (in units of the law's sd).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Claim {
    /// E Z <= B with B = mean - gap sd (gap 0: the mean exactly at the bound; gap > 0: the
    /// claim false by gap sd).
    MeanAtMost { gap: f64 },
    /// |E Z - v| <= margin sd with v = mean - offset sd.
    MeanWithin { offset: f64, margin: f64 },
    /// A violation rate (Clopper-Pearson): P[violation] <= p - gap sd.
    RateAtMost { gap: f64 },
    /// |rate - v| <= margin sd, v = p - offset sd.
    RateWithin { offset: f64, margin: f64 },
    /// The log-log slope of E Z over x = 1, 2, 4, 8, 16 lies in [slope - 0.2, slope] (the
    /// truth exactly at the upper end; the relation curved).
    SlopeAtEdge,
}

/// Which verdict a scenario bounds, and how.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The verdict is wrong here: its rate must be at most the budget.
    AtMostBudget(Verdict),
    /// Power: the verdict must come out at least this often.
    AtLeast(Verdict, f64),
}

/// One synthetic claim, checked at `points` grid points (all alike) per trial.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub law: Law,
    pub claim: Claim,
    pub n0: usize,
    pub points: usize,
    /// Read the samples as `Support::Gaussian` (t without the skewness rule).
    pub assume_gaussian: bool,
    pub expect: Vec<Expect>,
}

/// A measured rate with its interval and whether it meets its expectation.
#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    pub expect: Expect,
    pub count: u64,
    pub rate: f64,
    /// Clopper-Pearson interval at 99%.
    pub lo: f64,
    pub hi: f64,
    /// The rate's interval shows the expectation: for a budget, the upper end is at most the
    /// budget; for power, the lower end is at least the asked rate.
    pub met: bool,
    /// The rate's interval does not contradict the expectation (for a budget, the lower end is
    /// at most the budget): what can be shown when the design's worst case is the budget
    /// itself (Clopper-Pearson at delta: the union over four looks is nearly tight there).
    pub consistent: bool,
}

/// One scenario's outcome over its trials.
#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub scenario: Scenario,
    pub alpha: f64,
    pub trials: u64,
    pub holds: u64,
    pub violated: u64,
    pub inconclusive: u64,
    pub rates: Vec<Rate>,
}

/// Effect (in sd units) a t-based one-sided check at n0 replicates reports VIOLATED with
/// probability 0.9 at its first look: (z_{1 - e / 1.5} + z_0.9) / sqrt(n0), e the lower end's
/// error when `points` points share `alpha`.
pub fn first_look_effect(alpha: f64, points: usize, n0: usize) -> f64 {
    let e = Budget::new(alpha, points)
        .ends(crate::stats::Sides::UpperClaim, false)
        .lo;
    let nd = crate::stats::standard_normal();
    (nd.inverse_cdf(1.0 - e / 1.5) + nd.inverse_cdf(0.9)) / (n0 as f64).sqrt()
}

fn evidence(s: &Scenario, ctx: &Ctx) -> Evidence {
    // one stream per (seed, cell), read in order: a later look's sample extends the earlier
    // one, as the engine's per-replicate streams do
    let draws = |n: usize, cell: u64| -> Vec<f64> {
        let mut rng = mc::stream(ctx.seed, cell, 0);
        (0..n).map(|_| s.law.draw(&mut rng)).collect()
    };
    let (m, sd) = (s.law.mean(), s.law.sd());
    match s.claim {
        Claim::MeanAtMost { gap } => Evidence::Mean {
            samples: draws(ctx.replicates, ctx.cell),
            target: Target::AtMost(m - gap * sd),
            support: s.law.support(s.assume_gaussian),
        },
        Claim::MeanWithin { offset, margin } => Evidence::Mean {
            samples: draws(ctx.replicates, ctx.cell),
            target: Target::Within {
                value: m - offset * sd,
                margin: margin * sd,
            },
            support: s.law.support(s.assume_gaussian),
        },
        Claim::RateAtMost { gap } => Evidence::Tail {
            violations: draws(ctx.replicates, ctx.cell).iter().sum::<f64>() as u64,
            n: ctx.replicates as u64,
            target: Target::AtMost(m - gap * sd),
            quantile_ratio: None,
        },
        Claim::RateWithin { offset, margin } => Evidence::Tail {
            violations: draws(ctx.replicates, ctx.cell).iter().sum::<f64>() as u64,
            n: ctx.replicates as u64,
            target: Target::Within {
                value: m - offset * sd,
                margin: margin * sd,
            },
            quantile_ratio: None,
        },
        Claim::SlopeAtEdge => {
            // E Z_i = x_i^s exp(0.3 (u_i - u_bar)^2), u = log x symmetric about u_bar: the
            // least-squares slope of log E Z is exactly s = 0.5 although the relation curves
            let s_true = 0.5;
            let xs = [1.0f64, 2.0, 4.0, 8.0, 16.0];
            let ubar = 2.0 * 2f64.ln();
            let (mut mean, mut se) = (Vec::new(), Vec::new());
            for (i, x) in xs.iter().enumerate() {
                let mi = x.powf(s_true) * (0.3 * (x.ln() - ubar).powi(2)).exp();
                let z: Vec<f64> = draws(ctx.replicates, ctx.cell * 8 + i as u64)
                    .iter()
                    .map(|d| mi * (1.0 + (d - m) / sd * 0.5))
                    .collect();
                let (a, b) = crate::stats::mean_sd(&z);
                mean.push(a);
                se.push(b / (z.len() as f64).sqrt());
            }
            Evidence::Slope {
                x: xs.to_vec(),
                mean,
                se,
                replicates: ctx.replicates,
                lo: s_true - 0.2,
                hi: s_true,
            }
        }
    }
}

/// Run one scenario over `trials` master seeds at budget `alpha`.
pub fn measure(s: &Scenario, alpha: f64, trials: u64) -> Result<Measured, Error> {
    measure_spending(s, alpha, Budget::new(alpha, s.points), trials)
}

/// As `measure`, with the engine spending `budget` (a mutated engine: one that forgets the
/// split over grid points spends `Budget::new(alpha, 1)` at every point); the rates are still
/// held to `alpha`.
pub fn measure_spending(
    s: &Scenario,
    alpha: f64,
    budget: Budget,
    trials: u64,
) -> Result<Measured, Error> {
    let verdicts: Vec<Verdict> = (0..trials)
        .into_par_iter()
        .map(|seed| -> Result<Verdict, Error> {
            let mut v = Verdict::Holds;
            for cell in 0..s.points as u64 {
                let ctx = Ctx::new(seed, cell, s.n0, Scale::Quick);
                let (_, res, _) = look_until_decided(|c| Ok(evidence(s, c)), &budget, ctx)?;
                v = v.combine(res.verdict);
            }
            Ok(v)
        })
        .collect::<Result<_, _>>()?;
    let count = |x: Verdict| verdicts.iter().filter(|v| **v == x).count() as u64;
    let rates = s
        .expect
        .iter()
        .map(|e| {
            let v = match *e {
                Expect::AtMostBudget(v) | Expect::AtLeast(v, _) => v,
            };
            let k = count(v);
            let iv = clopper_pearson(k, trials, 0.99);
            let (met, consistent) = match *e {
                Expect::AtMostBudget(_) => (iv.hi <= alpha, iv.lo <= alpha),
                Expect::AtLeast(_, p) => (iv.lo >= p, iv.hi >= p),
            };
            Rate {
                expect: *e,
                count: k,
                rate: k as f64 / trials as f64,
                lo: iv.lo,
                hi: iv.hi,
                met,
                consistent,
            }
        })
        .collect();
    Ok(Measured {
        scenario: s.clone(),
        alpha,
        trials,
        holds: count(Verdict::Holds),
        violated: count(Verdict::Violated),
        inconclusive: count(Verdict::Inconclusive),
        rates,
    })
}

/// The battery: every interval type at the edge of its claim, the equality claims exactly
/// true and off by their margin, and power at a stated effect.
pub fn battery(alpha: f64) -> Vec<Scenario> {
    use Expect::*;
    use Verdict::{Holds, Violated};
    let both = vec![AtMostBudget(Violated), AtMostBudget(Holds)];
    let mut out = Vec::new();
    let mut add = |name: &str, law, claim, n0, points, expect: Vec<Expect>| {
        out.push(Scenario {
            name: name.into(),
            law,
            claim,
            n0,
            points,
            assume_gaussian: name.starts_with("gaussian"),
            expect,
        })
    };
    let edge = Claim::MeanAtMost { gap: 0.0 };
    add(
        "t: normal mean at the bound, n0 = 12",
        Law::Normal,
        edge,
        12,
        1,
        both.clone(),
    );
    add(
        "t: normal at the bound, 10 points, n0 = 12",
        Law::Normal,
        edge,
        12,
        10,
        vec![AtMostBudget(Violated)],
    );
    add(
        "t: exponential (skew 2) at the bound, n0 = 12",
        Law::Exponential,
        edge,
        12,
        1,
        both.clone(),
    );
    add(
        "t: exponential at the bound, n0 = 200",
        Law::Exponential,
        edge,
        200,
        1,
        both.clone(),
    );
    add(
        "t: -exponential (skew -2) at the bound, n0 = 200",
        Law::NegExponential,
        edge,
        200,
        1,
        both.clone(),
    );
    add(
        "t: lognormal (skew 6.2) at the bound, n0 = 200",
        Law::LogNormal,
        edge,
        200,
        1,
        both.clone(),
    );
    add(
        "t: lognormal at the bound, n0 = 2000",
        Law::LogNormal,
        edge,
        2000,
        1,
        both.clone(),
    );
    add(
        "gaussian (t, no skewness rule): normal mean at the bound, n0 = 12",
        Law::Normal,
        edge,
        12,
        1,
        both.clone(),
    );
    // the assumption broken: reported, not asserted (what an entry risks if its replicate
    // is not near normal)
    add(
        "gaussian assumption broken: exponential at the bound, n0 = 12",
        Law::Exponential,
        edge,
        12,
        1,
        vec![],
    );
    let gap = first_look_effect(alpha, 1, 100);
    add(
        &format!("t power: normal mean {gap:.3} sd above the bound, n0 = 100"),
        Law::Normal,
        Claim::MeanAtMost { gap },
        100,
        1,
        vec![AtLeast(Violated, 0.9)],
    );
    add(
        "betting: uniform mean at the bound, n0 = 24",
        Law::Uniform,
        edge,
        24,
        1,
        both.clone(),
    );
    add(
        "betting: Bernoulli(0.1) mean at the bound, n0 = 100",
        Law::Bernoulli(0.1),
        edge,
        100,
        1,
        both.clone(),
    );
    add(
        "betting: uniform at the bound, 10 points, n0 = 24",
        Law::Uniform,
        edge,
        24,
        10,
        vec![AtMostBudget(Violated)],
    );
    let bgap = 2.0 * first_look_effect(alpha, 1, 400);
    add(
        &format!("betting power: Bernoulli(0.1) mean {bgap:.3} sd above the bound, n0 = 400"),
        Law::Bernoulli(0.1),
        Claim::MeanAtMost { gap: bgap },
        400,
        1,
        vec![AtLeast(Violated, 0.9)],
    );
    let redge = Claim::RateAtMost { gap: 0.0 };
    add(
        "Clopper-Pearson: rate exactly delta = 0.05, n0 = 1000",
        Law::Bernoulli(0.05),
        redge,
        1000,
        1,
        both.clone(),
    );
    add(
        "Clopper-Pearson: rate at delta, 10 points, n0 = 1000",
        Law::Bernoulli(0.05),
        redge,
        1000,
        10,
        vec![AtMostBudget(Violated)],
    );
    let rgap = first_look_effect(alpha, 1, 1000);
    add(
        &format!("Clopper-Pearson power: rate {rgap:.3} sd above delta, n0 = 1000"),
        Law::Bernoulli(0.05),
        Claim::RateAtMost { gap: rgap },
        1000,
        1,
        vec![AtLeast(Violated, 0.9)],
    );
    let m = 0.25;
    add(
        "equality (t): exactly true, margin 0.25 sd, n0 = 400, 4 points",
        Law::Normal,
        Claim::MeanWithin {
            offset: 0.0,
            margin: m,
        },
        400,
        4,
        vec![AtMostBudget(Violated), AtLeast(Holds, 0.9)],
    );
    add(
        "equality (t): off by exactly the margin, n0 = 400",
        Law::Normal,
        Claim::MeanWithin {
            offset: m,
            margin: m,
        },
        400,
        1,
        both.clone(),
    );
    add(
        "equality (Clopper-Pearson): rate exactly 0.1, margin 0.2 sd, n0 = 4000",
        Law::Bernoulli(0.1),
        Claim::RateWithin {
            offset: 0.0,
            margin: 0.2,
        },
        4000,
        1,
        vec![AtMostBudget(Violated), AtLeast(Holds, 0.9)],
    );
    add(
        "equality (Clopper-Pearson): off by exactly the margin, n0 = 4000",
        Law::Bernoulli(0.1),
        Claim::RateWithin {
            offset: 0.2,
            margin: 0.2,
        },
        4000,
        1,
        both.clone(),
    );
    add(
        "slope exactly at its interval's end, curved, skewed replicates, r = 64",
        Law::Exponential,
        Claim::SlopeAtEdge,
        64,
        1,
        both,
    );
    out
}
