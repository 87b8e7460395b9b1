//! The linear-Gaussian state-space model every filter and every linear-Gaussian simulation
//! uses: x_{s+1} = A x_s + b + e, e ~ N(0, Q); y_s = O x_s + n, n ~ N(0, R).
use super::FilterError;
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::prob::Gmm;
use ndarray::{Array1, Array2};
use rand_distr::{Distribution, StandardNormal};

/// x_{s+1} = A x_s + b + e (e ~ N(0, Q)), y_s = O x_s + n (n ~ N(0, R)).
#[derive(Debug, Clone)]
pub struct StateSpaceModel {
    pub(super) a: Array2<f64>,
    pub(super) b: Array1<f64>,
    pub(super) q: Array2<f64>,
    pub(super) o: Array2<f64>,
    pub(super) r: Array2<f64>,
}

impl StateSpaceModel {
    /// A (d x d): the dynamics.
    pub fn a(&self) -> &Array2<f64> {
        &self.a
    }
    /// b (d): the offset of the dynamics.
    pub fn b(&self) -> &Array1<f64> {
        &self.b
    }
    /// Q (d x d, positive definite): the process noise.
    pub fn q(&self) -> &Array2<f64> {
        &self.q
    }
    /// O (m x d): the observation operator.
    pub fn o(&self) -> &Array2<f64> {
        &self.o
    }
    /// R (m x m, positive definite): the observation noise.
    pub fn r(&self) -> &Array2<f64> {
        &self.r
    }

    /// Validate the shapes (A d x d, b d, Q d x d, O m x d, R m x m) and that Q and R are
    /// symmetric positive definite.
    pub fn new(
        a: Array2<f64>,
        b: Array1<f64>,
        q: Array2<f64>,
        o: Array2<f64>,
        r: Array2<f64>,
    ) -> Result<StateSpaceModel, FilterError> {
        let m = StateSpaceModel { a, b, q, o, r };
        m.check_shapes(m.b.len())?;
        Spd::new(m.q.clone(), "process noise Q")?;
        Spd::new(m.r.clone(), "observation noise R")?;
        Ok(m)
    }

    /// A trajectory x_0..x_{steps-1} with x_0 drawn from `g`, and its observations.
    pub fn simulate(
        &self,
        g: &Gmm,
        steps: usize,
        rng: &mut Rng,
    ) -> Result<(Vec<Array1<f64>>, Vec<Array1<f64>>), FilterError> {
        let (x0, _) = g.sample(1, rng);
        self.simulate_from(x0.row(0).to_owned(), steps, rng)
    }

    /// A trajectory x_0..x_{steps-1} from the given x_0, and its observations y_s = O x_s + n_s.
    /// Each step draws d normals for the process noise (from the second step on), then m for
    /// the observation noise, in that order.
    pub fn simulate_from(
        &self,
        x0: Array1<f64>,
        steps: usize,
        rng: &mut Rng,
    ) -> Result<(Vec<Array1<f64>>, Vec<Array1<f64>>), FilterError> {
        let d = self.b.len();
        self.check_shapes(d)?;
        if x0.len() != d {
            return Err(FilterError::Dimension(format!(
                "x_0 has dimension {}, the model {d}",
                x0.len()
            )));
        }
        let lq = Spd::new(self.q.clone(), "process noise Q")?;
        let lr = Spd::new(self.r.clone(), "observation noise R")?;
        let mut x = x0;
        let (mut xs, mut ys) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
        for s in 0..steps {
            if s > 0 {
                let e = lq
                    .chol()
                    .dot(&Array1::from_shape_fn(d, |_| StandardNormal.sample(rng)));
                x = self.a.dot(&x) + &self.b + e;
            }
            let n = lr.chol().dot(&Array1::from_shape_fn(self.o.nrows(), |_| {
                StandardNormal.sample(rng)
            }));
            ys.push(self.o.dot(&x) + n);
            xs.push(x.clone());
        }
        Ok((xs, ys))
    }

    /// The shapes for a state of dimension d, and observations that fit them.
    pub(super) fn check(&self, d: usize, ys: &[Array1<f64>]) -> Result<(), FilterError> {
        self.check_shapes(d)?;
        let m = self.o.nrows();
        if let Some((s, y)) = ys.iter().enumerate().find(|(_, y)| y.len() != m) {
            return Err(FilterError::Dimension(format!(
                "observation {s} has length {}, the operator gives {m}",
                y.len()
            )));
        }
        if ys.is_empty() {
            return Err(FilterError::Dimension("no observations".into()));
        }
        Ok(())
    }

    /// The stationary covariance P = A P A^T + Q of a stable model
    /// (`linalg::stationary_covariance`); a model that does not settle (spectral radius of A
    /// at or above 1) is refused.
    pub fn stationary_covariance(&self) -> Result<Array2<f64>, FilterError> {
        crate::linalg::stationary_covariance(&self.a, &self.q).ok_or_else(|| FilterError::Dimension(
            "the dynamics have no stationary law: P = A P A^T + Q did not settle in 10 000 steps (is A's spectral radius below 1?)".into(),
        ))
    }

    /// Validate the shapes against a state dimension d (A d x d, b d, Q d x d, O m x d, R m x m).
    pub fn check_shapes(&self, d: usize) -> Result<(), FilterError> {
        let bad = FilterError::Dimension;
        if self.a.dim() != (d, d) || self.b.len() != d || self.q.dim() != (d, d) {
            return Err(bad(format!(
                "dynamics must be {d} x {d}, offset {d}, noise {d} x {d}"
            )));
        }
        let m = self.o.nrows();
        if self.o.ncols() != d || self.r.dim() != (m, m) {
            return Err(bad(format!(
                "observation operator is {:?} and its noise {:?}; the state has dimension {d}",
                self.o.dim(),
                self.r.dim()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stationary covariance solves P = A P A^T + Q; a model with |eigenvalue| >= 1 is
    /// refused; for a scalar model P = q / (1 - a^2).
    #[test]
    fn the_stationary_covariance_solves_its_equation_and_refuses_unstable_dynamics() {
        let m = |a: Array2<f64>| {
            let d = a.nrows();
            StateSpaceModel::new(
                a,
                Array1::zeros(d),
                Array2::eye(d) * 0.1,
                Array2::eye(d),
                Array2::eye(d),
            )
            .unwrap()
        };
        let s = m(ndarray::array![[0.9, 0.2], [-0.2, 0.7]]);
        let p = s.stationary_covariance().unwrap();
        let resid = &p - &(s.a().dot(&p).dot(&s.a().t()) + s.q());
        assert!(resid.iter().all(|v| v.abs() < 1e-12), "{resid}");
        let one = m(ndarray::array![[0.5]]).stationary_covariance().unwrap();
        assert!((one[[0, 0]] - 0.1 / 0.75).abs() < 1e-13);
        assert!(m(ndarray::array![[1.0]]).stationary_covariance().is_err());
    }
}
