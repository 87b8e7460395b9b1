//! Parametric experts f_theta(z) = theta^T phi_p(z), phi_p(z) = (1, z, ..., z^{p-1}) / sqrt(p)
//! (so ||phi_p(z)|| <= 1 on [-1, 1]), ||theta|| <= B, on the task z ~ U[-1, 1],
//! y = sin(pi z)/2 + mu + U[-a, a] (mu = 0 unless a task shifts it), with loss (y - f)^2 / 4.
//! Population risks are exact.
use crate::mc::Rng;
use crate::params::{out_of_range, Params};
use crate::Error;
use nalgebra::{DMatrix, DVector};
use ndarray::Array2;
use rand::Rng as _;

/// The bounded regression task and the degree-p polynomial expert class.
#[derive(Debug, Clone)]
pub struct PolyExperts {
    pub p: usize,
    pub noise: f64,
    /// Constant shift mu of the regression function.
    pub offset: f64,
    /// E[phi phi^T], E[f* phi], E[f*^2].
    gram: DMatrix<f64>,
    cross: DVector<f64>,
    target_energy: f64,
}

fn target(z: f64) -> f64 {
    0.5 * (std::f64::consts::PI * z).sin()
}

impl PolyExperts {
    /// Moments by exact formulas (E z^k) and composite Simpson quadrature on [-1, 1]
    /// (20000 panels; error far below 1e-12 for these smooth integrands).
    pub fn new(p: usize, noise: f64) -> Self {
        Self::shifted(p, noise, 0.0)
    }

    /// The task with regression function sin(pi z)/2 + mu: E[(f* + mu) phi_i] adds
    /// mu E z^i / sqrt(p), and E (f* + mu)^2 = 1/8 + mu^2 (E sin(pi z) = 0).
    pub fn shifted(p: usize, noise: f64, offset: f64) -> Self {
        let s = 1.0 / p as f64;
        let ez = |k: usize| {
            if k % 2 == 1 {
                0.0
            } else {
                1.0 / (k as f64 + 1.0)
            }
        };
        let gram = DMatrix::from_fn(p, p, |i, j| s * ez(i + j));
        let simpson = |f: &dyn Fn(f64) -> f64| -> f64 {
            let n = 20_000;
            let h = 2.0 / n as f64;
            let mut acc = f(-1.0) + f(1.0);
            for i in 1..n {
                let z = -1.0 + i as f64 * h;
                acc += if i % 2 == 1 { 4.0 } else { 2.0 } * f(z);
            }
            acc * h / 3.0 / 2.0 // mean over U[-1, 1]
        };
        let cross = DVector::from_fn(p, |i, _| {
            (simpson(&|z: f64| target(z) * z.powi(i as i32)) + offset * ez(i)) / (p as f64).sqrt()
        });
        PolyExperts {
            p,
            noise,
            offset,
            gram,
            cross,
            target_energy: 0.125 + offset * offset,
        }
    }

    pub fn features(&self, z: f64) -> Vec<f64> {
        let s = 1.0 / (self.p as f64).sqrt();
        (0..self.p).map(|i| z.powi(i as i32) * s).collect()
    }

    /// The loss (y - f)^2 / 4.
    #[inline]
    pub fn loss(y: f64, f: f64) -> f64 {
        0.25 * (y - f) * (y - f)
    }

    /// Bound on |y|: 1/2 + |mu| + a.
    pub fn y_bound(&self) -> f64 {
        0.5 + self.offset.abs() + self.noise
    }

    /// Lipschitz constant of the loss in theta: |2y - f - f'| / 4 <= (2 |y|_max + 2B) / 4, times ||phi|| <= 1.
    pub fn lipschitz(&self, b: f64) -> f64 {
        (2.0 * self.y_bound() + 2.0 * b) / 4.0
    }

    /// R(theta) = (1/4)[a^2/3 + E f*^2 - 2 theta^T c + theta^T G theta].
    pub fn risk(&self, theta: &[f64]) -> f64 {
        let t = DVector::from_column_slice(theta);
        0.25 * (self.noise * self.noise / 3.0 + self.target_energy - 2.0 * t.dot(&self.cross)
            + (t.transpose() * &self.gram * &t)[(0, 0)])
    }

    /// inf over ||theta|| <= b of R: the unconstrained minimiser if inside, else the ridge
    /// solution (G + lambda I)^{-1} c with ||.|| = b, lambda by bisection.
    pub fn best_risk(&self, b: f64) -> f64 {
        let solve = |lam: f64| -> DVector<f64> {
            let m = &self.gram + DMatrix::identity(self.p, self.p) * lam;
            m.lu()
                .solve(&self.cross)
                .unwrap_or_else(|| DVector::zeros(self.p))
        };
        let free = solve(1e-14);
        let theta = if free.norm() <= b {
            free
        } else {
            let (mut lo, mut hi) = (0.0, 1.0);
            while solve(hi).norm() > b {
                hi *= 2.0;
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if solve(mid).norm() > b {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            solve(hi)
        };
        self.risk(theta.as_slice())
    }

    /// n samples: features (n x p) and targets.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> (Array2<f64>, Vec<f64>) {
        let mut x = Array2::zeros((n, self.p));
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let z: f64 = rng.random_range(-1.0..1.0);
            for (j, f) in self.features(z).into_iter().enumerate() {
                x[[i, j]] = f;
            }
            y.push(target(z) + self.offset + rng.random_range(-self.noise..=self.noise));
        }
        (x, y)
    }

    /// Empirical risks of every row of `thetas` (M x p) on (x, y). With p <= 4 parameters a
    /// direct loop over contiguous rows beats a GEMM whose n x M output would have to be
    /// allocated and written: cost n M p flops, no allocation beyond the M sums.
    pub fn empirical_risks(&self, thetas: &Array2<f64>, x: &Array2<f64>, y: &[f64]) -> Vec<f64> {
        let (m, p) = thetas.dim();
        let th = thetas.as_standard_layout();
        let ts = th.as_slice().unwrap_or(&[]);
        let xs = x.as_standard_layout();
        let xv = xs.as_slice().unwrap_or(&[]);
        let mut sums = vec![0.0; m];
        for (i, yi) in y.iter().enumerate() {
            let xi = &xv[i * p..(i + 1) * p];
            for (j, acc) in sums.iter_mut().enumerate() {
                let t = &ts[j * p..(j + 1) * p];
                let mut f = 0.0;
                for k in 0..p {
                    f += t[k] * xi[k];
                }
                *acc += Self::loss(*yi, f);
            }
        }
        let n = y.len().max(1) as f64;
        sums.into_iter().map(|s| s / n).collect()
    }
}

/// The p-parameter experts on the lattice eps-net of their ball B_2^p(B), with every member's
/// exact risk, the best member's risk and inf over the ball: everything about a net that does
/// not depend on a sample, computed once.
#[derive(Debug, Clone)]
pub struct ExpertNet {
    pub experts: PolyExperts,
    /// Members (M x p).
    pub net: Array2<f64>,
    pub risks: Vec<f64>,
    /// min over the members of R.
    pub best_member: f64,
    /// inf over the ball of R.
    pub best: f64,
    pub eps: f64,
    pub b: f64,
}

impl ExpertNet {
    pub fn new(experts: PolyExperts, b: f64, eps: f64) -> Self {
        let net = crate::moe::lattice_net(experts.p, b, eps);
        let risks: Vec<f64> = net
            .rows()
            .into_iter()
            .map(|r| experts.risk(r.as_slice().unwrap_or(&[])))
            .collect();
        ExpertNet {
            best_member: risks.iter().cloned().fold(f64::INFINITY, f64::min),
            best: experts.best_risk(b),
            experts,
            net,
            risks,
            eps,
            b,
        }
    }

    /// Checks p (1..=4: lattice nets grow as (B/eps)^p), eps, B, noise; errors name the field.
    pub fn check_params(p: &Params) -> Result<(usize, f64, f64, f64), Error> {
        let dim = p.usize_at_least("p", 1)?;
        if dim > 4 {
            return Err(out_of_range("p", &dim.into(), "lattice nets are built for p <= 4").into());
        }
        Ok((
            dim,
            p.positive("eps")?,
            p.positive("B")?,
            p.nonnegative("noise")?,
        ))
    }

    /// From parameters p, eps, B, noise and the optional shift `offset`.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let (dim, eps, b, noise) = Self::check_params(p)?;
        Ok(Self::new(
            PolyExperts::shifted(dim, noise, p.f64_or("offset", 0.0)?),
            b,
            eps,
        ))
    }

    /// The index of the member of smallest empirical risk on (x, y) (first on ties).
    pub fn erm(&self, x: &Array2<f64>, y: &[f64]) -> usize {
        let emp = self.experts.empirical_risks(&self.net, x, y);
        (0..emp.len())
            .min_by(|&a, &c| emp[a].total_cmp(&emp[c]))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_risk_matches_monte_carlo_and_best_is_a_minimum() {
        let e = PolyExperts::new(3, 0.3);
        let theta = [0.2, 0.5, -0.3];
        let mut rng = crate::mc::stream(1, 0, 0);
        let (x, y) = e.sample(400_000, &mut rng);
        let th = ndarray::Array2::from_shape_vec((1, 3), theta.to_vec()).unwrap();
        let mc = e.empirical_risks(&th, &x, &y)[0];
        assert!(
            (mc - e.risk(&theta)).abs() < 2e-3,
            "{mc} vs {}",
            e.risk(&theta)
        );
        let best = e.best_risk(1.0);
        assert!(best <= e.risk(&theta) + 1e-12);
        // no point of a fine lattice in the ball does better
        let net = crate::moe::lattice_net(3, 1.0, 0.05);
        for r in net.rows() {
            assert!(e.risk(r.as_slice().unwrap()) >= best - 1e-9);
        }
    }
}
