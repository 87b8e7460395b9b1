//! What a catalogue entry is: its evidence kind, its status, its controls, its grid and
//! its check. The content (the entries themselves) lives in `crate::families`.
use crate::params::Params;
use crate::stats::{Target, Verdict};
use crate::Error;
use serde::Serialize;
use std::fmt;

/// Which evidence decides an entry (the checking protocol, ARCHITECTURE.md).
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
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Kind::Exact => "Exact",
            Kind::Expectation => "Expectation",
            Kind::HighProbability => "HighProb",
            Kind::Scaling => "Scaling",
        })
    }
}

/// Whether an entry is asserted or only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    /// A theorem (or derived statement): must HOLD.
    Claim,
    /// Reported, not asserted: SUPPORTED or REFUTED with a counterexample. `expected` is
    /// the verdict the project's current evidence gives, when it has been established.
    Conjecture { expected: Option<Verdict> },
}

/// Grid size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Quick,
    Full,
}

/// What a negative control changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ControlKind {
    /// The algorithm or the model computes something else (a dropped term, a transposed gain,
    /// a misspecified noise): a check that catches it can catch a real bug.
    Mutation,
    /// Only the stated bound changes (a constant, a direction): it shows the check has
    /// power against a weaker or a wrong statement, not that it catches a wrong computation.
    Bound,
}

impl fmt::Display for ControlKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            ControlKind::Mutation => "mutation",
            ControlKind::Bound => "bound",
        })
    }
}

/// A negative control: a wrong variant the checker must report VIOLATED (or REFUTED).
/// Each is a named constant used both in the entry's list and in its check, so a
/// misspelt control fails to compile.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: ControlKind,
    /// A positive control's accepted verdicts: the variant passes when its verdict is one of
    /// these (a conjecture recorded REFUTED has a mutation that removes the refutation's
    /// cause, and the same check must then find no counterexample). None: a negative
    /// control, caught when VIOLATED or REFUTED.
    pub expect: Option<&'static [Verdict]>,
    /// The grid points the control is read at, when not every point (`only_where`): the
    /// others are not run for it, and its error budget is split over the points it reads.
    pub applies: Option<fn(&Params) -> Result<bool, Error>>,
}

impl Control {
    /// A control that changes only the stated bound.
    pub const fn new(name: &'static str, description: &'static str) -> Control {
        Control {
            name,
            description,
            kind: ControlKind::Bound,
            expect: None,
            applies: None,
        }
    }
    /// A control that changes what the algorithm or the model computes.
    pub const fn mutation(name: &'static str, description: &'static str) -> Control {
        Control {
            name,
            description,
            kind: ControlKind::Mutation,
            expect: None,
            applies: None,
        }
    }
    /// A mutation whose verdict must be one of `expect` (a positive control).
    pub const fn positive_mutation(
        name: &'static str,
        description: &'static str,
        expect: &'static [Verdict],
    ) -> Control {
        Control {
            name,
            description,
            kind: ControlKind::Mutation,
            expect: Some(expect),
            applies: None,
        }
    }
}

impl Control {
    /// The control read only at the grid points where `applies` is true (a control aimed at
    /// one half of a conjecture's grid: the half a positive control must not refute, or the
    /// half a mutation must break). Its description should say which points.
    pub const fn only_where(self, applies: fn(&Params) -> Result<bool, Error>) -> Control {
        Control {
            applies: Some(applies),
            ..self
        }
    }
}

impl PartialEq for Control {
    fn eq(&self, other: &Control) -> bool {
        self.name == other.name
    }
}

/// Which statement to check: the correct one, or one of its negative controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Variant {
    Correct,
    Control(Control),
}

impl Variant {
    /// `wrong` when this is `control`, else `right`: how a control swaps a constant.
    pub fn pick(self, control: Control, right: f64, wrong: f64) -> f64 {
        if self.is(control) {
            wrong
        } else {
            right
        }
    }
    pub fn is(self, control: Control) -> bool {
        matches!(self, Variant::Control(c) if c == control)
    }
    /// "correct" or the control's name (results files and the golden summary).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Correct => "correct",
            Variant::Control(c) => c.name,
        }
    }
}

/// Where a check draws its randomness and how many replicates it runs.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub seed: u64,
    /// Grid cell index: the random stream of this point.
    pub cell: u64,
    pub replicates: usize,
    pub scale: Scale,
    /// The sequence of looks at this grid point this call belongs to (0: none), under which
    /// `Ctx::replicate` remembers replicates for the next look.
    pub look: u64,
}

impl Ctx {
    /// A context outside any sequence of looks (nothing remembered).
    pub fn new(seed: u64, cell: u64, replicates: usize, scale: Scale) -> Self {
        Ctx {
            seed,
            cell,
            replicates,
            scale,
            look: 0,
        }
    }

    /// `mc::try_replicate(self.replicates, self.seed, self.cell, f)`, except that the
    /// replicates an earlier look at the same grid point computed are reused, not
    /// recomputed: a look doubles the replicates, so this halves an escalated point's work.
    /// The results are those of `mc::try_replicate` bit for bit. `label` names this call
    /// within the check; `f` may depend only on its replicate's stream and on what is fixed
    /// at the grid point and variant (never on `self.replicates`).
    pub fn replicate<T, E, F>(&self, label: &'static str, f: F) -> Result<Vec<T>, E>
    where
        T: Clone + Send + 'static,
        E: Send,
        F: Fn(u64, &mut crate::mc::Rng) -> Result<T, E> + Sync + Send,
    {
        let n = self.replicates;
        if self.look == 0 {
            return crate::mc::try_replicate(n, self.seed, self.cell, f);
        }
        let key = (self.look, label);
        let mut done: Vec<T> = memo()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .and_then(|b| b.downcast_ref::<Vec<T>>())
            .cloned()
            .unwrap_or_default();
        done.truncate(n);
        let fresh: Result<Vec<T>, E> =
            crate::mc::replicate_range(done.len() as u64..n as u64, self.seed, self.cell, f)
                .into_iter()
                .collect();
        done.extend(fresh?);
        memo()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Box::new(done.clone()));
        Ok(done)
    }
}

type MemoMap = std::collections::HashMap<(u64, &'static str), Box<dyn std::any::Any + Send>>;

/// Replicates remembered between the looks at one grid point, keyed by (look, label).
fn memo() -> &'static std::sync::Mutex<MemoMap> {
    static MEMO: std::sync::OnceLock<std::sync::Mutex<MemoMap>> = std::sync::OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// A fresh sequence of looks; what it remembers is forgotten when the guard drops.
pub(crate) struct LookScope(pub u64);

impl LookScope {
    pub(crate) fn open() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        LookScope(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Drop for LookScope {
    fn drop(&mut self) {
        memo()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(look, _), _| *look != self.0);
    }
}

/// What is known about one replicate of Z before it is drawn: it decides the interval
/// (theory/stats.md, "Intervals").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Support {
    /// Every replicate lies in [lo, hi] (an indicator, a bounded loss, an NMI): the betting
    /// confidence sequence, valid at any sample size.
    Bounded { lo: f64, hi: f64 },
    /// No bound is known: Student's t with the skewness rule.
    Unbounded,
    /// Each replicate is itself an average of many weakly dependent terms, so near normal:
    /// Student's t without the skewness rule; `why` names the average (shown with the
    /// verdict's method in theory/stats.md's table). The assumption is the entry's.
    Gaussian { why: &'static str },
}

/// A premise a statement rests on (||x_t||_* <= 1, a net's covering radius), checked apart
/// from the statement: it holds when lhs <= rhs, the worst over a point's realisations. A
/// premise is never the entry's tightness; where one fails the statement does not apply and
/// the point is INCONCLUSIVE (a harness that built a grid outside its own premises).
#[derive(Debug, Clone, Serialize)]
pub struct Premise {
    pub name: &'static str,
    pub lhs: f64,
    pub rhs: f64,
}

impl Premise {
    /// The worst of several comparisons of the same premise (largest relative excess).
    pub fn worst(name: &'static str, pairs: impl IntoIterator<Item = (f64, f64)>) -> Premise {
        let (lhs, rhs) = worst_pair(pairs);
        Premise { name, lhs, rhs }
    }
    /// Whether it holds, with the exact checks' rounding tolerance (NaN never does).
    pub fn holds(&self) -> bool {
        crate::stats::verdict_exact(self.lhs, self.rhs) == Verdict::Holds
    }
}

/// The pair a point reports. With a violation (or a NaN) among the pairs: the largest
/// relative excess (lhs - rhs) / max(|rhs|, 1), NaN worst, so the counterexample shown is the
/// worst one. With none, and every right-hand side positive: the largest ratio lhs / rhs, so
/// the tightness reported is the tightest pair's even when the pairs' scales differ (a pair
/// with allowance 1e-9 no longer hides one with allowance 1e-6 that uses more of it).
fn worst_pair(pairs: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64) {
    let pairs: Vec<(f64, f64)> = pairs.into_iter().collect();
    let violated = pairs
        .iter()
        .any(|&(l, r)| l.is_nan() || r.is_nan() || l > r);
    let by = |key: &dyn Fn(f64, f64) -> f64| {
        let mut worst = (f64::NEG_INFINITY, 0.0);
        let mut score = f64::NEG_INFINITY;
        for &(lhs, rhs) in &pairs {
            let s = key(lhs, rhs);
            if s > score {
                score = s;
                worst = (lhs, rhs);
            }
        }
        worst
    };
    if !violated && !pairs.is_empty() && pairs.iter().all(|&(_, r)| r > 0.0) {
        by(&|l, r| l / r)
    } else {
        by(&|l, r| {
            if l.is_nan() || r.is_nan() {
                f64::INFINITY
            } else {
                (l - r) / r.abs().max(1.0)
            }
        })
    }
}

/// What a check measured at one grid point.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Deterministic sides of LHS <= RHS (the worst over the point's realisations).
    Exact { lhs: f64, rhs: f64 },
    /// Replicates of Z and the claim about E[Z].
    Mean {
        samples: Vec<f64>,
        target: Target,
        support: Support,
    },
    /// Violations of Z <= B among n independent replicates, and the claim about their rate
    /// (`AtMost(delta)`, or `Within` for a calibration claim: rate = delta within a margin).
    Tail {
        violations: u64,
        n: u64,
        target: Target,
        /// The empirical (1 - delta)-quantile of Z/B among the replicates, when the check
        /// reports it: the point's tightness (at most 1 exactly when the observed violation
        /// rate is at most delta; a rate of 0 alone says nothing about how much of the bound
        /// was used).
        quantile_ratio: Option<f64>,
    },
    /// Means with standard errors (each from `replicates` samples; all zero for
    /// deterministic values) along x, and the interval the log-log slope must lie in.
    Slope {
        x: Vec<f64>,
        mean: Vec<f64>,
        se: Vec<f64>,
        replicates: usize,
        lo: f64,
        hi: f64,
    },
    /// The statement's evidence with what it rests on: premises checked apart from it, and,
    /// for an additive bound A + c, the largest fraction of the allowance c used,
    /// (LHS - A) / c. Made by `with_premises` / `with_allowance`.
    Annotated {
        evidence: Box<Evidence>,
        premises: Vec<Premise>,
        allowance_used: Option<f64>,
    },
}

impl Evidence {
    /// The statement's own evidence (annotations stripped).
    pub fn core(&self) -> &Evidence {
        match self {
            Evidence::Annotated { evidence, .. } => evidence.core(),
            e => e,
        }
    }

    /// The premises checked with this evidence.
    pub fn premises(&self) -> &[Premise] {
        match self {
            Evidence::Annotated { premises, .. } => premises,
            _ => &[],
        }
    }

    /// The largest fraction of an additive allowance used, when the check reports one.
    pub fn allowance_used(&self) -> Option<f64> {
        match self {
            Evidence::Annotated { allowance_used, .. } => *allowance_used,
            _ => None,
        }
    }

    /// This evidence with premises checked apart from it.
    pub fn with_premises(self, premises: Vec<Premise>) -> Evidence {
        match self {
            Evidence::Annotated {
                evidence,
                premises: mut p,
                allowance_used,
            } => {
                p.extend(premises);
                Evidence::Annotated {
                    evidence,
                    premises: p,
                    allowance_used,
                }
            }
            e => Evidence::Annotated {
                evidence: Box::new(e),
                premises,
                allowance_used: None,
            },
        }
    }

    /// This evidence with the fraction of an additive allowance used.
    pub fn with_allowance(self, used: f64) -> Evidence {
        match self.with_premises(Vec::new()) {
            Evidence::Annotated {
                evidence, premises, ..
            } => Evidence::Annotated {
                evidence,
                premises,
                allowance_used: Some(used),
            },
            _ => unreachable!("with_premises always annotates"),
        }
    }

    pub(crate) fn is_stochastic(&self) -> bool {
        !matches!(self.core(), Evidence::Exact { .. })
    }

    /// Whether this evidence is read off a confidence sequence (a mean with a declared bounded
    /// support: the betting interval), valid at every look at once.
    pub(crate) fn is_anytime(&self) -> bool {
        matches!(
            self.core(),
            Evidence::Mean {
                support: Support::Bounded { .. },
                ..
            }
        )
    }

    /// The kind of entry this evidence decides.
    pub fn kind(&self) -> Kind {
        match self.core() {
            Evidence::Exact { .. } => Kind::Exact,
            Evidence::Mean { .. } => Kind::Expectation,
            Evidence::Tail { .. } => Kind::HighProbability,
            Evidence::Slope { .. } => Kind::Scaling,
            Evidence::Annotated { .. } => unreachable!("core() strips annotations"),
        }
    }

    /// Violations of Z <= B among the replicates `z`, the claim that their rate is at most
    /// delta, and the empirical (1 - delta)-quantile of Z/B as the tightness.
    pub fn tail(z: &[f64], bound: f64, delta: f64) -> Evidence {
        let mut r: Vec<f64> = z.iter().map(|e| e / bound).collect();
        r.sort_by(f64::total_cmp);
        // the smallest r_(k) with at most a fraction delta of the sample above it
        let k = ((1.0 - delta) * r.len() as f64).ceil() as usize;
        Evidence::Tail {
            violations: z.iter().filter(|e| **e > bound).count() as u64,
            n: z.len() as u64,
            target: Target::AtMost(delta),
            quantile_ratio: r.get(k.saturating_sub(1)).copied(),
        }
    }

    /// A scaling claim's evidence from replicate samples at each x (their means and standard
    /// errors): the log-log slope must lie in [lo, hi]. `replicates` is the fewest samples at
    /// any x.
    pub fn slope_of(points: Vec<(f64, Vec<f64>)>, lo: f64, hi: f64) -> Evidence {
        let (mut x, mut mean, mut se) = (Vec::new(), Vec::new(), Vec::new());
        let mut fewest = usize::MAX;
        for (xv, samples) in points {
            let (m, sd) = crate::stats::mean_sd(&samples);
            fewest = fewest.min(samples.len());
            x.push(xv);
            mean.push(m);
            se.push(sd / (samples.len() as f64).sqrt());
        }
        Evidence::Slope {
            x,
            mean,
            se,
            replicates: fewest,
            lo,
            hi,
        }
    }

    /// The worst of several exact comparisons (largest excess LHS - RHS, relative).
    pub fn worst_exact(pairs: impl IntoIterator<Item = (f64, f64)>) -> Evidence {
        let (lhs, rhs) = worst_pair(pairs);
        Evidence::Exact { lhs, rhs }
    }
}

/// A checkable statement.
pub struct Entry {
    /// Stable id, `family.topic[.name]`; the entry is defined in `families/FAMILY/TOPIC.rs`.
    pub id: &'static str,
    pub kind: Kind,
    pub status: Status,
    /// One-line statement.
    pub statement: &'static str,
    /// Source (paper, equation) or "derived".
    pub source: &'static str,
    /// Replicates per grid point for stochastic evidence (doubled up to 8x when inconclusive).
    pub replicates: usize,
    pub grid: fn(Scale) -> Vec<Params>,
    pub check: fn(&Params, Variant, &Ctx) -> Result<Evidence, Error>,
    pub controls: &'static [Control],
}

impl Entry {
    /// The family, the id's first component.
    pub fn family(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }
    /// The topic, the id's second component (the file the entry is defined in).
    pub fn topic(&self) -> &'static str {
        self.id.split('.').nth(1).unwrap_or("")
    }
    pub fn is_conjecture(&self) -> bool {
        matches!(self.status, Status::Conjecture { .. })
    }
    /// "Conjecture" for conjectures, else the evidence kind (the CLI's kind column).
    pub fn label(&self) -> String {
        if self.is_conjecture() {
            "Conjecture".into()
        } else {
            self.kind.to_string()
        }
    }
    /// The control of this name, if the entry has it.
    pub fn control(&self, name: &str) -> Option<Control> {
        self.controls.iter().copied().find(|c| c.name == name)
    }
}

#[cfg(test)]
mod memo_tests {
    use super::*;
    use rand::Rng as _;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_later_look_reuses_the_earlier_replicates_and_equals_a_fresh_run() {
        let calls = AtomicUsize::new(0);
        let f = |_: u64, rng: &mut crate::mc::Rng| -> Result<f64, ()> {
            calls.fetch_add(1, Ordering::Relaxed);
            Ok(rng.random::<f64>())
        };
        let scope = LookScope::open();
        let mut ctx = Ctx {
            look: scope.0,
            ..Ctx::new(9, 3, 10, Scale::Quick)
        };
        let first = ctx.replicate("z", f).unwrap();
        ctx.replicates = 20;
        let second = ctx.replicate("z", f).unwrap();
        assert_eq!(
            calls.load(Ordering::Relaxed),
            20,
            "only the new ten are computed"
        );
        let fresh = crate::mc::try_replicate(20, 9, 3, f).unwrap();
        assert_eq!(second, fresh);
        assert_eq!(&second[..10], &first[..]);
        // another label, another look, or no look: nothing is shared
        let other = ctx.replicate("w", f).unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 60);
        assert_eq!(other, fresh);
        drop(scope);
        assert!(memo().lock().unwrap().keys().all(|(l, _)| *l != ctx.look));
        let none = Ctx::new(9, 3, 20, Scale::Quick).replicate("z", f).unwrap();
        assert_eq!(none, fresh);
        assert_eq!(calls.load(Ordering::Relaxed), 80);
    }
}
