//! Score models of noised targets and the quantities that judge them (theory/score.md).
//!
//! A target p on R^d is noised as y = a x + s z, z ~ N(0, I) (`Noising`: VE is a = 1, VP is
//! a = sqrt(1 - s^2)); the noised law p_{a,s} of a Gaussian mixture is again a mixture, so its
//! score grad log p_{a,s} is exact (`ExactScore`). Models behind one trait (`ScoreModel`,
//! batched over the rows of an n x d array): the exact score, the Gaussian-smoothed empirical
//! score of Wibisono, Wu and Yang (`SmoothedEmpirical`: the score of a Gaussian kernel density
//! estimate with a density floor), random-feature models fitted by denoising score matching in
//! closed form (`ridge`), and perturbations of a model (`Perturbed`, for checks).
//! `loss` has the per-draw denoising and explicit score-matching losses and Tweedie's
//! posterior mean.
mod conditional;
mod exact;
mod kde;
mod loss;
mod ridge;
mod shared;

pub use conditional::{
    conditional_fisher_terms, fisher_terms_with, mean_sq_diff, mean_sq_norm, select_kde,
    select_ridge, Bandwidths, CondFault, ConditionalKde, ConditionalRidge, ConditionalScore,
    ConditionalTarget, Estimator, ExactConditionalScore, FisherTerms, FitPlan, NoisedPairs, Pairs,
    Schedule,
};
pub use exact::{posterior_mean, tweedie_mean, ExactScore};
pub use kde::{KdeFault, SmoothedEmpirical};
pub use loss::{dsm_target, dsm_terms, fisher_terms, DsmFault, NoisedDraws};
pub use ridge::{
    ridge_fit, ridge_fit_cg, ridge_objective, ridge_solve, RandomFeatureScore, RandomFeatures,
    RidgeFault,
};
pub use shared::{fit_shared, LevelPairs, SharedFault, SharedPlan, SharedRidge, SharedView};

use ndarray::{Array1, Array2, ArrayView2};
use thiserror::Error;

/// What the score code rejects: a parameter out of range, a shape mismatch, a mixture error.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScoreError {
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    #[error("{0}")]
    Input(String),
}

impl crate::error::SubjectError for ScoreError {}

/// y = a x + s z with z ~ N(0, I): `a` > 0 the signal scale, `s` > 0 the noise level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noising {
    pub a: f64,
    pub s: f64,
}

impl Noising {
    /// Variance exploding: y = x + s z.
    pub fn ve(s: f64) -> Result<Noising, ScoreError> {
        Noising::new(1.0, s)
    }

    /// Variance preserving: y = sqrt(1 - s^2) x + s z, 0 < s < 1.
    pub fn vp(s: f64) -> Result<Noising, ScoreError> {
        if !(s > 0.0 && s < 1.0) {
            return Err(ScoreError::Input(format!(
                "noise level `s` = {s}: a variance-preserving noise level must lie in (0, 1)"
            )));
        }
        Noising::new((1.0 - s * s).sqrt(), s)
    }

    /// Any a > 0, s > 0 (both finite); errors name the parameter.
    pub fn new(a: f64, s: f64) -> Result<Noising, ScoreError> {
        if !(s > 0.0 && s.is_finite()) {
            return Err(ScoreError::Input(format!(
                "noise level `s` = {s}: must be positive and finite"
            )));
        }
        if !(a > 0.0 && a.is_finite()) {
            return Err(ScoreError::Input(format!(
                "signal scale `a` = {a}: must be positive and finite"
            )));
        }
        Ok(Noising { a, s })
    }

    /// The law of a x + s z for x ~ g.
    pub fn apply(&self, g: &crate::prob::Gmm) -> Result<crate::prob::Gmm, ScoreError> {
        let d = g.dim();
        let a = Array2::<f64>::eye(d) * self.a;
        let q = Array2::<f64>::eye(d) * (self.s * self.s);
        Ok(g.affine(&a, None, Some(&q))?)
    }
}

/// A score model: grad_y log p(y) estimated at the rows of an n x d array.
pub trait ScoreModel: Sync {
    fn dim(&self) -> usize;
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError>;
}

/// A model's score scaled by `1 + scale` and shifted by `shift`: (1 + scale) s(y) + shift (a
/// model of known Fisher divergence from the base when the base is exact and scale = 0).
pub struct Perturbed<'a> {
    pub base: &'a dyn ScoreModel,
    pub scale: f64,
    pub shift: Array1<f64>,
}

impl ScoreModel for Perturbed<'_> {
    fn dim(&self) -> usize {
        self.base.dim()
    }
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        let s = self.base.score(y)?;
        Ok(s * (1.0 + self.scale) + &self.shift)
    }
}

/// An affine score model s(y) = B y + c: the exact score of a Gaussian, and the model whose
/// Fisher divergence from a Gaussian's score is known in closed form.
pub struct AffineScore {
    pub b: Array2<f64>,
    pub c: Array1<f64>,
}

impl ScoreModel for AffineScore {
    fn dim(&self) -> usize {
        self.c.len()
    }
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(y, self.dim(), "an affine score")?;
        Ok(y.dot(&self.b.t()) + &self.c)
    }
}

/// An error unless `y` has `d` columns.
pub(crate) fn check_dim(y: ArrayView2<f64>, d: usize, what: &str) -> Result<(), ScoreError> {
    if y.ncols() != d {
        return Err(ScoreError::Input(format!(
            "{what}: points of dimension {}, the model's is {d}",
            y.ncols()
        )));
    }
    Ok(())
}
