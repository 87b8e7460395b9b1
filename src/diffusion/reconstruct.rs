//! Reconstructions of x_t from its coarse version x_t^{r0} and the previous state x_{t-1} on a
//! multi-scale mixture model, for a batch of draws at once, by diffusion sampling with exact
//! conditional scores (theory/diffusion.md sections 11 and 14): IR, level by level, each level's details given
//! (x_t^r, x_{t-1}^{r+1}) with x_t^r as sampled so far; one-shot, all details above r0 in one
//! run given (x_t^{r0}, x_{t-1}); and the exact posterior mean E[x_t | x_t^{r0}, x_{t-1}].
//! Everything is in Haar coordinates of the joint (c_{t-1}, c_t) (`IrModel`).
use super::{run, DiffusionError, NoisedScore, Sampler, SamplerFault, SigmaGrid};
use crate::multiscale::IrModel;
use crate::score::{ConditionalScore, ConditionalTarget, Noising};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// Where a reconstruction's block scores come from: the exact conditional mixture scores, or
/// a learned model per block (a `score::SharedRidge`, or any implementation), asked for the VE score of block `block` (IR:
/// the level's index from r0; one-shot: 0) given each row's conditioning values.
pub trait BlockScores: Sync {
    fn score(
        &self,
        block: usize,
        c: ArrayView2<f64>,
        y: ArrayView2<f64>,
        sigma: f64,
    ) -> Result<Array2<f64>, DiffusionError>;
}

/// A shared random-feature model (`score::fit_shared`) as block scores: block b is its task b.
impl BlockScores for crate::score::SharedRidge {
    fn score(
        &self,
        block: usize,
        c: ArrayView2<f64>,
        y: ArrayView2<f64>,
        sigma: f64,
    ) -> Result<Array2<f64>, DiffusionError> {
        Ok(self.at(block, Noising::ve(sigma)?)?.score(c, y)?)
    }
}

/// Block scores whose denoised estimate D = y + s^2 score is clipped to a box per block (the
/// training details' per-coordinate range), then read back as a score (D_clipped - y) / s^2:
/// improved-diffusion's `clip_denoised` (there to [-1, 1]) with the box taken from the data.
/// A learned score far from its training inputs can be large and of any sign; clipping
/// bounds what one step can do with it. The exact scores are never clipped.
pub struct ClippedBlocks<'a> {
    pub inner: &'a dyn BlockScores,
    /// per block, the lower and upper ends of each target coordinate
    pub boxes: Vec<(Array1<f64>, Array1<f64>)>,
}

impl ClippedBlocks<'_> {
    /// The box of each block's training targets `w` (rows), widened by `margin` of its range
    /// on both sides.
    pub fn boxes_of(ws: &[ArrayView2<f64>], margin: f64) -> Vec<(Array1<f64>, Array1<f64>)> {
        ws.iter()
            .map(|w| {
                let lo = w.fold_axis(Axis(0), f64::INFINITY, |a, &b| a.min(b));
                let hi = w.fold_axis(Axis(0), f64::NEG_INFINITY, |a, &b| a.max(b));
                let pad = (&hi - &lo) * margin;
                (&lo - &pad, &hi + &pad)
            })
            .collect()
    }
}

impl BlockScores for ClippedBlocks<'_> {
    fn score(
        &self,
        block: usize,
        c: ArrayView2<f64>,
        y: ArrayView2<f64>,
        sigma: f64,
    ) -> Result<Array2<f64>, DiffusionError> {
        let (lo, hi) = self.boxes.get(block).ok_or_else(|| {
            DiffusionError::Input(format!(
                "clipped scores: block {block} of {} boxes",
                self.boxes.len()
            ))
        })?;
        if lo.len() != y.ncols() {
            return Err(DiffusionError::Input(format!(
                "clipped scores: block {block}'s box has {} coordinates, the batch {}",
                lo.len(),
                y.ncols()
            )));
        }
        let s2 = sigma * sigma;
        let mut d = &y + &(self.inner.score(block, c, y, sigma)? * s2);
        for mut row in d.rows_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = v.clamp(lo[j], hi[j]);
            }
        }
        Ok((d - y) / s2)
    }
}

/// One block's score for a batch whose rows have different conditioning values (row i's score
/// is that of p(w | c_i) noised): exact from the target, or from a learned source.
struct ConditionalBatch<'a> {
    target: &'a ConditionalTarget,
    learned: Option<(&'a dyn BlockScores, usize)>,
    c: ArrayView2<'a, f64>,
}

impl NoisedScore for ConditionalBatch<'_> {
    fn dim(&self) -> usize {
        self.target.out_dim()
    }
    fn score(&self, y: ArrayView2<f64>, sigma: f64) -> Result<Array2<f64>, DiffusionError> {
        match self.learned {
            None => Ok(self.target.exact(Noising::ve(sigma)?)?.score(self.c, y)?),
            Some((src, block)) => {
                let out = src.score(block, self.c, y, sigma)?;
                if out.dim() != y.dim() {
                    return Err(DiffusionError::Input(format!(
                        "a learned block score of shape {:?} for a batch of shape {:?}",
                        out.dim(),
                        y.dim()
                    )));
                }
                Ok(out)
            }
        }
    }
}

/// The sampler a reconstruction runs: method, grid; row i's noise from stream (seed, stream,
/// level << 32 | i), its start N(0, sigma_0^2 I) from the same key's start stream.
#[derive(Debug, Clone)]
pub struct Reconstructor {
    pub sampler: Sampler,
    pub grid: SigmaGrid,
    pub seed: u64,
    pub stream: u64,
}

impl Reconstructor {
    /// Sample block `w` of every row of `rows` given the row's coordinates `cond`, and write it
    /// into the rows; `block` keys the streams; `learned` the score source and its block index
    /// (exact scores without).
    fn fill(
        &self,
        model: &IrModel,
        rows: &mut Array2<f64>,
        cond: &[usize],
        w: &[usize],
        block: u64,
        learned: Option<(&dyn BlockScores, usize)>,
    ) -> Result<(), DiffusionError> {
        let target = ConditionalTarget::new("block", &model.joint, cond, w)?;
        let c = rows.select(Axis(1), cond);
        let sigma0 = self.grid.sigmas()[0];
        let first = block << 32;
        let mut x0 = Array2::zeros((rows.nrows(), w.len()));
        for (i, mut r) in x0.rows_mut().into_iter().enumerate() {
            let mut rng = crate::mc::stream(self.seed, self.stream ^ (1 << 63), first + i as u64);
            r.mapv_inplace(|_| {
                let z: f64 = StandardNormal.sample(&mut rng);
                sigma0 * z
            });
        }
        let score = ConditionalBatch {
            target: &target,
            learned,
            c: c.view(),
        };
        let out = run(
            self.sampler,
            SamplerFault::None,
            &self.grid,
            &score,
            x0,
            self.seed,
            self.stream,
            first,
        )?;
        for (k, &j) in w.iter().enumerate() {
            rows.column_mut(j).assign(&out.column(k));
        }
        Ok(())
    }

    /// IR's reconstructions of c_t for every row of `z` (rows (c_{t-1}, c_t)): the coefficients
    /// up to r0 kept, then each level's details sampled given (x_t^r as sampled,
    /// x_{t-1}^{r+1}). Returns the rows (c_{t-1}, c_t) with c_t reconstructed.
    pub fn ir_rows(
        &self,
        model: &IrModel,
        z: ArrayView2<f64>,
        r0: usize,
    ) -> Result<Array2<f64>, DiffusionError> {
        self.ir_rows_with(model, z, r0, None)
    }

    /// `ir_rows` with each level's score from `learned` (block r - r0; its conditioning
    /// columns x_t^r then x_{t-1}^{r+1}), or exact without.
    pub fn ir_rows_with(
        &self,
        model: &IrModel,
        z: ArrayView2<f64>,
        r0: usize,
        learned: Option<&dyn BlockScores>,
    ) -> Result<Array2<f64>, DiffusionError> {
        let mut rows = z.to_owned();
        for r in r0..model.hier.levels() {
            let (mut u, w, prev, _) = model.sets(r)?;
            u.extend(prev);
            let src = learned.map(|l| (l, r - r0));
            self.fill(model, &mut rows, &u, &w, r as u64, src)?;
        }
        Ok(rows)
    }

    /// One-shot's reconstructions: every detail above r0 in one run given (x_t^{r0}, x_{t-1}).
    pub fn one_shot_rows(
        &self,
        model: &IrModel,
        z: ArrayView2<f64>,
        r0: usize,
    ) -> Result<Array2<f64>, DiffusionError> {
        self.one_shot_rows_with(model, z, r0, None)
    }

    /// `one_shot_rows` with the score from `learned` (block 0; its conditioning columns
    /// x_t^{r0} then x_{t-1}), or exact without.
    pub fn one_shot_rows_with(
        &self,
        model: &IrModel,
        z: ArrayView2<f64>,
        r0: usize,
        learned: Option<&dyn BlockScores>,
    ) -> Result<Array2<f64>, DiffusionError> {
        let mut rows = z.to_owned();
        let (u, w) = one_shot_sets(model, r0)?;
        self.fill(model, &mut rows, &u, &w, 1 << 20, learned.map(|l| (l, 0)))?;
        Ok(rows)
    }

    /// IR's reconstruction of one row's c_t.
    pub fn ir(
        &self,
        model: &IrModel,
        z: ArrayView1<f64>,
        r0: usize,
    ) -> Result<Array1<f64>, DiffusionError> {
        let rows = self.ir_rows(model, z.insert_axis(Axis(0)), r0)?;
        Ok(current_of_first(&rows, model))
    }

    /// One-shot's reconstruction of one row's c_t.
    pub fn one_shot(
        &self,
        model: &IrModel,
        z: ArrayView1<f64>,
        r0: usize,
    ) -> Result<Array1<f64>, DiffusionError> {
        let rows = self.one_shot_rows(model, z.insert_axis(Axis(0)), r0)?;
        Ok(current_of_first(&rows, model))
    }
}

/// The first row's c_t (its second half).
fn current_of_first(rows: &Array2<f64>, model: &IrModel) -> Array1<f64> {
    rows.slice(ndarray::s![0, model.dim()..]).to_owned()
}

/// One-shot's conditioning set (x_t^{r0}, x_{t-1}) and block (every detail above r0).
fn one_shot_sets(model: &IrModel, r0: usize) -> Result<(Vec<usize>, Vec<usize>), DiffusionError> {
    let (mut u, full, w) = model.one_shot_sets(r0)?;
    u.extend(full);
    Ok((u, w))
}

/// E[c_t | x_t^{r0}, x_{t-1}] at the draw `z`.
pub fn posterior_mean(
    model: &IrModel,
    z: ArrayView1<f64>,
    r0: usize,
) -> Result<Array1<f64>, DiffusionError> {
    let (u, w) = one_shot_sets(model, r0)?;
    let m = model
        .joint
        .conditioner(&u, &w)?
        .at(z.select(Axis(0), &u).view())?
        .mean();
    let d = model.dim();
    let mut row = z.to_owned();
    for (k, &i) in w.iter().enumerate() {
        row[i] = m[k];
    }
    Ok(row.slice(ndarray::s![d..]).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multiscale::ModelSpec;
    use crate::params::Params;

    fn model() -> IrModel {
        let p = Params::new()
            .with("geom", "1d")
            .with("L", 3usize)
            .with("K", 2usize)
            .with("sep", 8.0)
            .with("h", 0.9);
        let spec = ModelSpec::from_params(&p).unwrap();
        let (hier, g, dynm) = spec.build(&mut crate::mc::stream(1, 0, 0)).unwrap();
        IrModel::new(hier, &g, &dynm).unwrap()
    }

    /// A learned source equal to the exact scores reproduces the exact reconstructions bit for
    /// bit (the learned path adds nothing of its own); clipping leaves a denoised estimate
    /// inside its box unchanged and pulls one outside back to the box's face; a block without
    /// a box and a learned score of the wrong shape are refused.
    #[test]
    fn learned_blocks_and_clipping() {
        struct Exact<'a>(&'a IrModel);
        impl BlockScores for Exact<'_> {
            fn score(
                &self,
                block: usize,
                c: ArrayView2<f64>,
                y: ArrayView2<f64>,
                sigma: f64,
            ) -> Result<Array2<f64>, DiffusionError> {
                let (mut u, w, prev, _) = self.0.sets(block)?;
                u.extend(prev);
                let t = ConditionalTarget::new("b", &self.0.joint, &u, &w)?;
                Ok(t.exact(Noising::ve(sigma)?)?.score(c, y)?)
            }
        }
        let m = model();
        let (z, _) = m.joint.sample(20, &mut crate::mc::stream(4, 0, 0));
        let rc = Reconstructor {
            sampler: Sampler::EulerMaruyama,
            grid: SigmaGrid::karras(16, 0.002, 80.0, 7.0).unwrap(),
            seed: 9,
            stream: 2,
        };
        let exact = rc.ir_rows(&m, z.view(), 0).unwrap();
        let via = rc.ir_rows_with(&m, z.view(), 0, Some(&Exact(&m))).unwrap();
        assert_eq!(exact, via);
        // clipping: a constant score -y / s^2 denoises to 0, inside [-1, 1] and outside [1, 2]
        struct Zero;
        impl BlockScores for Zero {
            fn score(
                &self,
                _: usize,
                _: ArrayView2<f64>,
                y: ArrayView2<f64>,
                sigma: f64,
            ) -> Result<Array2<f64>, DiffusionError> {
                Ok(y.mapv(|v| -v / (sigma * sigma)))
            }
        }
        let y = ndarray::array![[0.5, -3.0]];
        let c = Array2::zeros((1, 1));
        let inside = ClippedBlocks {
            inner: &Zero,
            boxes: vec![(ndarray::array![-1.0, -1.0], ndarray::array![1.0, 1.0])],
        };
        let a = inside.score(0, c.view(), y.view(), 0.5).unwrap();
        let b = Zero.score(0, c.view(), y.view(), 0.5).unwrap();
        assert!((&a - &b).iter().all(|v| v.abs() < 1e-12), "{a} {b}");
        let outside = ClippedBlocks {
            inner: &Zero,
            boxes: ClippedBlocks::boxes_of(&[ndarray::array![[1.0, 1.0], [2.0, 2.0]].view()], 0.0),
        };
        let s = outside.score(0, c.view(), y.view(), 0.5).unwrap();
        // D = y + s^2 score = (1, 1) after clipping: score = (D - y) / s^2
        assert!(
            (s[[0, 0]] - 2.0).abs() < 1e-12 && (s[[0, 1]] - 16.0).abs() < 1e-12,
            "{s}"
        );
        assert!(outside.score(1, c.view(), y.view(), 0.5).is_err());
        struct Wrong;
        impl BlockScores for Wrong {
            fn score(
                &self,
                _: usize,
                _: ArrayView2<f64>,
                _: ArrayView2<f64>,
                _: f64,
            ) -> Result<Array2<f64>, DiffusionError> {
                Ok(Array2::zeros((1, 1)))
            }
        }
        assert!(rc.ir_rows_with(&m, z.view(), 0, Some(&Wrong)).is_err());
    }

    /// The reconstructions keep what is given (x_t^{r0}), and over many draws with a fine grid
    /// the one-shot samples' mean approaches the exact posterior mean.
    #[test]
    fn reconstructions_keep_the_observation_and_one_shot_centres_on_the_posterior_mean() {
        let ir = model();
        let (z, _) = ir.joint.sample(1, &mut crate::mc::stream(9, 0, 0));
        let z = z.row(0);
        let d = ir.dim();
        let r0 = 1;
        let n0 = ir.hier.coarse_dim(r0);
        let grid = SigmaGrid::karras(64, 0.002, 80.0, 7.0).unwrap();
        let mean = posterior_mean(&ir, z, r0).unwrap();
        let mut acc = Array1::<f64>::zeros(d);
        let reps = 400;
        for s in 0..reps {
            let rc = Reconstructor {
                sampler: Sampler::EulerMaruyama,
                grid: grid.clone(),
                seed: 3,
                stream: s,
            };
            let a = rc.ir(&ir, z, r0).unwrap();
            let b = rc.one_shot(&ir, z, r0).unwrap();
            for k in 0..n0 {
                assert_eq!(a[k], z[d + k]);
                assert_eq!(b[k], z[d + k]);
            }
            acc += &b;
        }
        acc /= reps as f64;
        // the posterior's standard deviation per coefficient is at most the dynamics' noise
        // q = 0.3 (the Haar transform is orthonormal), so a mean of 400 draws is within four
        // standard errors, 4 * 0.3 / 20 = 0.06, of the sampler's mean; 64 Euler-Maruyama
        // levels move the mean by far less (measured: 0.021 in all at this seed)
        let worst = (&acc - &mean).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(worst < 0.06, "{worst}: {acc} vs {mean}");
    }
}
