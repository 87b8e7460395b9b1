//! Mode separation seen through a linear map (a resolution projection P^r, or any A): the
//! quantity that coarsening can only shrink (data processing for the Mahalanobis distance,
//! theory/multiscale.md).
use super::MultiscaleError;
use crate::linalg::Spd;
use crate::prob::Gmm;
use ndarray::{Array1, Array2, ArrayView1};

/// The Gaussian law of component k of `g` pushed through A: (A mu_k, A Sigma_k A^T).
pub fn component_through(
    g: &Gmm,
    k: usize,
    a: &Array2<f64>,
) -> Result<(Array1<f64>, Spd), MultiscaleError> {
    let m = a.dot(&g.mean_of(k));
    let c = Spd::new(
        a.dot(g.cov_of(k).matrix()).dot(&a.t()),
        "projected covariance",
    )?;
    Ok((m, c))
}

/// delta^T A^T (A Sigma A^T)^{-1} A delta: the squared Mahalanobis length of delta seen
/// through A. At most delta^T Sigma^{-1} delta, with equality iff Sigma^{-1} delta lies in
/// the range of A^T.
pub fn projected_mahalanobis(
    sigma: &Spd,
    a: &Array2<f64>,
    delta: ArrayView1<f64>,
) -> Result<f64, MultiscaleError> {
    let s = Spd::new(a.dot(sigma.matrix()).dot(&a.t()), "A Sigma A^T")?;
    Ok(s.quad(a.dot(&delta).view())?)
}

/// The squared separation of components i and j of `g` seen through A, in the metric of
/// component i: `projected_mahalanobis(Sigma_i, A, mu_i - mu_j)`.
pub fn mode_separation(
    g: &Gmm,
    a: &Array2<f64>,
    i: usize,
    j: usize,
) -> Result<f64, MultiscaleError> {
    let delta = &g.mean_of(i) - &g.mean_of(j);
    projected_mahalanobis(g.cov_of(i), a, delta.view())
}
