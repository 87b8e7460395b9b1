//! IR and one-shot run along a sequence, the previous state itself reconstructed, on the
//! Gaussian multi-scale model, exactly (theory/diffusion.md section 17).
//!
//! The observations are the coarse coefficients y_t = c_t^{r0} for t = 0..T of one trajectory
//! of Haar coefficients c_t. A reconstructor samples the details of c_0 from p(c_0 | y_0), then
//! the details of c_t from a kernel k(. | c_{t-1}, y_t) with c_{t-1} its own previous output:
//! the autoregressive use of a one-step sampler. With the exact kernel p(. | c_{t-1}, y_t) this
//! is still not the filter p(c_t | y_{0:t}): the filter reads c_{t-1} under p(c_{t-1} | y_{0:t}),
//! which y_t sharpens, the reconstructor under its own law, which ignores y_t. On a Gaussian
//! model every kernel (exact, IR's truncated one, either through a diffusion sampler) is affine
//! with Gaussian noise, so every law here is Gaussian and every KL exact.
//!
//! A law at time t has its coarse block fixed at y_t; only its details are random, so a law
//! is the mean and covariance of the details (`DetailLaw`).
use super::budget::{scored_gaussian_budget, BudgetFault, LevelSampler, Scheme, Scores};
use super::DiffusionError;
use crate::linalg::Spd;
use crate::multiscale::IrModel;
use crate::prob::{expected_conditional_kl_gaussian, kl_gaussian, Gmm};
use ndarray::{s, Array1, Array2, ArrayView1};

/// The details of c_t (coefficients k..d, k = dim y_t) as N(mean, cov).
#[derive(Debug, Clone, PartialEq)]
pub struct DetailLaw {
    pub mean: Array1<f64>,
    pub cov: Array2<f64>,
}

/// A one-step kernel: details of c_t = a + B [c_{t-1}; y_t] + e, e ~ N(0, noise).
#[derive(Debug, Clone)]
pub struct Kernel {
    pub a: Array1<f64>,
    pub b: Array2<f64>,
    pub noise: Spd,
}

/// The conditional of coordinates `v` given `u` of N(mean, cov), as (a, B, S).
fn conditional(
    mean: &Array1<f64>,
    cov: &Array2<f64>,
    u: &[usize],
    v: &[usize],
) -> Result<Kernel, DiffusionError> {
    let g = Gmm::gaussian(mean.clone(), symmetric(cov))?;
    let c = g.conditioner(u, v)?;
    let (a, b) = c.affine_mean(0);
    Ok(Kernel {
        a,
        b,
        noise: c.schur(0).clone(),
    })
}

/// (M + M^T) / 2: a covariance's rounding made symmetric before it is factored.
fn symmetric(m: &Array2<f64>) -> Array2<f64> {
    (m + &m.t()) * 0.5
}

/// The model's pieces in Haar coefficients: the law of c_0, the transition c_t = M c_{t-1} +
/// a + N(0, W), and the observed block's size k.
pub struct Sequence {
    d: usize,
    k: usize,
    m0: Array1<f64>,
    s0: Array2<f64>,
    transition: Kernel,
    exact: Kernel,
}

/// One time step's exact laws along a sequence: the filter at t, the one-step smoother of
/// t - 1 (given y_{0:t}), and the reconstructor's law at t.
#[derive(Debug, Clone)]
pub struct StepLaws {
    pub filter: DetailLaw,
    pub smoother_prev: DetailLaw,
    pub reconstructed: DetailLaw,
    /// KL(filter_t || reconstructed_t)
    pub kl: f64,
    /// the chain rule's bound on `kl`: KL(smoother_{t-1} || reconstructed_{t-1}) + the expected
    /// KL from the exact kernel to the reconstructor's under the smoother
    pub bound: f64,
}

/// A deliberate fault in the bound (the entry's mutation control; `None` in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceFault {
    None,
    /// The bound reads c_{t-1} under the filter p(c_{t-1} | y_{0:t-1}) instead of the one-step
    /// smoother p(c_{t-1} | y_{0:t}): the information y_t carries about the past dropped.
    LookAheadDropped,
}

impl Sequence {
    /// The Gaussian model `ir` (K = 1) observed at level r0 (y_t = c_t^{r0}).
    pub fn new(ir: &IrModel, r0: usize) -> Result<Sequence, DiffusionError> {
        if ir.joint.components() != 1 {
            return Err(DiffusionError::Input(format!(
                "the exact sequence laws need a Gaussian model (K = 1), got {} components",
                ir.joint.components()
            )));
        }
        if r0 >= ir.hier.levels() {
            return Err(DiffusionError::Input(format!(
                "the observed level must lie below the finest: r0 = {r0}, levels 0..{}",
                ir.hier.levels()
            )));
        }
        let d = ir.dim();
        let k = ir.hier.coarse_dim(r0);
        let mean = ir.joint.mean_of(0).to_owned();
        let cov = ir.joint.cov_of(0).matrix().to_owned();
        let past: Vec<usize> = (0..d).collect();
        let now: Vec<usize> = (d..2 * d).collect();
        let transition = conditional(&mean, &cov, &past, &now)?;
        Ok(Sequence {
            d,
            k,
            m0: mean.slice(s![..d]).to_owned(),
            s0: cov.slice(s![..d, ..d]).to_owned(),
            transition,
            exact: Self::joint_kernel(&mean, &cov, d, k)?,
        })
    }

    /// The kernel details_t | (c_{t-1}, y_t) of a joint law of (c_{t-1}, c_t).
    fn joint_kernel(
        mean: &Array1<f64>,
        cov: &Array2<f64>,
        d: usize,
        k: usize,
    ) -> Result<Kernel, DiffusionError> {
        let given: Vec<usize> = (0..d + k).collect();
        let details: Vec<usize> = (d + k..2 * d).collect();
        conditional(mean, cov, &given, &details)
    }

    /// The exact kernel p(details_t | c_{t-1}, y_t).
    pub fn exact_kernel(&self) -> &Kernel {
        &self.exact
    }

    /// The kernel of one step sampled by `scheme` from x_t^{r0} (every block by `level`): read
    /// off the step's exact joint law (`scored_gaussian_budget`), in which c_{t-1} and y_t are
    /// drawn from the target, by conditioning on them.
    pub fn scheme_kernel(
        &self,
        ir: &IrModel,
        scheme: Scheme,
        level: &LevelSampler,
    ) -> Result<Kernel, DiffusionError> {
        let b = scored_gaussian_budget(ir, scheme, level, BudgetFault::None, Scores::Exact)?;
        Self::joint_kernel(&b.joint_mean, &b.joint_cov, self.d, self.k)
    }

    /// A trajectory's coefficients c_0..c_T (rows), from the model.
    pub fn trajectory(
        &self,
        steps: usize,
        rng: &mut crate::mc::Rng,
    ) -> Result<Array2<f64>, DiffusionError> {
        let d = self.d;
        let mut out = Array2::zeros((steps + 1, d));
        let g0 = Gmm::gaussian(self.m0.clone(), symmetric(&self.s0))?;
        let (c0, _) = g0.sample(1, rng);
        out.row_mut(0).assign(&c0.row(0));
        let noise = Gmm::gaussian(Array1::zeros(d), self.transition.noise.matrix().clone())?;
        for t in 1..=steps {
            let (e, _) = noise.sample(1, rng);
            let next = &self.transition.a + &self.transition.b.dot(&out.row(t - 1)) + e.row(0);
            out.row_mut(t).assign(&next);
        }
        Ok(out)
    }

    /// The full coefficient vector's mean and covariance of a detail law with coarse block y.
    fn embed(&self, y: ArrayView1<f64>, law: &DetailLaw) -> (Array1<f64>, Array2<f64>) {
        let (d, k) = (self.d, self.k);
        let mut m = Array1::zeros(d);
        m.slice_mut(s![..k]).assign(&y);
        m.slice_mut(s![k..]).assign(&law.mean);
        let mut c = Array2::zeros((d, d));
        c.slice_mut(s![k.., k..]).assign(&law.cov);
        (m, c)
    }

    /// The details of a coefficient vector ~ N(mean, cov) given its coarse block = y.
    fn given_coarse(
        &self,
        mean: &Array1<f64>,
        cov: &Array2<f64>,
        y: ArrayView1<f64>,
    ) -> Result<DetailLaw, DiffusionError> {
        let (d, k) = (self.d, self.k);
        let coarse: Vec<usize> = (0..k).collect();
        let details: Vec<usize> = (k..d).collect();
        let c = conditional(mean, cov, &coarse, &details)?;
        Ok(DetailLaw {
            mean: &c.a + &c.b.dot(&y),
            cov: c.noise.matrix().clone(),
        })
    }

    /// p(c_0 | y_0): the law of c_0 conditioned on its coarse block.
    pub fn start(&self, y0: ArrayView1<f64>) -> Result<DetailLaw, DiffusionError> {
        self.given_coarse(&self.m0, &self.s0, y0)
    }

    /// The details of c_t under `kernel` when c_{t-1} has coarse block `y_prev` and details
    /// `prev`, and c_t's coarse block is `y`.
    pub fn push(
        &self,
        kernel: &Kernel,
        y_prev: ArrayView1<f64>,
        prev: &DetailLaw,
        y: ArrayView1<f64>,
    ) -> DetailLaw {
        let d = self.d;
        let (m, c) = self.embed(y_prev, prev);
        let bc = kernel.b.slice(s![.., ..d]);
        let by = kernel.b.slice(s![.., d..]);
        DetailLaw {
            mean: &kernel.a + &bc.dot(&m) + by.dot(&y),
            cov: symmetric(&(bc.dot(&c).dot(&bc.t()) + kernel.noise.matrix())),
        }
    }

    /// The Kalman route to the filter at t: predict c_t from the filter at t - 1 through the
    /// transition, then condition on its coarse block y_t.
    pub fn kalman(
        &self,
        y_prev: ArrayView1<f64>,
        prev: &DetailLaw,
        y: ArrayView1<f64>,
    ) -> Result<DetailLaw, DiffusionError> {
        let (m, c) = self.embed(y_prev, prev);
        let tb = &self.transition.b;
        let pm = &self.transition.a + &tb.dot(&m);
        let pc = tb.dot(&c).dot(&tb.t()) + self.transition.noise.matrix();
        self.given_coarse(&pm, &pc, y)
    }

    /// The one-step smoother p(c_{t-1} | y_{0:t}) from the filter at t - 1: condition c_{t-1}'s
    /// details on y_t, which the transition makes jointly Gaussian with them.
    pub fn smoother(
        &self,
        y_prev: ArrayView1<f64>,
        prev: &DetailLaw,
        y: ArrayView1<f64>,
    ) -> Result<DetailLaw, DiffusionError> {
        let (d, k) = (self.d, self.k);
        let (m, _) = self.embed(y_prev, prev);
        // y_t = P (M c_{t-1} + a) + P e: affine in the details z of c_{t-1}
        let tb = &self.transition.b;
        let pz = tb.slice(s![..k, k..d]); // k x (d - k)
        let y_hat = &self.transition.a.slice(s![..k]) + &tb.slice(s![..k, ..]).dot(&m);
        let w = self
            .transition
            .noise
            .matrix()
            .slice(s![..k, ..k])
            .to_owned();
        let cross = prev.cov.dot(&pz.t()); // (d - k) x k
        let sy = Spd::new(
            symmetric(&(pz.dot(&cross) + &w)),
            "the observation's predictive covariance",
        )?;
        let gain = sy.solve(&cross.t().to_owned())?.t().to_owned();
        Ok(DetailLaw {
            mean: &prev.mean + &gain.dot(&(&y - &y_hat)),
            cov: symmetric(&(&prev.cov - &gain.dot(&cross.t()))),
        })
    }

    /// KL(p || q) between two detail laws.
    pub fn kl(p: &DetailLaw, q: &DetailLaw) -> Result<f64, DiffusionError> {
        let sp = Spd::new(symmetric(&p.cov), "the first law's covariance")?;
        let sq = Spd::new(symmetric(&q.cov), "the second law's covariance")?;
        Ok(kl_gaussian(p.mean.view(), &sp, q.mean.view(), &sq)?)
    }

    /// E_{details of c_{t-1} ~ law} KL(p-kernel || q-kernel) at fixed y_{t-1}, y_t.
    fn kernel_kl(
        &self,
        p: &Kernel,
        q: &Kernel,
        y_prev: ArrayView1<f64>,
        law: &DetailLaw,
        y: ArrayView1<f64>,
    ) -> Result<f64, DiffusionError> {
        let (d, k) = (self.d, self.k);
        // fold the fixed inputs into the intercepts: the kernels as affine maps of z alone
        let fold = |ker: &Kernel| -> (Array1<f64>, Array2<f64>) {
            let a =
                &ker.a + &ker.b.slice(s![.., ..k]).dot(&y_prev) + ker.b.slice(s![.., d..]).dot(&y);
            (a, ker.b.slice(s![.., k..d]).to_owned())
        };
        let (pa, pb) = fold(p);
        let (qa, qb) = fold(q);
        Ok(expected_conditional_kl_gaussian(
            (&pa, &pb, &p.noise),
            (&qa, &qb, &q.noise),
            &law.mean,
            &law.cov,
        )?)
    }

    /// The filter at t = 0..T and the one-step smoother of each t - 1, along the trajectory
    /// `c` (rows c_0..c_T): what every reconstructor is compared with, computed once.
    pub fn filter_path(&self, c: &Array2<f64>) -> Result<FilterPath, DiffusionError> {
        let k = self.k;
        let y = |t: usize| c.slice(s![t, ..k]);
        let mut filters = vec![self.start(y(0))?];
        let mut smoothers = Vec::with_capacity(c.nrows().saturating_sub(1));
        for t in 1..c.nrows() {
            smoothers.push(self.smoother(y(t - 1), &filters[t - 1], y(t))?);
            let next = self.kalman(y(t - 1), &filters[t - 1], y(t))?;
            filters.push(next);
        }
        Ok(FilterPath { filters, smoothers })
    }

    /// The exact laws along the trajectory `c` for a reconstructor with `kernel`, started from
    /// p(c_0 | y_0), against the filter path `path` of `c`; one entry per t = 1..T.
    pub fn reconstruct(
        &self,
        c: &Array2<f64>,
        path: &FilterPath,
        kernel: &Kernel,
        fault: SequenceFault,
    ) -> Result<Vec<StepLaws>, DiffusionError> {
        let k = self.k;
        let y = |t: usize| c.slice(s![t, ..k]);
        let mut recon = path.filters[0].clone();
        let mut out = Vec::with_capacity(path.smoothers.len());
        for (i, smoother_prev) in path.smoothers.iter().enumerate() {
            let t = i + 1;
            let read = match fault {
                SequenceFault::None => smoother_prev,
                SequenceFault::LookAheadDropped => &path.filters[t - 1],
            };
            let bound = Self::kl(read, &recon)?
                + self.kernel_kl(&self.exact, kernel, y(t - 1), read, y(t))?;
            let next_recon = self.push(kernel, y(t - 1), &recon, y(t));
            let kl = Self::kl(&path.filters[t], &next_recon)?;
            out.push(StepLaws {
                filter: path.filters[t].clone(),
                smoother_prev: smoother_prev.clone(),
                reconstructed: next_recon.clone(),
                kl,
                bound,
            });
            recon = next_recon;
        }
        Ok(out)
    }

    /// `filter_path` then `reconstruct`, for one reconstructor.
    pub fn run(
        &self,
        c: &Array2<f64>,
        kernel: &Kernel,
        fault: SequenceFault,
    ) -> Result<Vec<StepLaws>, DiffusionError> {
        self.reconstruct(c, &self.filter_path(c)?, kernel, fault)
    }
}

/// The filter p(c_t | y_{0:t}) at t = 0..T (`filters`) and the one-step smoother
/// p(c_{t-1} | y_{0:t}) at t = 1..T (`smoothers[t - 1]`) along one trajectory.
#[derive(Debug, Clone)]
pub struct FilterPath {
    pub filters: Vec<DetailLaw>,
    pub smoothers: Vec<DetailLaw>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diffusion::{Sampler, SamplerFault, SigmaGrid};

    fn model(alpha: f64) -> IrModel {
        crate::multiscale::gaussian_test_model("alpha", alpha, 11)
    }

    fn max_abs(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0_f64, |m, v| m.max(v.abs()))
    }

    #[test]
    fn the_filter_by_the_kalman_route_is_the_exact_kernel_pushed_through_the_smoother() {
        let ir = model(1.0);
        let seq = Sequence::new(&ir, 1).unwrap();
        let mut rng = crate::mc::stream(12, 0, 0);
        let c = seq.trajectory(6, &mut rng).unwrap();
        let laws = seq
            .run(&c, seq.exact_kernel(), SequenceFault::None)
            .unwrap();
        let k = ir.hier.coarse_dim(1);
        for (i, l) in laws.iter().enumerate() {
            let t = i + 1;
            let pushed = seq.push(
                seq.exact_kernel(),
                c.slice(s![t - 1, ..k]),
                &l.smoother_prev,
                c.slice(s![t, ..k]),
            );
            let dm = (&pushed.mean - &l.filter.mean)
                .iter()
                .fold(0.0_f64, |m, v| m.max(v.abs()));
            assert!(dm < 1e-9, "t = {t}: means differ by {dm}");
            let dc = max_abs(&pushed.cov, &l.filter.cov);
            assert!(dc < 1e-9, "t = {t}: covariances differ by {dc}");
        }
    }

    #[test]
    fn the_reconstructors_law_matches_simulation_of_the_autoregressive_sampler() {
        // the exact kernel run forward sample by sample from draws of p(c_0 | y_0), against
        // the recursion's law at T = 4
        let ir = model(0.0);
        let seq = Sequence::new(&ir, 1).unwrap();
        let mut rng = crate::mc::stream(13, 0, 0);
        let c = seq.trajectory(4, &mut rng).unwrap();
        let k = ir.hier.coarse_dim(1);
        let d = ir.dim();
        let laws = seq
            .run(&c, seq.exact_kernel(), SequenceFault::None)
            .unwrap();
        let last = &laws.last().unwrap().reconstructed;
        let n = 40_000;
        let start = seq.start(c.slice(s![0, ..k])).unwrap();
        let g0 = Gmm::gaussian(start.mean.clone(), start.cov.clone()).unwrap();
        let (mut z, _) = g0.sample(n, &mut rng);
        let ker = seq.exact_kernel();
        let noise = Gmm::gaussian(Array1::zeros(d - k), ker.noise.matrix().clone()).unwrap();
        for t in 1..=4 {
            let (e, _) = noise.sample(n, &mut rng);
            let mut next = Array2::zeros((n, d - k));
            for i in 0..n {
                let mut input = Array1::zeros(d + k);
                input.slice_mut(s![..k]).assign(&c.slice(s![t - 1, ..k]));
                input.slice_mut(s![k..d]).assign(&z.row(i));
                input.slice_mut(s![d..]).assign(&c.slice(s![t, ..k]));
                next.row_mut(i)
                    .assign(&(&ker.a + &ker.b.dot(&input) + e.row(i)));
            }
            z = next;
        }
        let mean = z.mean_axis(ndarray::Axis(0)).unwrap();
        let centred = &z - &mean;
        let cov = centred.t().dot(&centred) / (n as f64 - 1.0);
        for j in 0..d - k {
            let se = (last.cov[[j, j]] / n as f64).sqrt();
            assert!(
                (mean[j] - last.mean[j]).abs() < 5.0 * se,
                "coordinate {j}: simulated mean {} against {}",
                mean[j],
                last.mean[j]
            );
            // the variance's standard error is about var sqrt(2 / n)
            let vse = last.cov[[j, j]] * (2.0 / n as f64).sqrt();
            assert!(
                (cov[[j, j]] - last.cov[[j, j]]).abs() < 5.0 * vse,
                "coordinate {j}: simulated variance {} against {}",
                cov[[j, j]],
                last.cov[[j, j]]
            );
        }
    }

    #[test]
    fn a_longer_trajectory_from_the_same_stream_extends_the_shorter() {
        let ir = model(0.0);
        let seq = Sequence::new(&ir, 1).unwrap();
        let short = seq.trajectory(3, &mut crate::mc::stream(16, 0, 0)).unwrap();
        let long = seq.trajectory(7, &mut crate::mc::stream(16, 0, 0)).unwrap();
        assert_eq!(short, long.slice(s![..4, ..]));
    }

    #[test]
    fn observed_at_the_mean_alone_the_exact_reconstructor_is_the_filter() {
        // the default dynamics are circulant, so the next state's mean depends on the past's
        // mean alone: y_t = c_t^0 says nothing about c_{t-1}'s details beyond y_{t-1}, the
        // one-step smoother is the filter, and the exact kernel fed its own output is exact
        let ir = model(1.0);
        let seq = Sequence::new(&ir, 0).unwrap();
        let mut rng = crate::mc::stream(15, 0, 0);
        let c = seq.trajectory(4, &mut rng).unwrap();
        for l in seq
            .run(&c, seq.exact_kernel(), SequenceFault::None)
            .unwrap()
        {
            assert!(
                l.kl.abs() < 1e-10 && l.bound.abs() < 1e-10,
                "{} {}",
                l.kl,
                l.bound
            );
        }
        // observed at two block averages, the shift mixes details into them: not exact
        let seq1 = Sequence::new(&ir, 1).unwrap();
        let c1 = seq1.trajectory(4, &mut rng).unwrap();
        let laws = seq1
            .run(&c1, seq1.exact_kernel(), SequenceFault::None)
            .unwrap();
        assert!(
            laws.iter().all(|l| l.kl > 1e-6),
            "{:?}",
            laws.iter().map(|l| l.kl).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_chain_rule_bound_holds_and_dropping_the_look_ahead_breaks_it() {
        let ir = model(0.0);
        let seq = Sequence::new(&ir, 1).unwrap();
        let mut rng = crate::mc::stream(14, 0, 0);
        let c = seq.trajectory(5, &mut rng).unwrap();
        let level = LevelSampler {
            sampler: Sampler::EulerMaruyama,
            fault: SamplerFault::None,
            grid: SigmaGrid::karras(32, 0.002, 80.0, 7.0).unwrap(),
            delta: 0.0,
            init_var: 80.0 * 80.0,
        };
        for scheme in [Scheme::Ir { from: Some(1) }, Scheme::OneShot { from: 1 }] {
            let ker = seq.scheme_kernel(&ir, scheme, &level).unwrap();
            for l in seq.run(&c, &ker, SequenceFault::None).unwrap() {
                assert!(
                    l.kl > 0.0 && l.kl <= l.bound * (1.0 + 1e-9),
                    "{scheme:?}: {} > {}",
                    l.kl,
                    l.bound
                );
            }
        }
        let first = &seq
            .run(&c, seq.exact_kernel(), SequenceFault::LookAheadDropped)
            .unwrap()[0];
        assert!(first.bound.abs() < 1e-9 && first.kl > 1e-3, "{first:?}");
    }
}
