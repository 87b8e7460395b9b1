//! Measurements and pictures for the dynamics experiments.
use super::measures::Metrics;
use crate::dynamics::{integrate, lyapunov_spectrum, simulate_switching, Lorenz63, SystemSpec, V3};
use crate::mc::Rng;
use crate::params::Params;
use crate::plot::Scatter;
use crate::Error;
use rand_distr::{Distribution, StandardNormal};

/// Lyapunov spectrum over horizon T from a randomly perturbed start (one replicate).
pub fn lyapunov(p: &Params, rng: &mut Rng, _common: &mut Rng) -> Result<Metrics, Error> {
    let spec = SystemSpec::from_params(p)?;
    let t = p.positive("T")?;
    let x0 = spec.initial_state()
        + V3::from_fn(|_, _| 0.1 * Distribution::<f64>::sample(&StandardNormal, rng));
    let run = lyapunov_spectrum(
        spec.flow(),
        x0,
        p.positive_or("h", 0.01)?,
        p.f64_or("transient", 50.0)?,
        t,
        1,
    )?;
    let [l1, l2, l3] = run.exponents;
    Ok(vec![
        ("l1".into(), l1),
        ("l2".into(), l2),
        ("l3".into(), l3),
        ("sum".into(), l1 + l2 + l3),
        ("mean_divergence".into(), run.mean_divergence),
    ])
}

/// The Langford attractor projected on (x, z), coloured by the phase atan2(y, x).
pub fn attractor(p: &Params, title: &str) -> Result<Scatter, Error> {
    let spec = SystemSpec::from_params(p)?;
    let t = p.positive_or("T", 200.0)?;
    let tr = integrate(spec.flow(), spec.initial_state(), t, 0.01, 1e-9, 1e-9)?;
    let skip =
        tr.t.iter()
            .position(|&s| s >= p.f64_or("transient", 50.0).unwrap_or(50.0))
            .unwrap_or(0);
    let pts = &tr.x[skip..];
    Ok(Scatter {
        title: title.into(),
        xlabel: "x".into(),
        ylabel: "z".into(),
        x: pts.iter().map(|s| s[0]).collect(),
        y: pts.iter().map(|s| s[2]).collect(),
        c: pts.iter().map(|s| s[1].atan2(s[0])).collect(),
        categorical: false,
        category_label: String::new(),
    })
}

/// Switching Lorenz63 with K forcings along y: x(t) coloured by the active regime.
pub fn switching(p: &Params, seed: u64, title: &str) -> Result<Scatter, Error> {
    let k = p.usize_at_least("K", 1)?;
    let strength = p.f64_or("forcing", 20.0)?;
    let systems = Lorenz63::switching_family(k, strength);
    let h = 0.005;
    let t = p.positive_or("T", 40.0)?;
    let mut rng = crate::mc::stream(seed, 0, 0);
    let tr = simulate_switching(
        &systems,
        p.positive_or("dwell", 5.0)?,
        V3::new(1.0, 1.0, 20.0),
        h,
        (t / h) as usize,
        4,
        p.f64_or("noise", 0.0)?,
        &mut rng,
    )?;
    Ok(Scatter {
        title: title.into(),
        xlabel: "time t".into(),
        ylabel: "x(t)".into(),
        x: tr.t.clone(),
        y: tr.x.iter().map(|s| s[0]).collect(),
        c: tr.regime.iter().map(|&r| r as f64).collect(),
        categorical: true,
        category_label: "regime".into(),
    })
}

/// One-step prediction RMSE of the window estimator of length w and of the EKF on one
/// realisation of the Langford phase problem (shared across the cells of a sweep).
pub fn phase_prediction(p: &Params, _rng: &mut Rng, common: &mut Rng) -> Result<Metrics, Error> {
    let prob = crate::bounds::dynamics::phase_problem(p)?;
    let w = p.usize_at_least("w", 1)?;
    let s = prob.scores(&[w], common)?;
    Ok(vec![
        ("rmse_window".into(), s.windows[0].1),
        ("rmse_ekf".into(), s.ekf),
    ])
}
