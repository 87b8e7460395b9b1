//! The error budget of iterative refinement (IR) on a Gaussian multi-scale model, exactly
//! (theory/diffusion.md section 6).
//!
//! One IR time step: given x_{t-1}, sample x_t level by level in Haar coordinates, the
//! coarsest coefficient from p(x_t^0 | x_{t-1}^0) and each level's details w_t^{r+1} from
//! p(w_t^{r+1} | x_t^r, x_{t-1}^{r+1}), each by a diffusion sampler (`LevelSampler`) whose
//! score may be wrong by a factor 1 + delta; then synthesise x_t = H^T c_t. For a Gaussian
//! model every level's sampler is an affine map of its start, its noise and its target's mean
//! (`gaussian_affine_law`), so the law q of (x_{t-1}, x_t) is Gaussian and is composed here
//! exactly, level by level, as is each level's share of the final error.
use super::{
    gaussian_affine_law, girsanov_bound, DiffusionError, ExactMixtureScore, Sampler, SamplerFault,
    ScaledScore, SigmaGrid,
};
use crate::linalg::{eigenvalues, submatrix, Spd};
use crate::multiscale::IrModel;
use crate::prob::{expected_conditional_kl_gaussian, kl_gaussian, Gmm};
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

/// A deliberate fault in the IR sampler or in its budget (mutation controls; `None` in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetFault {
    None,
    /// The IR sampler assembles its output with the analysis matrix H instead of its inverse
    /// H^T (a transposed synthesis): the levels are sampled right, the signal is not theirs.
    SynthesisTransposed,
}

/// The diffusion sampler every level uses: method, grid, the score (1 + delta) times the
/// level's exact conditional score, started from N(0, init_var I).
#[derive(Debug, Clone)]
pub struct LevelSampler {
    pub sampler: Sampler,
    pub fault: SamplerFault,
    pub grid: SigmaGrid,
    pub delta: f64,
    pub init_var: f64,
}

/// One level's share of the final error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelShare {
    /// E_p KL(p(block | x_{t-1}, x_t's coarser coefficients) || q(block | IR's conditioning set)):
    /// the level's term of the chain rule.
    pub term: f64,
    /// E_p KL(p(block | everything coarser and the whole past) || p(block | IR's set)): what
    /// IR's shorter conditioning set loses (a conditional mutual information).
    pub truncation: f64,
    /// E_p KL(p(block | IR's set) || q(block | IR's set)): what the sampler loses.
    pub sampler: f64,
    /// The Girsanov bound on `sampler` for the fault-free sampler (initialisation +
    /// discretisation + score error; Euler-Maruyama with the scaled exact score only,
    /// otherwise NaN).
    pub girsanov: f64,
    /// E_p KL(p(block | IR's set) || the fitted conditional law itself): what estimating the
    /// level's conditional from training data loses before any sampling (0 with exact scores).
    pub estimation: f64,
}

/// The final error and its budget.
#[derive(Debug, Clone, PartialEq)]
pub struct IrBudget {
    /// KL(p(x_{t-1}, x_t) || q(x_{t-1}, x_t)) in signal coordinates, from the two joint laws.
    pub final_kl: f64,
    /// Level 0 (the coarsest coefficient) first, then the details of levels 1..=L.
    pub levels: Vec<LevelShare>,
    /// The sampler's law of (c_{t-1}, c_t) in Haar coefficients (before any synthesis fault):
    /// its mean and covariance, from which a sequence reads the step's kernel.
    pub joint_mean: Array1<f64>,
    pub joint_cov: Array2<f64>,
}

impl IrBudget {
    /// The chain rule's right-hand side: the sum of the levels' terms (under a fault, as the
    /// fault computes them).
    pub fn sum_of_terms(&self) -> f64 {
        self.levels.iter().map(|l| l.term).sum()
    }
}

/// The Gaussian q of (c_{t-1}, c_t) composed so far: mean and covariance over all 2d
/// coefficients, of which the `filled` ones are set.
struct Composed {
    mean: Array1<f64>,
    cov: Array2<f64>,
    filled: Vec<usize>,
}

impl Composed {
    /// Adds block `b` = alpha + gamma y_u + e, e ~ N(0, noise) independent of what is filled.
    fn add(
        &mut self,
        b: &[usize],
        u: &[usize],
        alpha: &Array1<f64>,
        gamma: &Array2<f64>,
        noise: &Array2<f64>,
    ) {
        let mu_u = Array1::from_iter(u.iter().map(|&i| self.mean[i]));
        let mb = alpha + &gamma.dot(&mu_u);
        let cross = gamma.dot(&submatrix(&self.cov, u, &self.filled)); // |b| x |filled|
        let cbb = gamma.dot(&submatrix(&self.cov, u, u)).dot(&gamma.t()) + noise;
        for (i, &bi) in b.iter().enumerate() {
            self.mean[bi] = mb[i];
            for (j, &fj) in self.filled.iter().enumerate() {
                self.cov[[bi, fj]] = cross[[i, j]];
                self.cov[[fj, bi]] = cross[[i, j]];
            }
            for (j, &bj) in b.iter().enumerate() {
                self.cov[[bi, bj]] = 0.5 * (cbb[[i, j]] + cbb[[j, i]]);
            }
        }
        self.filled.extend_from_slice(b);
    }
}

/// Mean and covariance of the coefficients `y` under a Gaussian given as (mean, covariance).
fn marginal_of(mean: &Array1<f64>, cov: &Array2<f64>, y: &[usize]) -> (Array1<f64>, Array2<f64>) {
    (
        Array1::from_iter(y.iter().map(|&i| mean[i])),
        submatrix(cov, y, y),
    )
}

/// How a time step's state x_t is sampled, given x_{t-1}.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Iterative refinement: from x_t^0 (`from` None: x_t^0 itself sampled given x_{t-1}^0) or
    /// from the given x_t^{r0} (`from` Some(r0), drawn from the target), each level's details
    /// given (x_t^r, x_{t-1}^{r+1}).
    Ir { from: Option<usize> },
    /// One diffusion for every detail above r0, given x_t^{r0} and the whole of x_{t-1}.
    OneShot { from: usize },
}

/// Where each block's score comes from.
#[derive(Debug, Clone, Copy)]
pub enum Scores<'a> {
    /// The block's exact conditional score (times 1 + delta).
    Exact,
    /// Learned: the score (times 1 + delta) of the Gaussian conditional fitted by least squares
    /// to the training rows, each a draw of the joint coefficients (c_{t-1}, c_t) (2d columns):
    /// the regression of the block on its conditioning set with an intercept, and the residual
    /// covariance RSS / (n - 1 - |u|) (unbiased).
    /// A block fits on its own and its conditioning set's columns only, so a small block with
    /// a small conditioning set has few parameters to learn (`Gmm::fit_gaussian`).
    Fitted(ArrayView2<'a, f64>),
}

/// The exact error budget of one IR time step on the Gaussian model `ir` (one mixture
/// component), every level sampled by `level`, with `fault` injected: `gaussian_budget` with
/// the IR scheme from the coarsest coefficient.
pub fn ir_gaussian_budget(
    ir: &IrModel,
    level: &LevelSampler,
    fault: BudgetFault,
) -> Result<IrBudget, DiffusionError> {
    gaussian_budget(ir, Scheme::Ir { from: None }, level, fault)
}

/// The exact law of one time step sampled by `scheme`, every block by `level`, on the Gaussian
/// model `ir`, and its error budget: the final KL of (x_{t-1}, x_t) and each block's share.
pub fn gaussian_budget(
    ir: &IrModel,
    scheme: Scheme,
    level: &LevelSampler,
    fault: BudgetFault,
) -> Result<IrBudget, DiffusionError> {
    scored_gaussian_budget(ir, scheme, level, fault, Scores::Exact)
}

/// `gaussian_budget` with each block's score from `scores`. With fitted scores the output law
/// is still Gaussian and composed exactly: the KL is exact for the given training set.
pub fn scored_gaussian_budget(
    ir: &IrModel,
    scheme: Scheme,
    level: &LevelSampler,
    fault: BudgetFault,
    scores: Scores,
) -> Result<IrBudget, DiffusionError> {
    if let Scores::Fitted(t) = scores {
        if t.ncols() != 2 * ir.dim() {
            return Err(DiffusionError::Input(format!(
                "training rows have {} columns, the joint (c_(t-1), c_t) has {}",
                t.ncols(),
                2 * ir.dim()
            )));
        }
    }
    if ir.joint.components() != 1 {
        return Err(DiffusionError::Input(format!(
            "the exact IR budget needs a Gaussian model (K = 1), got {} components",
            ir.joint.components()
        )));
    }
    let d = ir.dim();
    let hier = &ir.hier;
    let (mu, sigma) = (
        ir.joint.mean_of(0).to_owned(),
        ir.joint.cov_of(0).matrix().to_owned(),
    );
    let r0 = match scheme {
        Scheme::Ir { from: None } => None,
        Scheme::Ir { from: Some(r) } | Scheme::OneShot { from: r } => {
            if r >= hier.levels() {
                return Err(DiffusionError::Input(format!(
                    "a step must start below the finest level: from = {r}, levels 0..{}",
                    hier.levels()
                )));
            }
            Some(r)
        }
    };
    // what is drawn from the target: x_{t-1}, and x_t^{r0} when the step starts from it
    let mut given: Vec<usize> = (0..d).collect();
    if let Some(r) = r0 {
        given.extend(d..d + hier.coarse_dim(r));
    }
    let mut q = Composed {
        mean: Array1::zeros(2 * d),
        cov: Array2::zeros((2 * d, 2 * d)),
        filled: Vec::new(),
    };
    let (gm, gc) = marginal_of(&mu, &sigma, &given);
    for (i, &gi) in given.iter().enumerate() {
        q.mean[gi] = gm[i];
        for (j, &gj) in given.iter().enumerate() {
            q.cov[[gi, gj]] = gc[[i, j]];
        }
    }
    q.filled = given.clone();
    // blocks in sampling order: (block, its sampler's conditioning set, everything before it)
    let mut blocks: Vec<(Vec<usize>, Vec<usize>, Vec<usize>)> = Vec::new();
    match scheme {
        Scheme::OneShot { from } => {
            blocks.push((ir.one_shot_sets(from)?.2, given.clone(), given.clone()));
        }
        Scheme::Ir { from } => {
            if from.is_none() {
                blocks.push((
                    (d..d + hier.coarse_dim(0)).collect(),
                    (0..hier.coarse_dim(0)).collect(),
                    given.clone(),
                ));
            }
            for r in from.unwrap_or(0)..hier.levels() {
                let (u, w, prev, _) = ir.sets(r)?;
                let mut set = u.clone();
                set.extend(prev);
                let mut before: Vec<usize> = (0..d).collect();
                before.extend(u);
                blocks.push((w, set, before));
            }
        }
    }
    if let Scores::Fitted(t) = scores {
        // every block's fit needs more rows than its coefficients; name the largest need
        // before any fit runs, so one error tells how many rows suffice
        if let Some((b, u, _)) = blocks.iter().max_by_key(|(b, u, _)| b.len() + u.len()) {
            if t.nrows() <= b.len() + u.len() {
                return Err(DiffusionError::Input(format!(
                    "{} training rows cannot fit the largest block, {} coefficients given {}: \
                     more than {} are needed",
                    t.nrows(),
                    b.len(),
                    u.len(),
                    b.len() + u.len()
                )));
            }
        }
    }
    let mut levels = Vec::with_capacity(blocks.len());
    for (b, u, y) in &blocks {
        // the level's target p(b | u) = N(a + G y_u, S), its sampler's law on it
        let cond = ir.joint.conditioner(u, b)?;
        let (a, g) = cond.affine_mean(0);
        let schur = cond.schur(0).clone();
        // the conditional the sampler's score is built on: the exact one, or the fitted one
        let (a_s, g_s, schur_s) = match scores {
            Scores::Exact => (a.clone(), g.clone(), schur.clone()),
            Scores::Fitted(t) => {
                let mut cols = u.clone();
                cols.extend_from_slice(b);
                let fit = Gmm::fit_gaussian(t.select(Axis(1), &cols).view())?;
                let local: Vec<usize> = (0..u.len()).collect();
                let rest: Vec<usize> = (u.len()..cols.len()).collect();
                let c = fit.conditioner(&local, &rest)?;
                let (a_f, g_f) = c.affine_mean(0);
                // the least-squares residual covariance with its degrees of freedom,
                // RSS / (n - 1 - |u|): the fitted Gaussian's Schur complement is RSS / (n - 1),
                // which shrinks the spread the more regressors there are
                let n = t.nrows() as f64;
                let dof = (n - 1.0) / (n - 1.0 - u.len() as f64);
                let schur_f =
                    Spd::new(c.schur(0).matrix() * dof, "the fitted residual covariance")?;
                (a_f, g_f, schur_f)
            }
        };
        let centred = Gmm::new(
            &[1.0],
            Array2::zeros((1, b.len())),
            vec![schur_s.matrix().to_owned()],
        )?;
        let exact = ExactMixtureScore { target: &centred };
        let score = ScaledScore {
            inner: &exact,
            delta: level.delta,
        };
        let (amap, noise) = gaussian_affine_law(level.sampler, level.fault, &level.grid, &score)?;
        // output = a + G y_u + A (x_0 - a - G y_u) + e, x_0 ~ N(0, init_var I)
        let keep = Array2::<f64>::eye(b.len()) - &amap;
        let alpha = keep.dot(&a_s);
        let gamma = keep.dot(&g_s);
        let e = amap.dot(&amap.t()) * level.init_var + &noise;
        // the chain rule's term and its split, under the target's law of y
        let law = marginal_of(&mu, &sigma, y);
        let full = ir.joint.conditioner(y, b)?;
        let (a1, b1) = full.affine_mean(0);
        // IR's kernels written on y's coordinates (u is a subset of y)
        let embed = |m: &Array2<f64>| -> Array2<f64> {
            let mut out = Array2::zeros((b.len(), y.len()));
            for (j, ui) in u.iter().enumerate() {
                let col = y
                    .iter()
                    .position(|yi| yi == ui)
                    .expect("u is a subset of y");
                out.column_mut(col).assign(&m.column(j));
            }
            out
        };
        let e_spd = Spd::new(e.clone(), "the level sampler's output covariance")?;
        let term = expected_conditional_kl_gaussian(
            (&a1, &b1, full.schur(0)),
            (&alpha, &embed(&gamma), &e_spd),
            &law.0,
            &law.1,
        )?;
        let truncation = expected_conditional_kl_gaussian(
            (&a1, &b1, full.schur(0)),
            (&a, &embed(&g), &schur),
            &law.0,
            &law.1,
        )?;
        let (mu_u, c_u) = marginal_of(&mu, &sigma, u);
        let sampler = expected_conditional_kl_gaussian(
            (&a, &g, &schur),
            (&alpha, &gamma, &e_spd),
            &mu_u,
            &c_u,
        )?;
        let estimation = match scores {
            Scores::Exact => 0.0,
            Scores::Fitted(_) => expected_conditional_kl_gaussian(
                (&a, &g, &schur),
                (&a_s, &g_s, &schur_s),
                &mu_u,
                &c_u,
            )?,
        };
        // the bound is the correct sampler's, whatever fault the sampler carries
        let girsanov = if level.sampler == Sampler::EulerMaruyama && matches!(scores, Scores::Exact)
        {
            // the centred bound, plus the start's mean term E|a + G y_u|^2 / (2 init_var)
            let eigs = eigenvalues(schur.matrix().view())?.to_vec();
            let t = girsanov_bound(&eigs, &level.grid, level.delta, level.init_var)?;
            let m = &a + &g.dot(&mu_u);
            let mean_sq = m.dot(&m) + g.dot(&c_u).dot(&g.t()).diag().sum();
            t.total() + 0.5 * mean_sq / level.init_var
        } else {
            f64::NAN
        };
        levels.push(LevelShare {
            term,
            truncation,
            sampler,
            girsanov,
            estimation,
        });
        q.add(b, u, &alpha, &gamma, &e);
    }
    // the final error from the two joint laws in signal coordinates: x = H^T c for both, or
    // under the transposed synthesis x_t = H c_t for the sampler's output
    let h = hier.matrix();
    let synth = |out: &Array2<f64>| -> Array2<f64> {
        let mut t = Array2::zeros((2 * d, 2 * d));
        t.slice_mut(s![..d, ..d]).assign(&h.t());
        t.slice_mut(s![d.., d..]).assign(out);
        t
    };
    let tp = synth(&h.t().to_owned());
    let tq = if fault == BudgetFault::SynthesisTransposed {
        synth(&h)
    } else {
        tp.clone()
    };
    let p_cov = Spd::new(tp.dot(&sigma).dot(&tp.t()), "the target's joint covariance")?;
    let q_cov = Spd::new(
        tq.dot(&q.cov).dot(&tq.t()),
        "the IR sampler's joint covariance",
    )?;
    let final_kl = kl_gaussian(tp.dot(&mu).view(), &p_cov, tq.dot(&q.mean).view(), &q_cov)?;
    Ok(IrBudget {
        final_kl,
        levels,
        joint_mean: q.mean,
        joint_cov: q.cov,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(h: f64) -> IrModel {
        crate::multiscale::gaussian_test_model("h", h, 7)
    }

    fn level(n: usize, delta: f64) -> LevelSampler {
        LevelSampler {
            sampler: Sampler::EulerMaruyama,
            fault: SamplerFault::None,
            grid: SigmaGrid::karras(n, 0.002, 80.0, 7.0).unwrap(),
            delta,
            init_var: 6400.0,
        }
    }

    #[test]
    fn a_fitted_score_loses_its_parameter_count_over_2n_and_the_chain_rule_still_holds() {
        // independent route: to first order a well-specified Gaussian regression's expected
        // KL is its parameter count over 2N (|b| (|u| + 1) coefficients, |b| (|b| + 1) / 2
        // covariances per block)
        let ir = model(0.5);
        let n = 4000;
        let params: usize = (0..ir.hier.levels())
            .map(|r| {
                let (u, w, prev, _) = ir.sets(r).unwrap();
                let k = u.len() + prev.len();
                w.len() * (k + 1) + w.len() * (w.len() + 1) / 2
            })
            .sum();
        let mut rng = crate::mc::stream(3, 0, 0);
        let mut scaled = 0.0;
        let sets = 10;
        for _ in 0..sets {
            let (t, _) = ir.joint.sample(n, &mut rng);
            let b = scored_gaussian_budget(
                &ir,
                Scheme::Ir { from: Some(0) },
                &level(16, 0.0),
                BudgetFault::None,
                Scores::Fitted(t.view()),
            )
            .unwrap();
            let est: f64 = b.levels.iter().map(|l| l.estimation).sum();
            scaled += est * 2.0 * n as f64 / params as f64 / sets as f64;
            // the fitted sampler's law still obeys the chain rule exactly
            let sum = b.sum_of_terms();
            assert!(
                (b.final_kl - sum).abs() < 1e-9 * sum,
                "{} {sum}",
                b.final_kl
            );
        }
        assert!(
            (0.85..1.2).contains(&scaled),
            "{scaled} ({params} parameters)"
        );
        // too few rows for the largest block is a named error
        let (t, _) = ir.joint.sample(10, &mut rng);
        let err = scored_gaussian_budget(
            &ir,
            Scheme::OneShot { from: 0 },
            &level(16, 0.0),
            BudgetFault::None,
            Scores::Fitted(t.view()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("10 training rows"), "{err}");
        // IR's error names its largest block's need (the finest level's), not the first's
        let need = (0..ir.hier.levels())
            .map(|r| {
                let (u, w, prev, _) = ir.sets(r).unwrap();
                u.len() + prev.len() + w.len()
            })
            .max()
            .unwrap();
        let first = {
            let (u, w, prev, _) = ir.sets(0).unwrap();
            u.len() + prev.len() + w.len()
        };
        assert!(need > first && need > 10, "{need} {first}");
        let err = scored_gaussian_budget(
            &ir,
            Scheme::Ir { from: Some(0) },
            &level(16, 0.0),
            BudgetFault::None,
            Scores::Fitted(t.view()),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("more than {need} are needed")),
            "{err}"
        );
    }

    #[test]
    fn one_shot_and_ir_from_a_given_level_add_up_too() {
        let ir = model(0.5);
        for scheme in [
            Scheme::Ir { from: Some(1) },
            Scheme::OneShot { from: 1 },
            Scheme::OneShot { from: 0 },
        ] {
            let b = gaussian_budget(&ir, scheme, &level(16, 0.1), BudgetFault::None).unwrap();
            let sum = b.sum_of_terms();
            assert!(
                (b.final_kl - sum).abs() < 1e-9 * sum,
                "{scheme:?}: {} vs {sum}",
                b.final_kl
            );
            if let Scheme::OneShot { .. } = scheme {
                // one block, conditioned on everything before it: nothing is truncated
                assert_eq!(b.levels.len(), 1);
                assert!(b.levels[0].truncation.abs() < 1e-12);
            }
        }
        // IR from x_t^1 has the two finer levels' blocks of IR from x_t^0, the same terms
        let all = ir_gaussian_budget(&ir, &level(16, 0.1), BudgetFault::None).unwrap();
        let from1 = gaussian_budget(
            &ir,
            Scheme::Ir { from: Some(1) },
            &level(16, 0.1),
            BudgetFault::None,
        )
        .unwrap();
        assert_eq!(from1.levels.len(), 2);
        for (a, b) in from1.levels.iter().zip(&all.levels[2..]) {
            assert!((a.term - b.term).abs() < 1e-9 * b.term);
        }
        assert!(gaussian_budget(
            &ir,
            Scheme::OneShot { from: 3 },
            &level(16, 0.1),
            BudgetFault::None
        )
        .is_err());
    }

    #[test]
    fn the_budget_adds_up_and_splits_into_truncation_and_sampler_error() {
        for h in [0.0, 0.9] {
            let ir = model(h);
            for (n, delta) in [(8, 0.2), (64, 0.0)] {
                let b = ir_gaussian_budget(&ir, &level(n, delta), BudgetFault::None).unwrap();
                let sum = b.sum_of_terms();
                assert!(
                    (b.final_kl - sum).abs() < 1e-9 * sum,
                    "{} vs {sum}",
                    b.final_kl
                );
                for l in &b.levels {
                    // E KL(p(.|y) || q(.|u)) = E KL(p(.|y) || p(.|u)) + E KL(p(.|u) || q(.|u))
                    assert!((l.term - l.truncation - l.sampler).abs() < 1e-9 * l.term.max(1e-12));
                    assert!(l.truncation >= -1e-12 && l.sampler <= l.girsanov);
                }
                // the transposed synthesis is not the inverse of the analysis: the final error moves
                let t = ir_gaussian_budget(&ir, &level(n, delta), BudgetFault::SynthesisTransposed)
                    .unwrap();
                assert!(
                    t.final_kl > 1.5 * b.final_kl,
                    "{} vs {}",
                    t.final_kl,
                    b.final_kl
                );
            }
        }
    }
}
