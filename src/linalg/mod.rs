//! Thin, safe wrappers over ndarray-linalg (OpenBLAS): SPD matrices with their
//! Cholesky factor, log-determinants, solves, whitening, symmetric eigenvalues.
//! Constructors validate and name the offending matrix in their errors.
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use ndarray_linalg::{Cholesky, Diag, Eigh, Solve, SolveTriangular, SolveTriangularInplace, UPLO};
use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum LinalgError {
    #[error("{name}: not square ({rows} x {cols})")]
    NotSquare {
        name: String,
        rows: usize,
        cols: usize,
    },
    #[error("{name}: has non-finite entries")]
    NotFinite { name: String },
    #[error("{name}: not symmetric (largest asymmetry {asym:.3e})")]
    NotSymmetric { name: String, asym: f64 },
    #[error("{name}: not symmetric positive definite (Cholesky failed{detail})")]
    NotSpd { name: String, detail: String },
    #[error("{what}: dimension mismatch ({detail})")]
    Shape { what: String, detail: String },
    #[error("{what}: LAPACK failed: {detail}")]
    Lapack { what: String, detail: String },
}

/// A symmetric positive definite matrix with its lower Cholesky factor L (S = L L^T).
#[derive(Debug, Clone)]
pub struct Spd {
    matrix: Array2<f64>,
    chol: Array2<f64>,
    log_det: f64,
}

impl Spd {
    /// Validate `m` (square, finite, symmetric to 1e-8 relative) and factor it.
    /// The name is used in errors, e.g. "covariance of component 3".
    pub fn new(m: Array2<f64>, name: &str) -> Result<Spd, LinalgError> {
        let (r, c) = m.dim();
        if r != c {
            return Err(LinalgError::NotSquare {
                name: name.into(),
                rows: r,
                cols: c,
            });
        }
        if m.iter().any(|v| !v.is_finite()) {
            return Err(LinalgError::NotFinite { name: name.into() });
        }
        let scale = m
            .iter()
            .fold(0.0f64, |a, v| a.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        let asym = (&m - &m.t()).iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if asym > 1e-8 * scale {
            return Err(LinalgError::NotSymmetric {
                name: name.into(),
                asym,
            });
        }
        // exact symmetry so that later products stay symmetric
        let matrix = (&m + &m.t()) * 0.5;
        let chol = matrix
            .cholesky(UPLO::Lower)
            .map_err(|e| LinalgError::NotSpd {
                name: name.into(),
                detail: format!(": {e}"),
            })?;
        let diag_ok = chol.diag().iter().all(|v| *v > 0.0 && v.is_finite());
        if !diag_ok {
            return Err(LinalgError::NotSpd {
                name: name.into(),
                detail: String::new(),
            });
        }
        let log_det = 2.0 * chol.diag().iter().map(|v| v.ln()).sum::<f64>();
        Ok(Spd {
            matrix,
            chol,
            log_det,
        })
    }

    /// sigma^2 I.
    pub fn scaled_identity(d: usize, var: f64, name: &str) -> Result<Spd, LinalgError> {
        Spd::new(Array2::eye(d) * var, name)
    }

    pub fn dim(&self) -> usize {
        self.matrix.nrows()
    }
    pub fn matrix(&self) -> &Array2<f64> {
        &self.matrix
    }
    /// Lower Cholesky factor L.
    pub fn chol(&self) -> &Array2<f64> {
        &self.chol
    }
    /// ln det S.
    pub fn log_det(&self) -> f64 {
        self.log_det
    }
    pub fn trace(&self) -> f64 {
        self.matrix.diag().sum()
    }

    /// L^{-1} B for a d x n matrix B (whitening of n column vectors). One triangular solve.
    pub fn whiten(&self, b: &Array2<f64>) -> Result<Array2<f64>, LinalgError> {
        self.chol
            .solve_triangular(UPLO::Lower, Diag::NonUnit, b)
            .map_err(|e| LinalgError::Lapack {
                what: "whitening".into(),
                detail: e.to_string(),
            })
    }

    /// The rows of X (n x d) whitened: row i becomes L^{-1} x_i (the rows of X L^{-T}). X's
    /// transpose is solved in place: a row-major X is the column-major d x n right-hand side
    /// LAPACK reads without a copy, where `whiten` of a row-major d x n matrix transposes it
    /// in and out (most of the time of a batched density with many rows).
    pub fn whiten_rows(&self, x: Array2<f64>) -> Result<Array2<f64>, LinalgError> {
        let mut t = x.as_standard_layout().into_owned().reversed_axes();
        // L column-major too: ndarray-linalg transposes the right-hand side to the factor's
        // order, and LAPACK's wrapper transposes whatever is row-major
        let l = self
            .chol
            .t()
            .as_standard_layout()
            .into_owned()
            .reversed_axes();
        l.solve_triangular_inplace(UPLO::Lower, Diag::NonUnit, &mut t)
            .map_err(|e| LinalgError::Lapack {
                what: "whitening".into(),
                detail: e.to_string(),
            })?;
        Ok(t.reversed_axes())
    }

    /// S^{-1} B (two triangular solves).
    pub fn solve(&self, b: &Array2<f64>) -> Result<Array2<f64>, LinalgError> {
        let y = self.whiten(b)?;
        self.chol
            .t()
            .solve_triangular(UPLO::Upper, Diag::NonUnit, &y)
            .map_err(|e| LinalgError::Lapack {
                what: "solve".into(),
                detail: e.to_string(),
            })
    }

    /// S^{-1}.
    pub fn inverse(&self) -> Result<Array2<f64>, LinalgError> {
        let inv = self.solve(&Array2::eye(self.dim()))?;
        Ok((&inv + &inv.t()) * 0.5)
    }

    /// v^T S^{-1} v.
    pub fn quad(&self, v: ArrayView1<f64>) -> Result<f64, LinalgError> {
        let b = v.to_owned().insert_axis(Axis(1));
        let w = self.whiten(&b)?;
        Ok(w.iter().map(|x| x * x).sum())
    }
}

extern "C" {
    fn openblas_set_num_threads(n: std::os::raw::c_int);
    fn openblas_get_corename() -> *const std::os::raw::c_char;
    // CBLAS's symmetric rank-k update, from the OpenBLAS every product here already uses
    #[allow(clippy::too_many_arguments)]
    fn cblas_dsyrk(
        order: std::os::raw::c_int,
        uplo: std::os::raw::c_int,
        trans: std::os::raw::c_int,
        n: std::os::raw::c_int,
        k: std::os::raw::c_int,
        alpha: f64,
        a: *const f64,
        lda: std::os::raw::c_int,
        beta: f64,
        c: *mut f64,
        ldc: std::os::raw::c_int,
    );
}

/// c += a^T a for a (k x n) and a symmetric c (n x n), by the symmetric rank-k update
/// (dsyrk): half the arithmetic of the general product, which computes both triangles.
pub fn add_gram(a: ArrayView2<f64>, c: &mut Array2<f64>) {
    let (k, n) = a.dim();
    assert_eq!(c.dim(), (n, n), "add_gram: c must be {n} x {n}");
    if k == 0 || n == 0 {
        return;
    }
    let a = a.as_standard_layout();
    if !c.is_standard_layout() {
        *c = c.as_standard_layout().into_owned();
    }
    let to_int =
        |v: usize| std::os::raw::c_int::try_from(v).expect("matrix dimension fits a C int");
    const ROW_MAJOR: std::os::raw::c_int = 101;
    const UPPER: std::os::raw::c_int = 121;
    const TRANS: std::os::raw::c_int = 112;
    // SAFETY: a is k x n and c is n x n, both contiguous row-major (checked and made so
    // above), with leading dimensions n; dsyrk reads a and writes c's upper triangle only.
    unsafe {
        cblas_dsyrk(
            ROW_MAJOR,
            UPPER,
            TRANS,
            to_int(n),
            to_int(k),
            1.0,
            a.as_ptr(),
            to_int(n),
            1.0,
            c.as_mut_ptr(),
            to_int(n),
        );
    }
    // the lower triangle from the upper
    for i in 1..n {
        for j in 0..i {
            c[[i, j]] = c[[j, i]];
        }
    }
}

/// Make OpenBLAS single-threaded (once per process). Parallelism comes from rayon over
/// blocks and replicates; a threaded BLAS inside rayon workers oversubscribes the cores
/// and its spinning workers cost more than they give on the small products used here.
pub fn single_threaded_blas() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: a plain setter of OpenBLAS's global thread count, called once before use.
    ONCE.call_once(|| unsafe { openblas_set_num_threads(1) });
}

/// OpenBLAS's kernel families that predate AVX2: what its detection falls back to on a CPU
/// it does not recognise (a virtual machine's "Intel Xeon Processor" gets Prescott).
const PRE_AVX2_KERNELS: &[&str] = &[
    "katmai",
    "coppermine",
    "northwood",
    "prescott",
    "banias",
    "atom",
    "core2",
    "penryn",
    "dunnington",
    "nehalem",
    "sandybridge",
];

/// The OpenBLAS kernel family to force (through `OPENBLAS_CORETYPE`, read when the library
/// loads) when OpenBLAS picked a pre-AVX2 kernel on a CPU with AVX2 and FMA: SKYLAKEX where
/// AVX-512 (F, DQ, BW, VL) is there, else HASWELL. None when the variable is already set (the
/// user's choice stands) or OpenBLAS recognised the CPU. The same binary on such a machine
/// otherwise runs its products on 2004-era SSE3 kernels, 1.5 times slower end to end.
pub fn blas_kernel_override() -> Option<&'static str> {
    if std::env::var_os("OPENBLAS_CORETYPE").is_some() {
        return None;
    }
    // SAFETY: OpenBLAS returns a pointer to a static NUL-terminated name.
    let name = unsafe { std::ffi::CStr::from_ptr(openblas_get_corename()) }
        .to_string_lossy()
        .to_lowercase();
    if !PRE_AVX2_KERNELS.contains(&name.as_str()) {
        return None;
    }
    kernel_for_this_cpu()
}

/// Start this process anew with OpenBLAS's kernels chosen for this CPU when its own detection
/// fell back to pre-AVX2 ones (`blas_kernel_override`). OpenBLAS reads `OPENBLAS_CORETYPE`
/// only when it loads, so the program must restart: call this first thing in `main` (the
/// CLI's and the catalogue test's). `exec` returns only on failure, and then the process
/// carries on with the kernels it has.
pub fn use_this_cpus_blas_kernels() {
    use std::os::unix::process::CommandExt;
    if let (Some(kernel), Ok(exe)) = (blas_kernel_override(), std::env::current_exe()) {
        let err = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("OPENBLAS_CORETYPE", kernel)
            .exec();
        eprintln!(
            "note: could not restart with OPENBLAS_CORETYPE={kernel} ({err}); carrying on with OpenBLAS's own choice"
        );
    }
}

#[cfg(target_arch = "x86_64")]
fn kernel_for_this_cpu() -> Option<&'static str> {
    let avx512 = std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512vl");
    let avx2 =
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    match (avx512, avx2) {
        (true, true) => Some("SKYLAKEX"),
        (false, true) => Some("HASWELL"),
        _ => None,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn kernel_for_this_cpu() -> Option<&'static str> {
    None
}

/// Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, symmetrised
/// first (LAPACK dsyevd).
pub fn eigh(m: ArrayView2<f64>) -> Result<(Array1<f64>, Array2<f64>), LinalgError> {
    let sym = (&m + &m.t()) * 0.5;
    sym.eigh(UPLO::Lower).map_err(|e| LinalgError::Lapack {
        what: "eigenvalues".into(),
        detail: e.to_string(),
    })
}

/// Smallest eigenvalue of a symmetric matrix.
pub fn min_eigenvalue(m: ArrayView2<f64>) -> Result<f64, LinalgError> {
    Ok(eigenvalues(m)?
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min))
}

/// Eigenvalues of a symmetric matrix, ascending.
pub fn eigenvalues(m: ArrayView2<f64>) -> Result<Array1<f64>, LinalgError> {
    Ok(eigh(m)?.0)
}

/// Select rows and columns `idx` x `jdx` of a matrix.
pub fn submatrix(m: &Array2<f64>, idx: &[usize], jdx: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((idx.len(), jdx.len()), |(a, b)| m[[idx[a], jdx[b]]])
}

/// The stationary covariance P = A P A^T + Q of the recursion z <- A z + e, e ~ (0, Q) (Q only
/// positive semi-definite), by iterating from Q until an iteration moves no entry by more
/// than 1e-14 of the largest (at most 10 000 steps); None when it does not settle (A's
/// spectral radius at or above 1, or too close to 1).
pub fn stationary_covariance(a: &Array2<f64>, q: &Array2<f64>) -> Option<Array2<f64>> {
    let mut p = q.clone();
    for _ in 0..10_000 {
        let next = a.dot(&p).dot(&a.t()) + q;
        let next = (&next + &next.t()) * 0.5;
        let scale = next.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let moved = (&next - &p).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if !scale.is_finite() {
            return None;
        }
        p = next;
        if moved <= 1e-14 * scale {
            return Some(p);
        }
    }
    None
}

/// x with A x = b for a general square A (LAPACK's LU with partial pivoting); `what` names A
/// in the error.
pub fn solve_general(
    a: &Array2<f64>,
    b: &Array1<f64>,
    what: &str,
) -> Result<Array1<f64>, LinalgError> {
    a.solve(b).map_err(|e| LinalgError::Lapack {
        what: what.into(),
        detail: e.to_string(),
    })
}

/// Select entries `idx` of a vector.
pub fn subvector(v: ArrayView1<f64>, idx: &[usize]) -> Array1<f64> {
    Array1::from_shape_fn(idx.len(), |a| v[idx[a]])
}

#[cfg(test)]
mod tests {
    #[test]
    fn add_gram_is_the_general_product() {
        let mut rng = crate::mc::stream(5, 0, 0);
        use rand_distr::{Distribution, StandardNormal};
        let a = Array2::from_shape_fn((9, 4), |_| StandardNormal.sample(&mut rng));
        let b = Array2::from_shape_fn((5, 4), |_| StandardNormal.sample(&mut rng));
        let mut c = Array2::eye(4);
        add_gram(a.view(), &mut c);
        add_gram(b.view(), &mut c);
        let direct = Array2::<f64>::eye(4) + a.t().dot(&a) + b.t().dot(&b);
        for (x, y) in c.iter().zip(direct.iter()) {
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
        // a transposed view is read as the matrix it shows
        let mut d = Array2::zeros((9, 9));
        add_gram(a.t(), &mut d);
        let direct = a.dot(&a.t());
        assert!(d
            .iter()
            .zip(direct.iter())
            .all(|(x, y)| (x - y).abs() < 1e-12));
    }

    use super::*;
    use ndarray::array;

    #[test]
    fn cholesky_logdet_inverse() {
        let s = Spd::new(array![[4.0, 2.0], [2.0, 3.0]], "S").unwrap();
        assert!((s.log_det() - 8f64.ln()).abs() < 1e-12);
        let inv = s.inverse().unwrap();
        let id = s.matrix().dot(&inv);
        assert!((&id - &Array2::<f64>::eye(2))
            .iter()
            .all(|v| v.abs() < 1e-12));
        let q = s.quad(array![1.0, 1.0].view()).unwrap();
        // [1 1] S^{-1} [1 1]^T = (3 - 2 - 2 + 4) / 8
        assert!((q - 3.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn whitening_rows_is_whitening_columns_transposed() {
        let s = Spd::new(
            array![[4.0, 2.0, 0.5], [2.0, 3.0, 0.1], [0.5, 0.1, 2.0]],
            "S",
        )
        .unwrap();
        let x = Array2::from_shape_fn((50, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let rows = s.whiten_rows(x.clone()).unwrap();
        let cols = s.whiten(&x.t().as_standard_layout().to_owned()).unwrap();
        assert_eq!(rows.dim(), (50, 3));
        // the same LAPACK solve on the same numbers: equal bit for bit
        assert_eq!(rows, cols.t());
        // and each row z solves L z = x (so |z|^2 = x^T S^{-1} x)
        for (z, xi) in rows.rows().into_iter().zip(x.rows()) {
            let q = s.quad(xi).unwrap();
            assert!((z.dot(&z) - q).abs() < 1e-12 * q.max(1.0));
        }
        // a column-major input gives the same rows
        let f = x.t().as_standard_layout().to_owned().reversed_axes();
        assert_eq!(s.whiten_rows(f).unwrap(), rows);
    }

    #[test]
    fn bad_matrices_are_named() {
        let e = Spd::new(array![[1.0, 2.0], [2.0, 1.0]], "covariance of component 3").unwrap_err();
        assert!(
            e.to_string().contains("component 3") && e.to_string().contains("positive definite")
        );
        assert!(matches!(
            Spd::new(array![[1.0, 0.5], [0.0, 1.0]], "A"),
            Err(LinalgError::NotSymmetric { .. })
        ));
        assert!(matches!(
            Spd::new(array![[f64::NAN]], "A"),
            Err(LinalgError::NotFinite { .. })
        ));
        assert!(matches!(
            Spd::new(Array2::zeros((2, 3)), "A"),
            Err(LinalgError::NotSquare { .. })
        ));
    }

    #[test]
    fn eigenvalues_of_a_diagonal() {
        let m = array![[3.0, 0.0], [0.0, -1.0]];
        assert_eq!(min_eigenvalue(m.view()).unwrap(), -1.0);
    }
}

impl crate::error::SubjectError for LinalgError {}
