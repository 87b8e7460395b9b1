//! Gaussian quadrature for expectations under a normal law, and through it under a
//! one-dimensional mixture: E f(X) = sum_k w_k sum_j v_j f(mu_k + sigma_k x_j).
//!
//! The rule is Gauss-Hermite for the weight exp(-x^2/2) (probabilists' Hermite), built by
//! Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix with zero diagonal and
//! off-diagonal sqrt(1), ..., sqrt(n-1), the weights the squared first components of its
//! unit eigenvectors (they sum to 1). The eigen-decomposition is LAPACK's (`linalg::eigh`).
//! Gauss-Legendre on [-1, 1] (element integrals of the isoperimetry family's finite
//! elements) is built the same way from the Legendre recurrence, off-diagonal
//! k / sqrt(4 k^2 - 1), weights 2 v_0^2.
//! (The `gauss-quad` crate, the maintained alternative, needs nalgebra 0.35 where the
//! project pins 0.34, so it would compile a second nalgebra for twenty lines.)
use super::{Gmm, ProbError};
use ndarray::{Array1, Array2, ArrayView2};

/// Nodes and weights of the n-point rule: E f(Z) ≈ sum_j w_j f(x_j) for Z ~ N(0, 1), exact
/// for polynomials of degree <= 2n - 1.
pub fn normal_rule(n: usize) -> Result<(Array1<f64>, Array1<f64>), ProbError> {
    let mut jac = Array2::<f64>::zeros((n, n));
    for k in 1..n {
        let b = (k as f64).sqrt();
        jac[[k, k - 1]] = b;
        jac[[k - 1, k]] = b;
    }
    let (nodes, vecs) = crate::linalg::eigh(jac.view())?;
    let weights = vecs.row(0).mapv(|v| v * v);
    Ok((nodes, weights))
}

/// Nodes and weights of the n-point Gauss-Legendre rule on [-1, 1]: int f ≈ sum_j w_j f(x_j),
/// exact for polynomials of degree <= 2n - 1.
pub fn legendre_rule(n: usize) -> Result<(Array1<f64>, Array1<f64>), ProbError> {
    let mut jac = Array2::<f64>::zeros((n, n));
    for k in 1..n {
        let kf = k as f64;
        let b = kf / (4.0 * kf * kf - 1.0).sqrt();
        jac[[k, k - 1]] = b;
        jac[[k - 1, k]] = b;
    }
    let (nodes, vecs) = crate::linalg::eigh(jac.view())?;
    let weights = vecs.row(0).mapv(|v| 2.0 * v * v);
    Ok((nodes, weights))
}

/// E f(X) for X with the one-dimensional mixture law `g`, by the n-point normal rule per
/// component. `f` receives all nodes at once as a column (K n x 1) and returns f at each.
pub fn mixture_expectation_1d<E: From<ProbError>>(
    g: &Gmm,
    n: usize,
    f: impl Fn(ArrayView2<f64>) -> Result<Array1<f64>, E>,
) -> Result<f64, E> {
    if g.dim() != 1 {
        return Err(ProbError::Dimension(format!(
            "quadrature over a mixture needs dimension 1, not {}",
            g.dim()
        ))
        .into());
    }
    let (x, v) = normal_rule(n)?;
    let kk = g.components();
    let mut pts = Array2::zeros((kk * n, 1));
    for k in 0..kk {
        let (mu, sd) = (g.mean_of(k)[0], g.cov_of(k).matrix()[[0, 0]].sqrt());
        for j in 0..n {
            pts[[k * n + j, 0]] = mu + sd * x[j];
        }
    }
    let fx = f(pts.view())?;
    let w = g.weights();
    Ok((0..kk)
        .map(|k| w[k] * (0..n).map(|j| v[j] * fx[k * n + j]).sum::<f64>())
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Normal moments E Z^{2m} = (2m - 1)!! are integrated exactly up to degree 2n - 1.
    #[test]
    fn rule_integrates_normal_moments() {
        let (x, w) = normal_rule(12).unwrap();
        assert!((w.sum() - 1.0).abs() < 1e-14);
        let mut double_factorial = 1.0;
        for m in 0..12usize {
            let k = 2 * m;
            if m > 0 {
                double_factorial *= (k - 1) as f64;
            }
            let q: f64 = x.iter().zip(&w).map(|(a, b)| b * a.powi(k as i32)).sum();
            let odd: f64 = x
                .iter()
                .zip(&w)
                .map(|(a, b)| b * a.powi(k as i32 + 1))
                .sum();
            assert!(
                odd.abs() < 1e-9 * double_factorial.max(1.0),
                "odd {k}: {odd}"
            );
            if k < 24 {
                assert!(
                    (q / double_factorial - 1.0).abs() < 1e-12,
                    "E Z^{k}: {q} vs {double_factorial}"
                );
            }
        }
        // the three-point rule in closed form: nodes 0, +-sqrt(3), weights 2/3, 1/6
        let (x, w) = normal_rule(3).unwrap();
        assert!((x[2] - 3f64.sqrt()).abs() < 1e-14 && (w[1] - 2.0 / 3.0).abs() < 1e-14);
    }

    /// Gauss-Legendre: int_{-1}^{1} x^k = 2/(k+1) for even k, 0 for odd, up to degree 2n - 1;
    /// the two-point rule is +-1/sqrt(3) with weights 1.
    #[test]
    fn legendre_rule_integrates_polynomials() {
        let (x, w) = legendre_rule(5).unwrap();
        for k in 0..10i32 {
            let q: f64 = x.iter().zip(&w).map(|(a, b)| b * a.powi(k)).sum();
            let want = if k % 2 == 0 {
                2.0 / (k + 1) as f64
            } else {
                0.0
            };
            assert!((q - want).abs() < 1e-14, "x^{k}: {q} vs {want}");
        }
        let (x, w) = legendre_rule(2).unwrap();
        assert!((x[1] - 1.0 / 3f64.sqrt()).abs() < 1e-15 && (w[0] - 1.0).abs() < 1e-14);
    }

    /// A mixture of dimension other than 1 is an error naming the dimension, not a panic.
    #[test]
    fn a_multivariate_mixture_is_refused() {
        let g = Gmm::gaussian(array![0.0, 0.0], array![[1.0, 0.0], [0.0, 1.0]]).unwrap();
        let err =
            mixture_expectation_1d::<ProbError>(&g, 8, |x| Ok(x.column(0).to_owned())).unwrap_err();
        assert!(err.to_string().contains("dimension 1, not 2"), "{err}");
    }

    /// A mixture expectation of a non-polynomial function against its closed form:
    /// E cos(X) = sum_k w_k cos(mu_k) exp(-s_k^2 / 2).
    #[test]
    fn mixture_expectation_matches_a_closed_form() {
        let g = Gmm::new(
            &[0.3, 0.7],
            array![[-1.0], [2.0]],
            vec![array![[0.25]], array![[2.0]]],
        )
        .unwrap();
        let got = mixture_expectation_1d::<ProbError>(&g, 40, |x| Ok(x.column(0).mapv(f64::cos)))
            .unwrap();
        let want = 0.3 * (-1.0f64).cos() * (-0.125f64).exp() + 0.7 * 2.0f64.cos() * (-1.0f64).exp();
        assert!((got - want).abs() < 1e-13, "{got} vs {want}");
    }
}
