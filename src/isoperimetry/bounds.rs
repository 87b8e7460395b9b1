//! Bounds in d dimensions (theory/isoperimetry.md states and derives each):
//! - a Gaussian N(m, Sigma) has C_P = C_LS = lambda_max(Sigma);
//! - linear test functions give C_P(mu) >= lambda_max(Cov mu) for any law (exact: Var(v.X) is
//!   the Poincaré quotient of f = v.x);
//! - one-dimensional projections: f(x) = g(v.x) with |v| = 1 gives C_P(mu) >= C_P(v#mu), and
//!   the projection of a Gaussian mixture is a Gaussian mixture on the line;
//! - the convolution bound: for mu supported in a ball of radius R and t > R^2,
//!   C_LS(mu * N(0, t I)) <= t^2 / (t - R^2) (Bakry-Emery through the Hessian of -log p);
//! - Chen, Chewi and Niles-Weed's form for any R: 6 (4 R^2 + t) exp(4 R^2 / t), its constants
//!   unverified (a conjecture's right-hand side, never an upper end of a band).
use super::fem::{poincare_fem, FemFault};
use super::IsoError;
use crate::linalg::eigenvalues;
use crate::prob::Gmm;
use ndarray::{Array1, Array2, ArrayView2};

/// lambda_max of a symmetric matrix: C_P = C_LS of a Gaussian with this covariance.
pub fn gaussian_constant(cov: ArrayView2<f64>) -> Result<f64, IsoError> {
    let ev = eigenvalues(cov)?;
    Ok(ev[ev.len() - 1])
}

/// lambda_max(Cov mu): the linear test functions' lower bound on C_P.
pub fn linear_lower_bound(g: &Gmm) -> Result<f64, IsoError> {
    gaussian_constant(g.covariance().view())
}

/// The law of v.X on the line for X ~ g (v normalised): an error naming the direction when v
/// has the wrong dimension or norm 0.
fn projected(g: &Gmm, v: &Array1<f64>) -> Result<Gmm, IsoError> {
    let norm = v.dot(v).sqrt();
    if !(norm > 0.0) || v.len() != g.dim() {
        return Err(IsoError::Input(format!(
            "a projection direction of dimension {} and norm {norm}: need dimension {} and norm > 0",
            v.len(),
            g.dim()
        )));
    }
    let row: Array2<f64> = (v / norm).insert_axis(ndarray::Axis(0)).to_owned();
    Ok(g.affine(&row, None, None)?)
}

/// C_P of the projection v#mu (v normalised) by the one-dimensional finite elements: a lower
/// bound on C_P(mu). Returns the FEM's own lower end (Courant-Fischer), so the bound stays a
/// lower bound.
pub fn projection_lower_bound(g: &Gmm, v: &Array1<f64>, tol: f64) -> Result<f64, IsoError> {
    Ok(poincare_fem(&projected(g, v)?, 1e-14, tol, FemFault::None)?.lower)
}

/// Both lower ends from the projection v#mu: (C_P's finite-element lower end, the log-Sobolev
/// lower end of its test functions). Each is a lower bound for mu, since f(x) = g(v.x) is a
/// test function with |grad f| = |g'| (theory/isoperimetry.md section 5).
pub fn projection_lower_ends(g: &Gmm, v: &Array1<f64>, tol: f64) -> Result<(f64, f64), IsoError> {
    let fem = poincare_fem(&projected(g, v)?, 1e-14, tol, FemFault::None)?;
    let lsi = super::lsi_lower_bound(&fem)?.c_ls_lower;
    Ok((fem.lower, lsi))
}

/// The radius of a ball about the means' centroid holding every mean (an upper bound on the
/// smallest enclosing ball's radius, so a valid R for the convolution bound).
pub fn means_radius(g: &Gmm) -> f64 {
    let c = g
        .means()
        .mean_axis(ndarray::Axis(0))
        .unwrap_or_else(|| Array1::zeros(g.dim()));
    means_radius_about(g, &c)
}

/// The radius of the ball about `c` holding every mean (valid for the convolution bound for
/// any c: the derivation needs only some ball holding the means).
pub fn means_radius_about(g: &Gmm, c: &Array1<f64>) -> f64 {
    g.means()
        .rows()
        .into_iter()
        .map(|r| (&r - c).dot(&(&r - c)).sqrt())
        .fold(0.0, f64::max)
}

/// t^2 / (t - R^2) for t > R^2: an upper bound on C_LS of mu * N(0, t I), mu supported in a
/// ball of radius R; an error when t <= R^2 (the bound does not apply).
pub fn convolution_lsi_bound(t: f64, r: f64) -> Result<f64, IsoError> {
    if t > r * r {
        Ok(t * t / (t - r * r))
    } else {
        Err(IsoError::Input(format!(
            "the convolution bound needs t > R^2: t = {t}, R^2 = {}",
            r * r
        )))
    }
}

/// 6 (4 R^2 + t) exp(4 R^2 / t): Chen, Chewi and Niles-Weed's log-Sobolev constant of
/// mu * N(0, t I) for mu supported in a ball of radius R, any t > 0, as ../shared/REFERENCES.md
/// quotes it (constants unverified: `isoperimetry.conjecture.ccnw` tests it). With
/// `exponent = false`, the polynomial factor alone (a mutation control's form).
pub fn ccnw_lsi_bound(t: f64, r: f64, exponent: bool) -> f64 {
    let q = 4.0 * r * r;
    6.0 * (q + t) * if exponent { (q / t).exp() } else { 1.0 }
}
