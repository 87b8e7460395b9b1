//! The ensemble Kalman analyses for linear observations y = H x + e, e ~ N(0, R):
//! the stochastic EnKF (perturbed observations) and the ETKF (symmetric square root), in the
//! forms of Sakov & Oke (2008) and of DAPPER's `EnKF_analysis` (theory/assimilation.md
//! sections 2 and 3).
use super::{invalid, AssimilationError, Ensemble};
use crate::linalg::{eigh, Spd};
use crate::mc::Rng;
use ndarray::{Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// y = H x + e, e ~ N(0, R): H is m x d, R m x m symmetric positive definite.
///
/// Every component observed with one error variance (`identity`) is kept as that variance:
/// the products the filters take every cycle (H x, R^-1 e, whitening, v H) are then O(m) per
/// vector instead of O(m d), and the dense H and R (800 MB each for Lorenz96 with 10^4
/// variables) are built only if something asks for them (`h`, `r`). The fast products give
/// the dense ones' numbers bit for bit (tested below), so no result depends on which form a
/// model was built in.
#[derive(Debug, Clone)]
pub struct LinearObservation {
    d: usize,
    m: usize,
    /// Some(var) when H = I and R = var I.
    identity_var: Option<f64>,
    h: std::sync::OnceLock<Array2<f64>>,
    r: std::sync::OnceLock<Spd>,
}

impl LinearObservation {
    /// Validates H against the state dimension d and R against H's rows.
    pub fn new(h: Array2<f64>, r: Array2<f64>, d: usize) -> Result<Self, AssimilationError> {
        if h.ncols() != d {
            return Err(invalid(
                "observation operator",
                format!(
                    "H is {} x {}; the state has dimension {d}",
                    h.nrows(),
                    h.ncols()
                ),
            ));
        }
        if r.dim() != (h.nrows(), h.nrows()) {
            return Err(invalid(
                "observation error covariance",
                format!("R is {:?}; H gives {} observations", r.dim(), h.nrows()),
            ));
        }
        let r = Spd::new(r, "observation error covariance R")?;
        let m = h.nrows();
        Ok(LinearObservation {
            d,
            m,
            identity_var: None,
            h: h.into(),
            r: r.into(),
        })
    }
    /// Every component observed with error variance `var`: H = I_d, R = var I_d.
    pub fn identity(d: usize, var: f64) -> Result<Self, AssimilationError> {
        if !(var > 0.0 && var.is_finite()) || d == 0 {
            return Err(invalid(
                "observation error covariance",
                format!(
                    "R = {var} I of dimension {d}: needs a positive finite variance and d >= 1"
                ),
            ));
        }
        Ok(LinearObservation {
            d,
            m: d,
            identity_var: Some(var),
            h: std::sync::OnceLock::new(),
            r: std::sync::OnceLock::new(),
        })
    }
    /// H (m x d), built on first use for the identity form.
    pub fn h(&self) -> &Array2<f64> {
        self.h.get_or_init(|| Array2::eye(self.d))
    }
    /// R, built on first use for the identity form.
    pub fn r(&self) -> &Spd {
        self.r.get_or_init(|| {
            let var = self.identity_var.expect("a dense R is set at construction");
            Spd::scaled_identity(self.d, var, "observation error covariance R")
                .expect("a positive finite variance gives an SPD R")
        })
    }
    /// m.
    pub fn len(&self) -> usize {
        self.m
    }
    /// d, the state's dimension.
    pub fn state_dim(&self) -> usize {
        self.d
    }
    /// H x for one state.
    pub fn apply(&self, x: &Array1<f64>) -> Array1<f64> {
        match self.identity_var {
            Some(_) => x.clone(),
            None => self.h().dot(x),
        }
    }
    /// The rows of X (N x d) observed: X H^T (N x m).
    pub fn apply_rows(&self, x: &Array2<f64>) -> Array2<f64> {
        match self.identity_var {
            Some(_) => x.to_owned(),
            None => x.dot(&self.h().t()),
        }
    }
    /// V H for V (N x m): observation-space rows taken back to state space (N x d).
    pub fn adjoint_rows(&self, v: Array2<f64>) -> Array2<f64> {
        match self.identity_var {
            Some(_) => v,
            None => v.dot(self.h()),
        }
    }
    /// R^-1 E^T for E (N x m), as an m x N matrix (two triangular solves).
    pub fn solve_rows_t(&self, e: &Array2<f64>) -> Result<Array2<f64>, AssimilationError> {
        match self.identity_var {
            Some(var) => {
                let inv = 1.0 / var.sqrt();
                Ok(e.t().mapv(|v| v * inv * inv))
            }
            None => Ok(self.r().solve(&e.t().to_owned())?),
        }
    }
    /// E R for E (N x m): the rows multiplied by the error covariance (a mutation's
    /// stand-in for R^-1).
    pub fn covariance_rows(&self, e: Array2<f64>) -> Array2<f64> {
        match self.identity_var {
            Some(var) => e.mapv_into(|v| v * var),
            None => e.dot(self.r().matrix()),
        }
    }
    /// The rows of E (N x m) whitened: row i becomes L^-1 e_i.
    pub fn whiten_rows(&self, e: Array2<f64>) -> Result<Array2<f64>, AssimilationError> {
        match self.identity_var {
            Some(var) => {
                let inv = 1.0 / var.sqrt();
                Ok(e.mapv_into(|v| v * inv))
            }
            None => Ok(self.r().whiten_rows(e)?),
        }
    }
    /// A draw y = H x + e.
    pub fn observe(&self, x: &Array1<f64>, rng: &mut Rng) -> Array1<f64> {
        let z = Array1::from_shape_fn(self.len(), |_| StandardNormal.sample(rng));
        match self.identity_var {
            Some(var) => {
                let s = var.sqrt();
                x + &z.mapv(|v| s * v)
            }
            None => self.h().dot(x) + self.r().chol().dot(&z),
        }
    }
    fn check_y(&self, y: &Array1<f64>) -> Result<(), AssimilationError> {
        if y.len() != self.len() {
            return Err(invalid(
                "observation",
                format!("y has length {}, H gives {}", y.len(), self.len()),
            ));
        }
        Ok(())
    }
}

/// The Kalman analysis of N(m, P) by y = H x + e: (mean, covariance), the covariance in
/// Joseph form. The reference every ensemble analysis is checked against.
pub fn kalman_analysis(
    m: &Array1<f64>,
    p: &Array2<f64>,
    obs: &LinearObservation,
    y: &Array1<f64>,
) -> Result<(Array1<f64>, Array2<f64>), AssimilationError> {
    obs.check_y(y)?;
    let (k, pa) = kalman_gain(p, obs)?;
    let ma = m + &k.dot(&(y - &obs.apply(m)));
    Ok((ma, pa))
}

/// The Kalman gain K = P H^T S^-1 (S = H P H^T + R) and the analysis covariance in Joseph form,
/// (I - K H) P (I - K H)^T + K R K^T: the part of `kalman_analysis` that does not see y.
pub fn kalman_gain(
    p: &Array2<f64>,
    obs: &LinearObservation,
) -> Result<(Array2<f64>, Array2<f64>), AssimilationError> {
    let h = obs.h();
    let s = Spd::new(
        h.dot(p).dot(&h.t()) + obs.r().matrix(),
        "innovation covariance",
    )?;
    let k = s.solve(&h.dot(p))?.t().to_owned(); // P H^T S^{-1}
    let ikh = Array2::<f64>::eye(p.nrows()) - k.dot(h);
    let pa = ikh.dot(p).dot(&ikh.t()) + k.dot(obs.r().matrix()).dot(&k.t());
    Ok((k, pa))
}

/// Deliberate faults of the ETKF, the mutation controls of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtkfFault {
    None,
    /// The transform T = sqrt(N - 1) C^{-1/2} taken without its square root:
    /// (N - 1) C^{-1}, so the analysis anomalies shrink too much.
    SquareRootDropped,
}

/// The ETKF analysis with a symmetric square root. In ensemble space, with anomalies A
/// (N x d), observed anomalies Y = A H^T and innovation dy = y - H mean:
/// C = Y R^{-1} Y^T + (N - 1) I, w = C^{-1} Y R^{-1} dy, T = sqrt(N - 1) C^{-1/2};
/// the analysis is mean + w^T A + T A. Its mean and covariance are the Kalman filter's for
/// the ensemble's mean and covariance.
pub fn etkf(
    e: &Ensemble,
    obs: &LinearObservation,
    y: &Array1<f64>,
    fault: EtkfFault,
) -> Result<Ensemble, AssimilationError> {
    obs.check_y(y)?;
    let n = e.size();
    let n1 = n as f64 - 1.0;
    let mean = e.mean();
    let a = e.anomalies();
    let yo = obs.apply_rows(&a); // N x m
    let ri_yt = obs.solve_rows_t(&yo)?; // m x N: R^{-1} Y^T
    let dy = y - &obs.apply(&mean);
    let b = ri_yt.t().dot(&dy); // Y R^{-1} dy, N
    let (w, t) = etkf_transform(yo.dot(&ri_yt), &b, n1, fault)?;
    let x = t.dot(&a) + &(w.dot(&a) + &mean);
    Ensemble::new(x)
}

/// The ETKF's update in ensemble space from c0 = Y R^{-1} Y^T (N x N) and b = Y R^{-1} dy:
/// C = c0 + (N - 1) I, the mean's weights w = C^{-1} b and the symmetric transform
/// T = sqrt(N - 1) C^{-1/2}. The analysis is mean + w^T A + T A for anomalies A; the global
/// ETKF and each local analysis of the LETKF (with tapered Y and dy) share it.
pub(super) fn etkf_transform(
    mut c: Array2<f64>,
    b: &Array1<f64>,
    n1: f64,
    fault: EtkfFault,
) -> Result<(Array1<f64>, Array2<f64>), AssimilationError> {
    c.diag_mut().mapv_inplace(|v| v + n1);
    let c = (&c + &c.t()) * 0.5;
    let (vals, vecs) = eigh(c.view())?;
    if vals.iter().any(|v| !(*v > 0.0)) {
        return Err(invalid(
            "ETKF",
            "the ensemble-space matrix is not positive definite",
        ));
    }
    let inv = |p: f64| {
        let scaled = &vecs * &vals.mapv(|v| v.powf(p));
        scaled.dot(&vecs.t())
    };
    let w = inv(-1.0).dot(b);
    let t = match fault {
        EtkfFault::None => inv(-0.5) * n1.sqrt(),
        EtkfFault::SquareRootDropped => inv(-1.0) * n1,
    };
    Ok((w, t))
}

/// Deliberate faults of the stochastic EnKF, the mutation controls of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnkfFault {
    None,
    /// Every member assimilates y itself (no perturbations d_i).
    Unperturbed,
}

/// The stochastic EnKF with perturbed observations (Burgers et al. 1998), as DAPPER writes
/// it: C = Y^T Y + (N - 1) R, perturbations D ~ N(0, R) row by row, centred over the
/// members; member i moves by A^T Y C^{-1} (y - d_i - H x_i).
pub fn enkf_perturbed(
    e: &Ensemble,
    obs: &LinearObservation,
    y: &Array1<f64>,
    fault: EnkfFault,
    rng: &mut Rng,
) -> Result<Ensemble, AssimilationError> {
    obs.check_y(y)?;
    let n = e.size();
    let m = obs.len();
    let a = e.anomalies();
    let yo = obs.apply_rows(&a); // N x m
    let mut c = yo.t().dot(&yo) + &(obs.r().matrix() * (n as f64 - 1.0));
    c = (&c + &c.t()) * 0.5;
    let c = Spd::new(c, "EnKF innovation covariance")?;
    let z = Array2::from_shape_fn((n, m), |_| StandardNormal.sample(rng));
    let d = z.dot(&obs.r().chol().t());
    let mut d = &d - &d.mean_axis(Axis(0)).expect("N >= 2");
    if fault == EnkfFault::Unperturbed {
        d.fill(0.0);
    }
    let eo = obs.apply_rows(e.members());
    let innov = (-&d - &eo) + y; // N x m: y - d_i - H x_i
    let gain_t = c.solve(&yo.t().dot(&a))?; // m x d: C^{-1} Y^T A
    Ensemble::new(e.members() + &innov.dot(&gain_t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assimilation::ensemble_with_moments;
    use ndarray::array;

    fn setup() -> (Array1<f64>, Array2<f64>, LinearObservation, Array1<f64>) {
        let m = array![1.0, -2.0, 0.5];
        let p = array![[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]];
        let obs = LinearObservation::new(
            array![[1.0, 0.0, 1.0], [0.0, 2.0, -1.0]],
            array![[0.5, 0.1], [0.1, 0.8]],
            3,
        )
        .unwrap();
        (m, p, obs, array![2.0, -3.0])
    }

    /// The identity form's fast products against the dense form's LAPACK and BLAS calls,
    /// bit for bit, at sizes below and above OpenBLAS's blocking, for variances whose square
    /// roots are not exact; and through a whole ETKF analysis and the particle weights.
    #[test]
    fn the_identity_form_gives_the_dense_forms_numbers_bit_for_bit() {
        for &d in &[3usize, 7, 130] {
            for &var in &[0.01, 0.3, 1.0, 2.0, 7.3] {
                let fast = LinearObservation::identity(d, var).unwrap();
                let dense =
                    LinearObservation::new(Array2::eye(d), Array2::eye(d) * var, d).unwrap();
                let mut rng = crate::mc::stream(d as u64, 0, 0);
                let x = Array2::from_shape_fn((9, d), |_| {
                    3.0 * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
                });
                let v = x.row(0).to_owned();
                assert_eq!(fast.apply(&v), dense.apply(&v));
                assert_eq!(fast.apply_rows(&x), dense.apply_rows(&x));
                assert_eq!(fast.adjoint_rows(x.clone()), dense.adjoint_rows(x.clone()));
                assert_eq!(
                    fast.covariance_rows(x.clone()),
                    dense.covariance_rows(x.clone())
                );
                assert_eq!(
                    fast.solve_rows_t(&x).unwrap(),
                    dense.solve_rows_t(&x).unwrap(),
                    "R^-1 at d = {d}, var = {var}"
                );
                assert_eq!(
                    fast.whiten_rows(x.clone()).unwrap(),
                    dense.whiten_rows(x.clone()).unwrap(),
                    "whitening at d = {d}, var = {var}"
                );
                let (mut r1, mut r2) = (crate::mc::stream(1, 2, 3), crate::mc::stream(1, 2, 3));
                assert_eq!(fast.observe(&v, &mut r1), dense.observe(&v, &mut r2));
                let e = Ensemble::new(x.clone()).unwrap();
                let y = dense.observe(&v, &mut r1);
                assert_eq!(
                    etkf(&e, &fast, &y, EtkfFault::None).unwrap().members(),
                    etkf(&e, &dense, &y, EtkfFault::None).unwrap().members()
                );
                assert_eq!(
                    crate::assimilation::log_likelihoods(&fast, &x, &y).unwrap(),
                    crate::assimilation::log_likelihoods(&dense, &x, &y).unwrap()
                );
                // the dense matrices, built on demand, are the dense form's
                assert_eq!(fast.h(), dense.h());
                assert_eq!(fast.r().matrix(), dense.r().matrix());
                assert_eq!(fast.r().chol(), dense.r().chol());
            }
        }
        assert!(LinearObservation::identity(3, 0.0).is_err());
        assert!(LinearObservation::identity(3, f64::NAN).is_err());
    }

    #[test]
    fn etkf_meets_the_kalman_analysis_and_dropping_the_root_does_not() {
        let (m, p, obs, y) = setup();
        let (ma, pa) = kalman_analysis(&m, &p, &obs, &y).unwrap();
        let l = Spd::new(p.clone(), "P").unwrap().chol().clone();
        let mut rng = crate::mc::stream(5, 0, 0);
        let e = ensemble_with_moments(&m, &l, 8, &mut rng).unwrap();
        let out = etkf(&e, &obs, &y, EtkfFault::None).unwrap();
        assert!((&out.mean() - &ma).iter().all(|v| v.abs() < 1e-10));
        assert!((&out.covariance() - &pa).iter().all(|v| v.abs() < 1e-10));
        let bad = etkf(&e, &obs, &y, EtkfFault::SquareRootDropped).unwrap();
        assert!((&bad.covariance() - &pa).iter().any(|v| v.abs() > 1e-3));
    }

    #[test]
    fn enkf_mean_is_kalman_on_average_and_shapes_are_checked() {
        let (m, p, obs, y) = setup();
        let (ma, _) = kalman_analysis(&m, &p, &obs, &y).unwrap();
        let l = Spd::new(p.clone(), "P").unwrap().chol().clone();
        let mut rng = crate::mc::stream(6, 0, 0);
        // with the perturbations centred, the analysis mean is the Kalman mean of the
        // ensemble's own moments: exact when those are m and P
        let e = ensemble_with_moments(&m, &l, 30, &mut rng).unwrap();
        let out = enkf_perturbed(&e, &obs, &y, EnkfFault::None, &mut rng).unwrap();
        assert!((&out.mean() - &ma).iter().all(|v| v.abs() < 1e-10));
        assert!(etkf(&e, &obs, &array![1.0], EtkfFault::None).is_err());
        assert!(LinearObservation::new(Array2::eye(2), Array2::eye(2), 3).is_err());
        assert!(LinearObservation::new(Array2::eye(3), -Array2::<f64>::eye(3), 3).is_err());
    }
}
