//! The catalogue: every checkable statement, found by a stable id. One entry is
//! the single source of truth for the tests, the CLI and the report.
//!
//! An entry's `check` computes the *evidence* at one grid point for either the
//! correct statement or one of its negative controls (a deliberately wrong
//! variant, run through the same code); `evaluate` turns evidence into a verdict
//! by the rules of `stats`, and `run_entry` sweeps the grid.
pub mod dynamics;
pub mod golden;
pub mod moe;
pub mod multiscale;
pub mod online;

use crate::params::Params;
use crate::stats::{
    clopper_pearson, loglog_slope, student_t, verdict_exact, verdict_expectation,
    verdict_high_probability, verdict_scaling, Interval, SlopeFit, Verdict, DEFAULT_CONFIDENCE,
};
use crate::Error;
use serde::Serialize;
use std::fmt;

/// What kind of statement an entry is, and so which evidence decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// A deterministic inequality or identity: LHS <= RHS everywhere on the grid.
    Exact,
    /// E[Z] <= B (or = B when two-sided), from a confidence interval.
    Expectation,
    /// P[Z > B] <= delta, from a Clopper-Pearson interval on the violation rate.
    HighProbability,
    /// A log-log slope inside a stated interval.
    Scaling,
    /// Reported, not asserted: SUPPORTED or REFUTED with a counterexample.
    Conjecture,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Kind::Exact => "Exact",
            Kind::Expectation => "Expectation",
            Kind::HighProbability => "HighProb",
            Kind::Scaling => "Scaling",
            Kind::Conjecture => "Conjecture",
        };
        f.pad(s)
    }
}

/// Grid size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Quick,
    Full,
}

/// Which statement to check: the correct one, or a named negative control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Correct,
    Control(&'static str),
}

impl Variant {
    /// `wrong` when this is the control `name`, else `right`: how a control swaps a constant.
    pub fn pick(self, name: &str, right: f64, wrong: f64) -> f64 {
        match self {
            Variant::Control(c) if c == name => wrong,
            _ => right,
        }
    }
    pub fn is(self, name: &str) -> bool {
        matches!(self, Variant::Control(c) if c == name)
    }
}

/// A negative control: a wrong variant the checker must report VIOLATED (or REFUTED).
#[derive(Debug, Clone, Copy)]
pub struct Control {
    pub name: &'static str,
    pub description: &'static str,
}

/// Where a check draws its randomness and how many replicates it runs.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub seed: u64,
    /// Grid cell index: the random stream of this point.
    pub cell: u64,
    pub replicates: usize,
    pub confidence: f64,
    pub scale: Scale,
}

/// What a check measured at one grid point.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Deterministic sides of LHS <= RHS (the worst over the point's realisations).
    Exact { lhs: f64, rhs: f64 },
    /// Replicates of Z and the bound B on E[Z] (an exact value when two-sided).
    Mean {
        samples: Vec<f64>,
        bound: f64,
        two_sided: bool,
    },
    /// Violations of Z <= B among n replicates and the allowed rate delta. Two-sided
    /// (a calibration claim, rate = delta): HOLDS when the interval contains delta.
    Tail {
        violations: u64,
        n: u64,
        delta: f64,
        two_sided: bool,
    },
    /// Means with standard errors along x, and the interval the log-log slope must lie in.
    Slope {
        x: Vec<f64>,
        mean: Vec<f64>,
        se: Vec<f64>,
        lo: f64,
        hi: f64,
    },
}

impl Evidence {
    fn is_stochastic(&self) -> bool {
        !matches!(self, Evidence::Exact { .. })
    }

    /// The worst of several exact comparisons (largest excess LHS - RHS, relative).
    pub fn worst_exact(pairs: impl IntoIterator<Item = (f64, f64)>) -> Evidence {
        let mut worst = (f64::NEG_INFINITY, 0.0);
        let mut score = f64::NEG_INFINITY;
        for (lhs, rhs) in pairs {
            let s = if lhs.is_nan() || rhs.is_nan() {
                f64::INFINITY
            } else {
                (lhs - rhs) / rhs.abs().max(1.0)
            };
            if s > score {
                score = s;
                worst = (lhs, rhs);
            }
        }
        Evidence::Exact {
            lhs: worst.0,
            rhs: worst.1,
        }
    }
}

/// A checkable statement.
pub struct Entry {
    /// Stable id, `family.topic.name`.
    pub id: &'static str,
    pub family: &'static str,
    pub kind: Kind,
    /// One-line statement.
    pub statement: &'static str,
    /// Source (paper, equation) or "derived".
    pub source: &'static str,
    /// The theory file and section that state it fully.
    pub theory: &'static str,
    /// Replicates per grid point for stochastic evidence (doubled up to 8x when inconclusive).
    pub replicates: usize,
    pub grid: fn(Scale) -> Vec<Params>,
    pub check: fn(&Params, Variant, &Ctx) -> Result<Evidence, Error>,
    pub controls: &'static [Control],
    /// For conjectures: the verdict the current evidence is expected to give, when known.
    pub expected: Option<Verdict>,
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

/// Turn evidence into a verdict with its numbers.
pub fn evaluate(
    ev: &Evidence,
    confidence: f64,
) -> (Verdict, f64, f64, Option<Interval>, Option<SlopeFit>, usize) {
    match ev {
        Evidence::Exact { lhs, rhs } => (verdict_exact(*lhs, *rhs), *lhs, *rhs, None, None, 1),
        Evidence::Mean {
            samples,
            bound,
            two_sided,
        } => {
            let iv = student_t(samples, confidence);
            (
                verdict_expectation(&iv, *bound, *two_sided),
                iv.estimate,
                *bound,
                Some(iv),
                None,
                samples.len(),
            )
        }
        Evidence::Tail {
            violations,
            n,
            delta,
            two_sided,
        } => {
            let iv = clopper_pearson(*violations, *n, confidence);
            let v = if !*two_sided {
                verdict_high_probability(&iv, *delta)
            } else if iv.contains(*delta) {
                Verdict::Holds
            } else {
                Verdict::Violated
            };
            (v, iv.estimate, *delta, Some(iv), None, *n as usize)
        }
        Evidence::Slope {
            x,
            mean,
            se,
            lo,
            hi,
        } => {
            let fit = loglog_slope(x, mean, se, confidence);
            (
                verdict_scaling(&fit, *lo, *hi),
                fit.slope,
                *hi,
                None,
                Some(fit),
                x.len(),
            )
        }
    }
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
        loop {
            ev = (entry.check)(params, variant, &ctx)?;
            res = evaluate(&ev, ctx.confidence);
            // Inconclusive: add replicates (the streams extend, nothing is redrawn).
            if res.0 == Verdict::Inconclusive
                && ev.is_stochastic()
                && ctx.replicates < 8 * entry.replicates
            {
                ctx.replicates *= 2;
                continue;
            }
            break;
        }
        let (v, lhs, rhs, interval, slope, n) = res;
        // tightness LHS/RHS is meaningful only against a positive bound
        let ratio = if matches!(ev, Evidence::Slope { .. }) || !(rhs > 0.0) {
            f64::NAN
        } else {
            lhs / rhs
        };
        // exact evidence is the worst over the point's realisations
        let n = if matches!(ev, Evidence::Exact { .. }) {
            ctx.replicates
        } else {
            n
        };
        if ratio.is_finite() {
            max_ratio = max_ratio.max(ratio);
        }
        let point = PointResult {
            params: params.clone(),
            verdict: v,
            lhs,
            rhs,
            ratio,
            interval,
            slope,
            replicates: n,
            seed,
            cell: cell as u64,
        };
        if v == Verdict::Violated && counterexample.is_none() {
            counterexample = Some(point.clone());
        }
        verdict = verdict.combine(v);
        points.push(point);
    }
    if entry.kind == Kind::Conjecture {
        verdict = verdict.as_conjecture();
    }
    Ok(EntryReport {
        id: entry.id.to_string(),
        kind: entry.kind,
        variant: match variant {
            Variant::Correct => "correct".into(),
            Variant::Control(c) => c.into(),
        },
        verdict,
        max_ratio,
        points,
        counterexample,
        wall_seconds: start.elapsed().as_secs_f64(),
    })
}

/// Every entry of every family.
pub fn catalogue() -> Vec<&'static Entry> {
    online::ENTRIES
        .iter()
        .chain(multiscale::ENTRIES.iter())
        .chain(dynamics::ENTRIES.iter())
        .chain(moe::ENTRIES.iter())
        .collect()
}

/// The families, in catalogue order.
pub fn families() -> Vec<&'static str> {
    let mut f: Vec<&str> = catalogue().iter().map(|e| e.family).collect();
    f.dedup();
    f
}

/// Entries selected by family and/or id; an unknown name is an error that lists the known ones.
pub fn select(family: Option<&str>, id: Option<&str>) -> Result<Vec<&'static Entry>, Error> {
    let all = catalogue();
    if let Some(f) = family {
        if !all.iter().any(|e| e.family == f) {
            return Err(Error::Unknown(format!(
                "unknown family `{f}`; known: {}",
                families().join(", ")
            )));
        }
    }
    if let Some(i) = id {
        if !all.iter().any(|e| e.id == i) {
            return Err(Error::Unknown(format!(
                "unknown id `{i}`; `boundlab list` shows the catalogue"
            )));
        }
    }
    Ok(all
        .into_iter()
        .filter(|e| family.is_none_or(|f| e.family == f) && id.is_none_or(|i| e.id == i))
        .collect())
}
