//! 2-D constant-velocity tracking with a position observation: the Kalman model and its
//! simulation (the small-state, nalgebra path of the filter family's checks).
use super::Kalman;
use crate::mc::Rng;
use nalgebra::{Matrix2x4, Matrix4, SVector, Vector2, Vector4};
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

fn gauss<const N: usize>(rng: &mut Rng) -> SVector<f64, N> {
    SVector::<f64, N>::from_fn(|_, _| StandardNormal.sample(rng))
}

/// Simulate the model from N(0, P0) for `steps` observations.
pub fn simulate_tracking(
    k: &Kalman<4, 2>,
    p0: &Matrix4<f64>,
    steps: usize,
    rng: &mut Rng,
) -> (Vec<Vector4<f64>>, Vec<Vector2<f64>>) {
    let lq = k.q.cholesky().map(|c| c.l()).unwrap_or_else(Matrix4::zeros);
    let lp = p0.cholesky().map(|c| c.l()).unwrap_or_else(Matrix4::zeros);
    let lr =
        k.r.cholesky()
            .map(|c| c.l())
            .unwrap_or_else(nalgebra::Matrix2::zeros);
    let mut x = lp * gauss::<4>(rng);
    let (mut xs, mut ys) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
    for s in 0..steps {
        if s > 0 {
            x = k.a * x + k.b + lq * gauss::<4>(rng);
        }
        ys.push(k.o * x + lr * gauss::<2>(rng));
        xs.push(x);
    }
    (xs, ys)
}
