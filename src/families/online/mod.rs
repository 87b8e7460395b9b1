//! Family `online`: optimistic mirror descent with predictable sequences
//! (theory/online.md states each entry, its source or derivation, and its test).
//!
//! Each topic file holds the entries whose id is `online.TOPIC[.name]`; `measures` and
//! `pictures` are what the family hands the experiment engine.
pub mod adaptive;
pub mod conjecture;
pub mod hedge;
pub mod learned_hint;
pub mod lower;
mod measures;
pub mod oftrl;
pub mod omd;
pub mod scaling;
use crate::bounds::{
    Control, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant,
};
use crate::registry::Family;
use crate::stats::Target;

const THEORY: &str = "theory/online.md";
use crate::mc;
use crate::online::bounds::{
    fixed_eta_bound, hedge_bound, tuned_bound, two_experts_expected_regret,
};
use crate::online::{
    oftrl, Fault, Hint, HintSpec, Options, Problem, Sequence, StepSize, LEARNED_HINT_RATE,
};
use crate::params::{product, Params, Value};
use crate::stats::Verdict;
use crate::Error;

/// A sign slip in the learner's update: it moves towards the larger loss. Every regret bound
/// of the family fails under it (theory/online.md, "Mutation controls").
pub const UPHILL_STEP: Control = Control::mutation(
    "uphill_step",
    "the learner's step moves towards the larger loss (a sign slip in the update)",
);

/// OMD's second mirror step fed the hint M_t instead of the loss x_t.
pub const HINT_IN_UPDATE: Control = Control::mutation(
    "hint_in_update",
    "OMD's second mirror step uses the hint M_t instead of the loss x_t",
);

/// The options with the defect a mutation control injects (unchanged otherwise).
fn faulty(v: Variant, opts: Options) -> Options {
    if v.is(UPHILL_STEP) {
        opts.with_fault(Fault::Uphill)
    } else if v.is(HINT_IN_UPDATE) {
        opts.with_fault(Fault::UpdateWithHint)
    } else {
        opts
    }
}

/// Sequence settings of the battery (name and parameters).
fn battery(adaptive: bool) -> Vec<Params> {
    let mut v = vec![
        Params::new()
            .with("sequence", "iid")
            .with("sigma", 0.3)
            .with("gap", 0.5),
        Params::new()
            .with("sequence", "drift")
            .with("step", 0.02)
            .with("sigma", 0.05),
        Params::new()
            .with("sequence", "periodic")
            .with("period", 40.0)
            .with("amplitude", 0.8)
            .with("sigma", 0.05),
        Params::new()
            .with("sequence", "regimes")
            .with("regimes", 3.0)
            .with("dwell", 50.0)
            .with("sigma", 0.1),
        Params::new().with("sequence", "rademacher"),
        Params::new()
            .with("sequence", "iid")
            .with("sigma", 0.0)
            .with("gap", 1.0),
    ];
    if adaptive {
        v.push(Params::new().with("sequence", "adversary"));
    }
    v
}

fn domains() -> Vec<Params> {
    vec![
        Params::new().with("domain", "simplex").with("d", 8usize),
        Params::new()
            .with("domain", "ball")
            .with("d", 5usize)
            .with("rho", 1.0),
    ]
}

fn strs(xs: &[&str]) -> Vec<Value> {
    xs.iter().map(|s| Value::from(*s)).collect()
}

fn nums(xs: &[f64]) -> Vec<Value> {
    xs.iter().map(|x| Value::Float(*x)).collect()
}

/// domains x battery x extra axes, with horizon T.
fn grid_over(adaptive: bool, t: usize, axes: &[(&str, Vec<Value>)]) -> Vec<Params> {
    let axes: Vec<(String, Vec<Value>)> = axes
        .iter()
        .map(|(n, v)| (n.to_string(), v.clone()))
        .collect();
    let mut out = Vec::new();
    for dom in domains() {
        for seq in battery(adaptive) {
            let base = dom.merged(&seq).with("T", t);
            for p in product(&base, &axes) {
                // the oracle cannot see x_t before an adaptive adversary chooses it
                let oracle = p.get("hint") == Some(&Value::from("oracle"));
                let adv = p.get("sequence") == Some(&Value::from("adversary"));
                if !(oracle && adv) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The tuned step needs S in advance, which an adaptive adversary does not allow: eta = 0.1
/// against the adversary, the tuned step otherwise.
fn tuned_unless_adversary(p: Params) -> Params {
    let adv = p.get("sequence") == Some(&Value::from("adversary"));
    p.with(
        "eta",
        if adv {
            Value::Float(0.1)
        } else {
            Value::from("tuned")
        },
    )
}

fn horizon(scale: Scale) -> usize {
    match scale {
        Scale::Quick => 400,
        Scale::Full => 3000,
    }
}

const HINTS: &[&str] = &["zero", "last", "mean", "fading", "ar1", "oracle", "learned"];

/// Run the problem of `p` on ctx.replicates independent realisations.
fn runs(
    p: &Params,
    step: StepSize,
    ctx: &Ctx,
    opts: Options,
) -> Result<Vec<crate::online::Outcome>, Error> {
    replicate_runs(&Problem::from_params(p)?, step, ctx, opts)
}

/// ctx.replicates independent realisations of `prob` at `step`.
fn replicate_runs(
    prob: &Problem,
    step: StepSize,
    ctx: &Ctx,
    opts: Options,
) -> Result<Vec<crate::online::Outcome>, Error> {
    Ok(mc::try_replicate(
        ctx.replicates,
        ctx.seed,
        ctx.cell,
        |_, rng| prob.run_with(step, rng, opts),
    )?)
}

// ----------------------------------------------------- 7. the perfect hint

fn perfect_hint_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    // the battery's non-adaptive sequences without the slow drifts (the constant
    // sequence is where R^2/eta is nearly attained)
    let seqs: Vec<Params> = battery(false)
        .into_iter()
        .filter(|p| !matches!(p.str("sequence"), Ok("drift" | "regimes")))
        .collect();
    let doms = [
        Params::new().with("domain", "simplex").with("d", 2usize),
        Params::new().with("domain", "simplex").with("d", 8usize),
        Params::new()
            .with("domain", "ball")
            .with("d", 3usize)
            .with("rho", 1.0),
    ];
    for dom in &doms {
        for seq in &seqs {
            for eta in [0.1, 1.0, 10.0, 100.0] {
                out.push(
                    dom.merged(seq)
                        .with("hint", "oracle")
                        .with("eta", eta)
                        .with("T", horizon(s)),
                );
            }
        }
    }
    out
}

/// The perfect hint shown one round late (an off-by-one in the hint's index: M_t = x_{t-1}).
pub const LATE_ORACLE: Control = Control::mutation(
    "late_oracle",
    "the perfect hint shows x_{t-1} instead of x_t (an off-by-one in the hint's index)",
);

/// Regret with the oracle hint against c R_max^2 / eta (c = 0: "regret is zero"); under
/// `LATE_ORACLE` the hint is x_{t-1}.
fn perfect_hint_evidence(p: &Params, c: f64, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let eta = p.positive("eta")?;
    let late = p.clone().with("hint", "last");
    let p = if v.is(LATE_ORACLE) { &late } else { p };
    let outs = runs(p, StepSize::Fixed(eta), ctx, Options::FAST)?;
    Ok(Evidence::worst_exact(
        outs.iter().map(|o| (o.regret, c * o.r_max_sq / eta)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_hint_regret_closed_form() {
        // d = 2, constant loss (-1/2, 1/2), oracle hint: f_t puts 1/(1 + e^{eta t}) on the worse
        // coordinate, so Reg_T = sum_t 1/(1 + e^{eta t}) (theory/online.md, entry 7).
        let (eta, t) = (0.1, 400usize);
        let p = Params::new()
            .with("domain", "simplex")
            .with("d", 2usize)
            .with("sequence", "iid")
            .with("sigma", 0.0)
            .with("gap", 1.0)
            .with("hint", "oracle")
            .with("T", t);
        let prob = Problem::from_params(&p).unwrap();
        let o = prob
            .run_with(
                StepSize::Fixed(eta),
                &mut mc::stream(1, 0, 0),
                Options::FAST,
            )
            .unwrap();
        let exact: f64 = (1..=t).map(|k| 1.0 / (1.0 + (eta * k as f64).exp())).sum();
        assert!((o.regret - exact).abs() < 1e-10, "{} vs {exact}", o.regret);
        assert!(exact < 2f64.ln() / eta);
    }
}

/// The family `online`.
pub static FAMILY: Family = Family {
    name: "online",
    summary: "optimistic mirror descent with predictable sequences: regret bounds, hints, lower bounds, rates",
    theory: THEORY,
    topics: &[omd::ENTRIES, oftrl::ENTRIES, lower::ENTRIES, scaling::ENTRIES, conjecture::ENTRIES, adaptive::ENTRIES, learned_hint::ENTRIES, hedge::ENTRIES],
    measures: measures::MEASURES,
    pictures: &[],
    rounding_sensitive: &[],
};
