//! Family `diffusion`, topic `girsanov`: the Girsanov bound on the KL of Euler-Maruyama's output
//! (initialisation + discretisation + score error), against the exact KL (theory/diffusion.md
//! section 3).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::girsanov_bound;
use crate::params::Params;

/// Condition numbers 1 and 100 (d = 4), N = 8, 32, 128 levels, relative score error delta
/// = 0 and +-0.3 (the score scaled by 1 + delta).
fn grid(_s: Scale) -> Vec<Params> {
    scaled_score_grid(&[8, 32, 128], &[0.0, 0.3, -0.3])
}

fn girsanov_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let d = p.usize_at_least("d", 1)?;
    let kappa = p.positive("kappa")?;
    let n = p.usize_at_least("levels", 2)?;
    let delta = p.f64("delta")?;
    let target = gaussian_target(d, kappa)?;
    let grid = SigmaGrid::karras(n, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let kl = scaled_kl(Sampler::EulerMaruyama, sampler_fault(v), p)?;
    // the usual start: N(0, sigma_max^2 I), not the noised target's law
    let init_var = SIGMA_MAX * SIGMA_MAX;
    let eigs: Vec<f64> = target.cov_of(0).matrix().diag().to_vec();
    let bound = girsanov_bound(&eigs, &grid, delta, init_var)?;
    Ok(Evidence::Exact {
        lhs: kl,
        rhs: bound.total(),
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.girsanov",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "Euler-Maruyama on the VE reverse SDE of a Gaussian target (d = 4, condition number 1 or 100), Karras's grid with N = 8, 32, 128 levels, started from N(0, sigma_max^2 I), with the score (1 + delta) grad log p_sigma (delta = 0, +-0.3): KL(target || output) <= KL(p_{sigma_max} || N(0, sigma_max^2 I)) + (1/2) sum_i int E|grad log p_v(X_v) - s_hat(X_{v_i}, v_i)|^2 dv (v = sigma^2), the three terms in closed form",
    source: "the Girsanov argument of Chen, Chewi, Li, Li, Salim, Zhang (ICLR 2023, arXiv 2209.11215), written here in variance time for the VE process; its closed form for Gaussian targets derived here (theory/diffusion.md section 3)",
    replicates: 1,
    grid,
    check: girsanov_check,
    controls: &[NOISE_SCALED_BY_STEP, DRIFT_AT_NEW_LEVEL],
}];
