//! A Galerkin lower end on C_P in d dimensions (theory/isoperimetry.md section 15).
//!
//! Over a finite basis phi_1..phi_m (monomials of total degree 1..=k in standardised
//! coordinates, and Gaussian bumps at the component means), the largest generalised eigenvalue
//! of A v = lambda B v, A = Cov(phi) (the variance form), B = E[grad phi^T grad phi] (the
//! Dirichlet form), is the best Poincaré quotient Var f / E|grad f|^2 over f in the span. Both
//! Gram matrices are Monte Carlo averages over n draws, built by two GEMMs (BLAS through
//! ndarray), and solved by LAPACK's dsygv (ndarray-linalg).
//!
//! Honesty by sample splitting: the first sample only chooses f = sum_j v_j phi_j; an
//! independent second sample estimates Var f and E|grad f|^2 for that fixed f, with one-sided
//! Student-t ends under the skewness rule (`stats::student_t_limits`). Any fixed f gives
//! C_P >= Var f / E|grad f|^2, so the lower end (the variance's lower end over the Dirichlet
//! form's upper end) is below C_P except with probability `err`, split over its three ends.
use super::IsoError;
use crate::mc::Rng;
use crate::prob::Gmm;
use crate::stats::{student_t_limits, EndErrors};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use ndarray_linalg::{Eigh, UPLO};
use rayon::prelude::*;

/// The largest basis the estimate builds (m): beyond it the Gram matrices' GEMMs and the
/// eigensolve are minutes, not seconds.
pub const MAX_BASIS: usize = 2000;
/// Draws per basis function the estimate needs at least (n >= 10 m), so that the Monte Carlo
/// Gram matrices are well conditioned.
pub const MIN_DRAWS_PER_FUNCTION: usize = 10;

/// The basis: all monomials of total degree 1..=`degree` in the standardised coordinates
/// (x_i - mean_i) / sd_i of the law, and, with `bumps`, one Gaussian bump
/// exp(-(x - m_k)^T S_k^{-1} (x - m_k) / 4) per component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GalerkinBasis {
    pub degree: usize,
    pub bumps: bool,
}

/// A mutation the Galerkin code can be run with (controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GalerkinFault {
    None,
    /// d/dz z^a taken as z^{a-1}: the power rule's factor a dropped (the Dirichlet form too
    /// small for every monomial of degree >= 2).
    PowerRuleDropped,
}

/// The estimate: `lower` holds with probability at least 1 - `err`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GalerkinLower {
    /// The largest generalised eigenvalue on the first sample (an estimate, not a bound).
    pub estimate: f64,
    /// Var f's lower end over E|grad f|^2's upper end on the second sample (0 when an end is
    /// open under the skewness rule).
    pub lower: f64,
    /// Basis functions.
    pub m: usize,
    /// Draws in each of the two samples.
    pub n: usize,
}

/// The number of monomials of total degree 1..=k in d variables: C(d + k, k) - 1, or None
/// when it overflows.
pub fn monomial_count(d: usize, k: usize) -> Option<usize> {
    let mut c: u128 = 1;
    for i in 1..=k as u128 {
        c = c.checked_mul(d as u128 + i)? / i;
        if c > usize::MAX as u128 {
            return None;
        }
    }
    Some(c as usize - 1)
}

/// Exponent lists (variable, power) of every monomial of total degree 1..=k in d variables,
/// graded (degree 1 first).
fn monomials(d: usize, k: usize) -> Vec<Vec<(usize, u32)>> {
    fn rec(
        d: usize,
        start: usize,
        left: usize,
        cur: &mut Vec<(usize, u32)>,
        out: &mut Vec<Vec<(usize, u32)>>,
    ) {
        if left == 0 {
            out.push(cur.clone());
            return;
        }
        for v in start..d {
            for a in 1..=left {
                cur.push((v, a as u32));
                rec(d, v + 1, left - a, cur, out);
                cur.pop();
            }
        }
    }
    let mut out = Vec::new();
    for deg in 1..=k {
        rec(d, 0, deg, &mut Vec::new(), &mut out);
    }
    out
}

/// The basis of a law, ready to evaluate.
pub struct Basis {
    mean: Array1<f64>,
    sd: Array1<f64>,
    monomials: Vec<Vec<(usize, u32)>>,
    /// (centre m_k, S_k^{-1}) per bump.
    bumps: Vec<(Array1<f64>, Array2<f64>)>,
    fault: GalerkinFault,
}

/// The basis size for a law of dimension d with `components` components, or an error naming
/// `degree` (too many functions in d dimensions, or none) or `n` (fewer than
/// `MIN_DRAWS_PER_FUNCTION` draws per function): checked before any draw.
pub fn validate_basis(
    d: usize,
    components: usize,
    spec: GalerkinBasis,
    n: usize,
) -> Result<usize, IsoError> {
    let count = monomial_count(d, spec.degree).unwrap_or(usize::MAX);
    let k = if spec.bumps { components } else { 0 };
    let m = count.saturating_add(k);
    if m > MAX_BASIS {
        return Err(IsoError::Input(format!(
            "parameter `degree` = {}: {count} monomials in d = {d} dimensions, more than the {MAX_BASIS} basis functions allowed; lower the degree (at most {} here)",
            spec.degree,
            (1..=spec.degree)
                .rev()
                .find(|&kk| monomial_count(d, kk).is_some_and(|c| c + k <= MAX_BASIS))
                .unwrap_or(0)
        )));
    }
    if m == 0 {
        return Err(IsoError::Input(
            "parameter `degree` = 0 with no bumps: the basis is empty (ask for degree >= 1)".into(),
        ));
    }
    if n < MIN_DRAWS_PER_FUNCTION * m {
        return Err(IsoError::Input(format!(
            "parameter `n` = {n}: the Galerkin Gram matrices of {m} basis functions need at least {} draws ({MIN_DRAWS_PER_FUNCTION} per function)",
            MIN_DRAWS_PER_FUNCTION * m
        )));
    }
    Ok(m)
}

impl Basis {
    /// The basis for `g` (its size is not checked here: `validate_basis` does that).
    pub fn new(g: &Gmm, spec: GalerkinBasis, fault: GalerkinFault) -> Result<Basis, IsoError> {
        let d = g.dim();
        let k = if spec.bumps { g.components() } else { 0 };
        let cov = g.covariance();
        let sd = cov.diag().mapv(|v| v.max(1e-300).sqrt());
        let mut bumps = Vec::with_capacity(k);
        for j in 0..k {
            bumps.push((g.mean_of(j).to_owned(), g.cov_of(j).inverse()?));
        }
        Ok(Basis {
            mean: g.mean(),
            sd,
            monomials: monomials(d, spec.degree),
            bumps,
            fault,
        })
    }

    pub fn len(&self) -> usize {
        self.monomials.len() + self.bumps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values (n x m) and gradients ((n d) x m: rows i d .. i d + d are point i's gradient)
    /// of every basis function at the rows of `x`, in parallel over points.
    pub fn evaluate(&self, x: ArrayView2<f64>) -> (Array2<f64>, Array2<f64>) {
        let (n, d) = x.dim();
        let m = self.len();
        let mut val = Array2::<f64>::zeros((n, m));
        let mut grad = Array2::<f64>::zeros((n * d, m));
        let kmax = self
            .monomials
            .iter()
            .flat_map(|e| e.iter().map(|&(_, a)| a as usize))
            .max()
            .unwrap_or(0);
        let vs = val.as_slice_mut().expect("a fresh standard-layout array");
        let gs = grad.as_slice_mut().expect("a fresh standard-layout array");
        vs.par_chunks_mut(m.max(1))
            .zip(gs.par_chunks_mut((d * m).max(1)))
            .enumerate()
            .for_each(|(i, (v, gr))| {
                let xi = x.row(i);
                let z: Vec<f64> = (0..d)
                    .map(|j| (xi[j] - self.mean[j]) / self.sd[j])
                    .collect();
                // pw[j][a] = z_j^a
                let pw: Vec<Vec<f64>> = z
                    .iter()
                    .map(|&zj| {
                        let mut p = vec![1.0; kmax + 1];
                        for a in 1..=kmax {
                            p[a] = p[a - 1] * zj;
                        }
                        p
                    })
                    .collect();
                for (c, e) in self.monomials.iter().enumerate() {
                    let prod: f64 = e.iter().map(|&(j, a)| pw[j][a as usize]).product();
                    v[c] = prod;
                    for (t, &(j, a)) in e.iter().enumerate() {
                        // d/dx_j = (1 / sd_j) d/dz_j; the other factors unchanged
                        let others: f64 = e
                            .iter()
                            .enumerate()
                            .filter(|&(s, _)| s != t)
                            .map(|(_, &(l, b))| pw[l][b as usize])
                            .product();
                        let factor = match self.fault {
                            GalerkinFault::PowerRuleDropped => 1.0,
                            _ => a as f64,
                        };
                        gr[j * m + c] = factor * pw[j][a as usize - 1] * others / self.sd[j];
                    }
                }
                let off = self.monomials.len();
                for (b, (centre, prec)) in self.bumps.iter().enumerate() {
                    let u: Array1<f64> = &xi - centre;
                    let pu: Array1<f64> = prec.dot(&u);
                    let q: f64 = u.dot(&pu);
                    let phi = (-0.25 * q).exp();
                    v[off + b] = phi;
                    for j in 0..d {
                        gr[j * m + off + b] = -0.5 * phi * pu[j];
                    }
                }
            });
        (val, grad)
    }
}

/// The two Gram matrices from values and gradients, Cov(phi) and E[grad phi^T grad phi], each
/// one GEMM; also the values' column means.
pub fn gram_matrices(
    val: &Array2<f64>,
    grad: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>, Array1<f64>) {
    let n = val.nrows().max(1) as f64;
    let mu = val
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(val.ncols()));
    let c = val - &mu;
    let a = c.t().dot(&c) / n;
    let b = grad.t().dot(grad) / n;
    (a, b, mu)
}

/// The Galerkin lower end on C_P(g) over `spec` with n draws in each of the two samples; the
/// lower end exceeds C_P with probability at most `err`.
pub fn galerkin_lower(
    g: &Gmm,
    spec: GalerkinBasis,
    n: usize,
    err: f64,
    fault: GalerkinFault,
    rng: &mut Rng,
) -> Result<GalerkinLower, IsoError> {
    let m = validate_basis(g.dim(), g.components(), spec, n)?;
    let basis = Basis::new(g, spec, fault)?;
    if !(err > 0.0 && err < 1.0) {
        return Err(IsoError::Input(format!(
            "the Galerkin lower end's error {err}: need a probability in (0, 1)"
        )));
    }
    // first sample: choose f
    let (x1, _) = g.sample(n, rng);
    let (val, grad) = basis.evaluate(x1.view());
    let (a, b, mu) = gram_matrices(&val, &grad);
    drop((val, grad));
    // A Gram that is singular in exact arithmetic (two basis functions with the same
    // gradient) can come out of the GEMM a rounding away from singular, and LAPACK's
    // Cholesky then succeeds on it and returns a meaningless eigenvalue: refuse any Gram whose
    // condition number is past 1e12, whatever the CPU's summation order.
    let ev = crate::linalg::eigenvalues(b.view())?;
    let (lo, hi) = ev.iter().fold((f64::INFINITY, 0.0f64), |(l, h), &v| {
        (l.min(v), h.max(v.abs()))
    });
    if !(lo > 1e-12 * hi) {
        return Err(IsoError::Input(format!(
            "parameter `degree` = {}: the Dirichlet Gram matrix of the basis is singular or nearly so in d = {} (eigenvalues from {lo:.3e} to {hi:.3e}); lower the degree or drop the bumps",
            spec.degree,
            g.dim()
        )));
    }
    let (lam, (vecs, _)) = (a, b).eigh(UPLO::Lower).map_err(|e| {
        IsoError::Input(format!(
            "parameter `degree` = {}: the Dirichlet Gram matrix of the basis is singular or not positive definite in d = {} (LAPACK dsygv: {e}); lower the degree or drop the bumps",
            spec.degree,
            g.dim()
        ))
    })?;
    let top = lam.len() - 1;
    let estimate = lam[top];
    let v = vecs.column(top).to_owned();
    let c = mu.dot(&v);
    // second sample: the quotient of that fixed f
    let (x2, _) = g.sample(n, rng);
    let (val, grad) = basis.evaluate(x2.view());
    let f = val.dot(&v);
    let df = grad.dot(&v);
    let d = g.dim();
    let sq: Vec<f64> = f.iter().map(|fi| (fi - c) * (fi - c)).collect();
    let energy: Vec<f64> = df.exact_chunks(d).into_iter().map(|r| r.dot(&r)).collect();
    let e3 = err / 3.0;
    // Var f = E(f - c)^2 - (E f - c)^2 for the constant c fixed by the first sample
    let second = student_t_limits(&sq, EndErrors { lo: e3, hi: e3 }).lo;
    let fl = student_t_limits(
        f.as_slice().unwrap_or(&f.to_vec()),
        EndErrors {
            lo: e3 / 2.0,
            hi: e3 / 2.0,
        },
    );
    let bias = (fl.lo - c).abs().max((fl.hi - c).abs());
    let dirichlet = student_t_limits(&energy, EndErrors { lo: e3, hi: e3 }).hi;
    let var_lo = second - bias * bias;
    let lower = if var_lo.is_finite() && dirichlet.is_finite() && dirichlet > 0.0 {
        (var_lo / dirichlet).max(0.0)
    } else {
        0.0
    };
    Ok(GalerkinLower {
        estimate,
        lower,
        m,
        n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc;
    use ndarray::array;

    #[test]
    fn monomials_are_counted_and_listed_once() {
        for (d, k) in [(1, 3), (2, 2), (3, 4), (8, 4)] {
            let list = monomials(d, k);
            assert_eq!(Some(list.len()), monomial_count(d, k), "d {d} k {k}");
            let mut keys: Vec<_> = list.clone();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), list.len());
            assert!(list
                .iter()
                .all(|e| (1..=k).contains(&e.iter().map(|&(_, a)| a as usize).sum())));
        }
        assert_eq!(monomial_count(8, 4), Some(494));
    }

    #[test]
    fn gradients_match_finite_differences() {
        let g = Gmm::new(
            &[0.3, 0.7],
            array![[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]],
            vec![
                array![[1.0, 0.2, 0.0], [0.2, 2.0, 0.1], [0.0, 0.1, 0.5]],
                Array2::eye(3),
            ],
        )
        .unwrap();
        let basis = Basis::new(
            &g,
            GalerkinBasis {
                degree: 3,
                bumps: true,
            },
            GalerkinFault::None,
        )
        .unwrap();
        let x = array![[0.3, -0.7, 1.1]];
        let (_, grad) = basis.evaluate(x.view());
        let h = 1e-6;
        for j in 0..3 {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[[0, j]] += h;
            xm[[0, j]] -= h;
            let (vp, _) = basis.evaluate(xp.view());
            let (vm, _) = basis.evaluate(xm.view());
            for c in 0..basis.len() {
                let fd = (vp[[0, c]] - vm[[0, c]]) / (2.0 * h);
                assert!(
                    (fd - grad[[j, c]]).abs() < 1e-6 * (1.0 + fd.abs()),
                    "function {c}, coordinate {j}: {fd} vs {}",
                    grad[[j, c]]
                );
            }
        }
    }

    #[test]
    fn a_gaussian_is_found_and_the_mutations_overshoot() {
        let cov = array![[2.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 0.5]];
        let g = Gmm::gaussian(array![1.0, -2.0, 0.0], cov.clone()).unwrap();
        let lmax = crate::isoperimetry::gaussian_constant(cov.view()).unwrap();
        let spec = GalerkinBasis {
            degree: 2,
            bumps: false,
        };
        let mut rng = mc::stream(7, 0, 0);
        let r = galerkin_lower(&g, spec, 20_000, 1e-3, GalerkinFault::None, &mut rng).unwrap();
        assert!(r.lower <= lmax && r.lower > 0.95 * lmax, "{r:?} vs {lmax}");
        assert!((r.estimate / lmax - 1.0).abs() < 0.05, "{r:?}");
        let bad = galerkin_lower(
            &g,
            spec,
            20_000,
            1e-3,
            GalerkinFault::PowerRuleDropped,
            &mut rng,
        )
        .unwrap();
        assert!(bad.lower > 1.2 * lmax, "{bad:?} vs {lmax}");
    }

    #[test]
    fn bad_bases_are_named() {
        let g = Gmm::gaussian(Array1::zeros(64), Array2::eye(64)).unwrap();
        let mut rng = mc::stream(1, 0, 0);
        let big = GalerkinBasis {
            degree: 3,
            bumps: false,
        };
        let e = galerkin_lower(&g, big, 100_000, 1e-3, GalerkinFault::None, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`degree` = 3") && e.contains("at most 1"), "{e}");
        let small = GalerkinBasis {
            degree: 1,
            bumps: false,
        };
        let e = galerkin_lower(&g, small, 100, 1e-3, GalerkinFault::None, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`n` = 100") && e.contains("640"), "{e}");
        let none = GalerkinBasis {
            degree: 0,
            bumps: false,
        };
        let e = validate_basis(3, 2, none, 1000).unwrap_err().to_string();
        assert!(e.contains("`degree` = 0") && e.contains("empty"), "{e}");
        // a bump per component of a law with two identical components: the Gram is singular
        let twin = Gmm::new(
            &[0.5, 0.5],
            array![[0.0], [0.0]],
            vec![array![[1.0]], array![[1.0]]],
        )
        .unwrap();
        let spec = GalerkinBasis {
            degree: 1,
            bumps: true,
        };
        let e = galerkin_lower(&twin, spec, 1000, 1e-3, GalerkinFault::None, &mut rng)
            .unwrap_err()
            .to_string();
        assert!(e.contains("singular"), "{e}");
    }
}
