//! Family `diffusion`, topic `gap_mixtures`: the probability-flow ODE against the reverse SDE
//! with a wrong score on mixtures, by the sliced Wasserstein-2 distance of their samples to the
//! exact target (theory/diffusion.md section 13).
use super::*;
use crate::experiment::{Metrics, Replicate};
use crate::prob::transport::sliced_w2_sq;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

/// One run's sample: `samples` rows from N(0, 80^2 I) through `sampler` on Karras's grid with
/// `levels` levels and the score (1 + delta) times the target's exact noised score.
pub(super) fn sample(
    target: &Gmm,
    sampler: Sampler,
    fault: SamplerFault,
    levels: usize,
    delta: f64,
    samples: usize,
    rng: &mut Rng,
) -> Result<Array2<f64>, Error> {
    let grid = SigmaGrid::karras(levels, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let exact = ExactMixtureScore { target };
    let score = crate::diffusion::ScaledScore {
        inner: &exact,
        delta,
    };
    let x0 = Array2::from_shape_fn((samples, target.dim()), |_| {
        SIGMA_MAX * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
    });
    let (seed, stream) = (rng.random::<u64>(), rng.random::<u64>());
    Ok(crate::diffusion::run(
        sampler, fault, &grid, &score, x0, seed, stream, 0,
    )?)
}

pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let target = crate::families::score::target(p.str("target")?)?;
    let sampler = Sampler::from_name(p.str("sampler")?)?;
    let levels = p.usize_at_least_or("levels", 2, 64)?;
    let delta = p.f64("delta")?;
    let n = p.usize_at_least_or("samples", 10, 2000)?;
    let dirs = p.usize_at_least_or("directions", 1, 64)?;
    Ok(Box::new(move |rng, _common| {
        let x = sample(&target, sampler, SamplerFault::None, levels, delta, n, rng)?;
        let w2 = sliced_w2_sq(x.view(), &target, dirs, rng)?;
        // the floor: as many exact draws of the target, at the same distance
        let (y, _) = target.sample(n, rng);
        let floor = sliced_w2_sq(y.view(), &target, dirs, rng)?;
        let m: Metrics = vec![
            ("w2".into(), w2),
            ("floor".into(), floor),
            ("excess".into(), w2 - floor),
        ];
        Ok(m)
    }))
}
