//! 2-D constant-velocity tracking with a position observation: the Kalman model and its
//! simulation (the small-state, nalgebra path of the filter family's checks).
use super::{FilterError, Kalman};
use crate::mc::Rng;
use nalgebra::{Matrix2x4, Matrix4, Vector2, Vector4};
use ndarray::Array1;
use rand_distr::{Distribution, StandardNormal};

/// 2-D constant-velocity tracking: state (position, velocity), position observed.
pub fn tracking_model(dt: f64, accel: f64, obs: f64) -> Kalman<4, 2> {
    let a = Matrix4::new(
        1.0, 0.0, dt, 0.0, 0.0, 1.0, 0.0, dt, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    );
    let (q11, q12, q22) = (dt.powi(3) / 3.0, dt.powi(2) / 2.0, dt);
    let q = Matrix4::new(
        q11, 0.0, q12, 0.0, 0.0, q11, 0.0, q12, q12, 0.0, q22, 0.0, 0.0, q12, 0.0, q22,
    ) * (accel * accel);
    let o = Matrix2x4::new(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    Kalman {
        a,
        b: Vector4::zeros(),
        q,
        o,
        r: nalgebra::Matrix2::identity() * (obs * obs),
    }
}

/// Simulate the model from N(0, P0) for `steps` observations: x_0 = L_0 z, then the
/// state-space model's one simulation (`StateSpaceModel::simulate_from`).
pub fn simulate_tracking(
    k: &Kalman<4, 2>,
    p0: &Matrix4<f64>,
    steps: usize,
    rng: &mut Rng,
) -> Result<(Vec<Vector4<f64>>, Vec<Vector2<f64>>), FilterError> {
    let lp = p0
        .cholesky()
        .ok_or(FilterError::NotSpd("the prior covariance P0"))?
        .l();
    let z = Vector4::<f64>::from_fn(|_, _| StandardNormal.sample(rng));
    let x0 = lp * z;
    let (xs, ys) =
        k.state_space()?
            .simulate_from(Array1::from_iter(x0.iter().cloned()), steps, rng)?;
    Ok((
        xs.iter()
            .map(|x| Vector4::from_iterator(x.iter().cloned()))
            .collect(),
        ys.iter()
            .map(|y| Vector2::from_iterator(y.iter().cloned()))
            .collect(),
    ))
}
