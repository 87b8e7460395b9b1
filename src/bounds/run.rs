//! The runner: evidence -> verdict at each grid point, the sweep over an entry's grid,
//! and the one pass/fail policy the CLI and the tests share.
use super::entry::{Entry, Evidence, Kind, Scale, Status, Variant};
use super::Ctx;
use crate::params::Params;
use crate::stats::{
    clopper_pearson, loglog_slope, student_t, verdict_exact, verdict_expectation,
    verdict_high_probability, verdict_scaling, Interval, SlopeFit, Verdict, DEFAULT_CONFIDENCE,
};
use crate::Error;
use serde::Serialize;

/// A verdict with the numbers behind it.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub verdict: Verdict,
    /// The measured side: LHS, the mean, the violation rate, or the slope.
    pub lhs: f64,
    /// The bound side: RHS, B, delta, or the upper end of the slope interval.
    pub rhs: f64,
    pub interval: Option<Interval>,
    pub slope: Option<SlopeFit>,
    /// Replicates (stochastic evidence), grid points of a slope, or 1 (exact evidence).
    pub n: usize,
}

/// Turn evidence into a verdict with its numbers.
pub fn evaluate(ev: &Evidence, confidence: f64) -> Evaluation {
    let plain = |verdict, lhs, rhs| Evaluation {
        verdict,
        lhs,
        rhs,
        interval: None,
        slope: None,
        n: 1,
    };
    match ev {
        Evidence::Exact { lhs, rhs } => plain(verdict_exact(*lhs, *rhs), *lhs, *rhs),
        Evidence::Mean {
            samples,
            bound,
            two_sided,
        } => {
            let iv = student_t(samples, confidence);
            Evaluation {
                verdict: verdict_expectation(&iv, *bound, *two_sided),
                lhs: iv.estimate,
                rhs: *bound,
                interval: Some(iv),
                slope: None,
                n: samples.len(),
            }
        }
        Evidence::Tail {
            violations,
            n,
            delta,
            two_sided,
        } => {
            let iv = clopper_pearson(*violations, *n, confidence);
            let verdict = if !*two_sided {
                verdict_high_probability(&iv, *delta)
            } else if iv.contains(*delta) {
                Verdict::Holds
            } else {
                Verdict::Violated
            };
            Evaluation {
                verdict,
                lhs: iv.estimate,
                rhs: *delta,
                interval: Some(iv),
                slope: None,
                n: *n as usize,
            }
        }
        Evidence::Slope {
            x,
            mean,
            se,
            lo,
            hi,
        } => {
            let fit = loglog_slope(x, mean, se, confidence);
            Evaluation {
                verdict: verdict_scaling(&fit, *lo, *hi),
                lhs: fit.slope,
                rhs: *hi,
                interval: None,
                slope: Some(fit),
                n: x.len(),
            }
        }
    }
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
    pub interval: Option<Interval>,
    pub slope: Option<SlopeFit>,
    /// Replicates (stochastic evidence) or realisations (exact evidence; the worst is kept).
    pub replicates: usize,
    pub seed: u64,
    pub cell: u64,
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
    /// Largest finite LHS/RHS over the grid.
    pub max_ratio: f64,
    pub points: Vec<PointResult>,
    /// The first grid point that broke the statement, if any.
    pub counterexample: Option<PointResult>,
    pub wall_seconds: f64,
}

/// Check one entry (or one control) over its grid.
pub fn run_entry(
    entry: &Entry,
    variant: Variant,
    scale: Scale,
    seed: u64,
) -> Result<EntryReport, Error> {
    let start = std::time::Instant::now();
    let grid = (entry.grid)(scale);
    let mut points = Vec::with_capacity(grid.len());
    let mut verdict = Verdict::Holds;
    let mut max_ratio = f64::NEG_INFINITY;
    let mut counterexample = None;
    for (cell, params) in grid.iter().enumerate() {
        let mut ctx = Ctx {
            seed,
            cell: cell as u64,
            replicates: entry.replicates,
            confidence: DEFAULT_CONFIDENCE,
            scale,
        };
        let (mut ev, mut res);
        // a grid key that the check never reads is a harness bug (a typo in a grid)
        let tracked = params.tracked();
        loop {
            ev = (entry.check)(&tracked, variant, &ctx)?;
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
            res = evaluate(&ev, ctx.confidence);
            // Inconclusive: add replicates (the streams extend, nothing is redrawn).
            if res.verdict == Verdict::Inconclusive
                && ev.is_stochastic()
                && ctx.replicates < 8 * entry.replicates
            {
                ctx.replicates *= 2;
                continue;
            }
            break;
        }
        // tightness LHS/RHS is meaningful only against a positive bound
        let ratio = if matches!(ev, Evidence::Slope { .. }) || !(res.rhs > 0.0) {
            f64::NAN
        } else {
            res.lhs / res.rhs
        };
        // exact evidence is the worst over the point's realisations
        let n = if matches!(ev, Evidence::Exact { .. }) {
            ctx.replicates
        } else {
            res.n
        };
        if ratio.is_finite() {
            max_ratio = max_ratio.max(ratio);
        }
        let point = PointResult {
            params: params.clone(),
            verdict: res.verdict,
            lhs: res.lhs,
            rhs: res.rhs,
            ratio,
            interval: res.interval,
            slope: res.slope,
            replicates: n,
            seed,
            cell: cell as u64,
        };
        if res.verdict == Verdict::Violated && counterexample.is_none() {
            counterexample = Some(point.clone());
        }
        verdict = verdict.combine(res.verdict);
        points.push(point);
    }
    if entry.is_conjecture() {
        verdict = verdict.as_conjecture();
    }
    Ok(EntryReport {
        id: entry.id.to_string(),
        kind: entry.kind,
        status: entry.status,
        variant: variant.name().to_string(),
        verdict,
        max_ratio,
        points,
        counterexample,
        wall_seconds: start.elapsed().as_secs_f64(),
    })
}

/// The one pass/fail policy. A control passes when it is caught (VIOLATED or REFUTED); a
/// claim when it HOLDS; a conjecture when it reached a verdict (SUPPORTED or REFUTED) and,
/// if the project has recorded what its evidence gives, that verdict. `Err` says why not.
pub fn policy(entry: &Entry, variant: Variant, verdict: Verdict) -> Result<(), String> {
    let ok = match (variant, entry.status) {
        (Variant::Control(_), _) => verdict.is_negative(),
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
/// seeds at which the policy failed.
#[derive(Debug, Clone, Serialize)]
pub struct SeedSweep {
    pub id: String,
    pub seeds: Vec<u64>,
    pub verdicts: Vec<Verdict>,
    /// Seeds whose verdict fails the policy (a claim not HOLDS, a conjecture without its
    /// recorded verdict).
    pub failing_seeds: Vec<u64>,
}

impl SeedSweep {
    /// How many runs gave `v`.
    pub fn count(&self, v: Verdict) -> usize {
        self.verdicts.iter().filter(|&&x| x == v).count()
    }
}

/// Run the entry (its statement, not its controls) at each of `seeds`.
pub fn seed_sweep(entry: &Entry, scale: Scale, seeds: &[u64]) -> Result<SeedSweep, Error> {
    let mut verdicts = Vec::with_capacity(seeds.len());
    let mut failing_seeds = Vec::new();
    for &seed in seeds {
        let r = run_entry(entry, Variant::Correct, scale, seed)?;
        if policy(entry, Variant::Correct, r.verdict).is_err() {
            failing_seeds.push(seed);
        }
        verdicts.push(r.verdict);
    }
    Ok(SeedSweep {
        id: entry.id.to_string(),
        seeds: seeds.to_vec(),
        verdicts,
        failing_seeds,
    })
}
