//! Family `diffusion`, topic `vp`: DDIM in variance-preserving coordinates is Euler's method on
//! the VE probability-flow ODE at the levels sigma / alpha (theory/diffusion.md section 12).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::vp::{ddim_vp, VpFault, VpSchedule};
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
}];
