//! Lorenz96 (Lorenz 1996): dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, indices cyclic,
//! N variables (N >= 4), forcing F (8: chaotic). Written for a batch: the rows of an n x N
//! array are n states (an ensemble) advanced together by `batch_step`.
use super::{invalid, BatchField, DynamicsError, Lorenz63, V3};
use ndarray::{Array2, ArrayView1, ArrayView2};

/// Lorenz96 with N variables and a constant forcing F.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lorenz96 {
    n: usize,
    pub forcing: f64,
}

impl Lorenz96 {
    /// N >= 4 variables (the stencil reaches i - 2 and i + 1) and a finite forcing.
    pub fn new(n: usize, forcing: f64) -> Result<Lorenz96, DynamicsError> {
        if n < 4 || !forcing.is_finite() {
            return Err(invalid(
                "Lorenz96",
                format!("need N >= 4 variables and a finite forcing (N = {n}, F = {forcing})"),
            ));
        }
        Ok(Lorenz96 { n, forcing })
    }

    /// The state used to start a spin-up: F everywhere with x_0 perturbed by 0.01 (the
    /// uniform state F is a fixed point).
    pub fn initial_state(&self) -> ndarray::Array1<f64> {
        let mut x = ndarray::Array1::from_elem(self.n, self.forcing);
        x[0] += 0.01;
        x
    }

    /// d f / d x at x (N x N): row i has x_{i-1} at i+1, -x_{i-1} at i-2,
    /// (x_{i+1} - x_{i-2}) at i-1 and -1 at i (entries at the same index add up).
    pub fn jacobian(&self, x: ArrayView1<f64>) -> Array2<f64> {
        let n = self.n;
        let mut j = Array2::zeros((n, n));
        for i in 0..n {
            let (ip1, im1, im2) = ((i + 1) % n, (i + n - 1) % n, (i + n - 2) % n);
            j[[i, ip1]] += x[im1];
            j[[i, im2]] -= x[im1];
            j[[i, im1]] += x[ip1] - x[im2];
            j[[i, i]] -= 1.0;
        }
        j
    }
}

impl BatchField for Lorenz96 {
    fn dim(&self) -> usize {
        self.n
    }
    fn eval(&self, _t: f64, x: ArrayView2<f64>) -> Array2<f64> {
        let n = self.n;
        let mut out = Array2::zeros(x.raw_dim());
        for (xr, mut o) in x.outer_iter().zip(out.outer_iter_mut()) {
            for i in 0..n {
                let (ip1, im1, im2) = ((i + 1) % n, (i + n - 1) % n, (i + n - 2) % n);
                o[i] = (xr[ip1] - xr[im2]) * xr[im1] - xr[i] + self.forcing;
            }
        }
        out
    }
}

/// Lorenz63 on a batch: each row through the one formula in `Flow::rhs`.
impl BatchField for Lorenz63 {
    fn dim(&self) -> usize {
        3
    }
    fn eval(&self, t: f64, x: ArrayView2<f64>) -> Array2<f64> {
        use super::Flow;
        let mut out = Array2::zeros(x.raw_dim());
        for (xr, mut o) in x.outer_iter().zip(out.outer_iter_mut()) {
            let f = self.rhs(t, &V3::new(xr[0], xr[1], xr[2]));
            o[0] = f[0];
            o[1] = f[1];
            o[2] = f[2];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::{batch_step, Scheme};
    use ndarray::{array, Array1};

    #[test]
    fn lorenz96_field_matches_its_definition_and_its_jacobian_matches_finite_differences() {
        let f = Lorenz96::new(6, 8.0).unwrap();
        let x = array![[1.0, -2.0, 0.5, 3.0, -1.5, 2.5]];
        let out = f.eval(0.0, x.view());
        // by hand at i = 0: (x1 - x4) x5 - x0 + F
        assert!((out[[0, 0]] - ((-2.0 - -1.5) * 2.5 - 1.0 + 8.0)).abs() < 1e-14);
        // at i = 5: (x0 - x3) x4 - x5 + F
        assert!((out[[0, 5]] - ((1.0 - 3.0) * -1.5 - 2.5 + 8.0)).abs() < 1e-14);
        let jac = f.jacobian(x.row(0));
        let h = 1e-6;
        for k in 0..6 {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[[0, k]] += h;
            xm[[0, k]] -= h;
            let col = (f.eval(0.0, xp.view()) - f.eval(0.0, xm.view())) / (2.0 * h);
            for i in 0..6 {
                assert!((col[[0, i]] - jac[[i, k]]).abs() < 1e-7, "({i}, {k})");
            }
        }
    }

    #[test]
    fn lorenz96_batch_rows_are_independent_and_the_uniform_state_is_fixed() {
        let f = Lorenz96::new(8, 8.0).unwrap();
        let a = f.initial_state();
        let b = Array1::from_elem(8, 8.0);
        let mut x = Array2::zeros((2, 8));
        x.row_mut(0).assign(&a);
        x.row_mut(1).assign(&b);
        let y = batch_step(&f, Scheme::Rk4, 0.0, &x, 0.05);
        let alone = batch_step(&f, Scheme::Rk4, 0.0, &a.insert_axis(ndarray::Axis(0)), 0.05);
        assert_eq!(y.row(0), alone.row(0));
        assert!(y.row(1).iter().all(|v| (v - 8.0).abs() < 1e-14));
        assert!(Lorenz96::new(3, 8.0).is_err());
    }
}
