//! Family `diffusion`, topic `truncation`: what IR's conditioning set costs with exact scores
//! sampled exactly, on mixtures, by Monte Carlo with the exact conditional densities
//! (theory/diffusion.md section 10).
//!
//! IR samples level r's details given (x_t^r, x_{t-1}^{r+1}); the target law given the whole
//! past is p(x_t | x_t^{r0}, x_{t-1}) = prod_r p(w_t^{r+1} | x_t^r, x_{t-1}). With exact
//! conditionals sampled exactly, IR's KL is the sum over levels of the conditional mutual
//! informations its sets leave out, E[log p(w | x_t^r, x_{t-1}) - log p(w | x_t^r,
//! x_{t-1}^{r+1})], each term a log-ratio of two exact mixture conditionals at a draw.
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Support};
use crate::diffusion::budget::gaussian_budget;
use crate::diffusion::reconstruct::{BlockScores, ClippedBlocks};
use crate::experiment::{Metrics, Replicate};
use crate::score::{
    fit_shared, ConditionalTarget, LevelPairs, SharedFault, SharedPlan, SharedRidge,
};
use crate::stats::Target;

/// Draws per replicate: each replicate is the mean log-ratio over this many draws.
const BATCH: usize = 4000;

/// Why a replicate is treated as near normal.
const BATCH_MEAN: &str =
    "each replicate is the mean of 4000 independent draws' log-ratios of exact conditional densities";

/// The past read one resolution too coarse: x_{t-1}^r in IR's set instead of x_{t-1}^{r+1}.
pub const PAST_ONE_LEVEL_COARSER: Control = Control::mutation(
    "past_one_level_coarser",
    "IR's conditioning set built with the previous state at the level's own resolution x_{t-1}^r instead of x_{t-1}^{r+1} (an off-by-one in the resolution index)",
);

/// The model of a parameter set (multiscale parameters; the mixture drawn from `model_seed`,
/// default 1), the level r0 IR starts from (default 0), and the same model with the prior
/// replaced by the Gaussian with its mean and covariance (`moment_matched`).
fn model_and_r0(p: &Params, moment_matched: bool) -> Result<(IrModel, usize), Error> {
    let spec = ModelSpec::from_params(p)?;
    let r0 = spec.level_below_l(p, "r0", 0)?;
    let (hier, g, dynm) = spec.build_seeded(p)?;
    let prior = if moment_matched {
        Gmm::gaussian(g.mean(), g.covariance())?
    } else {
        g
    };
    Ok((IrModel::new(hier, &prior, &dynm)?, r0))
}

/// The mean over `BATCH` draws of the per-level log-ratios (one value per level r0..L-1).
fn batch_levels(ir: &IrModel, r0: usize, coarser: bool, rng: &mut Rng) -> Result<Vec<f64>, Error> {
    let (z, _) = ir.joint.sample(BATCH, rng);
    let lr = ir.truncation_log_ratios(r0, z.view(), coarser)?;
    Ok(lr
        .mean_axis(ndarray::Axis(0))
        .map_or_else(Vec::new, |m| m.to_vec()))
}

/// The closed-form truncation of the Gaussian model `ir` (sum over IR's detail levels from r0).
fn gaussian_truncation(ir: &IrModel, r0: usize) -> Result<f64, Error> {
    let b = gaussian_budget(
        ir,
        Scheme::Ir { from: Some(r0) },
        &em_sampler(8, 0.0)?,
        BudgetFault::None,
    )?;
    Ok(b.levels.iter().map(|l| l.truncation).sum())
}

pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let (ir, r0) = model_and_r0(p, false)?;
    let (gauss, _) = model_and_r0(p, true)?;
    let reference = gaussian_truncation(&gauss, r0)?;
    Ok(Box::new(move |rng, _common| {
        let levels = batch_levels(&ir, r0, false, rng)?;
        let total: f64 = levels.iter().sum();
        let mut m: Metrics = vec![
            ("truncation".into(), total),
            ("gaussian".into(), reference),
            ("over_gaussian".into(), total / reference),
        ];
        for (i, v) in levels.iter().enumerate() {
            m.push((format!("level_{}", r0 + i), *v));
        }
        Ok(m)
    }))
}

/// Gaussian models (K = 1): 1-D d = 8 (L = 3) and 2-D 4 x 4 (L = 2), the level variances'
/// decay alpha = 0 and 2 (full: also alpha = 1 and 1-D d = 16).
fn gaussian_grid(s: Scale) -> Vec<Params> {
    let mut shapes = vec![("1d", 3usize), ("2d", 2)];
    let mut alphas = vec![0.0, 2.0];
    if s == Scale::Full {
        shapes.push(("1d", 4));
        alphas.insert(1, 1.0);
    }
    let mut out = Vec::new();
    for (geom, l) in shapes {
        for &alpha in &alphas {
            out.push(
                Params::new()
                    .with("geom", geom)
                    .with("L", l)
                    .with("K", 1usize)
                    .with("alpha", alpha),
            );
        }
    }
    out
}

/// The Monte Carlo truncation against its closed form on Gaussian models: the estimator the
/// mixture measurements use, checked where an independent route exists.
fn gaussian_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let (ir, r0) = model_and_r0(p, false)?;
    let exact = gaussian_truncation(&ir, r0)?;
    let coarser = v.is(PAST_ONE_LEVEL_COARSER);
    let z = ctx.replicate("truncation", |_, rng| {
        Ok::<f64, Error>(batch_levels(&ir, r0, coarser, rng)?.iter().sum())
    })?;
    Ok(Evidence::Mean {
        samples: z,
        target: Target::Within {
            value: exact,
            margin: MARGIN * exact,
        },
        support: Support::Gaussian { why: BATCH_MEAN },
    })
}

/// The equality's margin, relative to the closed form.
const MARGIN: f64 = 0.05;

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "diffusion.truncation",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "on a Gaussian multi-scale model, the Monte Carlo estimate of IR's truncation (the mean over draws of sum_r [log p(w_t^{r+1} | x_t^r, x_{t-1}) - log p(w_t^{r+1} | x_t^r, x_{t-1}^{r+1})], exact conditional densities) equals the closed-form sum of the levels' conditional mutual informations, within 5% of it",
        source: "KL chain rule over the Haar bijection; the closed form of theory/diffusion.md section 6 (LevelShare::truncation); section 10",
        replicates: 16,
        grid: gaussian_grid,
        check: gaussian_check,
        controls: &[PAST_ONE_LEVEL_COARSER],
    },
];

/// The noise levels a learned block score is trained at: 10 geometric levels over the
/// samplers' range [SIGMA_MIN, SIGMA_MAX] (the model reads ln s, so the grid's levels between
/// them are interpolated).
fn training_sigmas() -> Vec<f64> {
    let k = 10;
    (0..k)
        .map(|i| SIGMA_MIN * (SIGMA_MAX / SIGMA_MIN).powf(i as f64 / (k - 1) as f64))
        .collect()
}

/// One block's training task from the pairs `train` (rows (c_{t-1}, c_t)): its details `out`
/// given the conditioning blocks `given` (x_t's coarse block, then x_{t-1}'s), at `level`.
fn block_task(
    ir: &IrModel,
    name: &str,
    given: [Vec<usize>; 2],
    out: &[usize],
    level: usize,
    train: ndarray::ArrayView2<f64>,
) -> Result<LevelPairs, Error> {
    let blocks = given.iter().map(Vec::len).collect();
    let cond = given.concat();
    let t = ConditionalTarget::new(name, &ir.joint, &cond, out)?;
    Ok(LevelPairs {
        pairs: t.pairs_from(train),
        blocks,
        level,
        time: None,
    })
}

/// A model fitted to `tasks` over the training noise levels with the standard plan.
fn fit_blocks(tasks: &[LevelPairs], rng: &mut Rng) -> Result<SharedRidge, Error> {
    let plan = SharedPlan::standard(SharedFault::None);
    Ok(fit_shared(tasks, &training_sigmas(), &plan, rng)?)
}

/// IR's block scores learned from N pairs `train`: one shared random-feature model over IR's
/// levels, each a task (conditioning x_t^r then x_{t-1}^{r+1}; theory/diffusion.md section 16).
fn learned_ir_scores(
    ir: &IrModel,
    r0: usize,
    train: ndarray::ArrayView2<f64>,
    rng: &mut Rng,
) -> Result<SharedRidge, Error> {
    let mut tasks = Vec::new();
    for r in r0..ir.hier.levels() {
        let (u, w, prev, _) = ir.sets(r)?;
        tasks.push(block_task(
            ir,
            &format!("level {r}"),
            [u, prev],
            &w,
            r - r0,
            train,
        )?);
    }
    fit_blocks(&tasks, rng)
}

/// One-shot's block score learned from the same pairs: one model of its single block
/// (conditioning x_t^{r0} then x_{t-1}).
fn learned_one_shot_scores(
    ir: &IrModel,
    r0: usize,
    train: ndarray::ArrayView2<f64>,
    rng: &mut Rng,
) -> Result<SharedRidge, Error> {
    let (coarse, full, out) = ir.one_shot_sets(r0)?;
    let task = block_task(ir, "one-shot", [coarse, full], &out, 0, train)?;
    fit_blocks(&[task], rng)
}

/// IR's learned block scores with their denoised estimates clipped to the training details'
/// box, widened by a tenth of its range (`ClippedBlocks`).
fn clipped_ir<'a>(
    ir: &IrModel,
    r0: usize,
    train: ndarray::ArrayView2<f64>,
    model: &'a SharedRidge,
) -> Result<ClippedBlocks<'a>, Error> {
    let mut ws = Vec::new();
    for r in r0..ir.hier.levels() {
        ws.push(train.select(ndarray::Axis(1), &ir.sets(r)?.1));
    }
    let views: Vec<_> = ws.iter().map(|w| w.view()).collect();
    Ok(ClippedBlocks {
        inner: model,
        boxes: ClippedBlocks::boxes_of(&views, CLIP_MARGIN),
    })
}

/// One-shot's learned block score, clipped the same way.
fn clipped_one_shot<'a>(
    ir: &IrModel,
    r0: usize,
    train: ndarray::ArrayView2<f64>,
    model: &'a SharedRidge,
) -> Result<ClippedBlocks<'a>, Error> {
    let os = train.select(ndarray::Axis(1), &ir.one_shot_sets(r0)?.2);
    Ok(ClippedBlocks {
        inner: model,
        boxes: ClippedBlocks::boxes_of(&[os.view()], CLIP_MARGIN),
    })
}

/// How far past the training details' range a clipped denoised estimate may go, as a
/// fraction of the range.
const CLIP_MARGIN: f64 = 0.1;

/// Where a sampled comparison's block scores come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum BlockSource {
    /// the exact conditional mixture scores
    Exact,
    /// learned from `n` training pairs drawn per replicate (theory/diffusion.md section 16);
    /// `clip`: the denoised estimates clipped to the training box; `ir_exact`: IR handed the
    /// exact scores instead of its learned ones (the entry's leakage mutation)
    Learned {
        n: usize,
        clip: bool,
        ir_exact: bool,
    },
}

impl BlockSource {
    /// The measure's `scores` parameter (with `N` for the learned ones).
    fn from_params(p: &Params) -> Result<BlockSource, Error> {
        Ok(match p.str_or("scores", "exact")? {
            "exact" => BlockSource::Exact,
            "learned" | "learned_unclipped" => BlockSource::Learned {
                n: p.usize_at_least("N", 10)?,
                clip: p.str("scores")? == "learned",
                ir_exact: false,
            },
            other => {
                return Err(crate::params::unknown_choice(
                    "scores",
                    other,
                    &["exact", "learned", "learned_unclipped"],
                )
                .into())
            }
        })
    }
}

/// IR against one-shot with the samplers run on the mixture model (theory/diffusion.md
/// sections 14 and 16): per run, `samples` draws of (x_{t-1}, x_t), each x_t reconstructed from
/// x_t^{r0} and x_{t-1} by both schemes (Euler-Maruyama, `levels` noise levels per IR level;
/// one-shot as many in its one run as IR in all: equal score evaluations). The error of a
/// reconstruction is the cross-entropy of its details under the exact target p(details |
/// x_t^{r0}, x_{t-1}) minus the target's entropy, estimated as the mean of -log p over the
/// reconstructions minus its mean over exact draws (every density exact).
pub(super) struct SampledComparison {
    ir: IrModel,
    r0: usize,
    samples: usize,
    ir_grid: SigmaGrid,
    os_grid: SigmaGrid,
}

impl SampledComparison {
    /// The model of a parameter set, with `levels` (default 32) and `samples` (default 1000).
    pub(super) fn from_params(p: &Params) -> Result<SampledComparison, Error> {
        let (ir, r0) = model_and_r0(p, false)?;
        let levels = p.usize_at_least_or("levels", 2, 32)?;
        let samples = p.usize_at_least_or("samples", 10, 1000)?;
        let blocks = ir.hier.levels() - r0;
        Ok(SampledComparison {
            ir_grid: SigmaGrid::karras(levels, SIGMA_MIN, SIGMA_MAX, RHO)?,
            os_grid: SigmaGrid::karras(levels * blocks, SIGMA_MIN, SIGMA_MAX, RHO)?,
            ir,
            r0,
            samples,
        })
    }

    /// One run's cross-entropy excesses (IR, one-shot), in nats.
    pub(super) fn excesses(&self, source: BlockSource, rng: &mut Rng) -> Result<(f64, f64), Error> {
        use rand::Rng as _;
        let (ir, r0) = (&self.ir, self.r0);
        let (seed, stream) = (rng.random::<u64>(), rng.random::<u64>());
        let (z, _) = ir.joint.sample(self.samples, rng);
        let rc = |grid: &SigmaGrid| crate::diffusion::reconstruct::Reconstructor {
            sampler: Sampler::EulerMaruyama,
            grid: grid.clone(),
            seed,
            stream,
        };
        let (a, b) = match source {
            BlockSource::Exact => (
                rc(&self.ir_grid).ir_rows(ir, z.view(), r0)?,
                rc(&self.os_grid).one_shot_rows(ir, z.view(), r0)?,
            ),
            BlockSource::Learned { n, clip, ir_exact } => {
                let (train, _) = ir.joint.sample(n, rng);
                // the leaking IR reads the exact scores and fits nothing
                let a = if ir_exact {
                    rc(&self.ir_grid).ir_rows(ir, z.view(), r0)?
                } else {
                    let m = learned_ir_scores(ir, r0, train.view(), rng)?;
                    let c = clipped_ir(ir, r0, train.view(), &m)?;
                    let s: &dyn BlockScores = if clip { &c } else { &m };
                    rc(&self.ir_grid).ir_rows_with(ir, z.view(), r0, Some(s))?
                };
                let m = learned_one_shot_scores(ir, r0, train.view(), rng)?;
                let c = clipped_one_shot(ir, r0, train.view(), &m)?;
                let s: &dyn BlockScores = if clip { &c } else { &m };
                (
                    a,
                    rc(&self.os_grid).one_shot_rows_with(ir, z.view(), r0, Some(s))?,
                )
            }
        };
        let nll = |x: &Array2<f64>| -> Result<f64, Error> {
            Ok(-ir
                .details_log_density(r0, x.view())?
                .mean()
                .unwrap_or(f64::NAN))
        };
        let entropy = nll(&z)?;
        Ok((nll(&a)? - entropy, nll(&b)? - entropy))
    }
}

pub(super) fn prepare_sampled_measure(p: &Params) -> Result<Replicate, Error> {
    let cmp = SampledComparison::from_params(p)?;
    let source = BlockSource::from_params(p)?;
    let truncation = monte_carlo_truncation(&cmp.ir, cmp.r0)?;
    Ok(Box::new(move |rng, _common| {
        let (ca, cb) = cmp.excesses(source, rng)?;
        let m: Metrics = vec![
            ("ir".into(), ca),
            ("one_shot".into(), cb),
            ("ir_minus_one_shot".into(), ca - cb),
            ("truncation".into(), truncation),
        ];
        Ok(m)
    }))
}

/// The truncation of the model by Monte Carlo (8 batches), for the sampled measure's reference.
fn monte_carlo_truncation(ir: &IrModel, r0: usize) -> Result<f64, Error> {
    let mut rng = crate::mc::stream(0x7275, 0, 0);
    let mut acc = 0.0;
    for _ in 0..8 {
        acc += batch_levels(ir, r0, false, &mut rng)?.iter().sum::<f64>();
    }
    Ok(acc / 8.0)
}
