//! What the dynamics family measures for experiments.
use crate::dynamics::{lyapunov_spectrum, PhaseProblem, SystemSpec};
use crate::experiment::{Measure, Replicate};
use crate::params::Params;
use crate::Error;

pub static MEASURES: &[Measure] = &[
    Measure {
        name: "dynamics.phase_prediction",
        description: "Langford phase problem: one-step prediction RMSE of (x, y) for a window estimator of length w and for the EKF",
        metrics: &["rmse_window", "rmse_ekf"],
        indicators: &[],
        prepare: phase_prediction,
        closed_form: None,
    },
    Measure {
        name: "dynamics.lyapunov",
        description: "Lyapunov spectrum (Benettin/QR, RK4 h = 0.01) over horizon T from a perturbed start",
        metrics: &["l1", "l2", "l3", "sum", "mean_divergence"],
        indicators: &[],
        prepare: lyapunov,
        closed_form: None,
    },
];

/// Lyapunov spectrum over horizon T from a randomly perturbed start (one replicate).
fn lyapunov(p: &Params) -> Result<Replicate, Error> {
    let spec = SystemSpec::from_params(p)?;
    let t = p.positive("T")?;
    let h = p.positive_or("h", 0.01)?;
    let transient = p.f64_or("transient", 50.0)?;
    Ok(Box::new(move |rng, _common| {
        let x0 = super::perturbed_start(spec.initial_state(), rng);
        let run = lyapunov_spectrum(spec.flow(), x0, h, transient, t, 1)?;
        let [l1, l2, l3] = run.exponents;
        Ok(vec![
            ("l1".into(), l1),
            ("l2".into(), l2),
            ("l3".into(), l3),
            ("sum".into(), l1 + l2 + l3),
            ("mean_divergence".into(), run.mean_divergence),
        ])
    }))
}

/// One-step prediction RMSE of the window estimator of length w and of the EKF on one
/// realisation of the Langford phase problem (shared across the cells of a sweep).
fn phase_prediction(p: &Params) -> Result<Replicate, Error> {
    let prob = PhaseProblem::from_params(p)?;
    let w = p.usize_at_least("w", 1)?;
    Ok(Box::new(move |_rng, common| {
        let s = prob.scores(&[w], common)?;
        Ok(vec![
            ("rmse_window".into(), s.windows[0].1),
            ("rmse_ekf".into(), s.ekf),
        ])
    }))
}
