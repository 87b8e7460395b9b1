//! Coarse plus residual (issue #16): a deterministic analysis T(u_F, y) learned by least
//! squares and a residual law learned on r = x - T. In the stationary linear-Gaussian regime
//! the best T is the Kalman analysis mean and the residual's law is N(0, P_a) (theory/
//! assimilation.md section 11).
//!
//! The regime: the forecast mean u_F and the forecast error e = x - u_F are independent,
//! e ~ N(0, P_f) with P_f the steady forecast covariance of the Kalman filter, u_F ~ N(0, C_u)
//! with C_u = P_stat - P_f (the stationary law of x split into what the forecast knows and
//! what it does not), y = O x + v, v ~ N(0, R).
use super::{kalman_gain, AssimilationError, LinearObservation};
use crate::filter::StateSpaceModel;
use crate::linalg::Spd;
use crate::mc::Rng;
use ndarray::{s, Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// A mistake in the population regression (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResidualFault {
    #[default]
    None,
    /// T regressed on y alone, the forecast mean dropped from its inputs.
    ForecastDropped,
}

/// The stationary regime of a model.
#[derive(Debug, Clone)]
pub struct ResidualProblem {
    pub pf: Array2<f64>,
    pub cu: Array2<f64>,
    pub o: Array2<f64>,
    pub r: Array2<f64>,
}

/// A fitted (or population) analysis: x ~ a + B_u u_F + B_y y, residual covariance.
#[derive(Debug, Clone)]
pub struct LinearAnalysis {
    pub intercept: Array1<f64>,
    pub b_u: Array2<f64>,
    pub b_y: Array2<f64>,
    pub residual: Array2<f64>,
}

impl ResidualProblem {
    /// The steady forecast covariance by iterating the Riccati recursion (1000 steps from Q)
    /// and the stationary covariance by iterating P = A P A^T + Q (the model must be stable).
    pub fn stationary(model: &StateSpaceModel) -> Result<ResidualProblem, AssimilationError> {
        let (a, q, o, r) = (model.a(), model.q(), model.o(), model.r());
        let d = a.nrows();
        let obs = LinearObservation::new(o.clone(), r.clone(), d)?;
        let stat = model.stationary_covariance()?;
        let mut pf = q.clone();
        for _ in 0..1000 {
            let (_, pa) = kalman_gain(&pf, &obs)?;
            pf = a.dot(&pa).dot(&a.t()) + q;
            pf = (&pf + &pf.t()) * 0.5;
        }
        let cu = &stat - &pf;
        let cu = (&cu + &cu.t()) * 0.5;
        Spd::new(cu.clone(), "C_u = P_stat - P_f")?;
        Ok(ResidualProblem {
            pf,
            cu,
            o: o.clone(),
            r: r.clone(),
        })
    }

    /// The Kalman analysis: x_a = (I - K O) u_F + K y, covariance P_a.
    pub fn kalman(&self) -> Result<LinearAnalysis, AssimilationError> {
        let d = self.pf.nrows();
        let obs = LinearObservation::new(self.o.clone(), self.r.clone(), d)?;
        let (k, pa) = kalman_gain(&self.pf, &obs)?;
        Ok(LinearAnalysis {
            intercept: Array1::zeros(d),
            b_u: Array2::<f64>::eye(d) - k.dot(&self.o),
            b_y: k,
            residual: pa,
        })
    }

    /// The population least-squares analysis from the exact second moments of z = (u_F, y)
    /// and x: B = Cov(x, z) Cov(z)^-1, residual Cov(x) - B Cov(z, x) (no Kalman formula used).
    pub fn population(&self, fault: ResidualFault) -> Result<LinearAnalysis, AssimilationError> {
        let d = self.pf.nrows();
        let m = self.o.nrows();
        let cx = &self.cu + &self.pf;
        // Cov(u, u) = C_u, Cov(u, y) = C_u O^T, Cov(y, y) = O Cx O^T + R; Cov(x, u) = C_u,
        // Cov(x, y) = Cx O^T
        let mut czz = Array2::<f64>::zeros((d + m, d + m));
        czz.slice_mut(s![..d, ..d]).assign(&self.cu);
        czz.slice_mut(s![..d, d..])
            .assign(&self.cu.dot(&self.o.t()));
        czz.slice_mut(s![d.., ..d]).assign(&self.o.dot(&self.cu));
        czz.slice_mut(s![d.., d..])
            .assign(&(self.o.dot(&cx).dot(&self.o.t()) + &self.r));
        let mut cxz = Array2::<f64>::zeros((d, d + m));
        cxz.slice_mut(s![.., ..d]).assign(&self.cu);
        cxz.slice_mut(s![.., d..]).assign(&cx.dot(&self.o.t()));
        let keep: Vec<usize> = match fault {
            ResidualFault::None => (0..d + m).collect(),
            ResidualFault::ForecastDropped => (d..d + m).collect(),
        };
        let czz_k = crate::linalg::submatrix(&czz, &keep, &keep);
        let cxz_k = crate::linalg::submatrix(&cxz, &(0..d).collect::<Vec<_>>(), &keep);
        let b_k = Spd::new((&czz_k + &czz_k.t()) * 0.5, "Cov(u_F, y)")?
            .solve(&cxz_k.t().to_owned())?
            .reversed_axes();
        let resid = &cx - &b_k.dot(&cxz_k.t());
        let mut b = Array2::<f64>::zeros((d, d + m));
        for (j, &c) in keep.iter().enumerate() {
            b.column_mut(c).assign(&b_k.column(j));
        }
        Ok(LinearAnalysis {
            intercept: Array1::zeros(d),
            b_u: b.slice(s![.., ..d]).to_owned(),
            b_y: b.slice(s![.., d..]).to_owned(),
            residual: (&resid + &resid.t()) * 0.5,
        })
    }

    /// n training triples: rows of Z = (u_F, y) and of X.
    pub fn sample(
        &self,
        n: usize,
        rng: &mut Rng,
    ) -> Result<(Array2<f64>, Array2<f64>), AssimilationError> {
        let d = self.pf.nrows();
        let m = self.o.nrows();
        let lu = Spd::new((&self.cu + &self.cu.t()) * 0.5, "C_u")?;
        let lf = Spd::new(self.pf.clone(), "P_f")?;
        let lr = Spd::new(self.r.clone(), "R")?;
        let mut normal = |r: usize, c: usize| {
            Array2::from_shape_fn((r, c), |_| {
                <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
            })
        };
        let u = normal(n, d).dot(&lu.chol().t());
        let x = &u + &normal(n, d).dot(&lf.chol().t());
        let y = x.dot(&self.o.t()) + normal(n, m).dot(&lr.chol().t());
        let z = ndarray::concatenate(Axis(1), &[u.view(), y.view()]).map_err(|e| {
            AssimilationError::Invalid {
                what: "training set",
                reason: e.to_string(),
            }
        })?;
        Ok((z, x))
    }
}

/// Least squares of X on (1, Z): the fitted analysis and the residual covariance RSS / (n - p),
/// p = 1 + columns of Z (unbiased for the residual law's covariance).
pub fn fit(
    z: &Array2<f64>,
    x: &Array2<f64>,
    d: usize,
) -> Result<LinearAnalysis, AssimilationError> {
    let n = z.nrows();
    let p = 1 + z.ncols();
    if n <= p {
        return Err(AssimilationError::Invalid {
            what: "training set",
            reason: format!("{n} pairs for {p} coefficients"),
        });
    }
    let mut design = Array2::<f64>::ones((n, p));
    design.slice_mut(s![.., 1..]).assign(z);
    let gram = design.t().dot(&design);
    let coef = Spd::new(gram, "the design's Gram matrix")?.solve(&design.t().dot(x))?; // p x d
    let resid = x - &design.dot(&coef);
    let cov = resid.t().dot(&resid) / (n - p) as f64;
    let b = coef.slice(s![1.., ..]).t().to_owned(); // d x (d + m)
    Ok(LinearAnalysis {
        intercept: coef.row(0).to_owned(),
        b_u: b.slice(s![.., ..d]).to_owned(),
        b_y: b.slice(s![.., d..]).to_owned(),
        residual: (&cov + &cov.t()) * 0.5,
    })
}
