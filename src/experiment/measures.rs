//! Registered measurements: what one replicate of an experiment cell computes.
//! Each returns named metrics; the runner aggregates them into means and intervals.
use crate::mc::Rng;
use crate::online::{HintSpec, Options, Problem, StepChoice};
use crate::params::Params;
use crate::Error;

/// Named values from one replicate.
pub type Metrics = Vec<(String, f64)>;

/// A measurement an experiment can sweep.
pub struct Measure {
    pub name: &'static str,
    pub description: &'static str,
    /// The metrics it reports (figures may only plot these).
    pub metrics: &'static [&'static str],
    /// Check a cell's parameters without running it.
    pub validate: fn(&Params) -> Result<(), Error>,
    pub run: fn(&Params, &mut Rng) -> Result<Metrics, Error>,
}

pub static MEASURES: &[Measure] = &[Measure {
    name: "online.regret",
    description: "one OMD run: regret, S = sum ||x_t - M_t||^2, the bound for its step size, tightness, learned-hint weights",
    metrics: &[
        "regret", "s", "eta", "bound", "tightness", "regret_over_sqrt_t", "w_zero", "w_last", "w_mean", "w_fading", "w_ar1",
        "best_member_s",
    ],
    validate: |p| Problem::from_params(p).map(|_| ()),
    run: online_regret,
}];

/// Look a measurement up by name.
pub fn find(name: &str) -> Result<&'static Measure, String> {
    MEASURES.iter().find(|m| m.name == name).ok_or_else(|| {
        format!(
            "unknown measure `{name}`; known: {}",
            MEASURES
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn online_regret(p: &Params, rng: &mut Rng) -> Result<Metrics, Error> {
    let prob = Problem::from_params(p)?;
    let (o, eta) = prob.run(rng, Options::FAST)?;
    let r2 = o.r_max_sq;
    // the bound that applies to the step size used (theory/online.md)
    let bound = match prob.step {
        StepChoice::Tuned => (2.0 * r2 * o.s).sqrt(),
        StepChoice::Fixed(eta) => r2 / eta + 0.5 * eta * o.s,
        StepChoice::Adaptive => 3.5 * r2.sqrt() * (o.s.sqrt() + 1.0),
    };
    let mut m: Metrics = vec![
        ("regret".into(), o.regret),
        ("s".into(), o.s),
        ("eta".into(), eta),
        ("bound".into(), bound),
        (
            "tightness".into(),
            if bound > 0.0 {
                o.regret / bound
            } else {
                f64::NAN
            },
        ),
        (
            "regret_over_sqrt_t".into(),
            o.regret / (prob.rounds as f64).sqrt(),
        ),
    ];
    if let (Some(w), HintSpec::Learned { class }) = (&o.hint_weights, &prob.hint) {
        for (wi, c) in w.iter().zip(class) {
            m.push((format!("w_{}", c.name()), *wi));
        }
        let best = o
            .member_s
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min);
        m.push(("best_member_s".into(), best));
    }
    Ok(m)
}
