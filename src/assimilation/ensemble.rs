//! The ensemble: N members of dimension d as the rows of an N x d array.
use super::{invalid, AssimilationError};
use crate::mc::Rng;
use ndarray::{Array1, Array2, Axis};
use ndarray_linalg::QR;
use rand_distr::{Distribution, StandardNormal};

/// N >= 2 members, each a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Ensemble {
    members: Array2<f64>,
}

impl Ensemble {
    /// At least two members (the anomalies need N - 1 >= 1), every value finite.
    pub fn new(members: Array2<f64>) -> Result<Ensemble, AssimilationError> {
        if members.nrows() < 2 {
            return Err(invalid(
                "ensemble",
                format!("needs at least 2 members, got {}", members.nrows()),
            ));
        }
        if members.iter().any(|v| !v.is_finite()) {
            return Err(invalid("ensemble", "a member is not finite"));
        }
        Ok(Ensemble { members })
    }
    pub fn members(&self) -> &Array2<f64> {
        &self.members
    }
    pub fn into_members(self) -> Array2<f64> {
        self.members
    }
    /// N.
    pub fn size(&self) -> usize {
        self.members.nrows()
    }
    /// d.
    pub fn dim(&self) -> usize {
        self.members.ncols()
    }
    pub fn mean(&self) -> Array1<f64> {
        self.members.mean_axis(Axis(0)).expect("N >= 2")
    }
    /// X - 1 mean^T (N x d).
    pub fn anomalies(&self) -> Array2<f64> {
        &self.members - &self.mean()
    }
    /// A^T A / (N - 1).
    pub fn covariance(&self) -> Array2<f64> {
        let a = self.anomalies();
        a.t().dot(&a) / (self.size() as f64 - 1.0)
    }
    /// sqrt(tr P / d): the ensemble's spread, as DA papers report it beside the RMSE.
    pub fn spread(&self) -> f64 {
        let a = self.anomalies();
        (a.iter().map(|v| v * v).sum::<f64>() / ((self.size() - 1) * self.dim()) as f64).sqrt()
    }
    /// mean + f (x_i - mean): multiplicative inflation by f (covariance by f^2).
    pub fn inflate(&mut self, f: f64) {
        let m = self.mean();
        let a = self.anomalies() * f;
        self.members = a + &m;
    }
    /// mean + Q A with Q a random orthogonal N x N matrix that keeps the mean (Q 1 = 1),
    /// uniform (Haar) on the rotations of the anomalies' space: the ETKF's random rotations.
    pub fn rotate(&mut self, rng: &mut Rng) -> Result<(), AssimilationError> {
        self.rotate_with(RotationFault::None, rng)
    }
    /// `rotate` with a deliberate fault (the catalogue's mutation controls).
    pub fn rotate_with(
        &mut self,
        fault: RotationFault,
        rng: &mut Rng,
    ) -> Result<(), AssimilationError> {
        let n = self.size();
        let q = match fault {
            RotationFault::None => mean_preserving_rotation(n, rng)?,
            RotationFault::NotMeanPreserving => {
                // uniform on all of O(N): the ones vector is rotated too
                let z = Array2::from_shape_fn((n, n), |_| StandardNormal.sample(rng));
                let (q, _): (Array2<f64>, Array2<f64>) = z
                    .qr()
                    .map_err(|e| invalid("ensemble", format!("QR failed: {e}")))?;
                q
            }
        };
        let m = self.mean();
        self.members = q.dot(&self.anomalies()) + &m;
        Ok(())
    }
    /// Each member replaced by `f` applied to the whole ensemble (one batched step).
    pub fn map(&mut self, f: impl FnOnce(&Array2<f64>) -> Array2<f64>) {
        self.members = f(&self.members);
    }
}

/// A deliberate fault of the ensemble rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationFault {
    None,
    /// A uniform rotation of all of R^N, which does not fix the ones vector.
    NotMeanPreserving,
}

/// An N x (N - 1) matrix with orthonormal columns orthogonal to the ones vector, drawn
/// uniformly (the Q factor of a centred Gaussian matrix, signs fixed so that R has a
/// positive diagonal).
pub fn complement_basis(n: usize, rng: &mut Rng) -> Result<Array2<f64>, AssimilationError> {
    if n < 2 {
        return Err(invalid("ensemble", format!("needs N >= 2, got {n}")));
    }
    let z = Array2::from_shape_fn((n, n - 1), |_| StandardNormal.sample(rng));
    let zc = &z - &z.mean_axis(Axis(0)).expect("n >= 2");
    let (mut q, r): (Array2<f64>, Array2<f64>) = zc
        .qr()
        .map_err(|e| invalid("ensemble", format!("QR of the rotation failed: {e}")))?;
    for j in 0..n - 1 {
        if r[[j, j]] < 0.0 {
            q.column_mut(j).mapv_inplace(|v: f64| -v);
        }
    }
    Ok(q)
}

/// Q = 1 1^T / N + V W^T, V a uniform orthonormal basis of the complement of the ones
/// vector and W a second, independent one: orthogonal, Q 1 = Q^T 1 = 1, uniform on the
/// rotations of the complement.
fn mean_preserving_rotation(n: usize, rng: &mut Rng) -> Result<Array2<f64>, AssimilationError> {
    let v = complement_basis(n, rng)?;
    let w = complement_basis(n, rng)?;
    Ok(Array2::from_elem((n, n), 1.0 / n as f64) + v.dot(&w.t()))
}

/// N members whose sample mean is m and whose sample covariance (N - 1 denominator) is P
/// exactly: m + sqrt(N - 1) V L^T with V an N x d block of a uniform complement basis and L
/// the Cholesky factor of P. Needs N - 1 >= d.
pub fn ensemble_with_moments(
    m: &Array1<f64>,
    l: &Array2<f64>,
    n: usize,
    rng: &mut Rng,
) -> Result<Ensemble, AssimilationError> {
    let d = m.len();
    if n < d + 1 {
        return Err(invalid(
            "ensemble",
            format!("exact moments in d = {d} need N >= d + 1 members, got {n}"),
        ));
    }
    let v = complement_basis(n, rng)?;
    let block = v.slice(ndarray::s![.., ..d]).to_owned();
    let x = block.dot(&l.t()) * (n as f64 - 1.0).sqrt() + m;
    Ensemble::new(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn exact_moments_and_rotations_keep_mean_and_covariance() {
        let mut rng = crate::mc::stream(3, 0, 0);
        let m = array![1.0, -2.0, 0.5];
        let p = array![[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]];
        let l = crate::linalg::Spd::new(p.clone(), "P")
            .unwrap()
            .chol()
            .clone();
        let mut e = ensemble_with_moments(&m, &l, 7, &mut rng).unwrap();
        assert!((&e.mean() - &m).iter().all(|v| v.abs() < 1e-12));
        assert!((&e.covariance() - &p).iter().all(|v| v.abs() < 1e-12));
        let before = e.members().clone();
        e.rotate(&mut rng).unwrap();
        assert!((&e.mean() - &m).iter().all(|v| v.abs() < 1e-12));
        assert!((&e.covariance() - &p).iter().all(|v| v.abs() < 1e-12));
        assert!((e.members() - &before).iter().any(|v| v.abs() > 1e-3));
        e.inflate(1.1);
        assert!((&e.covariance() - &(&p * 1.21))
            .iter()
            .all(|v| v.abs() < 1e-12));
        assert!(ensemble_with_moments(&m, &l, 3, &mut rng).is_err());
        assert!(Ensemble::new(Array2::zeros((1, 3))).is_err());
    }
}
