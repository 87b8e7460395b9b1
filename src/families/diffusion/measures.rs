//! What the diffusion family hands the experiment engine.
use super::*;
use crate::diffusion::budget::{
    gaussian_budget, ir_gaussian_budget, BudgetFault, LevelSampler, Scheme,
};
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
},
Measure {
    name: "diffusion.ir_vs_one_shot",
    description: "reconstruct x_t given its coarse version x_t^{r0} and the previous state x_{t-1} on the Gaussian multi-scale model (multiscale parameters, K = 1; the model drawn from the stream all cells share), with exact scores scaled by 1 + delta (sampling error only, no learning): IR samples each level's details above r0 given (x_t^r, x_{t-1}^{r+1}) by Euler-Maruyama with `levels` noise levels; one-shot samples all of them in one Euler-Maruyama run given (x_t^{r0}, x_{t-1}) with `levels` times as many noise levels as IR has blocks (equal score evaluations). The exact KL of each (`ir`, `one_shot`), their ratio, and IR's split into truncation and samplers (theory/diffusion.md section 8); one replicate is one random model",
    metrics: &["ir", "one_shot", "ir_over_one_shot", "ir_truncation", "ir_sampler"],
    indicators: &[],
    prepare: prepare_ir_vs_one_shot,
    closed_form: None,
}];

fn prepare_ir_vs_one_shot(p: &Params) -> Result<Replicate, Error> {
    let spec = gaussian_spec(p)?;
    let r0 = spec.level(p, "r0", 1)?;
    let blocks = spec.hier.levels() - r0;
    let n = p.usize_at_least("levels", 2)?;
    let delta = p.f64("delta")?;
    let sampler = |levels: usize| -> Result<LevelSampler, Error> {
        Ok(LevelSampler {
            sampler: Sampler::EulerMaruyama,
            fault: SamplerFault::None,
            grid: SigmaGrid::karras(levels, SIGMA_MIN, SIGMA_MAX, RHO)?,
            delta,
            init_var: SIGMA_MAX * SIGMA_MAX,
        })
    };
    let (per_level, one_run) = (sampler(n)?, sampler(n * blocks)?);
    Ok(Box::new(move |_rng, common| {
        let (hier, g, dynm) = spec.build(common)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let a = gaussian_budget(
            &ir,
            Scheme::Ir { from: Some(r0) },
            &per_level,
            BudgetFault::None,
        )?;
        let b = gaussian_budget(
            &ir,
            Scheme::OneShot { from: r0 },
            &one_run,
            BudgetFault::None,
        )?;
        Ok(vec![
            ("ir".into(), a.final_kl),
            ("one_shot".into(), b.final_kl),
            ("ir_over_one_shot".into(), a.final_kl / b.final_kl),
            (
                "ir_truncation".into(),
                a.levels.iter().map(|l| l.truncation).sum(),
            ),
            (
                "ir_sampler".into(),
                a.levels.iter().map(|l| l.sampler).sum(),
            ),
        ])
    }))
}

/// The model spec of a parameter set, refused unless Gaussian (K = 1).
fn gaussian_spec(p: &Params) -> Result<ModelSpec, Error> {
    let spec = ModelSpec::from_params(p)?;
    if spec.mixture.components != 1 {
        return Err(crate::params::out_of_range(
            "K",
            &spec.mixture.components.into(),
            "the exact IR budget needs a Gaussian model: K = 1",
        )
        .into());
    }
    Ok(spec)
}

fn prepare_budget(p: &Params) -> Result<Replicate, Error> {
    let spec = gaussian_spec(p)?;
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
