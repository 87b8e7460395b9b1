//! What the diffusion family hands the experiment engine.
use super::*;
use crate::diffusion::budget::{ir_gaussian_budget, BudgetFault, IrBudget, LevelShare, Scores};
use crate::experiment::{Measure, Replicate};
use crate::multiscale::IrModel;
use crate::params::Params;

pub static MEASURES: &[Measure] = &[Measure {
    name: "diffusion.samplers",
    description: "one sampler (`sampler`: euler, heun, euler_maruyama, exp_integrator, dpm_solver_2m) on the grid of `schedule` (karras, the default, with `rho`, default 7; or geometric) with `levels` noise levels from 80 to 0.002, for the centred Gaussian target in `d` dimensions with covariance eigenvalues from 1 down to 1/kappa (condition number `kappa`); every value exact, from the Gaussian recursion, no Monte Carlo (so its interval has zero width). `kl_discretisation`: KL(output || target) with the exact score, started from the noised target's exact law (discretisation error alone: the quantity of diffusion.discretisation.rates, theory/diffusion.md section 2); `kl`: KL(target || output) with the score (1 + delta) grad log p_sigma, started from N(0, 80^2 I) (the quantity of diffusion.conjecture.ode_sde_gap, section 7); `continuous`: kl's continuous-time limit for the sampler's own process (the reverse SDE for euler_maruyama, the probability-flow ODE for the others), in closed form",
    metrics: &["kl_discretisation", "kl", "continuous"],
    indicators: &[],
    prepare: prepare_samplers,
    closed_form: None,
},
Measure {
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
},
Measure {
    name: "diffusion.ir_vs_one_shot.learned",
    description: "diffusion.ir_vs_one_shot with learned scores: `train` pairs (x_{t-1}, x_t) drawn from the model (the replicate's own stream), and each block's score the score of the Gaussian conditional fitted to them by least squares on the block's and its conditioning set's coordinates only (IR: each level's details on (x_t^r, x_{t-1}^{r+1}); one-shot: all details on (x_t^{r0}, x_{t-1})), times 1 + delta. The output law is still Gaussian, so each KL is exact for its training set. Metrics: the exact KL of each (`ir`, `one_shot`), their ratio, what fitting alone loses (`ir_estimation`, `one_shot_estimation`: E KL(exact conditional || fitted conditional), summed over blocks) and IR's truncation (theory/diffusion.md section 9); one replicate is one random model and one training set",
    metrics: &[
        "ir",
        "one_shot",
        "ir_over_one_shot",
        "ir_estimation",
        "one_shot_estimation",
        "ir_truncation",
    ],
    indicators: &[],
    prepare: prepare_ir_vs_one_shot_learned,
    closed_form: None,
},
Measure {
    name: "diffusion.ir_truncation",
    description: "what IR's conditioning set costs with exact scores sampled exactly, on the multi-scale model (multiscale parameters geom, L, K, sep, h, alpha, hetero, dynamics; the mixture drawn from `model_seed`, default 1), IR starting from x_t^{r0} (default 0): per replicate, the mean over 4000 draws of (x_{t-1}, x_t) of sum_r [log p(w_t^{r+1} | x_t^r, x_{t-1}) - log p(w_t^{r+1} | x_t^r, x_{t-1}^{r+1})] with the exact mixture conditionals (`truncation`, in nats: KL(p(x_t | x_t^{r0}, x_{t-1}) || IR's law)), each level's term (`level_0`, ...), and the same quantity in closed form for the Gaussian with the mixture's mean and covariance (`gaussian`; `over_gaussian` the ratio) (theory/diffusion.md section 10)",
    metrics: &["truncation", "gaussian", "over_gaussian"],
    indicators: &[],
    prepare: super::truncation::prepare_measure,
    closed_form: None,
},
Measure {
    name: "diffusion.ir_vs_one_shot.mixture",
    description: "IR against one-shot on the multi-scale mixture model (multiscale parameters; the mixture drawn from `model_seed`, default 1), both run with the exact conditional scores (`scores` = exact, the default) or with scores learned from `N` training pairs per replicate (`learned`: one shared random-feature model over IR's levels and one for one-shot's block, each over 10 noise levels from 0.002 to 80, their denoised estimates clipped to the training details' range widened by a tenth; `learned_unclipped` without the clipping; theory/diffusion.md section 16): per replicate, `samples` draws (default 1000) of (x_{t-1}, x_t), each x_t reconstructed from x_t^{r0} (default r0 = 0) and x_{t-1} by IR (each level's details given (x_t^r as sampled, x_{t-1}^{r+1}), Euler-Maruyama with `levels` noise levels per level, default 32) and by one-shot (all details given (x_t^{r0}, x_{t-1}) in one run with as many levels as IR in all); `ir` and `one_shot` the cross-entropy of the reconstructed details under the exact target p(details | x_t^{r0}, x_{t-1}) minus the target's entropy, in nats (each the mean of -log p over the reconstructions minus its mean over the exact draws); `ir_minus_one_shot` their difference; `truncation` what IR's sets leave out with exact sampling (KL, nats; the measure diffusion.ir_truncation, for reference) (theory/diffusion.md section 14)",
    metrics: &["ir", "one_shot", "ir_minus_one_shot", "truncation"],
    indicators: &[],
    prepare: super::truncation::prepare_sampled_measure,
    closed_form: None,
},
Measure {
    name: "diffusion.sequence",
    description: "a sequence reconstructed from its coarse observations y_t = c_t^{r0} on the Gaussian multi-scale model (multiscale parameters, K = 1; a random model and a trajectory per replicate): c_0 from p(c_0 | y_0), then each c_t by a one-step sampler fed its own previous output, IR by Euler-Maruyama with `levels` noise levels per level or one-shot with as many in all; at step `t`, the exact KL from the filter p(c_t | y_{0:t}) to the reconstructor's law for the exact kernel p(. | c_{t-1}, y_t) (`exact`), IR (`ir`) and one-shot (`one_shot`), each with its chain-rule bound (`exact_bound`, `ir_bound`, `one_shot_bound`: the previous step's KL read under the one-step smoother plus the kernel's expected KL), and what y_t says about c_{t-1}, KL(p(c_{t-1} | y_{0:t}) || p(c_{t-1} | y_{0:t-1})) (`look_ahead`) (theory/diffusion.md section 17)",
    metrics: &[
        "exact",
        "exact_bound",
        "ir",
        "ir_bound",
        "one_shot",
        "one_shot_bound",
        "look_ahead",
    ],
    indicators: &[],
    prepare: super::sequence::prepare_measure,
    closed_form: None,
},
Measure {
    name: "diffusion.ode_sde_gap.mixtures",
    description: "one sampler (`sampler`: heun for the probability-flow ODE, euler_maruyama for the reverse SDE, or any other) on Karras's grid with `levels` noise levels (default 64) from N(0, 80^2 I), with the score (1 + delta) times the exact noised score of the mixture `target` (line: 0.3 N(-2, 0.25) + 0.7 N(2, 1); plane: three components in d = 2; d4: two in d = 4; as in the score family): `samples` draws (default 2000) per replicate and their sliced squared Wasserstein-2 distance to the exact target over `directions` random directions (default 64; exact in one dimension), each direction's projected target exact (`w2`); the same distance for as many exact draws of the target (`floor`, what a perfect sampler's finite sample shows) and the difference (`excess`) (theory/diffusion.md section 13)",
    metrics: &["w2", "floor", "excess"],
    indicators: &[],
    prepare: super::gap_mixtures::prepare_measure,
    closed_form: None,
}];

/// Every value is exact: computed once per cell here, each replicate returns it.
fn prepare_samplers(p: &Params) -> Result<Replicate, Error> {
    let sampler = Sampler::from_name(p.str("sampler")?)?;
    let target = gaussian_target(p.usize_at_least("d", 1)?, p.positive("kappa")?)?;
    let grid = grid_from_params(p)?;
    let eigs = target.cov_of(0).matrix().diag().to_vec();
    let init_var = SIGMA_MAX * SIGMA_MAX;
    let (ode, sde) =
        crate::diffusion::scaled_score_limits(&eigs, SIGMA_MAX, p.f64("delta")?, init_var)?;
    let metrics = vec![
        (
            "kl_discretisation".to_string(),
            exact_kl(sampler, SamplerFault::None, &grid, &target)?,
        ),
        ("kl".into(), scaled_kl(sampler, SamplerFault::None, p)?),
        (
            "continuous".into(),
            if sampler.stochastic() { sde } else { ode },
        ),
    ];
    Ok(Box::new(move |_rng, _common| Ok(metrics.clone())))
}

fn prepare_ir_vs_one_shot_learned(p: &Params) -> Result<Replicate, Error> {
    let cmp = IrComparison::from_params(p, p.f64("delta")?)?;
    let train = p.usize_at_least("train", 2)?;
    Ok(Box::new(move |rng, common| {
        let ir = cmp.model(common)?;
        let (t, _) = ir.joint.sample(train, rng);
        let fitted = Scores::Fitted(t.view());
        let a = cmp.ir(&ir, fitted, BudgetFault::None)?;
        let b = cmp.one_shot(&ir, fitted)?;
        let sum = |x: &IrBudget, f: fn(&LevelShare) -> f64| -> f64 { x.levels.iter().map(f).sum() };
        Ok(vec![
            ("ir".into(), a.final_kl),
            ("one_shot".into(), b.final_kl),
            ("ir_over_one_shot".into(), a.final_kl / b.final_kl),
            ("ir_estimation".into(), sum(&a, |l| l.estimation)),
            ("one_shot_estimation".into(), sum(&b, |l| l.estimation)),
            ("ir_truncation".into(), sum(&a, |l| l.truncation)),
        ])
    }))
}

fn prepare_ir_vs_one_shot(p: &Params) -> Result<Replicate, Error> {
    let cmp = IrComparison::from_params(p, p.f64("delta")?)?;
    Ok(Box::new(move |_rng, common| {
        let ir = cmp.model(common)?;
        let a = cmp.ir(&ir, Scores::Exact, BudgetFault::None)?;
        let b = cmp.one_shot(&ir, Scores::Exact)?;
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

fn prepare_budget(p: &Params) -> Result<Replicate, Error> {
    let spec = gaussian_spec(p)?;
    let level = em_sampler(p.usize_at_least("levels", 2)?, p.f64("delta")?)?;
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
