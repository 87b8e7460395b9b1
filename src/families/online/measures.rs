//! What the online family measures for experiments.
use crate::experiment::{Measure, Metrics, Replicate};
use crate::online::bounds::{adaptive_bound, adaptive_range_bound, fixed_eta_bound, tuned_bound};
use crate::online::{HintSpec, Options, Problem, StepChoice};
use crate::params::Params;
use crate::Error;

pub static MEASURES: &[Measure] = &[Measure {
    name: "online.regret",
    description: "one OMD run: regret, S = sum ||x_t - M_t||^2, the bound for its step size, tightness, learned-hint weights",
    metrics: &[
        "regret", "s", "eta", "bound", "tightness", "regret_over_sqrt_t", "w_zero", "w_last", "w_mean", "w_fading", "w_ar1",
        "best_member_s",
    ],
    indicators: &[],
    prepare: regret,
    closed_form: None,
}];

fn regret(p: &Params) -> Result<Replicate, Error> {
    let prob = Problem::from_params(p)?;
    Ok(Box::new(move |rng, _common| {
        let (o, eta) = prob.run(rng, Options::FAST)?;
        let r2 = o.r_max_sq;
        // the bound that applies to the step size used: the catalogue's own formulas
        let bound = match prob.step {
            StepChoice::Tuned => tuned_bound(r2, o.s),
            StepChoice::Fixed(eta) => fixed_eta_bound(r2, eta, o.s),
            StepChoice::Adaptive => adaptive_bound(o.divergence_sq, o.s),
            StepChoice::AdaptiveRange => adaptive_range_bound(r2, o.s),
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
        if let (Some(w), HintSpec::Learned { class, .. }) = (&o.hint_weights, &prob.hint) {
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
    }))
}
