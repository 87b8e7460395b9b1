//! Conditional score problems (theory/score.md section 9).
//!
//! A pair (c, w) with a Gaussian-mixture law: c the conditioning variables (p coordinates),
//! w the target (q coordinates). The target is noised as y = a w + s z, and the score to learn
//! is grad_y log p(y | c). Because p(c) does not depend on y, grad_y log p(y | c) =
//! grad_y log p(c, y), and (c, y) is again a mixture (an affine map of (c, w) plus noise on the
//! w block): the exact conditional score of every point is one block of a mixture score, one
//! GEMM per block of points (`ExactConditionalScore`). The estimator is the conditional
//! smoothed empirical score (`ConditionalKde`): the y-gradient of a product-kernel density
//! estimate of (c, y), with the conditioning coordinates standardised, and its two bandwidths
//! chosen by the held-out denoising loss (`select_kde`), which by the denoising identity
//! (section 6) ranks models as their Fisher divergences do.
use super::{check_dim, ridge_solve, Noising, RandomFeatures, ScoreError, SmoothedEmpirical};
use crate::mc::Rng;
use crate::prob::Gmm;
use ndarray::{concatenate, s, Array1, Array2, ArrayView2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// Training or test pairs: row i is (c_i, w_i).
#[derive(Debug, Clone)]
pub struct Pairs {
    pub c: Array2<f64>,
    pub w: Array2<f64>,
}

impl Pairs {
    pub fn len(&self) -> usize {
        self.w.nrows()
    }
    pub fn is_empty(&self) -> bool {
        self.w.nrows() == 0
    }
    /// Rows a..b.
    fn rows(&self, a: usize, b: usize) -> Pairs {
        Pairs {
            c: self.c.slice(s![a..b, ..]).to_owned(),
            w: self.w.slice(s![a..b, ..]).to_owned(),
        }
    }
}

/// A mistake in the conditional estimator (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CondFault {
    #[default]
    None,
    /// The conditioning variables ignored: the kernel is flat in c, so the estimate is the
    /// score of the marginal of y, not of y given c.
    ConditioningIgnored,
}

/// The law of (c, w) as the coordinates `cond` and `out` of a larger mixture (whose draws
/// therefore serve several problems at once: `pairs_from`).
#[derive(Debug, Clone)]
pub struct ConditionalTarget {
    pub name: String,
    joint: Gmm,
    cond: Vec<usize>,
    out: Vec<usize>,
}

impl ConditionalTarget {
    /// The problem of `out` given `cond` (indices into `full`, disjoint, `out` not empty).
    pub fn new(
        name: &str,
        full: &Gmm,
        cond: &[usize],
        out: &[usize],
    ) -> Result<ConditionalTarget, ScoreError> {
        if out.is_empty() {
            return Err(ScoreError::Input(format!(
                "conditional problem `{name}`: no target coordinates"
            )));
        }
        if cond.iter().any(|i| out.contains(i)) {
            return Err(ScoreError::Input(format!(
                "conditional problem `{name}`: a coordinate is both conditioned on and a target"
            )));
        }
        let idx: Vec<usize> = cond.iter().chain(out).copied().collect();
        Ok(ConditionalTarget {
            name: name.into(),
            joint: full.marginal(&idx)?,
            cond: cond.to_vec(),
            out: out.to_vec(),
        })
    }

    pub fn cond_dim(&self) -> usize {
        self.cond.len()
    }
    pub fn out_dim(&self) -> usize {
        self.out.len()
    }

    /// The pairs carried by draws of the larger mixture (rows of `full`).
    pub fn pairs_from(&self, full: ArrayView2<f64>) -> Pairs {
        Pairs {
            c: full.select(Axis(1), &self.cond),
            w: full.select(Axis(1), &self.out),
        }
    }

    /// n independent pairs.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Pairs {
        let (z, _) = self.joint.sample(n, rng);
        let p = self.cond_dim();
        Pairs {
            c: z.slice(s![.., ..p]).to_owned(),
            w: z.slice(s![.., p..]).to_owned(),
        }
    }

    /// The exact score of the noised conditional, grad_y log p(y | c).
    pub fn exact(&self, noising: Noising) -> Result<ExactConditionalScore, ScoreError> {
        let (p, d) = (self.cond_dim(), self.joint.dim());
        let mut a = Array2::<f64>::eye(d);
        let mut q = Array2::<f64>::zeros((d, d));
        for i in p..d {
            a[[i, i]] = noising.a;
            q[[i, i]] = noising.s * noising.s;
        }
        Ok(ExactConditionalScore {
            noised: self.joint.affine(&a, None, Some(&q))?,
            p,
        })
    }
}

/// A conditional score model: grad_y log p(y | c) at the rows of (c, y).
pub trait ConditionalScore: Sync {
    fn score(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError>;
}

/// The exact score of a noised conditional: the y block of the mixture score of (c, y).
pub struct ExactConditionalScore {
    noised: Gmm,
    p: usize,
}

impl ConditionalScore for ExactConditionalScore {
    fn score(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(c, self.p, "the conditioning variables")?;
        check_dim(y, self.noised.dim() - self.p, "the noised target")?;
        let z = concatenate(Axis(1), &[c, y]).map_err(|e| ScoreError::Input(e.to_string()))?;
        let (_, score) = self.noised.log_density_and_score(z.view())?;
        Ok(score.slice(s![.., self.p..]).to_owned())
    }
}

/// The conditional smoothed empirical score: for training pairs (c_i, w_i), the density
/// estimate (1/n) sum_i N(u; k (c_i - m) / sd, v I) N(y; a w_i, v I) of (u, y), with
/// v = s^2 + h^2, u = k (c - m) / sd the standardised conditioning variables scaled so the
/// kernel's width in standardised units is hc (k = sqrt(v) / hc), and its score in y.
pub struct ConditionalKde {
    kde: SmoothedEmpirical,
    centre: Array1<f64>,
    scale: Array1<f64>,
    p: usize,
}

impl ConditionalKde {
    /// From training pairs, the noising, the extra bandwidth h >= 0 in y and the width
    /// hc > 0 in standardised conditioning units; errors name the parameter.
    pub fn new(
        train: &Pairs,
        noising: Noising,
        h: f64,
        hc: f64,
        fault: CondFault,
    ) -> Result<ConditionalKde, ScoreError> {
        let p = train.c.ncols();
        if train.is_empty() {
            return Err(ScoreError::Input(
                "the conditional score estimate needs at least one training pair (`N` >= 1)".into(),
            ));
        }
        if !(h >= 0.0 && h.is_finite()) {
            return Err(ScoreError::Input(format!(
                "bandwidth `h` = {h}: must be >= 0 and finite"
            )));
        }
        if p > 0 && !(hc > 0.0 && hc.is_finite()) {
            return Err(ScoreError::Input(format!(
                "conditioning bandwidth `hc` = {hc}: must be positive and finite"
            )));
        }
        let v = noising.s * noising.s + h * h;
        let k = if fault == CondFault::ConditioningIgnored {
            0.0
        } else {
            v.sqrt() / hc
        };
        // a constant column carries no information: the standardiser gives it scale 1
        let (centre, inv_sd) = standardiser(&train.c);
        let scale = inv_sd * k;
        let u = (&train.c - &centre) * &scale;
        let centres = concatenate(Axis(1), &[u.view(), (&train.w * noising.a).view()])
            .map_err(|e| ScoreError::Input(e.to_string()))?;
        Ok(ConditionalKde {
            kde: SmoothedEmpirical::from_centres(centres, v, 0.0)?,
            centre,
            scale,
            p,
        })
    }
}

impl ConditionalScore for ConditionalKde {
    fn score(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(c, self.p, "the conditioning variables")?;
        let u = (&c - &self.centre) * &self.scale;
        let z =
            concatenate(Axis(1), &[u.view(), y]).map_err(|e| ScoreError::Input(e.to_string()))?;
        let score = crate::score::ScoreModel::score(&self.kde, z.view())?;
        Ok(score.slice(s![.., self.p..]).to_owned())
    }
}

/// Noised copies of pairs: y = a w + s z and the denoising target t = -z / s.
pub struct NoisedPairs {
    pub y: Array2<f64>,
    pub t: Array2<f64>,
}

impl NoisedPairs {
    pub fn draw(pairs: &Pairs, noising: Noising, rng: &mut Rng) -> NoisedPairs {
        let z = Array2::from_shape_fn(pairs.w.dim(), |_| StandardNormal.sample(rng));
        NoisedPairs {
            y: &pairs.w * noising.a + &z * noising.s,
            t: z * (-1.0 / noising.s),
        }
    }
}

/// Mean of ||a_i - b_i||^2 over rows.
pub fn mean_sq_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    mean_sq_norm(&(a - b))
}

/// Mean of ||a_i||^2 over rows.
pub fn mean_sq_norm(a: &Array2<f64>) -> f64 {
    let n = a.nrows().max(1) as f64;
    a.iter().map(|v| v * v).sum::<f64>() / n
}

/// The bandwidths a selection chose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bandwidths {
    pub h: f64,
    pub hc: f64,
}

/// Fit the conditional estimator at each (h, hc) of the grids on the first part of the
/// training pairs, score the held-out rest (the last `holdout` fraction, at most `max_eval`
/// pairs) by the denoising loss, and refit on all pairs at the best; ties go to the first.
#[allow(clippy::too_many_arguments)]
pub fn select_kde(
    train: &Pairs,
    noising: Noising,
    hs: &[f64],
    hcs: &[f64],
    holdout: f64,
    max_eval: usize,
    fault: CondFault,
    rng: &mut Rng,
) -> Result<(ConditionalKde, Bandwidths), ScoreError> {
    let n = train.len();
    if hs.is_empty() || hcs.is_empty() {
        return Err(ScoreError::Input("an empty bandwidth grid".into()));
    }
    if !(holdout > 0.0 && holdout < 1.0) {
        return Err(ScoreError::Input(format!(
            "held-out fraction {holdout}: must lie in (0, 1)"
        )));
    }
    let cut = ((n as f64 * (1.0 - holdout)).round() as usize).clamp(1, n.max(2) - 1);
    let mut best = Bandwidths {
        h: hs[0],
        hc: hcs[0],
    };
    if n >= 2 && (hs.len() > 1 || hcs.len() > 1) {
        let fit = train.rows(0, cut);
        let eval = train.rows(cut, n.min(cut + max_eval.max(1)));
        let noised = NoisedPairs::draw(&eval, noising, rng);
        let mut best_loss = f64::INFINITY;
        for &h in hs {
            for &hc in hcs {
                let m = ConditionalKde::new(&fit, noising, h, hc, fault)?;
                let loss = mean_sq_diff(&m.score(eval.c.view(), noised.y.view())?, &noised.t);
                if loss < best_loss {
                    best_loss = loss;
                    best = Bandwidths { h, hc };
                }
            }
        }
    }
    Ok((
        ConditionalKde::new(train, noising, best.h, best.hc, fault)?,
        best,
    ))
}

/// A noise schedule: levels s_k (VE) with weights; the error metric averages over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub levels: Vec<(f64, f64)>,
}

impl Schedule {
    /// VE levels with the weights s^2 (the denoiser's scale: s^2 E||ŝ - s*||^2 is the mean
    /// squared error of the predicted noise).
    pub fn ve_weighted(levels: &[f64]) -> Result<Schedule, ScoreError> {
        for &s in levels {
            Noising::ve(s)?;
        }
        if levels.is_empty() {
            return Err(ScoreError::Input("an empty noise schedule".into()));
        }
        Ok(Schedule {
            levels: levels.iter().map(|&s| (s, s * s)).collect(),
        })
    }
}

/// The schedule-weighted sums sum_k w_k E||ŝ - s*||^2 (`err`) and sum_k w_k E||s*||^2
/// (`norm`) of one problem: their ratio is the relative Fisher divergence, and the terms of
/// several problems over disjoint target coordinates add.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FisherTerms {
    pub err: f64,
    pub norm: f64,
}

impl FisherTerms {
    pub fn relative(&self) -> f64 {
        self.err / self.norm
    }
    pub fn add(self, o: FisherTerms) -> FisherTerms {
        FisherTerms {
            err: self.err + o.err,
            norm: self.norm + o.norm,
        }
    }
}

/// A conditional estimator with the grids its held-out selection searches.
#[derive(Debug, Clone, PartialEq)]
pub enum Estimator {
    /// `ConditionalKde`: extra bandwidths h as multiples of s; conditioning widths as
    /// multiples of Scott's factor n^{-1/(D + 4)} (D = dim c + dim w) in standardised units.
    Kde {
        h_over_s: Vec<f64>,
        hc_over_scott: Vec<f64>,
    },
    /// `ConditionalRidge`: random Fourier features of the standardised (c, y), as many as
    /// `features_for(N)`, length scales as multiples of sqrt(D), ridge penalties.
    Ridge {
        l_over_sqrt_dim: Vec<f64>,
        lambdas: Vec<f64>,
    },
}

/// How a conditional score is learned and judged: the estimator, the held-out fraction of
/// the training pairs and the most held-out pairs scored, the fresh test pairs per noise
/// level, and a fault (mutation controls).
#[derive(Debug, Clone, PartialEq)]
pub struct FitPlan {
    pub estimator: Estimator,
    pub holdout: f64,
    pub max_eval: usize,
    pub test: usize,
    pub fault: CondFault,
}

impl FitPlan {
    /// The estimator fitted to `train` at one noise level, its hyperparameters chosen on the
    /// held-out pairs by the denoising loss.
    pub fn fit(
        &self,
        train: &Pairs,
        noising: Noising,
        rng: &mut Rng,
    ) -> Result<Box<dyn ConditionalScore>, ScoreError> {
        let n = train.len();
        let dim = (train.c.ncols() + train.w.ncols()) as f64;
        Ok(match &self.estimator {
            Estimator::Kde {
                h_over_s,
                hc_over_scott,
            } => {
                let scott = (n.max(1) as f64).powf(-1.0 / (dim + 4.0));
                let hs: Vec<f64> = h_over_s.iter().map(|f| f * noising.s).collect();
                let hcs: Vec<f64> = hc_over_scott.iter().map(|f| f * scott).collect();
                let (m, _) = select_kde(
                    train,
                    noising,
                    &hs,
                    &hcs,
                    self.holdout,
                    self.max_eval,
                    self.fault,
                    rng,
                )?;
                Box::new(m)
            }
            Estimator::Ridge {
                l_over_sqrt_dim,
                lambdas,
            } => {
                let ls: Vec<f64> = l_over_sqrt_dim.iter().map(|f| f * dim.sqrt()).collect();
                Box::new(select_ridge(
                    train,
                    noising,
                    features_for(n),
                    &ls,
                    lambdas,
                    self.holdout,
                    self.fault,
                    rng,
                )?)
            }
        })
    }
}

/// The schedule-weighted Fisher terms of the estimator fitted to `train` for `target`, on
/// `plan.test` fresh pairs of the target per noise level.
pub fn conditional_fisher_terms(
    target: &ConditionalTarget,
    train: &Pairs,
    schedule: &Schedule,
    plan: &FitPlan,
    rng: &mut Rng,
) -> Result<FisherTerms, ScoreError> {
    fisher_terms_with(target, schedule, plan.test, rng, |noising, rng| {
        plan.fit(train, noising, rng)
    })
}

/// The schedule-weighted Fisher terms of the model `model(noising)` gives at each noise level,
/// on `test` fresh pairs of the target per noise level.
pub fn fisher_terms_with<'m>(
    target: &ConditionalTarget,
    schedule: &Schedule,
    test: usize,
    rng: &mut Rng,
    mut model: impl FnMut(Noising, &mut Rng) -> Result<Box<dyn ConditionalScore + 'm>, ScoreError>,
) -> Result<FisherTerms, ScoreError> {
    let mut out = FisherTerms::default();
    for &(s, weight) in &schedule.levels {
        let noising = Noising::ve(s)?;
        let m = model(noising, rng)?;
        let pairs = target.sample(test, rng);
        let noised = NoisedPairs::draw(&pairs, noising, rng);
        let exact = target
            .exact(noising)?
            .score(pairs.c.view(), noised.y.view())?;
        let est = m.score(pairs.c.view(), noised.y.view())?;
        out.err += weight * mean_sq_diff(&est, &exact);
        out.norm += weight * mean_sq_norm(&exact);
    }
    Ok(out)
}

/// The number of random features for N training pairs: ceil(sqrt(N) ln N) within [32, 1024],
/// the order at which random features keep kernel ridge regression's learning rate (Rudi and
/// Rosasco, NeurIPS 2017; not read here, theory/score.md section 9).
pub fn features_for(n: usize) -> usize {
    let n = n.max(2) as f64;
    ((n.sqrt() * n.ln()).ceil() as usize).clamp(32, 1024)
}

/// Per-column mean and 1 / sd of the rows of `x` (a constant column gets scale 1).
pub(crate) fn standardiser(x: &Array2<f64>) -> (Array1<f64>, Array1<f64>) {
    let n = x.nrows().max(1) as f64;
    let m = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let inv: Array1<f64> = (0..x.ncols())
        .map(|j| {
            let v = x.column(j).iter().map(|a| (a - m[j]).powi(2)).sum::<f64>() / n;
            if v > 0.0 {
                1.0 / v.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    (m, inv)
}

/// A random-feature conditional score s(c, y) = phi(u) W, u the standardised (c, y),
/// fitted by denoising score matching in closed form (`ridge_fit`).
pub struct ConditionalRidge {
    centre: Array1<f64>,
    inv_sd: Array1<f64>,
    features: RandomFeatures,
    w: Array2<f64>,
    p: usize,
}

impl ConditionalRidge {
    fn inputs(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(c, self.p, "the conditioning variables")?;
        let z = concatenate(Axis(1), &[c, y]).map_err(|e| ScoreError::Input(e.to_string()))?;
        Ok((z - &self.centre) * &self.inv_sd)
    }
}

impl ConditionalScore for ConditionalRidge {
    fn score(&self, c: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        self.features.predict(self.inputs(c, y)?.view(), &self.w)
    }
}

/// Fit the random-feature model at each length scale (one feature draw each) and penalty on
/// the first part of the training pairs, score the held-out rest by the denoising loss, and
/// refit on all pairs at the best (same features).
#[allow(clippy::too_many_arguments)]
pub fn select_ridge(
    train: &Pairs,
    noising: Noising,
    m: usize,
    ls: &[f64],
    lambdas: &[f64],
    holdout: f64,
    fault: CondFault,
    rng: &mut Rng,
) -> Result<ConditionalRidge, ScoreError> {
    if ls.is_empty() || lambdas.is_empty() {
        return Err(ScoreError::Input(
            "an empty length-scale or penalty grid".into(),
        ));
    }
    if !(holdout > 0.0 && holdout < 1.0) {
        return Err(ScoreError::Input(format!(
            "held-out fraction {holdout}: must lie in (0, 1)"
        )));
    }
    let p = train.c.ncols();
    let n = train.len();
    if n < 2 {
        return Err(ScoreError::Input(
            "the random-feature fit needs at least two training pairs (`N` >= 2)".into(),
        ));
    }
    let noised = NoisedPairs::draw(train, noising, rng);
    let z = concatenate(Axis(1), &[train.c.view(), noised.y.view()])
        .map_err(|e| ScoreError::Input(e.to_string()))?;
    let (centre, mut inv_sd) = standardiser(&z);
    if fault == CondFault::ConditioningIgnored {
        inv_sd.slice_mut(s![..p]).fill(0.0);
    }
    let u = (&z - &centre) * &inv_sd;
    let cut = ((n as f64 * (1.0 - holdout)).round() as usize).clamp(1, n - 1);
    let (tf, te) = (
        noised.t.slice(s![..cut, ..]),
        noised.t.slice(s![cut.., ..]).to_owned(),
    );
    // per length scale, the fit part's normal equations and the held-out part's features are
    // formed once: every penalty reuses them, and the refit on all pairs adds the held-out
    // part's products to the fit part's (the same sums as forming them over all n rows)
    struct Candidate {
        loss: f64,
        lambda: f64,
        features: RandomFeatures,
        gram: Array2<f64>,
        rhs: Array2<f64>,
        phi_eval: Array2<f64>,
    }
    let mut best: Option<Candidate> = None;
    for &l in ls {
        let features = RandomFeatures::new(u.ncols(), m, l, rng)?;
        // blockwise: the feature matrix is never formed whole (`RandomFeatures::normal_equations`)
        let (gram, rhs) = features.normal_equations(u.slice(s![..cut, ..]), tf)?;
        let phi_eval = features.map(u.slice(s![cut.., ..]))?;
        let mut chosen: Option<(f64, f64)> = None;
        for &lambda in lambdas {
            let w = ridge_solve(&gram, &rhs, cut as f64 * lambda)?;
            let loss = mean_sq_diff(&phi_eval.dot(&w), &te);
            let incumbent = chosen
                .map(|c| c.0)
                .or(best.as_ref().map(|b| b.loss))
                .unwrap_or(f64::INFINITY);
            if loss < incumbent || (chosen.is_none() && best.is_none()) {
                chosen = Some((loss, lambda));
            }
        }
        if let Some((loss, lambda)) = chosen {
            best = Some(Candidate {
                loss,
                lambda,
                features,
                gram,
                rhs,
                phi_eval,
            });
        }
    }
    let b = best.expect("the grids are not empty");
    let mut gram = b.gram;
    crate::linalg::add_gram(b.phi_eval.view(), &mut gram);
    let rhs = b.rhs + b.phi_eval.t().dot(&te);
    let w = ridge_solve(&gram, &rhs, n as f64 * b.lambda)?;
    let features = b.features;
    Ok(ConditionalRidge {
        centre,
        inv_sd,
        features,
        w,
        p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::stream;
    use ndarray::array;

    fn joint() -> Gmm {
        Gmm::new(
            &[0.4, 0.6],
            array![[1.0, -1.0, 0.5], [-1.0, 1.5, 0.0]],
            vec![
                array![[1.0, 0.5, 0.2], [0.5, 1.0, 0.1], [0.2, 0.1, 0.7]],
                array![[0.8, -0.2, 0.0], [-0.2, 0.6, 0.3], [0.0, 0.3, 1.2]],
            ],
        )
        .unwrap()
    }

    #[test]
    fn the_exact_conditional_score_is_the_score_of_the_conditioned_mixture() {
        // independent route: condition first (prob::Conditioner), noise, then the mixture score
        let g = joint();
        let t = ConditionalTarget::new("t", &g, &[2, 0], &[1]).unwrap();
        let noising = Noising::ve(0.4).unwrap();
        let exact = t.exact(noising).unwrap();
        let cond = g.conditioner(&[2, 0], &[1]).unwrap();
        for (c, y) in [([0.3, 1.0], 0.2), ([-1.0, -2.0], 2.5), ([2.0, 0.0], -3.0)] {
            let law = noising
                .apply(&cond.at(array![c[0], c[1]].view()).unwrap())
                .unwrap();
            let (_, want) = law.log_density_and_score(array![[y]].view()).unwrap();
            let got = exact
                .score(array![[c[0], c[1]]].view(), array![[y]].view())
                .unwrap();
            assert!((got[[0, 0]] - want[[0, 0]]).abs() < 1e-12, "{got} {want}");
        }
    }

    #[test]
    fn the_estimator_approaches_the_exact_score_and_ignoring_c_does_not() {
        let g = joint();
        let t = ConditionalTarget::new("t", &g, &[0, 2], &[1]).unwrap();
        let noising = Noising::ve(0.5).unwrap();
        let mut rng = stream(7, 0, 0);
        let train = t.sample(20000, &mut rng);
        let test = t.sample(2000, &mut rng);
        let noised = NoisedPairs::draw(&test, noising, &mut rng);
        let exact = t
            .exact(noising)
            .unwrap()
            .score(test.c.view(), noised.y.view())
            .unwrap();
        let norm = mean_sq_norm(&exact);
        let err = |fault| {
            let m = ConditionalKde::new(&train, noising, 0.1, 0.15, fault).unwrap();
            mean_sq_diff(&m.score(test.c.view(), noised.y.view()).unwrap(), &exact) / norm
        };
        let right = err(CondFault::None);
        let wrong = err(CondFault::ConditioningIgnored);
        assert!(right < 0.1, "relative Fisher {right}");
        assert!(wrong > 3.0 * right, "{wrong} vs {right}");
    }

    #[test]
    fn bad_bandwidths_are_named() {
        let g = joint();
        let t = ConditionalTarget::new("t", &g, &[0], &[1, 2]).unwrap();
        let mut rng = stream(1, 0, 0);
        let train = t.sample(10, &mut rng);
        let n = Noising::ve(1.0).unwrap();
        let e = ConditionalKde::new(&train, n, 0.1, 0.0, CondFault::None)
            .err()
            .unwrap();
        assert!(e.to_string().contains("`hc`"));
        assert!(ConditionalTarget::new("t", &g, &[0], &[0]).is_err());
    }
}
