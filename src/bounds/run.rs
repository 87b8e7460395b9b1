//! The runner: evidence -> verdict at each grid point, the sweep over an entry's grid,
//! and the one pass/fail policy the CLI and the tests share.
use super::entry::{Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant};
use super::Ctx;
use crate::params::Params;
use crate::stats::{
    betting_limits, clopper_pearson_limits, gaussian_limits, grid_slope, student_t_limits,
    verdict_exact, verdict_interval, Budget, Limits, SlopeFit, Target, Verdict, ANYTIME_LOOKS,
    DEFAULT_ALPHA, LOOKS,
};
use crate::Error;
use serde::Serialize;

/// z_{0.9}: the power report's quantile.
const Z_POWER: f64 = 1.2815515655446004;

/// A verdict with the numbers behind it.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub verdict: Verdict,
    /// The measured side: LHS, the mean, the violation rate, or the slope.
    pub lhs: f64,
    /// The bound side: RHS, B, delta, the claimed value, or the upper end of the slope
    /// interval.
    pub rhs: f64,
    pub target: Option<Target>,
    pub interval: Option<Limits>,
    pub slope: Option<SlopeFit>,
    /// Replicates (stochastic evidence), grid points of a slope, or 1 (exact evidence).
    pub n: usize,
    /// Equality claims: the smallest |true - claimed| this point reports VIOLATED with
    /// probability about 0.9 at its replicate count (margin + the interval's longer half +
    /// z_0.9 standard errors).
    pub detectable: Option<f64>,
}

/// The verdict of an interval [lo, hi] around `estimate`; an estimate that is NaN (a check
/// that produced no number) is VIOLATED, never HOLDS.
fn interval_verdict(estimate: f64, lo: f64, hi: f64, target: &Target) -> Verdict {
    if estimate.is_nan() {
        Verdict::Violated
    } else {
        verdict_interval(lo, hi, target)
    }
}

/// Turn evidence into a verdict with its numbers, spending `budget` (an entry's budget over
/// its grid); `n0` is the first look's replicate count (the betting interval tunes its bets
/// to the look sizes n0, 2 n0, ...). A sample outside its declared support is an internal
/// error: the check declared the wrong support.
pub fn evaluate(ev: &Evidence, budget: &Budget, n0: usize) -> Result<Evaluation, Error> {
    let plain = |verdict, lhs, rhs| Evaluation {
        verdict,
        lhs,
        rhs,
        target: None,
        interval: None,
        slope: None,
        n: 1,
        detectable: None,
    };
    let from_limits = |iv: Limits, target: Target| {
        let detectable = match target {
            Target::Within { margin, .. } => {
                Some(margin + (iv.hi - iv.estimate).max(iv.estimate - iv.lo) + Z_POWER * iv.se)
            }
            _ => None,
        };
        Evaluation {
            verdict: interval_verdict(iv.estimate, iv.lo, iv.hi, &target),
            lhs: iv.estimate,
            rhs: target.reference(),
            target: Some(target),
            interval: Some(iv),
            slope: None,
            n: iv.n,
            detectable,
        }
    };
    Ok(match ev {
        Evidence::Annotated { evidence, .. } => return evaluate(evidence, budget, n0),
        Evidence::Exact { lhs, rhs } => plain(verdict_exact(*lhs, *rhs), *lhs, *rhs),
        Evidence::Mean {
            samples,
            target,
            support,
        } => {
            let iv = match *support {
                Support::Bounded { lo, hi } => {
                    betting_limits(samples, lo, hi, budget.ends(target.sides(), true), n0)
                        .map_err(Error::Internal)?
                }
                Support::Unbounded => student_t_limits(samples, budget.ends(target.sides(), false)),
                Support::Gaussian { .. } => {
                    gaussian_limits(samples, budget.ends(target.sides(), false))
                }
            };
            from_limits(iv, *target)
        }
        Evidence::Tail {
            violations,
            n,
            target,
            ..
        } => from_limits(
            clopper_pearson_limits(*violations, *n, budget.ends(target.sides(), false)),
            *target,
        ),
        Evidence::Slope {
            x,
            mean,
            se,
            replicates,
            lo,
            hi,
        } => {
            let target = Target::Between { lo: *lo, hi: *hi };
            let fit = grid_slope(x, mean, se, *replicates, budget.ends(target.sides(), false));
            Evaluation {
                verdict: interval_verdict(fit.slope, fit.lo, fit.hi, &target),
                lhs: fit.slope,
                rhs: *hi,
                target: Some(target),
                interval: None,
                slope: Some(fit),
                n: x.len(),
                detectable: None,
            }
        }
    })
}

/// The verdict at one grid point, with everything needed to reproduce it.
#[derive(Debug, Clone, Serialize)]
pub struct PointResult {
    pub params: Params,
    pub verdict: Verdict,
    pub lhs: f64,
    pub rhs: f64,
    /// LHS / RHS when RHS > 0 (NaN otherwise, and for Scaling).
    pub ratio: f64,
    /// The claim the interval was read against (stochastic evidence).
    pub target: Option<Target>,
    pub interval: Option<Limits>,
    pub slope: Option<SlopeFit>,
    /// Replicates (stochastic evidence) or realisations (exact evidence; the worst is kept).
    pub replicates: usize,
    /// Equality claims: the smallest deviation reported VIOLATED with probability ~0.9.
    pub detectable: Option<f64>,
    /// The premises checked apart from the statement (the point is INCONCLUSIVE where one
    /// fails).
    pub premises: Vec<Premise>,
    /// Additive bounds A + c: the largest fraction (LHS - A) / c of the allowance used.
    pub allowance_used: Option<f64>,
    pub seed: u64,
    pub cell: u64,
}

/// One premise over an entry's grid.
#[derive(Debug, Clone, Serialize)]
pub struct PremiseSummary {
    pub name: &'static str,
    /// The worst comparison over the grid.
    pub lhs: f64,
    pub rhs: f64,
    /// Points where it was checked, and where it failed.
    pub points: usize,
    pub failed: usize,
}

impl PremiseSummary {
    /// Holds at every point where it was checked.
    pub fn holds(&self) -> bool {
        self.failed == 0
    }
}

/// Premises gathered per name over the points, the worst kept, in first-seen order.
pub fn summarise_premises(points: &[PointResult]) -> Vec<PremiseSummary> {
    let mut out: Vec<PremiseSummary> = Vec::new();
    for p in points.iter().flat_map(|pt| &pt.premises) {
        let i = match out.iter().position(|s| s.name == p.name) {
            Some(i) => i,
            None => {
                out.push(PremiseSummary {
                    name: p.name,
                    lhs: p.lhs,
                    rhs: p.rhs,
                    points: 0,
                    failed: 0,
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.points += 1;
        if !p.holds() {
            s.failed += 1;
        }
        let worse = Premise::worst(p.name, [(s.lhs, s.rhs), (p.lhs, p.rhs)]);
        s.lhs = worse.lhs;
        s.rhs = worse.rhs;
    }
    out
}

/// The verdict of one entry (or one of its controls) over its grid.
#[derive(Debug, Clone, Serialize)]
pub struct EntryReport {
    pub id: String,
    pub kind: Kind,
    pub status: Status,
    /// "correct" or the control's name.
    pub variant: String,
    pub verdict: Verdict,
    /// Largest finite LHS/RHS over the grid (the statement's, never a premise's).
    pub max_ratio: f64,
    /// Additive bounds: the largest fraction of the additive allowance used over the grid.
    pub max_allowance_used: Option<f64>,
    /// Each premise over the grid, checked apart from the statement.
    pub premises: Vec<PremiseSummary>,
    pub points: Vec<PointResult>,
    /// The first grid point that broke the statement, if any.
    pub counterexample: Option<PointResult>,
    pub wall_seconds: f64,
}

/// One grid point: run `check` with `start.replicates`, and while the verdict is INCONCLUSIVE
/// rerun it with twice the replicates, at most `LOOKS` looks in all (the streams extend,
/// nothing is redrawn; the budget was split over the looks in advance), or `ANYTIME_LOOKS`
/// when the interval is a confidence sequence (its looks are free). A check that draws
/// through `Ctx::replicate` computes only the new replicates. Returns the last
/// evidence, its evaluation and its replicate count.
pub fn look_until_decided(
    mut check: impl FnMut(&Ctx) -> Result<Evidence, Error>,
    budget: &Budget,
    start: Ctx,
) -> Result<(Evidence, Evaluation, usize), Error> {
    let scope = super::entry::LookScope::open();
    let mut ctx = Ctx {
        look: scope.0,
        ..start
    };
    let mut look = 1;
    loop {
        let ev = check(&ctx)?;
        let res = evaluate(&ev, budget, start.replicates)?;
        let looks = if ev.is_anytime() {
            ANYTIME_LOOKS
        } else {
            LOOKS
        };
        if res.verdict == Verdict::Inconclusive && ev.is_stochastic() && look < looks {
            ctx.replicates *= 2;
            look += 1;
            continue;
        }
        return Ok((ev, res, ctx.replicates));
    }
}

/// Check one entry (or one control) over its grid at the default budget.
pub fn run_entry(
    entry: &Entry,
    variant: Variant,
    scale: Scale,
    seed: u64,
) -> Result<EntryReport, Error> {
    run_entry_with(entry, variant, scale, seed, DEFAULT_ALPHA)
}

/// Check one entry (or one control) over its grid, with error budget `alpha` for a false
/// VIOLATED and for a false HOLDS (theory/stats.md). A control's run stops at its first
/// VIOLATED point or failed premise (its report lists the points up to there).
pub fn run_entry_with(
    entry: &Entry,
    variant: Variant,
    scale: Scale,
    seed: u64,
    alpha: f64,
) -> Result<EntryReport, Error> {
    let start = std::time::Instant::now();
    // a control read at some points only runs there; the cell index (the points' streams)
    // stays the point's place in the whole grid
    let mut grid: Vec<(usize, Params)> = (entry.grid)(scale).into_iter().enumerate().collect();
    if let Variant::Control(super::entry::Control {
        applies: Some(applies),
        name,
        ..
    }) = variant
    {
        let mut kept = Vec::with_capacity(grid.len());
        for (cell, p) in grid {
            if applies(&p)? {
                kept.push((cell, p));
            }
        }
        if kept.is_empty() {
            return Err(Error::Internal(format!(
                "{}: control {name} applies at no grid point",
                entry.id
            )));
        }
        grid = kept;
    }
    let budget = Budget::new(alpha, grid.len());
    let mut points = Vec::with_capacity(grid.len());
    let mut verdict = Verdict::Holds;
    let mut max_ratio = f64::NEG_INFINITY;
    let mut counterexample = None;
    for (cell, params) in grid.iter().map(|(c, p)| (*c, p)) {
        // a grid key that the check never reads is a harness bug (a typo in a grid)
        let tracked = params.tracked();
        let (ev, res, final_replicates) = look_until_decided(
            |ctx| {
                let ev = (entry.check)(&tracked, variant, ctx)?;
                let unread = tracked.unread();
                if !unread.is_empty() {
                    return Err(Error::Internal(format!(
                        "{}: grid point {} sets {} that the check never reads",
                        entry.id,
                        params.short(),
                        unread.join(", ")
                    )));
                }
                if ev.kind() != entry.kind {
                    return Err(Error::Internal(format!(
                        "{}: the check returned {} evidence for a {} entry",
                        entry.id,
                        ev.kind(),
                        entry.kind
                    )));
                }
                Ok(ev)
            },
            &budget,
            Ctx::new(seed, cell as u64, entry.replicates, scale),
        )?;
        // tightness LHS/RHS is meaningful only against a positive bound
        let ratio = if let Evidence::Tail {
            quantile_ratio: Some(w),
            ..
        } = ev.core()
        {
            *w
        } else if matches!(ev.core(), Evidence::Slope { .. }) || !(res.rhs > 0.0) {
            f64::NAN
        } else {
            res.lhs / res.rhs
        };
        // exact evidence is the worst over the point's realisations
        let n = if matches!(ev.core(), Evidence::Exact { .. }) {
            final_replicates
        } else {
            res.n
        };
        if ratio.is_finite() {
            max_ratio = max_ratio.max(ratio);
        }
        // where a premise fails the statement does not apply: no verdict on it
        let premises = ev.premises().to_vec();
        let point_verdict = if premises.iter().all(Premise::holds) {
            res.verdict
        } else {
            Verdict::Inconclusive
        };
        let point = PointResult {
            params: params.clone(),
            verdict: point_verdict,
            lhs: res.lhs,
            rhs: res.rhs,
            ratio,
            target: res.target,
            interval: res.interval,
            slope: res.slope,
            replicates: n,
            detectable: res.detectable,
            premises,
            allowance_used: ev.allowance_used(),
            seed,
            cell: cell as u64,
        };
        if point_verdict == Verdict::Violated && counterexample.is_none() {
            counterexample = Some(point.clone());
        }
        verdict = verdict.combine(point_verdict);
        let premise_failed = !point.premises.iter().all(Premise::holds);
        points.push(point);
        // a control is caught by one counterexample (or one failed premise): the grid's
        // remaining points could not change that, so a control's run stops there
        if matches!(variant, Variant::Control(_))
            && (point_verdict == Verdict::Violated || premise_failed)
        {
            break;
        }
    }
    if entry.is_conjecture() {
        verdict = verdict.as_conjecture();
    }
    let max_allowance_used = points
        .iter()
        .filter_map(|p| p.allowance_used)
        .reduce(f64::max);
    let premises = summarise_premises(&points);
    Ok(EntryReport {
        id: entry.id.to_string(),
        kind: entry.kind,
        status: entry.status,
        variant: variant.name().to_string(),
        verdict,
        max_ratio,
        max_allowance_used,
        premises,
        points,
        counterexample,
        wall_seconds: start.elapsed().as_secs_f64(),
    })
}

/// The one pass/fail policy. A control passes when it is caught: a positive control (one
/// with `expect`) when its verdict is one of those it accepts; any other when its verdict is
/// VIOLATED or REFUTED, or a premise line failed (a mutation that breaks what the statement assumes, a
/// lattice that no longer covers, is found by the premise check; the statement then has no
/// verdict at that point). A claim passes when it HOLDS; a conjecture when it reached a
/// verdict (SUPPORTED or REFUTED) and, if the project has recorded what its evidence gives,
/// that verdict. `Err` says why not.
pub fn policy(entry: &Entry, variant: Variant, report: &EntryReport) -> Result<(), String> {
    let verdict = report.verdict;
    let ok = match (variant, entry.status) {
        (Variant::Control(c), _) => match c.expect {
            Some(accepted) => accepted.contains(&verdict),
            None => verdict.is_negative() || report.premises.iter().any(|p| !p.holds()),
        },
        (Variant::Correct, Status::Claim) => verdict == Verdict::Holds,
        (Variant::Correct, Status::Conjecture { expected }) => {
            matches!(verdict, Verdict::Supported | Verdict::Refuted)
                && expected.is_none_or(|e| e == verdict)
        }
    };
    if ok {
        return Ok(());
    }
    Err(match (variant, entry.status) {
        (Variant::Control(c), _) => format!("control {} NOT CAUGHT ({verdict})", c.name),
        (_, Status::Conjecture { expected: Some(e) }) => {
            format!("conjecture gave {verdict}, its recorded evidence gives {e}")
        }
        (_, Status::Conjecture { .. }) => format!("conjecture reached no verdict ({verdict})"),
        _ => format!("claim is {verdict}"),
    })
}

/// An entry rerun over several master seeds: how many times each verdict came out, and the
/// seeds at which the policy failed. A run that ends in an error is counted as failing and its
/// message kept, so one seed's error does not lose the other seeds' and entries' verdicts.
#[derive(Debug, Clone, Serialize)]
pub struct SeedSweep {
    pub id: String,
    /// The negative control swept, or None for the statement.
    pub control: Option<String>,
    pub seeds: Vec<u64>,
    pub verdicts: Vec<Verdict>,
    /// Seeds whose verdict fails the policy (a claim not HOLDS, a conjecture without its
    /// recorded verdict), or whose run ended in an error.
    pub failing_seeds: Vec<u64>,
    /// The seeds whose run ended in an error, with its message.
    pub errors: Vec<(u64, String)>,
}

impl SeedSweep {
    /// How many runs gave `v`.
    pub fn count(&self, v: Verdict) -> usize {
        self.verdicts.iter().filter(|&&x| x == v).count()
    }
}

/// Run the entry's statement (`Variant::Correct`) or one of its controls at each of `seeds`;
/// a control fails at a seed where it is not caught.
pub fn seed_sweep(
    entry: &Entry,
    variant: Variant,
    scale: Scale,
    seeds: &[u64],
    alpha: f64,
) -> Result<SeedSweep, Error> {
    let mut verdicts = Vec::with_capacity(seeds.len());
    let mut failing_seeds = Vec::new();
    let mut errors = Vec::new();
    for &seed in seeds {
        match run_entry_with(entry, variant, scale, seed, alpha) {
            Ok(r) => {
                if policy(entry, variant, &r).is_err() {
                    failing_seeds.push(seed);
                }
                verdicts.push(r.verdict);
            }
            Err(e) => {
                failing_seeds.push(seed);
                errors.push((seed, e.to_string()));
            }
        }
    }
    Ok(SeedSweep {
        id: entry.id.to_string(),
        control: match variant {
            Variant::Correct => None,
            Variant::Control(c) => Some(c.name.to_string()),
        },
        seeds: seeds.to_vec(),
        verdicts,
        failing_seeds,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evidence for "E Z <= bound" from `n` replicates Z = 0 (the mean sits 2e-3 below the
    /// bound), read either as a bounded variable in [0, 1] or as an unbounded one.
    fn zeros(ctx: &Ctx, support: Support) -> Evidence {
        Evidence::Mean {
            samples: vec![0.0; ctx.replicates],
            target: Target::AtMost(2e-3),
            support,
        }
    }

    #[test]
    fn a_confidence_sequence_looks_past_the_split_schedule() {
        // a bounded variable of range 1 whose mean is 2e-3 below the bound needs about
        // 2 ln(1/a) / 2e-3 ~ 7000 replicates: past the split schedule's 8 n0 = 3200
        let budget = Budget::new(DEFAULT_ALPHA, 1);
        let start = Ctx::new(1, 0, 400, Scale::Quick);
        let bounded = |c: &Ctx| Ok(zeros(c, Support::Bounded { lo: 0.0, hi: 1.0 }));
        let (_, res, n) = look_until_decided(bounded, &budget, start).unwrap();
        assert_eq!(res.verdict, Verdict::Holds);
        assert!(
            n > 400 << (LOOKS - 1) && n <= 400 << (ANYTIME_LOOKS - 1),
            "{n}"
        );
        // a mean above the bound stays INCONCLUSIVE and stops at the last free look
        let above = |c: &Ctx| {
            Ok(Evidence::Mean {
                samples: vec![2e-3; c.replicates],
                target: Target::AtMost(2e-3),
                support: Support::Bounded { lo: 0.0, hi: 1.0 },
            })
        };
        let (_, res, n) = look_until_decided(above, &budget, start).unwrap();
        assert_eq!(res.verdict, Verdict::Inconclusive);
        assert_eq!(n, 400 << (ANYTIME_LOOKS - 1));
        // an interval split over looks (Student's t) stops at 8 n0 whatever it says
        let noisy = |c: &Ctx| {
            let samples: Vec<f64> = (0..c.replicates)
                .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 } + 2e-3)
                .collect();
            Ok(Evidence::Mean {
                samples,
                target: Target::AtMost(2e-3),
                support: Support::Unbounded,
            })
        };
        let (_, res, n) = look_until_decided(noisy, &budget, start).unwrap();
        assert_eq!(res.verdict, Verdict::Inconclusive);
        assert_eq!(n, 400 << (LOOKS - 1));
    }
}
