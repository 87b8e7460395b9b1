//! What the diffusion family hands the experiment engine.
use super::*;
use crate::diffusion::budget::{ir_gaussian_budget, BudgetFault, LevelSampler};
use crate::experiment::{Measure, Replicate};
use crate::multiscale::{IrModel, ModelSpec};
use crate::params::Params;

pub static MEASURES: &[Measure] = &[Measure {
    name: "diffusion.error_budget",
    description: "one IR time step on the Gaussian multi-scale model (multiscale parameters geom, L, h, alpha, hetero, dynamics, K = 1; the model drawn from the stream all cells share), every level sampled by Euler-Maruyama on Karras's grid with `levels` noise levels and the score (1 + delta) times the level's exact conditional score, started from N(0, 80^2 I): the exact KL of the output (`final_kl`), its split into what IR's conditioning set loses (`truncation`) and what the samplers lose (`sampler`), the bound truncation + the levels' Girsanov terms (`bound`), and the shares of the coarsest and finest levels (theory/diffusion.md section 6); one replicate is one random model",
    metrics: &["final_kl", "truncation", "sampler", "bound", "coarsest", "finest"],
    indicators: &[],
    prepare: prepare_budget,
    closed_form: None,
}];

fn prepare_budget(p: &Params) -> Result<Replicate, Error> {
    let spec = ModelSpec::from_params(p)?;
    if spec.mixture.components != 1 {
        return Err(crate::params::out_of_range(
            "K",
            &spec.mixture.components.into(),
            "the exact IR budget needs a Gaussian model: K = 1",
        )
        .into());
    }
    let level = LevelSampler {
        sampler: Sampler::EulerMaruyama,
        fault: SamplerFault::None,
        grid: SigmaGrid::karras(p.usize_at_least("levels", 2)?, SIGMA_MIN, SIGMA_MAX, RHO)?,
        delta: p.f64("delta")?,
        init_var: SIGMA_MAX * SIGMA_MAX,
    };
    Ok(Box::new(move |_rng, common| {
        // the model from the stream every cell shares: cells differ only in the sampler
        let (hier, g, dynm) = spec.build(common)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let b = ir_gaussian_budget(&ir, &level, BudgetFault::None)?;
        let sum = |f: fn(&crate::diffusion::budget::LevelShare) -> f64| -> f64 {
            b.levels.iter().map(f).sum()
        };
        Ok(vec![
            ("final_kl".into(), b.final_kl),
            ("truncation".into(), sum(|l| l.truncation)),
            ("sampler".into(), sum(|l| l.sampler)),
            ("bound".into(), sum(|l| l.truncation + l.girsanov)),
            ("coarsest".into(), b.levels[0].term),
            ("finest".into(), b.levels[b.levels.len() - 1].term),
        ])
    }))
}
