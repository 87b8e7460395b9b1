//! The Kalman filter and RTS smoother for small fixed-size states (nalgebra static
//! matrices: no allocation per step), with the log-likelihood of the observations.
use super::{FilterError, StateSpaceModel};
use crate::prob::LN_2PI;
use nalgebra::{SMatrix, SVector};

/// x_{s+1} = A x_s + b + e (e ~ N(0, Q)), y_s = O x_s + n (n ~ N(0, R)).
#[derive(Debug, Clone, Copy)]
pub struct Kalman<const N: usize, const M: usize> {
    pub a: SMatrix<f64, N, N>,
    pub b: SVector<f64, N>,
    pub q: SMatrix<f64, N, N>,
    pub o: SMatrix<f64, M, N>,
    pub r: SMatrix<f64, M, M>,
}

/// Filtered and one-step predicted moments at every step, and log p(y_0..y_t).
#[derive(Debug, Clone)]
pub struct KalmanRun<const N: usize> {
    pub filtered: Vec<(SVector<f64, N>, SMatrix<f64, N, N>)>,
    pub predicted: Vec<(SVector<f64, N>, SMatrix<f64, N, N>)>,
    pub log_likelihood: f64,
}

impl<const N: usize, const M: usize> Kalman<N, M> {
    /// The same model as a `StateSpaceModel` (ndarray), validated: for simulation and for
    /// the filters written for any dimension.
    pub fn state_space(&self) -> Result<StateSpaceModel, FilterError> {
        fn nd<const R: usize, const C: usize>(m: &SMatrix<f64, R, C>) -> ndarray::Array2<f64> {
            ndarray::Array2::from_shape_fn((R, C), |(i, j)| m[(i, j)])
        }
        StateSpaceModel::new(
            nd(&self.a),
            ndarray::Array1::from_shape_fn(N, |i| self.b[i]),
            nd(&self.q),
            nd(&self.o),
            nd(&self.r),
        )
    }

    /// Filter y_0..y_t from the prior N(m0, P0) of x_0 (Joseph-form updates).
    pub fn filter(
        &self,
        m0: SVector<f64, N>,
        p0: SMatrix<f64, N, N>,
        ys: &[SVector<f64, M>],
    ) -> Result<KalmanRun<N>, FilterError> {
        let mut run = KalmanRun {
            filtered: Vec::with_capacity(ys.len()),
            predicted: Vec::with_capacity(ys.len()),
            log_likelihood: 0.0,
        };
        let (mut m, mut p) = (m0, p0);
        let eye = SMatrix::<f64, N, N>::identity();
        for (s, y) in ys.iter().enumerate() {
            if s > 0 {
                m = self.a * m + self.b;
                p = self.a * p * self.a.transpose() + self.q;
            }
            run.predicted.push((m, p));
            let sm = self.o * p * self.o.transpose() + self.r;
            let chol = sm
                .cholesky()
                .ok_or(FilterError::NotPositiveDefinite { step: s })?;
            let e = y - self.o * m;
            let half_logdet: f64 = (0..M).map(|i| chol.l_dirty()[(i, i)].ln()).sum();
            run.log_likelihood -= 0.5 * (M as f64 * LN_2PI + e.dot(&chol.solve(&e))) + half_logdet;
            let gain = (chol.solve(&(self.o * p))).transpose(); // P O^T S^{-1}
            m += gain * e;
            let ikh = eye - gain * self.o;
            p = ikh * p * ikh.transpose() + gain * self.r * gain.transpose();
            run.filtered.push((m, p));
        }
        Ok(run)
    }

    /// Rauch-Tung-Striebel smoothing of a filter run: the moments of x_s given y_0..y_t.
    pub fn smooth(&self, run: &KalmanRun<N>) -> Vec<(SVector<f64, N>, SMatrix<f64, N, N>)> {
        let t = run.filtered.len();
        let mut out = run.filtered.clone();
        for s in (0..t.saturating_sub(1)).rev() {
            let (mf, pf) = run.filtered[s];
            let (mp, pp) = run.predicted[s + 1];
            let (ms, ps) = out[s + 1];
            // G = P_f A^T P_pred^{-1}
            let g = match pp.cholesky() {
                Some(c) => c.solve(&(self.a * pf)).transpose(),
                None => continue,
            };
            out[s] = (mf + g * (ms - mp), pf + g * (ps - pp) * g.transpose());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::stacked_posterior;
    use crate::prob::Gmm;
    use nalgebra::{Matrix2, Vector2};

    #[test]
    fn one_dimensional_steady_state() {
        // a random walk observed in noise: the steady-state variance solves P = (P + q) r / (P + q + r)
        let k = Kalman::<1, 1> {
            a: SMatrix::identity(),
            b: SVector::zeros(),
            q: SMatrix::from_element(1.0),
            o: SMatrix::identity(),
            r: SMatrix::from_element(1.0),
        };
        let ys = vec![SVector::<f64, 1>::zeros(); 200];
        let run = k
            .filter(SVector::zeros(), SMatrix::from_element(1.0), &ys)
            .unwrap();
        let p = run.filtered.last().unwrap().1[(0, 0)];
        let exact = (-1.0 + 5f64.sqrt()) / 2.0; // P^2 + P - 1 = 0
        assert!((p - exact).abs() < 1e-12);
    }

    #[test]
    fn smoother_and_filter_equal_stacked_conditioning() {
        let k = Kalman::<2, 2> {
            a: Matrix2::new(0.9, 0.2, -0.1, 0.8),
            b: Vector2::new(0.1, -0.2),
            q: Matrix2::new(0.3, 0.05, 0.05, 0.2),
            o: Matrix2::new(1.0, 0.0, 0.5, 1.0),
            r: Matrix2::new(0.5, 0.1, 0.1, 0.4),
        };
        let ys: Vec<_> = (0..5)
            .map(|s| Vector2::new(s as f64 * 0.3, 1.0 - s as f64 * 0.2))
            .collect();
        let m0 = Vector2::new(0.5, -0.5);
        let p0 = Matrix2::new(1.0, 0.2, 0.2, 2.0);
        let run = k.filter(m0, p0, &ys).unwrap();
        let sm = k.smooth(&run);
        let nd = |m: &Matrix2<f64>| ndarray::Array2::from_shape_fn((2, 2), |(i, j)| m[(i, j)]);
        let model = k.state_space().unwrap();
        let prior = Gmm::gaussian(ndarray::arr1(&[m0[0], m0[1]]), nd(&p0)).unwrap();
        let ysn: Vec<_> = ys.iter().map(|y| ndarray::arr1(&[y[0], y[1]])).collect();
        for target in 0..5 {
            let post = stacked_posterior(&prior, &model, &ysn, target).unwrap();
            let (m, p) = sm[target];
            for i in 0..2 {
                assert!((post.mean_of(0)[i] - m[i]).abs() < 1e-10, "target {target}");
                for j in 0..2 {
                    assert!((post.cov_of(0).matrix()[[i, j]] - p[(i, j)]).abs() < 1e-10);
                }
            }
        }
        // the log-likelihood equals log p(y_0..y_t) of the stacked Gaussian of the y's
        let n = 10;
        let mut mean = ndarray::Array1::zeros(n);
        let mut cov = ndarray::Array2::zeros((n, n));
        let (mut mu, mut cx) = (vec![m0], vec![p0]);
        for s in 1..5 {
            mu.push(k.a * mu[s - 1] + k.b);
            cx.push(k.a * cx[s - 1] * k.a.transpose() + k.q);
        }
        for i in 0..5 {
            let yi = k.o * mu[i];
            mean[2 * i] = yi[0];
            mean[2 * i + 1] = yi[1];
            for j in 0..5 {
                let (lo, hi) = (i.min(j), i.max(j));
                let mut c = cx[lo];
                for _ in lo..hi {
                    c = k.a * c;
                }
                let cij = if i >= j {
                    k.o * c * k.o.transpose()
                } else {
                    k.o * c.transpose() * k.o.transpose()
                };
                let cij = if i == j { cij + k.r } else { cij };
                for a in 0..2 {
                    for b in 0..2 {
                        cov[[2 * i + a, 2 * j + b]] = cij[(a, b)];
                    }
                }
            }
        }
        let y = ndarray::Array2::from_shape_fn((1, n), |(_, c)| ysn[c / 2][c % 2]);
        let lp = Gmm::gaussian(mean, cov)
            .unwrap()
            .log_density(y.view())
            .unwrap()[0];
        assert!(
            (lp - run.log_likelihood).abs() < 1e-10,
            "{lp} vs {}",
            run.log_likelihood
        );
    }
}
