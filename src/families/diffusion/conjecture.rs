//! Family `diffusion`, topic `conjecture`: the probability-flow ODE against the reverse SDE
//! under a score with a relative error (theory/diffusion.md section 7), and IR against
//! one-shot with learned scores, Gaussian (section 9) and on mixtures with the samplers run
//! (section 16).
use super::truncation::{BlockSource, SampledComparison};
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Support, Variant};
use crate::diffusion::budget::{BudgetFault, Scores};
use crate::params::Params;
use crate::stats::Target;
use crate::stats::Verdict;

/// A bound control: the ODE's error claimed at least 100 times the SDE's.
pub const HUNDREDFOLD: Control = Control::new(
    "hundredfold",
    "the ODE's KL claimed at least 100 times the SDE's at every point",
);

/// Condition numbers 1 and 100 (d = 4), N = 64, 256, 1024 Karras levels, score errors
/// delta = +-0.03, +-0.1, +-0.3 (the score (1 + delta) grad log p_sigma).
fn grid(_s: Scale) -> Vec<Params> {
    scaled_score_grid(&[64, 256, 1024], &[-0.3, -0.1, -0.03, 0.03, 0.1, 0.3])
}

/// KL of Euler-Maruyama (the SDE) against KL of Heun (the ODE), at one point.
fn gap_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let sde = scaled_kl(Sampler::EulerMaruyama, sampler_fault(v), p)?;
    let ode = scaled_kl(Sampler::Heun, SamplerFault::None, p)?;
    let factor = if v.is(HUNDREDFOLD) { 100.0 } else { 1.0 };
    Ok(Evidence::Exact {
        lhs: factor * sde,
        rhs: ode,
    })
}

// ------------------------------------------------- the gap on mixtures, by Monte Carlo

/// Why a replicate is treated as near normal.
const SLICED_MEAN: &str = "each replicate is a difference of two sliced W2 distances, each an average over 2000 samples and 64 directions";

/// Samples per run and directions of the sliced distance.
const GAP_SAMPLES: usize = 2000;
const GAP_DIRECTIONS: usize = 64;

/// Quick: the 1-D two-mode target at delta = 0.1; full: the 1-D and 2-D targets at delta =
/// 0.05, 0.1, 0.3 (the experiment diffusion_gap_mixtures has 4-D and delta = 0.2 too).
fn mixture_gap_grid(s: Scale) -> Vec<Params> {
    let (targets, deltas): (&[&str], &[f64]) = match s {
        Scale::Quick => (&["line"], &[0.1]),
        Scale::Full => (&["line", "plane"], &[0.05, 0.1, 0.3]),
    };
    let mut out = Vec::new();
    for t in targets {
        for &d in deltas {
            out.push(Params::new().with("target", *t).with("delta", d));
        }
    }
    out
}

/// Per replicate Z = W2^2(SDE sample) - W2^2(ODE sample), each run from its own draws: the
/// claim E Z <= 0.
fn mixture_gap_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let target = crate::families::score::target(p.str("target")?)?;
    let delta = p.f64("delta")?;
    let fault = sampler_fault(v);
    let z = ctx.replicate("ode_sde_gap_mixtures", |_, rng| {
        let mut w2 = |sampler, fault| -> Result<f64, Error> {
            let x = gap_mixtures::sample(&target, sampler, fault, 64, delta, GAP_SAMPLES, rng)?;
            Ok(crate::prob::transport::sliced_w2_sq(
                x.view(),
                &target,
                GAP_DIRECTIONS,
                rng,
            )?)
        };
        let sde = w2(Sampler::EulerMaruyama, fault)?;
        let ode = w2(Sampler::Heun, SamplerFault::None)?;
        Ok::<f64, Error>(sde - ode)
    })?;
    Ok(Evidence::Mean {
        samples: z,
        target: Target::AtMost(0.0),
        support: Support::Gaussian { why: SLICED_MEAN },
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.conjecture.ode_sde_gap",
    kind: Kind::Exact,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "Gaussian target (d = 4, condition number 1 or 100), Karras's grid with N = 64, 256, 1024 levels, start N(0, 80^2 I), score (1 + delta) grad log p_sigma with |delta| = 0.03, 0.1, 0.3: the reverse SDE (Euler-Maruyama) ends closer to the target than the probability-flow ODE (Heun), KL_SDE <= KL_ODE",
    source: "the ODE-SDE gap reported for learned scores (Deveney, Stanczuk, Kreusser, Budd, Schonlieb, arXiv 2311.15996); its continuous-time limit for Gaussians derived here (theory/diffusion.md section 7)",
    replicates: 1,
    grid,
    check: gap_check,
    controls: &[HUNDREDFOLD, NOISE_SCALED_BY_STEP],
},
Entry {
    id: "diffusion.conjecture.ode_sde_gap.mixtures",
    kind: Kind::Expectation,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "Gaussian-mixture targets (two modes on the line; three in the plane), Karras's grid with 64 levels, start N(0, 80^2 I), score (1 + delta) times the exact noised score with delta = 0.05, 0.1, 0.3: the reverse SDE's sample (Euler-Maruyama) ends closer to the target than the probability-flow ODE's (Heun) in sliced squared Wasserstein-2 distance, on average over runs of 2000 samples",
    source: "as diffusion.conjecture.ode_sde_gap, carried from Gaussians (exact KL) to mixtures (Monte Carlo, the exact target on the distance's other side; theory/diffusion.md section 13)",
    replicates: 8,
    grid: mixture_gap_grid,
    check: mixture_gap_check,
    controls: &[NOISE_SCALED_BY_STEP],
},
Entry {
    id: "diffusion.conjecture.ir_beats_one_shot",
    kind: Kind::Expectation,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "reconstructing x_t from x_t^0 and x_{t-1} on the Gaussian multi-scale model (1-D, d = 16, four Haar levels, level variances decaying as 2^{-alpha j}, alpha = 0, 1, 2), every block's score learned by least squares from the same N training pairs and sampled by Euler-Maruyama at equal score evaluations (32 levels per IR block, 128 for one-shot): with scarce data (N = 40) IR's exact KL to the target is below one-shot's on average, with plentiful data (N = 2560) above it",
    source: "the research notes' claim that IR's conditionals are learnable from fewer samples (the issue's form, 'IR wins when the data has enough fine-scale structure', is contradicted on this model: theory/diffusion.md section 9)",
    replicates: 200,
    grid: ir_grid,
    check: ir_check,
    controls: &[THREE_TIMES_AS_GOOD, IR_SYNTHESIS_TRANSPOSED, ONE_SHOT_PEEKS],
},
Entry {
    id: "diffusion.conjecture.ir_beats_one_shot.mixture",
    kind: Kind::Expectation,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "reconstructing x_t from x_t^0 and x_{t-1} on the two-mode multi-scale model (1-D, d = 8, three Haar levels, modes 8 apart, a share h = 0 or 0.9 of the squared separation at the fine levels), every block's score learned from the same N training pairs (one shared random-feature model over IR's levels, one for one-shot's block, denoised estimates clipped to the training box) and sampled by Euler-Maruyama at equal score evaluations (32 levels per IR level, 96 for one-shot): one-shot's reconstructions score better under the exact reconstruction law than IR's, its cross-entropy excess below IR's on average over training sets, at N = 300 and h = 0 (full: also h = 0.9)",
    source: "the issue's conjecture 'IR wins when the data has enough fine-scale structure' carried to mixtures and learned nonparametric scores, in the form the data support (the issue's form is contradicted at h = 0.9): theory/diffusion.md section 16",
    replicates: 4,
    grid: mixture_ir_grid,
    check: mixture_ir_check,
    controls: &[IR_PEEKS],
}];

// ------------------------------------- IR against one-shot on mixtures, learned scores

/// IR is handed the exact conditional scores instead of learning them (test leakage), read
/// where IR's exact-score excess (3.3 nats, section 14) is below one-shot's learned one.
pub const IR_PEEKS: Control = Control::mutation(
    "ir_peeks",
    "IR samples with the exact conditional mixture scores instead of the ones learned from the training pairs (as if it had seen the test law); read at h = 0",
)
.only_where(coarse_only);

fn coarse_only(p: &Params) -> Result<bool, Error> {
    Ok(p.f64("h")? == 0.0)
}

/// Training pairs per replicate. At N = 100 one-shot's excess has a heavy right tail over
/// training sets (a poor fit now and then), so the mean's upper end stayed open at 64
/// replicates (theory/diffusion.md section 16); at N = 300 it is stable.
const MIXTURE_TRAIN: usize = 300;

/// Why a replicate is treated as near normal (at N = 300; not at N = 100, see above).
const RECONSTRUCTION_MEANS: &str = "each replicate is a difference of two means over 300 reconstructions, of samplers whose scores are ridge fits to 300 training pairs";

/// Reconstructions per replicate (the experiment diffusion_ir_vs_one_shot_mixture_learned
/// has 1000; the replicate's spread is the training set's, not the reconstructions').
const MIXTURE_SAMPLES: usize = 300;

/// The two-mode model of section 14 at h = 0 (full: also 0.9), N = 300 (a replicate's two
/// fits cost about 2.5 seconds there and 25 at N = 1000, which the experiment has).
fn mixture_ir_grid(s: Scale) -> Vec<Params> {
    let hs: &[f64] = match s {
        Scale::Quick => &[0.0],
        Scale::Full => &[0.0, 0.9],
    };
    hs.iter()
        .map(|&h| {
            crate::families::score::two_mode_point(h, MIXTURE_TRAIN)
                .with("levels", 32usize)
                .with("samples", MIXTURE_SAMPLES)
        })
        .collect()
}

/// Per replicate (a training set and its two fits): one-shot's cross-entropy excess minus
/// IR's; the claim is E Z <= 0.
fn mixture_ir_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let cmp = SampledComparison::from_params(p)?;
    let source = BlockSource::Learned {
        n: p.usize_at_least("N", 10)?,
        clip: true,
        ir_exact: v.is(IR_PEEKS),
    };
    let samples = ctx.replicate("ir_vs_one_shot_mixture", |_, rng| {
        let (ir, one_shot) = cmp.excesses(source, rng)?;
        Ok::<_, Error>(one_shot - ir)
    })?;
    Ok(Evidence::Mean {
        samples,
        target: Target::AtMost(0.0),
        support: Support::Gaussian {
            why: RECONSTRUCTION_MEANS,
        },
    })
}

// ------------------------------------------------- IR against one-shot, learned scores

/// The IR sampler assembles x_t with H instead of H^T (IR's output is not its levels' signal).
pub const IR_SYNTHESIS_TRANSPOSED: Control = Control::mutation(
    "ir_synthesis_transposed",
    "IR assembles its output with the Haar analysis matrix H instead of its inverse H^T",
);
/// One-shot is handed the exact conditional score instead of learning it (test leakage).
pub const ONE_SHOT_PEEKS: Control = Control::mutation(
    "one_shot_peeks",
    "one-shot samples with the exact conditional score instead of the one fitted to the training pairs",
);
/// The winner claimed to cut the loser's error to a third. (A factor of two was false only at
/// alpha = 0, N = 40, by 0.15 of the loser's KL, on a left-skewed sample whose deciding end the
/// skewness rule left open at one master seed in 20: a claim barely false, not a powered
/// control. A factor of three is false at both scarce points, by 0.7 and 0.3 of the loser's KL,
/// and decided at the first look at 20 of 20 seeds; theory/diffusion.md section 10.)
pub const THREE_TIMES_AS_GOOD: Control = Control::new(
    "three_times_as_good",
    "the winner's KL claimed at most a third of the loser's at every point",
);

/// Training sets where the conjecture says IR wins (scarce) and where one-shot wins.
const SCARCE: usize = 40;
const PLENTIFUL: usize = 2560;

/// The Gaussian multi-scale model of the experiment diffusion_ir_vs_one_shot_learned (1-D,
/// d = 16, four Haar levels, heterogeneous level variances), alpha = 0, 1, 2 (quick: the two
/// ends), N = 40 and 2560 training pairs.
fn ir_grid(s: Scale) -> Vec<Params> {
    let alphas: &[f64] = match s {
        Scale::Quick => &[0.0, 2.0],
        Scale::Full => &[0.0, 1.0, 2.0],
    };
    let mut out = Vec::new();
    for &alpha in alphas {
        for train in [SCARCE, PLENTIFUL] {
            out.push(
                Params::new()
                    .with("geom", "1d")
                    .with("L", 4usize)
                    .with("K", 1usize)
                    .with("hetero", 1.0)
                    .with("alpha", alpha)
                    .with("r0", 0usize)
                    .with("levels", 32usize)
                    .with("train", train),
            );
        }
    }
    out
}

/// Per replicate (a random model and a training set): the winner's KL minus the loser's,
/// IR the claimed winner at N = 40 and one-shot at N = 2560; the claim is E Z <= 0.
fn ir_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let cmp = IrComparison::from_params(p, 0.0)?;
    let train = p.usize_at_least("train", 2)?;
    let ir_fault = if v.is(IR_SYNTHESIS_TRANSPOSED) {
        BudgetFault::SynthesisTransposed
    } else {
        BudgetFault::None
    };
    let factor = if v.is(THREE_TIMES_AS_GOOD) { 3.0 } else { 1.0 };
    let scarce = train <= SCARCE;
    let samples = ctx.replicate("ir_vs_one_shot", |_, rng| {
        let ir = cmp.model(rng)?;
        let (t, _) = ir.joint.sample(train, rng);
        let a = cmp.ir(&ir, Scores::Fitted(t.view()), ir_fault)?;
        let one_shot_scores = if v.is(ONE_SHOT_PEEKS) {
            Scores::Exact
        } else {
            Scores::Fitted(t.view())
        };
        let b = cmp.one_shot(&ir, one_shot_scores)?;
        let (win, lose) = if scarce {
            (a.final_kl, b.final_kl)
        } else {
            (b.final_kl, a.final_kl)
        };
        Ok::<_, Error>(factor * win - lose)
    })?;
    Ok(Evidence::Mean {
        samples,
        target: Target::AtMost(0.0),
        support: Support::Unbounded,
    })
}
