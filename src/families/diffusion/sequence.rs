//! Family `diffusion`, topic `sequence`: IR and one-shot run along a sequence of coarse
//! observations, each step's previous state the reconstructor's own output, against the exact
//! filter (theory/diffusion.md section 17).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::budget::Scheme;
use crate::diffusion::sequence::{Kernel, Sequence, SequenceFault};
use crate::experiment::{Metrics, Replicate};

/// The bound read under the filter of the previous step instead of its one-step smoother.
pub const LOOK_AHEAD_DROPPED: Control = Control::mutation(
    "look_ahead_dropped",
    "the bound reads the previous state under the filter p(c_{t-1} | y_{0:t-1}) instead of the one-step smoother p(c_{t-1} | y_{0:t}), as if y_t said nothing about the past",
);

/// Which one-step sampler the reconstructor runs: the exact kernel p(details | c_{t-1}, y_t)
/// (a perfect one-shot sampler), or IR and one-shot by Euler-Maruyama at equal score
/// evaluations (`IrComparison`'s samplers).
fn kernel_of(
    name: &str,
    cmp: &IrComparison,
    ir: &IrModel,
    seq: &Sequence,
) -> Result<Kernel, Error> {
    Ok(match name {
        "exact" => seq.exact_kernel().clone(),
        "ir" => seq.scheme_kernel(ir, Scheme::Ir { from: Some(cmp.r0) }, &cmp.per_level)?,
        "one_shot" => seq.scheme_kernel(ir, Scheme::OneShot { from: cmp.r0 }, &cmp.one_run)?,
        other => {
            return Err(crate::params::unknown_choice(
                "reconstructor",
                other,
                &["exact", "ir", "one_shot"],
            )
            .into())
        }
    })
}

/// The Gaussian model (1-D, d = 8, three Haar levels, heterogeneous level variances) at
/// alpha = 0 and 2, observed at r0 = 1 (two block averages: at r0 = 0 the circulant dynamics make the exact
/// reconstructor the filter, theory/diffusion.md section 17), T = 8 steps, for each reconstructor.
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for rec in ["exact", "ir", "one_shot"] {
        for alpha in [0.0, 2.0] {
            out.push(
                Params::new()
                    .with("geom", "1d")
                    .with("L", 3usize)
                    .with("K", 1usize)
                    .with("hetero", 1.0)
                    .with("alpha", alpha)
                    .with("r0", 1usize)
                    .with("levels", 32usize)
                    .with("T", 8usize)
                    .with("reconstructor", rec),
            );
        }
    }
    out
}

/// The exact laws along one trajectory of a random model, for the point's reconstructor.
fn laws(
    p: &Params,
    fault: SequenceFault,
    rng: &mut Rng,
) -> Result<Vec<crate::diffusion::sequence::StepLaws>, Error> {
    let cmp = IrComparison::from_params(p, 0.0)?;
    let steps = p.usize_at_least("T", 1)?;
    let ir = cmp.model(rng)?;
    let seq = Sequence::new(&ir, cmp.r0)?;
    let kernel = kernel_of(p.str("reconstructor")?, &cmp, &ir, &seq)?;
    let c = seq.trajectory(steps, rng)?;
    Ok(seq.run(&c, &kernel, fault)?)
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let fault = if v.is(LOOK_AHEAD_DROPPED) {
        SequenceFault::LookAheadDropped
    } else {
        SequenceFault::None
    };
    let runs = crate::mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        laws(p, fault, rng)
    })?;
    Ok(Evidence::worst_exact(
        runs.iter().flatten().map(|l| (l.kl, l.bound)),
    ))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.sequence",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "reconstructing a sequence from its coarse observations y_t = c_t^1, its two block averages (Gaussian multi-scale model, 1-D, d = 8, three Haar levels, alpha = 0 and 2; T = 8 steps), c_0 from p(c_0 | y_0) and then c_t by a one-step sampler k(. | c_{t-1}, y_t) fed its own previous output (the exact kernel p(. | c_{t-1}, y_t), or IR or one-shot by Euler-Maruyama at equal score evaluations): at every t, KL(p(c_t | y_{0:t}) || q_t) <= KL(p(c_{t-1} | y_{0:t}) || q_{t-1}) + E_{p(c_{t-1} | y_{0:t})} KL(p(. | c_{t-1}, y_t) || k(. | c_{t-1}, y_t)), every law Gaussian and every term exact",
    source: "the chain rule for KL and the data-processing inequality on the joint law of (c_{t-1}, c_t) (the filter is the exact kernel pushed through the one-step smoother); derived in theory/diffusion.md section 17",
    replicates: 2,
    grid,
    check,
    controls: &[LOOK_AHEAD_DROPPED],
}];

/// One replicate: a random model and a trajectory (shared by every cell); the KL of each
/// reconstructor's law to the filter at step `t`, the bound beside it, and what y_t says
/// about c_{t-1}.
pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let cmp = IrComparison::from_params(p, 0.0)?;
    let t = p.usize_at_least("t", 1)?;
    Ok(Box::new(move |_rng, common| {
        // the model and the trajectory from the stream every cell shares: each replicate's
        // curve over t follows one trajectory (its first t + 1 states are the same in every
        // cell)
        let ir = cmp.model(common)?;
        let seq = Sequence::new(&ir, cmp.r0)?;
        let c = seq.trajectory(t, common)?;
        // the filter and the smoothers once; each reconstructor against them
        let path = seq.filter_path(&c)?;
        let mut m: Metrics = Vec::new();
        for name in ["exact", "ir", "one_shot"] {
            let kernel = kernel_of(name, &cmp, &ir, &seq)?;
            let all = seq.reconstruct(&c, &path, &kernel, SequenceFault::None)?;
            let last = &all[t - 1];
            m.push((name.into(), last.kl));
            m.push((format!("{name}_bound"), last.bound));
        }
        // what y_t says about the past: KL(one-step smoother || filter) at t - 1
        m.push((
            "look_ahead".into(),
            Sequence::kl(&path.smoothers[t - 1], &path.filters[t - 1])?,
        ));
        Ok(m)
    }))
}
