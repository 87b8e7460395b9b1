//! Family `diffusion`, topic `vp`: DDIM in variance-preserving coordinates is Euler's method on
//! the VE probability-flow ODE at the levels sigma / alpha (theory/diffusion.md section 12).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::vp::{ddim_vp, ddpm_vp, DiscreteVp, VpFault, VpSchedule};
use rand_distr::{Distribution, StandardNormal};

/// DDIM's next signal scale alpha(t') written alpha(t).
pub const ALPHA_OF_CURRENT_LEVEL: Control = Control::mutation(
    "alpha_of_current_level",
    "DDIM's update x' = alpha' x0 + sigma' e written with the current level's alpha(t) in place of the next level's alpha(t') (an index slip between a step's two ends)",
);

/// The VE side run on the VP levels sigma(t) instead of sigma(t) / alpha(t).
pub const VP_LEVELS_AS_VE: Control = Control::mutation(
    "vp_levels_as_ve",
    "the VE sampler handed the VP noise levels sigma(t) as if they were VE levels, instead of sigma(t) / alpha(t) (the two processes' noise levels confused)",
);

/// Samples compared per point.
const SAMPLES: usize = 64;

/// Song et al.'s schedule with n = 8, 64 and 256 times.
fn grid(_s: Scale) -> Vec<Params> {
    [8usize, 64, 256]
        .iter()
        .map(|&n| Params::new().with("levels", n))
        .collect()
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let n = p.usize_at_least("levels", 2)?;
    let sched = VpSchedule::song();
    let g = marginals::target()?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    // VP starts from N(0, I) at t = 1; the VE run from the same draws divided by alpha(1)
    let x0 = Array2::from_shape_fn((SAMPLES, g.dim()), |_| {
        <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
    });
    let fault = if v.is(ALPHA_OF_CURRENT_LEVEL) {
        VpFault::AlphaOfCurrentLevel
    } else {
        VpFault::None
    };
    let vp = ddim_vp(&sched, n, &g, x0.view(), fault)?;
    let ve_grid = if v.is(VP_LEVELS_AS_VE) {
        let mut s: Vec<f64> = sched.times(n)?.iter().map(|&t| sched.sigma(t)).collect();
        s.push(0.0);
        SigmaGrid::new(s)?
    } else {
        sched.ve_grid(n)?
    };
    let y0 = &x0 / sched.alpha(1.0);
    let score = ExactMixtureScore { target: &g };
    let ve = crate::diffusion::run(
        Sampler::Euler,
        SamplerFault::None,
        &ve_grid,
        &score,
        y0,
        ctx.seed,
        ctx.cell,
        0,
    )?;
    // per coordinate: |x_VP - y_VE| <= 1e-9 (1 + |y_VE|), the scale of rounding over n steps
    Ok(Evidence::worst_exact(
        vp.iter()
            .zip(ve.iter())
            .map(|(a, b)| ((a - b).abs(), 1e-9 * (1.0 + b.abs()))),
    ))
}

/// DDPM's posterior mean with sqrt(abar_i) for sqrt(alpha_i).
pub const ALPHA_BAR_IN_POSTERIOR_MEAN: Control = Control::mutation(
    "alpha_bar_in_posterior_mean",
    "DDPM's posterior mean with the cumulative sqrt(abar_i) in the coefficient of x_i where the one-step sqrt(alpha_i) belongs (Ho et al.'s two alphas confused)",
);

/// Both chains (Song's linear schedule read at its times, the cosine schedule) with 8, 64 and
/// 256 steps (quick: 8 and 64).
fn ddpm_grid(s: Scale) -> Vec<Params> {
    let steps: &[usize] = match s {
        Scale::Quick => &[8, 64],
        Scale::Full => &[8, 64, 256],
    };
    let mut out = Vec::new();
    for schedule in ["vp", "cosine"] {
        for &n in steps {
            out.push(Params::new().with("schedule", schedule).with("levels", n));
        }
    }
    out
}

fn ddpm_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let n = p.usize_at_least("levels", 2)?;
    let chain = match p.str("schedule")? {
        "vp" => DiscreteVp::from_continuous(&VpSchedule::song(), n)?,
        "cosine" => DiscreteVp::cosine(n)?,
        other => {
            return Err(crate::params::unknown_choice("schedule", other, &["vp", "cosine"]).into())
        }
    };
    let g = marginals::target()?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let mut normal = |_| <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng);
    // x_T ~ N(0, I) and one draw per step, shared by both sides
    let x_top = Array2::from_shape_fn((SAMPLES, g.dim()), &mut normal);
    let noise: Vec<Array2<f64>> = (0..n)
        .map(|_| Array2::from_shape_fn((SAMPLES, g.dim()), &mut normal))
        .collect();
    let fault = if v.is(ALPHA_BAR_IN_POSTERIOR_MEAN) {
        VpFault::AlphaBarInPosteriorMean
    } else {
        VpFault::None
    };
    let vp = ddpm_vp(&chain, &g, x_top.view(), &noise, fault)?;
    // the VE side: the exponential integrator's step (the one `run` takes) on s_T..s_1, 0 from
    // y_T = x_T / sqrt(abar_T), the same draws; abar_0 = 1, so the two ends are comparable
    let score = ExactMixtureScore { target: &g };
    let grid = chain.ve_grid()?;
    let mut y = &x_top / chain.abar(n).sqrt();
    // rounding is relative to the scale the runs start at (|y_T| reaches about 500 on the
    // linear chain, 1e3 on the cosine one), not to where they end
    let start = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for ((s, t), z) in grid.steps().zip(&noise) {
        y = Sampler::ExpIntegrator.step(SamplerFault::None, y.view(), z.view(), s, t, &score)?;
    }
    Ok(Evidence::worst_exact(
        vp.iter()
            .zip(y.iter())
            .map(|(a, b)| ((a - b).abs(), 1e-9 * (1.0 + start))),
    ))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.vp",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "DDIM in variance-preserving coordinates (Song et al.'s linear schedule beta_min = 0.1, beta_d = 19.9, times from 1 to 1e-3, the exact VP score of a two-mode mixture), from x(1), ends where Euler's method on the VE probability-flow ODE ends from x(1) / alpha(1) along the levels sigma_ve(t) = sigma(t) / alpha(t) = sqrt(exp(beta_min t + beta_d t^2 / 2) - 1): |x_VP - y_VE| <= 1e-9 (1 + |y_VE|) per coordinate",
    source: "derived in theory/diffusion.md section 12 (y = x / alpha turns the VP process into the VE one; DDIM's step becomes Euler's); Karras et al., NeurIPS 2022, arXiv 2206.00364, Table 1 and section 3 (recalled, not read here)",
    replicates: 1,
    grid,
    check,
    controls: &[ALPHA_OF_CURRENT_LEVEL, VP_LEVELS_AS_VE],
}, Entry {
    id: "diffusion.vp.ddpm",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "DDPM's ancestral sampler in variance-preserving coordinates (the posterior q(x_{i-1} | x_i, x_0) with x_0 from Tweedie's formula and the exact VP score of a two-mode mixture, variance beta~_i = beta_i (1 - abar_{i-1}) / (1 - abar_i)), on Song et al.'s linear schedule read at its times and on Nichol and Dhariwal's cosine schedule (betas clipped at 0.999), ends where the exponential integrator of the VE reverse SDE ends from x_T / sqrt(abar_T) along the levels sqrt((1 - abar_i) / abar_i) with the same normal draws: |x_VP - y_VE| <= 1e-9 (1 + max |y_T|) per coordinate, a rounding allowance at the scale the runs start from",
    source: "derived in theory/diffusion.md section 12 (the posterior's mean and variance divided by sqrt(abar_{i-1}) are the exponential integrator's); Ho et al., NeurIPS 2020, and the cosine schedule as openai/improved-diffusion implements it (read); the papers themselves not read",
    replicates: 1,
    grid: ddpm_grid,
    check: ddpm_check,
    controls: &[ALPHA_BAR_IN_POSTERIOR_MEAN],
}];
