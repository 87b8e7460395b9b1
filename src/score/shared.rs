//! One random-feature score model serving every IR level and every noise level
//! (theory/score.md section 14).
//!
//! The notes write IR's conditional score as one network s_theta(x^{r+1}, x^r, x_{t-1}^{r+1},
//! phi(r), psi(t)). Here the network is random Fourier features of one input row per (level,
//! noise level, pair): the conditioning blocks zero-padded to their largest size over the
//! levels (Haar coefficients are nested, so a block is "the coefficients known so far, zero
//! for the rest"), the noisy details zero-padded the same way, a resolution embedding phi(r)
//! (one-hot over the levels) and the noise level's logarithm. The output is the noise
//! prediction e(u) ~ E[-z | u] (the score times s), fitted by least squares on the pooled
//! rows: its loss s^2 ||score - t||^2 is the denoising loss with the metric's weights s^2.
//! Output column j is fitted only on the rows of the levels that have a j-th detail (masked
//! least squares: one Gram per level, summed over the levels a column belongs to).
//! When the dynamics drift, the conditionals change with the time step t, and each task (a
//! level at a time) also carries t: the time embedding psi(t), one standardised column, the
//! kernel then sharing strength between nearby steps as it does between noise levels
//! (theory/score.md section 15). Time-homogeneous fits have no such column.
use super::conditional::{features_for, standardiser, ConditionalScore, NoisedPairs, Pairs};
use super::{check_dim, ridge_solve, Noising, RandomFeatures, ScoreError};
use crate::mc::Rng;
use ndarray::{s, Array1, Array2, ArrayView2};

/// A mistake in the shared model (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SharedFault {
    #[default]
    None,
    /// The noise level's input dropped (its column's scale set to 0): one noise prediction
    /// for every noise level.
    NoiseLevelDropped,
    /// The resolution embedding dropped: the levels are told apart only by their padding.
    ResolutionDropped,
    /// The time embedding dropped (its column's scale set to 0): one prediction for every
    /// time step, as if the dynamics did not drift.
    TimeDropped,
}

/// The grids the held-out selection searches and the held-out fraction of the trajectories.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedPlan {
    pub l_over_sqrt_dim: Vec<f64>,
    /// weights of the standardised embedding columns (resolution and noise level) relative to
    /// the data columns: the kernel's resolution between levels and noise levels, which a
    /// network learns in its embedding and a fixed kernel must be given
    pub embedding_gains: Vec<f64>,
    pub lambdas: Vec<f64>,
    pub holdout: f64,
    pub fault: SharedFault,
}

impl SharedPlan {
    /// The grids every shared fit here uses: length scales {1/2, 1, 2} sqrt(D) of the padded
    /// input's width D, embedding gains {1, 3, 10}, penalties {1e-5, ..., 1e-2}, chosen on a
    /// held-out fifth of the trajectories (theory/score.md section 14).
    pub fn standard(fault: SharedFault) -> SharedPlan {
        SharedPlan {
            l_over_sqrt_dim: vec![0.5, 1.0, 2.0],
            embedding_gains: vec![1.0, 3.0, 10.0],
            lambdas: vec![1e-5, 1e-4, 1e-3, 1e-2],
            holdout: 0.2,
            fault,
        }
    }
}

/// One task's training pairs: a level's (at one time step, when the model is timed), the sizes
/// of the blocks its conditioning vector is made of (for IR: x_t^r, then x_{t-1}^{r+1} when
/// the past is conditioned on), the level (its resolution embedding) and the time step (its
/// time embedding; `None` in a time-homogeneous fit, where every task has none).
#[derive(Debug, Clone)]
pub struct LevelPairs {
    pub pairs: Pairs,
    pub blocks: Vec<usize>,
    pub level: usize,
    pub time: Option<f64>,
}

/// One task's shape: its conditioning block sizes, its number of target coordinates, its level
/// and its time step.
#[derive(Debug, Clone, PartialEq)]
struct Task {
    blocks: Vec<usize>,
    out: usize,
    level: usize,
    time: Option<f64>,
}

/// Where each task's blocks go in the padded input row: the conditioning blocks, the noisy
/// details, then the embeddings (one-hot level, ln s, and the time step when timed).
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    /// per task, its conditioning block sizes
    blocks: Vec<Vec<usize>>,
    /// per task, its number of target coordinates
    out: Vec<usize>,
    /// per task, its level (the one-hot column it sets)
    level: Vec<usize>,
    /// per task, its time step (all `None` in a time-homogeneous fit)
    time: Vec<Option<f64>>,
    /// the padded size of each conditioning block
    block_max: Vec<usize>,
    q_max: usize,
    /// per task, the mean variance of its clean target coordinates: the noisy details enter
    /// scaled by 1 / sqrt(s^2 + var) (EDM's input preconditioning), so the kernel sees them
    /// at one scale whatever the noise level
    data_var: Vec<f64>,
}

impl Layout {
    fn new(tasks: &[Task]) -> Result<Layout, ScoreError> {
        let nb = tasks.first().map_or(0, |l| l.blocks.len());
        if tasks.is_empty() || tasks.iter().any(|l| l.blocks.len() != nb) {
            return Err(ScoreError::Input(
                "shared model: every level needs the same number of conditioning blocks".into(),
            ));
        }
        let timed = tasks[0].time.is_some();
        if let Some(t) = tasks.iter().find(|t| t.time.is_some() != timed) {
            return Err(ScoreError::Input(format!(
                "shared model: level {} {} a time step where the first task {}: give every task one or none",
                t.level,
                if timed { "lacks" } else { "has" },
                if timed { "has one" } else { "has none" }
            )));
        }
        if let Some(t) = tasks
            .iter()
            .find(|t| t.time.is_some_and(|x| !x.is_finite()))
        {
            return Err(ScoreError::Input(format!(
                "shared model: level {} has a non-finite time step",
                t.level
            )));
        }
        let block_max = (0..nb)
            .map(|j| tasks.iter().map(|l| l.blocks[j]).max().unwrap_or(0))
            .collect();
        let q_max = tasks.iter().map(|l| l.out).max().unwrap_or(0);
        Ok(Layout {
            blocks: tasks.iter().map(|l| l.blocks.clone()).collect(),
            out: tasks.iter().map(|l| l.out).collect(),
            level: tasks.iter().map(|l| l.level).collect(),
            time: tasks.iter().map(|l| l.time).collect(),
            block_max,
            q_max,
            data_var: vec![0.0; tasks.len()],
        })
    }

    fn tasks(&self) -> usize {
        self.out.len()
    }

    /// The number of levels the one-hot embedding spans.
    fn levels(&self) -> usize {
        self.level.iter().max().map_or(0, |m| m + 1)
    }

    fn timed(&self) -> bool {
        self.time.first().is_some_and(|t| t.is_some())
    }

    /// The embedding columns: one-hot level, ln s, and the time step when timed.
    fn embeddings(&self) -> usize {
        self.levels() + 1 + usize::from(self.timed())
    }

    /// The first embedding column.
    fn embedding_start(&self) -> usize {
        self.block_max.iter().sum::<usize>() + self.q_max
    }

    fn width(&self) -> usize {
        self.embedding_start() + self.embeddings()
    }

    /// The raw (unstandardised) input rows of task r at noise level s.
    fn rows(
        &self,
        r: usize,
        s: f64,
        c: ArrayView2<f64>,
        y: ArrayView2<f64>,
    ) -> Result<Array2<f64>, ScoreError> {
        let p: usize = self.blocks[r].iter().sum();
        check_dim(c, p, "the conditioning variables")?;
        check_dim(y, self.out[r], "the noised target")?;
        let mut u = Array2::zeros((c.nrows(), self.width()));
        let (mut from, mut to) = (0, 0);
        for (j, &b) in self.blocks[r].iter().enumerate() {
            u.slice_mut(s![.., to..to + b])
                .assign(&c.slice(s![.., from..from + b]));
            from += b;
            to += self.block_max[j];
        }
        let c_in = 1.0 / (s * s + self.data_var[r]).sqrt();
        u.slice_mut(s![.., to..to + self.out[r]])
            .assign(&(&y * c_in));
        to += self.q_max;
        u.column_mut(to + self.level[r]).fill(1.0);
        u.column_mut(to + self.levels()).fill(s.ln());
        if let Some(t) = self.time[r] {
            u.column_mut(to + self.levels() + 1).fill(t);
        }
        Ok(u)
    }
}

/// The fitted shared model.
pub struct SharedRidge {
    layout: Layout,
    centre: Array1<f64>,
    inv_sd: Array1<f64>,
    features: RandomFeatures,
    w: Array2<f64>,
    /// the chosen length scale and penalty
    pub chosen: (f64, f64),
}

/// The shared model read as one task's conditional score at one noising.
pub struct SharedView<'a> {
    model: &'a SharedRidge,
    task: usize,
    noising: Noising,
}

impl SharedRidge {
    /// The tasks it was fitted to, in the order given (the levels, or the levels at each time
    /// step).
    pub fn tasks(&self) -> usize {
        self.layout.tasks()
    }

    /// Task r's score (the r-th `LevelPairs` of the fit) at the noising y = a w + s z.
    pub fn at(&self, task: usize, noising: Noising) -> Result<SharedView<'_>, ScoreError> {
        if task >= self.tasks() {
            return Err(ScoreError::Input(format!(
                "shared model: level {task} asked of a model of {} levels",
                self.tasks()
            )));
        }
        Ok(SharedView {
            model: self,
            task,
            noising,
        })
    }
}

impl ConditionalScore for SharedView<'_> {
    fn score(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        let m = self.model;
        let u = (m.layout.rows(self.task, self.noising.s, c, y)? - &m.centre) * &m.inv_sd;
        let e = m.features.predict(u.view(), &m.w)?;
        let q = m.layout.out[self.task];
        Ok(e.slice(s![.., ..q]).mapv(|v| v / self.noising.s))
    }
}

/// Per level and length scale, the products a fit needs: the fit part's Gram and right-hand
/// side, and the held-out part's features and noise targets.
struct LevelProducts {
    gram: Array2<f64>,
    rhs: Array2<f64>,
    phi_eval: Array2<f64>,
    t_eval: Array2<f64>,
}

/// Solve the masked least squares: column j from the Grams of the levels that have a j-th
/// target coordinate (`mask[r][j]`).
fn solve_masked(
    prods: &[LevelProducts],
    out: &[usize],
    q_max: usize,
    pen: f64,
    extra: Option<&[LevelProducts]>,
) -> Result<Array2<f64>, ScoreError> {
    let m = prods[0].gram.nrows();
    let mut w = Array2::zeros((m, q_max));
    let mut j = 0;
    while j < q_max {
        // the columns with the same set of levels: up to the next level's size
        let end = out
            .iter()
            .copied()
            .filter(|&q| q > j)
            .min()
            .unwrap_or(q_max);
        let mut gram = Array2::<f64>::zeros((m, m));
        let mut rhs = Array2::<f64>::zeros((m, end - j));
        for (r, pr) in prods.iter().enumerate() {
            if out[r] > j {
                gram += &pr.gram;
                rhs += &pr.rhs.slice(s![.., j..end]);
                if let Some(ex) = extra {
                    crate::linalg::add_gram(ex[r].phi_eval.view(), &mut gram);
                    rhs += &ex[r].phi_eval.t().dot(&ex[r].t_eval.slice(s![.., j..end]));
                }
            }
        }
        w.slice_mut(s![.., j..end])
            .assign(&ridge_solve(&gram, &rhs, pen)?);
        j = end;
    }
    Ok(w)
}

/// Fit the shared model to the levels' training pairs (the same N trajectories at every level)
/// over the noise levels `sigmas` (VE): one noisy copy of every pair per noise level, a
/// held-out last `holdout` fraction of the trajectories choosing the length scale and penalty
/// by the pooled denoising loss (weights s^2), and the refit on all trajectories at the best.
/// The features number `features_for` the pooled rows.
pub fn fit_shared(
    levels: &[LevelPairs],
    sigmas: &[f64],
    plan: &SharedPlan,
    rng: &mut Rng,
) -> Result<SharedRidge, ScoreError> {
    if plan.l_over_sqrt_dim.is_empty()
        || plan.embedding_gains.is_empty()
        || plan.lambdas.is_empty()
        || sigmas.is_empty()
    {
        return Err(ScoreError::Input(
            "shared model: an empty length-scale, penalty or noise-level grid".into(),
        ));
    }
    if !(plan.holdout > 0.0 && plan.holdout < 1.0) {
        return Err(ScoreError::Input(format!(
            "held-out fraction {}: must lie in (0, 1)",
            plan.holdout
        )));
    }
    let mut layout = Layout::new(
        &levels
            .iter()
            .map(|l| Task {
                blocks: l.blocks.clone(),
                out: l.pairs.w.ncols(),
                level: l.level,
                time: l.time,
            })
            .collect::<Vec<_>>(),
    )?;
    let n = levels[0].pairs.len();
    if n < 2 || levels.iter().any(|l| l.pairs.len() != n) {
        return Err(ScoreError::Input(
            "shared model: every level needs the same N >= 2 training trajectories".into(),
        ));
    }
    layout.data_var = levels
        .iter()
        .map(|l| {
            let w = &l.pairs.w;
            let n = w.nrows().max(1) as f64;
            let m = w.mean_axis(ndarray::Axis(0));
            match m {
                Some(m) => (w - &m).iter().map(|v| v * v).sum::<f64>() / (n * w.ncols() as f64),
                None => 0.0,
            }
        })
        .collect();
    let noisings = sigmas
        .iter()
        .map(|&s| Noising::ve(s))
        .collect::<Result<Vec<_>, _>>()?;
    // the raw rows and noise targets, per level (all noise levels stacked, trajectory-major
    // within each noise level)
    let cut = ((n as f64 * (1.0 - plan.holdout)).round() as usize).clamp(1, n - 1);
    let mut raw: Vec<(Array2<f64>, Array2<f64>, Array2<f64>, Array2<f64>)> = Vec::new();
    for (r, lv) in levels.iter().enumerate() {
        let mut parts = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for nz in &noisings {
            let noised = NoisedPairs::draw(&lv.pairs, *nz, rng);
            let u = layout.rows(r, nz.s, lv.pairs.c.view(), noised.y.view())?;
            let mut t = Array2::<f64>::zeros((n, layout.q_max));
            t.slice_mut(s![.., ..layout.out[r]])
                .assign(&(&noised.t * nz.s));
            parts.0.push(u.slice(s![..cut, ..]).to_owned());
            parts.1.push(t.slice(s![..cut, ..]).to_owned());
            parts.2.push(u.slice(s![cut.., ..]).to_owned());
            parts.3.push(t.slice(s![cut.., ..]).to_owned());
        }
        let stack = |v: &Vec<Array2<f64>>| {
            ndarray::concatenate(
                ndarray::Axis(0),
                &v.iter().map(|a| a.view()).collect::<Vec<_>>(),
            )
            .map_err(|e| ScoreError::Input(e.to_string()))
        };
        raw.push((
            stack(&parts.0)?,
            stack(&parts.1)?,
            stack(&parts.2)?,
            stack(&parts.3)?,
        ));
    }
    let all = ndarray::concatenate(
        ndarray::Axis(0),
        &raw.iter()
            .flat_map(|x| [x.0.view(), x.2.view()])
            .collect::<Vec<_>>(),
    )
    .map_err(|e| ScoreError::Input(e.to_string()))?;
    let (centre, mut inv_sd) = standardiser(&all);
    let width = layout.width();
    let q_max = layout.q_max;
    let nl = layout.levels();
    let emb = layout.embedding_start();
    match plan.fault {
        SharedFault::None => {}
        SharedFault::NoiseLevelDropped => inv_sd[emb + nl] = 0.0,
        SharedFault::ResolutionDropped => inv_sd.slice_mut(s![emb..emb + nl]).fill(0.0),
        SharedFault::TimeDropped => {
            if !layout.timed() {
                return Err(ScoreError::Input(
                    "shared model: the time embedding dropped from a fit without time steps".into(),
                ));
            }
            inv_sd[emb + nl + 1] = 0.0
        }
    }
    let m = features_for(all.nrows());
    let rows_fit: usize = raw.iter().map(|x| x.0.nrows()).sum();
    let dim = (width as f64).sqrt();
    struct Best {
        loss: f64,
        l: f64,
        lambda: f64,
        features: RandomFeatures,
        prods: Vec<LevelProducts>,
        scale: Array1<f64>,
    }
    let mut best: Option<Best> = None;
    for (&lf, &gain) in plan
        .l_over_sqrt_dim
        .iter()
        .flat_map(|l| plan.embedding_gains.iter().map(move |g| (l, g)))
    {
        // the embedding columns (resolution, noise level, time) weighted by the gain
        let mut scale = inv_sd.clone();
        scale.slice_mut(s![emb..]).mapv_inplace(|v| v * gain);
        let features = RandomFeatures::new(width, m, lf * dim, rng)?;
        let mut prods = Vec::with_capacity(nl);
        for x in &raw {
            let uf = (&x.0 - &centre) * &scale;
            let ue = (&x.2 - &centre) * &scale;
            let (gram, rhs) = features.normal_equations(uf.view(), x.1.view())?;
            prods.push(LevelProducts {
                gram,
                rhs,
                phi_eval: features.map(ue.view())?,
                t_eval: x.3.clone(),
            });
        }
        let mut local: Option<(f64, f64)> = None;
        for &lambda in &plan.lambdas {
            let w = solve_masked(&prods, &layout.out, q_max, rows_fit as f64 * lambda, None)?;
            // the pooled held-out denoising loss over the levels' own target columns
            let (mut loss, mut count) = (0.0, 0usize);
            for (r, pr) in prods.iter().enumerate() {
                let q = layout.out[r];
                let d = pr.phi_eval.dot(&w.slice(s![.., ..q])) - pr.t_eval.slice(s![.., ..q]);
                loss += d.iter().map(|v| v * v).sum::<f64>();
                count += pr.t_eval.nrows();
            }
            let loss = loss / count.max(1) as f64;
            if local.is_none_or(|x| loss < x.0) {
                local = Some((loss, lambda));
            }
        }
        let (loss, lambda) = local.expect("the penalty grid is not empty");
        if best.as_ref().is_none_or(|b| loss < b.loss) {
            best = Some(Best {
                loss,
                l: lf * dim,
                lambda,
                features,
                prods,
                scale,
            });
        }
    }
    let Best {
        l,
        lambda,
        features,
        prods,
        scale,
        ..
    } = best.expect("the grids are not empty");
    let rows_all = rows_fit + raw.iter().map(|x| x.2.nrows()).sum::<usize>();
    let w = solve_masked(
        &prods,
        &layout.out,
        q_max,
        rows_all as f64 * lambda,
        Some(&prods),
    )?;
    Ok(SharedRidge {
        layout,
        centre,
        inv_sd: scale,
        features,
        w,
        chosen: (l, lambda),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::stream;
    use crate::prob::Gmm;
    use crate::score::conditional::{mean_sq_diff, mean_sq_norm};
    use crate::score::ConditionalTarget;
    use ndarray::array;

    /// A joint of (c0, w0, c1, w1a, w1b): level 0 learns w0 given c0, level 1 (w1a, w1b)
    /// given (c0, c1).
    fn joint() -> Gmm {
        let c = Array2::from_shape_fn((5, 5), |(i, j)| 0.5f64.powi((i as i32 - j as i32).abs()));
        Gmm::new(
            &[0.5, 0.5],
            array![[1.0, 1.0, 0.0, 1.0, -1.0], [-1.0, -1.0, 0.0, -1.0, 1.0]],
            vec![c.clone(), c],
        )
        .unwrap()
    }

    fn targets(g: &Gmm) -> Vec<(ConditionalTarget, Vec<usize>)> {
        vec![
            (
                ConditionalTarget::new("level 0", g, &[0], &[1]).unwrap(),
                vec![1],
            ),
            (
                ConditionalTarget::new("level 1", g, &[0, 2], &[3, 4]).unwrap(),
                vec![2],
            ),
        ]
    }

    fn relative_errors(fault: SharedFault, n: usize) -> Vec<f64> {
        let g = joint();
        let ts = targets(&g);
        let mut rng = stream(11, 0, 0);
        let (z, _) = g.sample(n, &mut rng);
        let levels: Vec<LevelPairs> = ts
            .iter()
            .enumerate()
            .map(|(r, (t, b))| LevelPairs {
                pairs: t.pairs_from(z.view()),
                blocks: if b[0] == 1 { vec![1, 0] } else { vec![1, 1] },
                level: r,
                time: None,
            })
            .collect();
        let sigmas = [0.2, 0.6, 1.5];
        let plan = SharedPlan {
            l_over_sqrt_dim: vec![0.5, 1.0],
            embedding_gains: vec![1.0, 4.0],
            lambdas: vec![1e-4, 1e-3],
            holdout: 0.2,
            fault,
        };
        let model = fit_shared(&levels, &sigmas, &plan, &mut rng).unwrap();
        let mut out = Vec::new();
        for (r, (t, _)) in ts.iter().enumerate() {
            let (mut err, mut norm) = (0.0, 0.0);
            for &s in &sigmas {
                let nz = Noising::ve(s).unwrap();
                let test = t.sample(2000, &mut rng);
                let y = NoisedPairs::draw(&test, nz, &mut rng).y;
                let exact = t.exact(nz).unwrap().score(test.c.view(), y.view()).unwrap();
                let est = model
                    .at(r, nz)
                    .unwrap()
                    .score(test.c.view(), y.view())
                    .unwrap();
                err += s * s * mean_sq_diff(&est, &exact);
                norm += s * s * mean_sq_norm(&exact);
            }
            out.push(err / norm);
        }
        out
    }

    #[test]
    fn one_model_learns_both_levels_and_dropping_the_noise_level_does_not() {
        let right = relative_errors(SharedFault::None, 4000);
        let wrong = relative_errors(SharedFault::NoiseLevelDropped, 4000);
        // the noise-level input carries a factor of 7.5 in the noise scale: without it each
        // level's error is several times the test's Monte Carlo spread (about 5% of it) above
        for r in 0..2 {
            assert!(right[r] < 0.1, "level {r}: relative Fisher {}", right[r]);
            assert!(
                wrong[r] > 1.5 * right[r],
                "level {r}: {wrong:?} vs {right:?}"
            );
        }
    }

    #[test]
    fn the_padded_row_puts_each_block_in_its_slot() {
        let task = |blocks: Vec<usize>, out, level, time| Task {
            blocks,
            out,
            level,
            time,
        };
        let mut layout =
            Layout::new(&[task(vec![1, 2], 1, 0, None), task(vec![2, 4], 2, 1, None)]).unwrap();
        assert_eq!(layout.width(), 2 + 4 + 2 + 2 + 1);
        // the details enter as y / sqrt(s^2 + var): 9 / sqrt(0.25 + 0.75) = 9
        layout.data_var = vec![0.75, 3.0];
        let u = layout
            .rows(0, 0.5, array![[1.0, 2.0, 3.0]].view(), array![[9.0]].view())
            .unwrap();
        let want = array![[
            1.0,
            0.0,
            2.0,
            3.0,
            0.0,
            0.0,
            9.0,
            0.0,
            1.0,
            0.0,
            0.5f64.ln()
        ]];
        assert_eq!(u, want);
        // a conditioning vector of the wrong size is named
        let e = layout
            .rows(1, 0.5, array![[1.0]].view(), array![[1.0, 2.0]].view())
            .unwrap_err();
        assert!(e.to_string().contains("conditioning"), "{e}");
        // timed: two tasks of level 1 at steps 2 and 3 share the level's one-hot column and
        // carry their step after ln s
        let mut timed = Layout::new(&[
            task(vec![1], 1, 0, Some(2.0)),
            task(vec![1], 1, 1, Some(2.0)),
            task(vec![1], 1, 1, Some(3.0)),
        ])
        .unwrap();
        timed.data_var = vec![0.0; 3];
        assert_eq!(timed.width(), 1 + 1 + 2 + 1 + 1);
        let u = timed
            .rows(2, 1.0, array![[5.0]].view(), array![[7.0]].view())
            .unwrap();
        assert_eq!(u, array![[5.0, 7.0, 0.0, 1.0, 0.0, 3.0]]);
        // every task a time step, or none
        let e =
            Layout::new(&[task(vec![1], 1, 0, Some(1.0)), task(vec![1], 1, 1, None)]).unwrap_err();
        assert!(e.to_string().contains("time step"), "{e}");
    }

    #[test]
    fn a_level_the_model_does_not_have_is_refused() {
        let g = joint();
        let ts = targets(&g);
        let mut rng = stream(3, 0, 0);
        let (z, _) = g.sample(50, &mut rng);
        let levels = vec![LevelPairs {
            pairs: ts[0].0.pairs_from(z.view()),
            blocks: vec![1],
            level: 0,
            time: None,
        }];
        let plan = SharedPlan {
            l_over_sqrt_dim: vec![1.0],
            embedding_gains: vec![1.0],
            lambdas: vec![1e-3],
            holdout: 0.2,
            fault: SharedFault::None,
        };
        let m = fit_shared(&levels, &[0.5], &plan, &mut rng).unwrap();
        assert!(m.at(1, Noising::ve(0.5).unwrap()).is_err());
    }
}
