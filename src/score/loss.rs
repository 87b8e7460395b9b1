//! Per-draw score-matching losses. For y = a x + s z, the denoising target t = -z / s =
//! -(y - a x) / s^2 has E[t | y] = grad log p_{a,s}(y), so for any model
//! E||s(y) - t||^2 = E||s(y) - grad log p_{a,s}(y)||^2 + E||t - grad log p_{a,s}(y)||^2
//! (Vincent 2011; theory/score.md section 6).
use super::{Noising, ScoreError, ScoreModel};
use crate::mc::Rng;
use crate::prob::Gmm;
use ndarray::{Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// A mistake in the denoising target (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsmFault {
    None,
    /// -(y - a x) / s: the noise level not squared.
    NoiseLevelNotSquared,
    /// -(y - x) / s^2: the signal scale a dropped (wrong unless a = 1).
    SignalScaleDropped,
}

/// Draws x ~ target, z ~ N(0, I) and y = a x + s z, row by row.
pub struct NoisedDraws {
    pub x: Array2<f64>,
    pub z: Array2<f64>,
    pub y: Array2<f64>,
    pub noising: Noising,
}

impl NoisedDraws {
    pub fn sample(target: &Gmm, noising: Noising, n: usize, rng: &mut Rng) -> NoisedDraws {
        let (x, _) = target.sample(n, rng);
        let z = Array2::from_shape_fn(x.dim(), |_| StandardNormal.sample(rng));
        let y = &x * noising.a + &z * noising.s;
        NoisedDraws { x, z, y, noising }
    }
}

/// The denoising target of each draw (with a fault, the mistaken one).
pub fn dsm_target(d: &NoisedDraws, fault: DsmFault) -> Array2<f64> {
    let (a, s) = (d.noising.a, d.noising.s);
    match fault {
        DsmFault::None => &d.z * (-1.0 / s),
        DsmFault::NoiseLevelNotSquared => (&d.y - &(&d.x * a)) * (-1.0 / s),
        DsmFault::SignalScaleDropped => (&d.y - &d.x) * (-1.0 / (s * s)),
    }
}

/// ||s(y_i) - t_i||^2 per draw.
pub fn dsm_terms(
    model: &dyn ScoreModel,
    d: &NoisedDraws,
    target: &Array2<f64>,
) -> Result<Array1<f64>, ScoreError> {
    let diff = model.score(d.y.view())? - target;
    Ok(diff.map_axis(Axis(1), |r| r.dot(&r)))
}

/// ||s(y_i) - s*(y_i)||^2 per draw (s* the exact score).
pub fn fisher_terms(
    model: &dyn ScoreModel,
    exact: &dyn ScoreModel,
    y: &Array2<f64>,
) -> Result<Array1<f64>, ScoreError> {
    let diff = model.score(y.view())? - exact.score(y.view())?;
    Ok(diff.map_axis(Axis(1), |r| r.dot(&r)))
}
