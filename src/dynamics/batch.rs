//! Fixed-step integrators over a batch of states: the rows of an n x d array are n
//! independent states advanced together, so each stage is one evaluation of the field on
//! the whole batch (a GEMM for linear and affine fields) instead of n small ones. Explicit
//! Euler, Heun (explicit trapezoid, order 2) and classical RK4 for ODEs; Euler-Maruyama
//! for SDEs dX = f(t, X) dt + g(t) dW with a scalar diffusion coefficient (the form of the
//! forward and reverse processes of diffusion models). The small fixed-size path (`rk4`
//! over `V3`) stays in `integrate` for the 3-D systems.
use super::{invalid, DynamicsError};
use crate::mc::Rng;
use ndarray::{Array2, ArrayView2, Zip};
use rand_distr::{Distribution, StandardNormal};

/// A vector field evaluated on every row of a batch: out_i = f(t, x_i).
pub trait BatchField: Sync {
    /// The state dimension d.
    fn dim(&self) -> usize;
    fn eval(&self, t: f64, x: ArrayView2<f64>) -> Array2<f64>;
}

/// f(t, x) = x A^T + b (each row x_i mapped to A x_i + b): the affine field, one GEMM a stage.
#[derive(Debug, Clone)]
pub struct AffineField {
    pub a: Array2<f64>,
    pub b: ndarray::Array1<f64>,
}

impl BatchField for AffineField {
    fn dim(&self) -> usize {
        self.b.len()
    }
    fn eval(&self, _t: f64, x: ArrayView2<f64>) -> Array2<f64> {
        x.dot(&self.a.t()) + &self.b
    }
}

/// A fixed-step scheme for ODEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// x + h f(t, x): order 1.
    Euler,
    /// Heun's explicit trapezoid: order 2.
    Heun,
    /// Classical Runge-Kutta: order 4.
    Rk4,
}

impl Scheme {
    /// The order of the global error.
    pub fn order(self) -> u32 {
        match self {
            Scheme::Euler => 1,
            Scheme::Heun => 2,
            Scheme::Rk4 => 4,
        }
    }
}

fn check_args(
    f: &dyn BatchField,
    x0: &Array2<f64>,
    t0: f64,
    t1: f64,
    steps: usize,
) -> Result<f64, DynamicsError> {
    if steps == 0 || !(t1 > t0) || !t0.is_finite() || !t1.is_finite() {
        return Err(invalid(
            "batch integration",
            format!("need steps >= 1 and t1 > t0 (steps = {steps}, [{t0}, {t1}])"),
        ));
    }
    if x0.ncols() != f.dim() {
        return Err(invalid(
            "batch integration",
            format!("states have {} columns, the field {}", x0.ncols(), f.dim()),
        ));
    }
    Ok((t1 - t0) / steps as f64)
}

fn check_finite(x: &Array2<f64>, t: f64) -> Result<(), DynamicsError> {
    match x.iter().map(|v| v.abs()).fold(0.0f64, |a, b| a.max(b)) {
        n if n.is_finite() && n <= 1e8 => Ok(()),
        n => Err(DynamicsError::Diverged { time: t, norm: n }),
    }
}

/// One step of `scheme` from (t, x) with step h.
pub fn batch_step(
    f: &dyn BatchField,
    scheme: Scheme,
    t: f64,
    x: &Array2<f64>,
    h: f64,
) -> Array2<f64> {
    match scheme {
        Scheme::Euler => {
            let k1 = f.eval(t, x.view());
            x + &(k1 * h)
        }
        Scheme::Heun => {
            let k1 = f.eval(t, x.view());
            let pred = x + &(&k1 * h);
            let k2 = f.eval(t + h, pred.view());
            x + &((k1 + k2) * (0.5 * h))
        }
        Scheme::Rk4 => {
            let k1 = f.eval(t, x.view());
            let k2 = f.eval(t + 0.5 * h, (x + &(&k1 * (0.5 * h))).view());
            let k3 = f.eval(t + 0.5 * h, (x + &(&k2 * (0.5 * h))).view());
            let k4 = f.eval(t + h, (x + &(&k3 * h)).view());
            let mut out = x.clone();
            Zip::from(&mut out)
                .and(&k1)
                .and(&k2)
                .and(&k3)
                .and(&k4)
                .for_each(|o, &a, &b, &c, &d| *o += (h / 6.0) * (a + 2.0 * b + 2.0 * c + d));
            out
        }
    }
}

/// Every row of `x0` advanced from t0 to t1 in `steps` equal steps of `scheme`.
pub fn integrate_batch(
    f: &dyn BatchField,
    scheme: Scheme,
    x0: &Array2<f64>,
    t0: f64,
    t1: f64,
    steps: usize,
) -> Result<Array2<f64>, DynamicsError> {
    let h = check_args(f, x0, t0, t1, steps)?;
    let mut x = x0.clone();
    for i in 0..steps {
        x = batch_step(f, scheme, t0 + i as f64 * h, &x, h);
        check_finite(&x, t0 + (i + 1) as f64 * h)?;
    }
    Ok(x)
}

/// Euler-Maruyama for dX = f(t, X) dt + g(t) dW on every row: X += h f + g(t) sqrt(h) Z,
/// with Z standard normal drawn row by row, column by column from `rng` (so a batch of
/// one row draws what that row draws alone, first).
pub fn euler_maruyama_batch(
    f: &dyn BatchField,
    g: &dyn Fn(f64) -> f64,
    x0: &Array2<f64>,
    t0: f64,
    t1: f64,
    steps: usize,
    rng: &mut Rng,
) -> Result<Array2<f64>, DynamicsError> {
    let h = check_args(f, x0, t0, t1, steps)?;
    let mut x = x0.clone();
    for i in 0..steps {
        let t = t0 + i as f64 * h;
        let drift = f.eval(t, x.view());
        let s = g(t) * h.sqrt();
        if !s.is_finite() {
            return Err(invalid("Euler-Maruyama", format!("g({t}) = {}", g(t))));
        }
        Zip::from(&mut x).and(&drift).for_each(|xi, &di| {
            let z: f64 = StandardNormal.sample(rng);
            *xi += h * di + s * z;
        });
        check_finite(&x, t + h)?;
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1};

    /// Rotation with damping: A = [[-a, -w], [w, -a]], exact flow e^{-a t} R(w t).
    fn spiral(a: f64, w: f64) -> AffineField {
        AffineField {
            a: array![[-a, -w], [w, -a]],
            b: Array1::zeros(2),
        }
    }

    fn exact(a: f64, w: f64, x0: &Array2<f64>, t: f64) -> Array2<f64> {
        let (c, s, e) = ((w * t).cos(), (w * t).sin(), (-a * t).exp());
        let r = array![[c, -s], [s, c]] * e;
        x0.dot(&r.t())
    }

    #[test]
    fn each_scheme_converges_at_its_order() {
        let f = spiral(0.3, 2.0);
        let x0 = array![[1.0, 0.0], [0.2, -0.7], [-1.5, 0.4]];
        let truth = exact(0.3, 2.0, &x0, 1.0);
        for scheme in [Scheme::Euler, Scheme::Heun, Scheme::Rk4] {
            let err = |n: usize| {
                let x = integrate_batch(&f, scheme, &x0, 0.0, 1.0, n).unwrap();
                (&x - &truth).iter().map(|v| v.abs()).fold(0.0, f64::max)
            };
            // halving h divides the error by about 2^order
            let (e1, e2) = (err(64), err(128));
            let observed = (e1 / e2).log2();
            let p = scheme.order() as f64;
            assert!(
                (observed - p).abs() < 0.15,
                "{scheme:?}: observed order {observed:.3}, expected {p}"
            );
        }
    }

    #[test]
    fn rows_are_independent_states() {
        // integrating a batch equals integrating each row alone, to the bit
        let f = spiral(0.1, 1.3);
        let x0 = array![[1.0, 2.0], [-0.5, 0.25], [3.0, -1.0]];
        let all = integrate_batch(&f, Scheme::Rk4, &x0, 0.0, 2.0, 50).unwrap();
        for i in 0..3 {
            let one = x0.slice(ndarray::s![i..i + 1, ..]).to_owned();
            let alone = integrate_batch(&f, Scheme::Rk4, &one, 0.0, 2.0, 50).unwrap();
            assert_eq!(alone.row(0), all.row(i));
        }
    }

    #[test]
    fn euler_maruyama_matches_the_ornstein_uhlenbeck_law() {
        // dX = -theta X dt + s dW from x0: X_T ~ N(x0 e^{-theta T}, s^2 (1 - e^{-2 theta T}) / (2 theta)).
        // The scheme's own law is also Gaussian: X_{k+1} = (1 - theta h) X_k + s sqrt(h) Z, so
        // mean x0 (1 - theta h)^n, variance s^2 h sum_j (1 - theta h)^{2j}; compare with that
        // exactly-known law (no discretisation slack needed), at 5 standard errors.
        let (theta, s, x0v, t, n) = (1.5, 0.8, 2.0, 1.0, 200usize);
        let f = AffineField {
            a: array![[-theta]],
            b: Array1::zeros(1),
        };
        let reps = 20_000;
        let x0 = Array2::from_elem((reps, 1), x0v);
        let mut rng = crate::mc::stream(11, 0, 0);
        let x = euler_maruyama_batch(&f, &|_| s, &x0, 0.0, t, n, &mut rng).unwrap();
        let h = t / n as f64;
        let q = 1.0 - theta * h;
        let mean = x0v * q.powi(n as i32);
        let var: f64 = s * s * h * (0..n).map(|j| q.powi(2 * j as i32)).sum::<f64>();
        let m = x.mean().unwrap();
        let v = x.var(1.0);
        assert!(
            (m - mean).abs() < 5.0 * (var / reps as f64).sqrt(),
            "{m} vs {mean}"
        );
        // the sample variance of a Gaussian has sd var sqrt(2/(n-1))
        assert!(
            (v - var).abs() < 5.0 * var * (2.0 / (reps as f64 - 1.0)).sqrt(),
            "{v} vs {var}"
        );
        // and the scheme's law is within O(h) of the SDE's
        let exact_var = s * s * (1.0 - (-2.0 * theta * t).exp()) / (2.0 * theta);
        assert!((var - exact_var).abs() < 2.0 * h * exact_var);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let f = spiral(0.1, 1.0);
        let x0 = array![[1.0, 0.0]];
        assert!(integrate_batch(&f, Scheme::Rk4, &x0, 0.0, 1.0, 0).is_err());
        assert!(integrate_batch(&f, Scheme::Rk4, &x0, 1.0, 1.0, 10).is_err());
        assert!(integrate_batch(&f, Scheme::Rk4, &array![[1.0, 0.0, 0.0]], 0.0, 1.0, 10).is_err());
        let blow = AffineField {
            a: array![[50.0]],
            b: Array1::zeros(1),
        };
        let e = integrate_batch(&blow, Scheme::Euler, &array![[1.0]], 0.0, 10.0, 10).unwrap_err();
        assert!(matches!(e, DynamicsError::Diverged { .. }));
    }
}
