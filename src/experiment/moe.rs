//! Measurements and pictures for the mixture-of-experts experiments on switching Lorenz63.
use super::measures::Metrics;
use crate::mc::Rng;
use crate::moe::{routing_scores, MoeOptions, SwitchingSpec};
use crate::params::Params;
use crate::plot::Heatmap;
use crate::stats::contingency;
use crate::Error;

/// One replicate: fresh train/test trajectories, the mixture fitted with lambda and without
/// the regulariser from the same initialisation; NMI of each on the test trajectory.
pub fn routing(p: &Params, rng: &mut Rng, _common: &mut Rng) -> Result<Metrics, Error> {
    let spec = SwitchingSpec::from_params(p)?;
    let opts = MoeOptions::from_params(p)?;
    // at lambda = 0 the unregularised fit is the fit itself (same data and initialisation)
    let lambdas: &[f64] = if opts.lambda == 0.0 {
        &[0.0]
    } else {
        &[opts.lambda, 0.0]
    };
    let s = routing_scores(&spec, &opts, lambdas, true, rng)?;
    let base = &s[s.len() - 1];
    Ok(vec![
        ("nmi".into(), s[0].nmi),
        ("nmi_unregularised".into(), base.nmi),
        ("nmi_gain".into(), s[0].nmi - base.nmi),
        ("mse".into(), s[0].mse),
        ("mse_unregularised".into(), base.mse),
        ("objective_gap".into(), s[0].objective_gap),
    ])
}

/// Row-normalised confusion matrices (generating regime x routed expert) of one test
/// trajectory, without the regulariser and at `lambda_shown`.
pub fn confusion(p: &Params, seed: u64, title: &str) -> Result<Heatmap, Error> {
    let spec = SwitchingSpec::from_params(p)?;
    let opts = MoeOptions::from_params(p)?;
    let lambda = p.f64_or("lambda_shown", 2.0)?;
    let mut rng = crate::mc::stream(seed, 0, 0);
    let scores = routing_scores(&spec, &opts, &[0.0, lambda], false, &mut rng)?;
    let panels = scores
        .iter()
        .map(|s| {
            let n = contingency(&s.regime, &s.routed, spec.k, opts.k);
            let rows: Vec<Vec<f64>> = n
                .iter()
                .map(|r| {
                    let tot = r.iter().sum::<u64>().max(1) as f64;
                    r.iter().map(|&c| c as f64 / tot).collect()
                })
                .collect();
            (format!("lambda = {}  (NMI {:.2})", s.lambda, s.nmi), rows)
        })
        .collect();
    Ok(Heatmap {
        title: title.into(),
        xlabel: "routed expert".into(),
        ylabel: "generating regime".into(),
        panels,
    })
}
