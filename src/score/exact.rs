//! The exact score of a noised Gaussian mixture, and Tweedie's posterior mean by two routes.
use super::{check_dim, Noising, ScoreError, ScoreModel};
use crate::prob::Gmm;
use ndarray::{concatenate, Array1, Array2, ArrayView1, ArrayView2, Axis};

/// grad log p_{a,s} for p a Gaussian mixture: the score of the mixture a x + s z, which is
/// sum_k w_k N(a m_k, a^2 S_k + s^2 I).
pub struct ExactScore {
    pub noised: Gmm,
    pub noising: Noising,
}

impl ExactScore {
    pub fn new(target: &Gmm, noising: Noising) -> Result<ExactScore, ScoreError> {
        Ok(ExactScore {
            noised: noising.apply(target)?,
            noising,
        })
    }
}

impl ScoreModel for ExactScore {
    fn dim(&self) -> usize {
        self.noised.dim()
    }
    fn score(&self, y: ArrayView2<f64>) -> Result<Array2<f64>, ScoreError> {
        check_dim(y, self.dim(), "the exact score")?;
        Ok(self.noised.log_density_and_score(y)?.1)
    }
}

/// Tweedie's formula: E[x | y] = (y + s^2 grad log p_{a,s}(y)) / a, from a score model.
pub fn tweedie_mean(
    model: &dyn ScoreModel,
    noising: Noising,
    y: ArrayView2<f64>,
) -> Result<Array2<f64>, ScoreError> {
    let s = model.score(y)?;
    Ok((&y + &(s * (noising.s * noising.s))) / noising.a)
}

/// E[x | y] from the joint law of (x, y) by Gaussian conditioning (posterior weights and
/// per-component gains): the route independent of the score.
pub fn posterior_mean(
    target: &Gmm,
    noising: Noising,
    y: ArrayView1<f64>,
) -> Result<Array1<f64>, ScoreError> {
    let d = target.dim();
    if y.len() != d {
        return Err(ScoreError::Input(format!(
            "Tweedie's posterior mean: a point of dimension {}, the target's is {d}",
            y.len()
        )));
    }
    // (x, y) = [I; a I] x + (0, s z)
    let eye = Array2::<f64>::eye(d);
    let map = concatenate(Axis(0), &[eye.view(), (&eye * noising.a).view()])
        .map_err(|e| ScoreError::Input(e.to_string()))?;
    let mut q = Array2::<f64>::zeros((2 * d, 2 * d));
    for i in d..2 * d {
        q[[i, i]] = noising.s * noising.s;
    }
    let joint = target.affine(&map, None, Some(&q))?;
    let x_idx: Vec<usize> = (0..d).collect();
    let y_idx: Vec<usize> = (d..2 * d).collect();
    let post = joint.conditioner(&y_idx, &x_idx)?.at(y)?;
    Ok(post.mean())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_gaussian_has_a_linear_score_and_tweedie_shrinks() {
        // N(1, 4) noised VE at s = 1: N(1, 5), score -(y - 1)/5
        let g = Gmm::gaussian(array![1.0], array![[4.0]]).unwrap();
        let n = Noising::ve(1.0).unwrap();
        let m = ExactScore::new(&g, n).unwrap();
        let y = array![[3.0], [-2.0]];
        let s = m.score(y.view()).unwrap();
        assert!((s[[0, 0]] + 0.4).abs() < 1e-14 && (s[[1, 0]] - 0.6).abs() < 1e-14);
        // E[x | y] = 1 + 4/5 (y - 1)
        let t = tweedie_mean(&m, n, y.view()).unwrap();
        let p = posterior_mean(&g, n, y.row(0)).unwrap();
        assert!((t[[0, 0]] - 2.6).abs() < 1e-14 && (p[0] - 2.6).abs() < 1e-12);
        assert!(Noising::ve(0.0).is_err() && Noising::vp(1.0).is_err());
    }
}
