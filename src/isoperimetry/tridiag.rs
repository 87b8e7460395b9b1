//! The one tridiagonal symmetric pencil both one-dimensional routes solve, K u = lambda M u,
//! kept in the form that makes its energy u^T K u a sum without cancellation:
//! K = sum_e k_e (e_i - e_{i+1})(e_i - e_{i+1})^T + end terms + diag(W), so
//! u^T K u = sum_e k_e (u_{e+1} - u_e)^2 + k_l u_0^2 + k_r u_n^2 + sum_i W_i u_i^2.
//! (The weighted finite elements have W = 0 and no end terms; the Schrödinger operator has
//! k_e = 1/h^2, Dirichlet end terms 1/h^2 and the potential W.)
//!
//! The smallest eigenvalues: LAPACK's banded generalised solver `dsbgvx` on the coarsest mesh.
//! Its absolute accuracy is about eps lambda_max ~ eps / h^2, so on fine meshes it would lose
//! a small lambda_2 (2e-8 of it at 8000 elements for the uniform law); it serves as the first
//! shift, and every value returned is the Rayleigh quotient of an inverse-iteration vector,
//! quadratically accurate in the vector's error. Inverse iteration solves the system scaled to
//! unit diagonal (LAPACK's `dgtsv`), so the backward error is relative to each row: unscaled,
//! rows where the density is 1e-13 of its peak took errors of 1e-3 of their own size, and the
//! stiffness turned the resulting noise into a quotient off by 1e-4 at 75000 elements.
use super::IsoError;

#[derive(Debug, Clone)]
pub(crate) struct Pencil {
    /// k_e, one per pair of neighbours (n - 1).
    pub edge: Vec<f64>,
    /// End terms (Dirichlet ends): k_l u_0^2 + k_r u_{n-1}^2.
    pub ends: (f64, f64),
    /// W_i (n), possibly negative.
    pub pot: Vec<f64>,
    /// The mass: diagonal (n) and off-diagonal (n - 1).
    pub md: Vec<f64>,
    pub mo: Vec<f64>,
}

impl Pencil {
    pub fn n(&self) -> usize {
        self.md.len()
    }

    fn k_diag(&self) -> Vec<f64> {
        let n = self.n();
        (0..n)
            .map(|i| {
                let left = if i > 0 { self.edge[i - 1] } else { self.ends.0 };
                let right = if i + 1 < n { self.edge[i] } else { self.ends.1 };
                left + right + self.pot[i]
            })
            .collect()
    }

    /// u^T M v.
    pub fn m_dot(&self, u: &[f64], v: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..u.len() {
            s += self.md[i] * u[i] * v[i];
            if i + 1 < u.len() {
                s += self.mo[i] * (u[i] * v[i + 1] + u[i + 1] * v[i]);
            }
        }
        s
    }

    fn m_times(&self, x: &[f64]) -> Vec<f64> {
        let n = x.len();
        (0..n)
            .map(|i| {
                self.md[i] * x[i]
                    + if i > 0 {
                        self.mo[i - 1] * x[i - 1]
                    } else {
                        0.0
                    }
                    + if i + 1 < n {
                        self.mo[i] * x[i + 1]
                    } else {
                        0.0
                    }
            })
            .collect()
    }

    /// u^T K u without cancellation between the 1/h^2 terms.
    pub fn energy(&self, u: &[f64]) -> f64 {
        let n = u.len();
        let mut s = self.ends.0 * u[0] * u[0] + self.ends.1 * u[n - 1] * u[n - 1];
        for e in 0..n - 1 {
            s += self.edge[e] * (u[e + 1] - u[e]).powi(2);
        }
        for i in 0..n {
            s += self.pot[i] * u[i] * u[i];
        }
        s
    }

    /// The Rayleigh quotient u^T K u / u^T M u.
    pub fn rayleigh(&self, u: &[f64]) -> f64 {
        self.energy(u) / self.m_dot(u, u)
    }

    /// Eigenvalues il..=iu (1-based, ascending) by `dsbgvx`.
    pub fn lowest(&self, il: usize, iu: usize) -> Result<Vec<f64>, IsoError> {
        let n = self.n();
        let kd = self.k_diag();
        let band = |d: &[f64], o: &dyn Fn(usize) -> f64| -> Vec<f64> {
            let mut ab = vec![0.0; 2 * n];
            for j in 0..n {
                ab[2 * j] = d[j];
                if j + 1 < n {
                    ab[2 * j + 1] = o(j);
                }
            }
            ab
        };
        let mut ab = band(&kd, &|j| -self.edge[j]);
        let mut bb = band(&self.md, &|j| self.mo[j]);
        let (mut q, mut z) = (vec![0.0; 1], vec![0.0; 1]);
        let mut w = vec![0.0; n];
        let (mut work, mut iwork, mut ifail) = (vec![0.0; 7 * n], vec![0i32; 5 * n], vec![0i32; n]);
        let (mut m, mut info) = (0i32, 0i32);
        // SAFETY: every array has the length dsbgvx documents for jobz = 'N', range = 'I',
        // ka = kb = 1, ldab = ldbb = 2, ldq = ldz = 1.
        unsafe {
            lapack::dsbgvx(
                b'N',
                b'I',
                b'L',
                n as i32,
                1,
                1,
                &mut ab,
                2,
                &mut bb,
                2,
                &mut q,
                1,
                0.0,
                0.0,
                il as i32,
                iu as i32,
                2.0 * f64::MIN_POSITIVE,
                &mut m,
                &mut w,
                &mut z,
                1,
                &mut work,
                &mut iwork,
                &mut ifail,
                &mut info,
            );
        }
        if info != 0 || (m as usize) < iu + 1 - il {
            return Err(IsoError::Lapack {
                routine: "dsbgvx",
                info,
            });
        }
        Ok(w[..iu + 1 - il].to_vec())
    }

    /// The eigenvector of the eigenvalue near `lam` (just above the shift) by inverse
    /// iteration from `start`, M-orthogonal to each of `deflate` (M-normalised vectors of the
    /// eigenvalues below it); returns it M-normalised.
    pub fn inverse_iteration(
        &self,
        lam: f64,
        start: Vec<f64>,
        deflate: &[&[f64]],
    ) -> Result<Vec<f64>, IsoError> {
        let n = self.n();
        let kd = self.k_diag();
        if kd.iter().any(|d| !(*d > 0.0)) {
            return Err(IsoError::Input(
                "a pencil with a non-positive stiffness diagonal".into(),
            ));
        }
        let dsc: Vec<f64> = kd.iter().map(|k| k.sqrt()).collect();
        let shift = lam - 1e-4 * lam.abs().max(1e-300);
        let mut x = start;
        for _ in 0..4 {
            let mut rhs: Vec<f64> = self
                .m_times(&x)
                .iter()
                .zip(&dsc)
                .map(|(b, d)| b / d)
                .collect();
            let mut dl: Vec<f64> = (0..n - 1)
                .map(|i| (-self.edge[i] - shift * self.mo[i]) / (dsc[i] * dsc[i + 1]))
                .collect();
            let mut du = dl.clone();
            let mut d: Vec<f64> = (0..n)
                .map(|i| (kd[i] - shift * self.md[i]) / (dsc[i] * dsc[i]))
                .collect();
            let mut info = 0i32;
            // SAFETY: dl, du have n - 1 entries, d and rhs n, nrhs = 1, ldb = n.
            unsafe {
                lapack::dgtsv(
                    n as i32, 1, &mut dl, &mut d, &mut du, &mut rhs, n as i32, &mut info,
                );
            }
            if info != 0 {
                return Err(IsoError::Lapack {
                    routine: "dgtsv",
                    info,
                });
            }
            for (v, d) in rhs.iter_mut().zip(&dsc) {
                *v /= d;
            }
            for q in deflate {
                let c = self.m_dot(&rhs, q);
                for (v, qi) in rhs.iter_mut().zip(q.iter()) {
                    *v -= c * qi;
                }
            }
            let norm = self.m_dot(&rhs, &rhs).sqrt();
            x = rhs.iter().map(|v| v / norm).collect();
        }
        Ok(x)
    }
}

/// Nodal values on a grid with twice the intervals: the old nodes kept, midpoints averaged
/// (`interior`: the grids hold interior points only, 2n + 1 from n).
pub(crate) fn refine(prev: &[f64], n: usize, interior: bool) -> Vec<f64> {
    let m = prev.len();
    let at = |j: isize| -> f64 {
        if j < 0 || j as usize >= m {
            0.0
        } else {
            prev[j as usize]
        }
    };
    (0..n)
        .map(|i| {
            if interior {
                // new interior point i sits at old position (i - 1) / 2
                if i % 2 == 1 {
                    at(((i - 1) / 2) as isize)
                } else {
                    0.5 * (at(i as isize / 2 - 1) + at(i as isize / 2))
                }
            } else if i % 2 == 0 {
                at((i / 2) as isize)
            } else {
                0.5 * (at((i / 2) as isize) + at((i / 2 + 1) as isize))
            }
        })
        .collect()
}

/// What a refinement reached: the extrapolated eigenvalue, the last change, the finest size,
/// and that mesh's own eigenvalue and state.
pub(crate) struct Refined<S> {
    pub lambda: f64,
    pub change: f64,
    pub size: usize,
    pub finest: f64,
    pub state: S,
}

/// Doubling refinement with Richardson extrapolation for an O(h^2) eigenvalue: `solve(n,
/// previous)` returns the eigenvalue on size n and a state the next size starts from; stops
/// when two successive extrapolations (4 lambda(h/2) - lambda(h)) / 3 agree to `tol`, or fails
/// naming `what` when the next size would exceed `max`.
pub(crate) fn refine_richardson<S>(
    what: &'static str,
    (start, max): (usize, usize),
    tol: f64,
    mut solve: impl FnMut(usize, Option<&(f64, S)>) -> Result<(f64, S), IsoError>,
) -> Result<Refined<S>, IsoError> {
    let mut n = start;
    let mut prev: Option<(f64, S)> = None;
    let mut prev_rich: Option<f64> = None;
    loop {
        let (lam, state) = solve(n, prev.as_ref())?;
        if let Some((pl, _)) = &prev {
            let rich = (4.0 * lam - pl) / 3.0;
            if let Some(pr) = prev_rich {
                let change = ((rich - pr) / rich).abs();
                if change <= tol {
                    return Ok(Refined {
                        lambda: rich,
                        change,
                        size: n,
                        finest: lam,
                        state,
                    });
                }
                if 2 * n > max {
                    return Err(IsoError::Tolerance {
                        what,
                        tol,
                        elements: n,
                        change,
                    });
                }
            }
            prev_rich = Some(rich);
        }
        prev = Some((lam, state));
        n *= 2;
    }
}
