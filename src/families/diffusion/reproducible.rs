//! Family `diffusion`, topic `reproducible`: a stochastic sampler's samples do not depend on the
//! batch they are drawn in or on the number of threads (theory/diffusion.md section 5).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::run_chunked;
use crate::params::Params;
use rand_distr::{Distribution, StandardNormal};

pub const SHARED_BATCH_STREAM: Control = Control::mutation(
    "shared_batch_stream",
    "the noise of a whole batch drawn from one stream instead of one stream per sample",
);

/// Samples compared, and the levels of the grid they are drawn on.
const SAMPLES: usize = 300;
const LEVELS: usize = 32;

/// Batches of 1, 7 and 64 samples (300 is a multiple of none of 7 and 64, so the last batch is
/// short), each under a pool of 1 and of 2 threads.
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for chunk in [1usize, 7, 64] {
        for threads in [1usize, 2] {
            out.push(Params::new().with("chunk", chunk).with("threads", threads));
        }
    }
    out
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let chunk = p.usize_at_least("chunk", 1)?;
    let threads = p.usize_at_least("threads", 1)?;
    let g = marginals::target()?;
    let score = ExactMixtureScore { target: &g };
    let grid = SigmaGrid::karras(LEVELS, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let x0 = Array2::from_shape_fn((SAMPLES, g.dim()), |_| {
        SIGMA_MAX * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
    });
    let fault = if v.is(SHARED_BATCH_STREAM) {
        SamplerFault::SharedBatchStream
    } else {
        SamplerFault::None
    };
    let sampler = Sampler::EulerMaruyama;
    // the reference: every sample in one batch on the calling thread's pool
    let whole = crate::diffusion::run(
        sampler,
        fault,
        &grid,
        &score,
        x0.clone(),
        ctx.seed,
        ctx.cell,
        0,
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Internal(format!("a pool of {threads} threads: {e}")))?;
    let chunked = pool.install(|| {
        run_chunked(
            sampler,
            fault,
            &grid,
            &score,
            x0.view(),
            ctx.seed,
            ctx.cell,
            chunk,
        )
    })?;
    // bitwise: the number of coordinates whose bits differ
    let differ = whole
        .iter()
        .zip(chunked.iter())
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    Ok(Evidence::Exact {
        lhs: differ as f64,
        rhs: 0.0,
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.reproducible",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "Euler-Maruyama (32 Karras levels, the exact score of the 2-D two-mode mixture) gives 300 samples that are bit for bit the same drawn as one batch and drawn in batches of 1, 7 or 64 samples run in parallel on 1 or 2 threads: the number of coordinates that differ is 0",
    source: "a property of the design (per-sample noise streams, theory/diffusion.md section 5); the failure it guards against is a recurring report of sampler libraries' users",
    replicates: 1,
    grid,
    check,
    controls: &[SHARED_BATCH_STREAM],
}];
