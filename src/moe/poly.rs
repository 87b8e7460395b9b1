//! Parametric experts f_theta(z) = theta^T phi_p(z), phi_p(z) = (1, z, ..., z^{p-1}) / sqrt(p)
//! or p random Fourier features cos(omega_k z + b_k) / sqrt(p) (so ||phi_p(z)|| <= 1 on [-1, 1]), ||theta|| <= B, on the task z ~ U[-1, 1],
//! y = sin(pi z)/2 + mu + U[-a, a] (mu = 0 unless a task shifts it), with the squared loss
//! (y - f)^2 / 4 or the absolute loss |y - f| / 2 (both in [0, 1] for a, |mu| small).
//! Population risks are exact: closed form for the squared loss, a one-dimensional Simpson
//! quadrature of a closed-form conditional expectation for the absolute loss.
//! (Over 400 lines only with its unit tests: 442 lines of code, then the tests.)
use super::MoeError;
use crate::mc::Rng;
use crate::params::{out_of_range, Params};
use nalgebra::{DMatrix, DVector};
use ndarray::Array2;
use rand::Rng as _;

/// The experts' loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// (y - f)^2 / 4.
    Squared,
    /// |y - f| / 2.
    Absolute,
}

impl Loss {
    #[inline]
    pub fn eval(self, y: f64, f: f64) -> f64 {
        match self {
            Loss::Squared => 0.25 * (y - f) * (y - f),
            Loss::Absolute => 0.5 * (y - f).abs(),
        }
    }

    /// "squared" or "absolute" (errors name the field `loss`).
    pub fn parse(name: &str) -> Result<Loss, MoeError> {
        match name {
            "squared" => Ok(Loss::Squared),
            "absolute" => Ok(Loss::Absolute),
            other => {
                Err(
                    out_of_range("loss", &other.into(), "must be \"squared\" or \"absolute\"")
                        .into(),
                )
            }
        }
    }
}

/// The stream of the random Fourier features' frequencies and phases.
const FEATURE_SEED: u64 = 17;

/// Mean over U[-1, 1] by composite Simpson quadrature with `panels` (even) panels.
fn simpson_mean(f: impl Fn(f64) -> f64, panels: usize) -> f64 {
    let h = 2.0 / panels as f64;
    let mut acc = f(-1.0) + f(1.0);
    for i in 1..panels {
        let z = -1.0 + i as f64 * h;
        acc += if i % 2 == 1 { 4.0 } else { 2.0 } * f(z);
    }
    acc * h / 3.0 / 2.0
}

/// The bounded regression task and the degree-p polynomial expert class.
#[derive(Debug, Clone)]
pub struct PolyExperts {
    pub p: usize,
    pub noise: f64,
    pub loss: Loss,
    /// Constant shift mu of the regression function.
    pub offset: f64,
    /// Random Fourier features (frequencies, phases) instead of monomials:
    /// phi_k(z) = cos(omega_k z + b_k) / sqrt(p).
    rff: Option<(Vec<f64>, Vec<f64>)>,
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
        let cross = DVector::from_fn(p, |i, _| {
            (simpson_mean(|z: f64| target(z) * z.powi(i as i32), 20_000) + offset * ez(i))
                / (p as f64).sqrt()
        });
        PolyExperts {
            p,
            noise,
            loss: Loss::Squared,
            offset,
            rff: None,
            gram,
            cross,
            target_energy: 0.125 + offset * offset,
        }
    }

    /// The same task with p random Fourier features phi_k(z) = cos(omega_k z + b_k) / sqrt(p),
    /// omega_k ~ N(0, pi^2), b_k ~ U[0, 2 pi] drawn from stream `seed` (so ||phi|| <= 1 and
    /// every bound above applies unchanged); G and c by Simpson quadrature.
    pub fn random_features(p: usize, noise: f64, offset: f64, seed: u64) -> Self {
        use rand_distr::{Distribution, Normal};
        let mut rng = crate::mc::stream(seed, 0, 0);
        let normal = Normal::new(0.0, std::f64::consts::PI).expect("pi > 0");
        let omegas: Vec<f64> = (0..p).map(|_| normal.sample(&mut rng)).collect();
        let phases: Vec<f64> = (0..p)
            .map(|_| rng.random_range(0.0..std::f64::consts::TAU))
            .collect();
        let mut e = Self::shifted(p, noise, offset);
        e.rff = Some((omegas, phases));
        e.gram = DMatrix::from_fn(p, p, |i, j| {
            simpson_mean(|z| e.feature(i, z) * e.feature(j, z), 20_000)
        });
        e.cross = DVector::from_fn(p, |i, _| {
            simpson_mean(|z| (target(z) + offset) * e.feature(i, z), 20_000)
        });
        e
    }

    /// phi_k(z): z^k / sqrt(p), or the k-th random Fourier feature.
    #[inline]
    fn feature(&self, k: usize, z: f64) -> f64 {
        let s = 1.0 / (self.p as f64).sqrt();
        match &self.rff {
            None => z.powi(k as i32) * s,
            Some((w, b)) => (w[k] * z + b[k]).cos() * s,
        }
    }

    pub fn features(&self, z: f64) -> Vec<f64> {
        (0..self.p).map(|k| self.feature(k, z)).collect()
    }

    /// The same task and class under another loss.
    pub fn with_loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// Bound on |y|: 1/2 + |mu| + a.
    pub fn y_bound(&self) -> f64 {
        0.5 + self.offset.abs() + self.noise
    }

    /// Lipschitz constant of the loss in theta (times ||phi|| <= 1). Squared:
    /// |2y - f - f'| / 4 <= (2 |y|_max + 2B) / 4. Absolute: ||y - f| - |y - f'|| / 2 <= |f - f'| / 2.
    pub fn lipschitz(&self, b: f64) -> f64 {
        match self.loss {
            Loss::Squared => (2.0 * self.y_bound() + 2.0 * b) / 4.0,
            Loss::Absolute => 0.5,
        }
    }

    /// Squared: R(theta) = (1/4)[a^2/3 + E f*^2 - 2 theta^T c + theta^T G theta].
    /// Absolute: R(theta) = (1/2) E_z e(d(z)), d = f*(z) + mu - theta^T phi(z), where
    /// e(d) = E|d + U[-a, a]| = |d| for |d| >= a and (d^2 + a^2) / (2a) inside (C^1, so
    /// Simpson with 4000 panels is accurate to about 1e-9).
    pub fn risk(&self, theta: &[f64]) -> f64 {
        match self.loss {
            Loss::Squared => {
                let t = DVector::from_column_slice(theta);
                0.25 * (self.noise * self.noise / 3.0 + self.target_energy
                    - 2.0 * t.dot(&self.cross)
                    + (t.transpose() * &self.gram * &t)[(0, 0)])
            }
            Loss::Absolute => {
                let a = self.noise;
                simpson_mean(
                    |z| {
                        let d = target(z) + self.offset - self.predict(theta, z);
                        0.5 * if d.abs() >= a {
                            d.abs()
                        } else {
                            (d * d + a * a) / (2.0 * a)
                        }
                    },
                    4000,
                )
            }
        }
    }

    fn predict(&self, theta: &[f64], z: f64) -> f64 {
        theta
            .iter()
            .enumerate()
            .map(|(k, t)| t * self.feature(k, z))
            .sum()
    }

    /// Absolute loss: grad R = -(1/2) E_z e'(d) phi(z), e'(d) = sign(d) outside the band, d/a inside.
    fn absolute_gradient(&self, theta: &[f64]) -> Vec<f64> {
        let a = self.noise;
        (0..self.p)
            .map(|k| {
                simpson_mean(
                    |z| {
                        let d = target(z) + self.offset - self.predict(theta, z);
                        let de = if d.abs() >= a { d.signum() } else { d / a };
                        -0.5 * de * self.feature(k, z)
                    },
                    4000,
                )
            })
            .collect()
    }

    /// inf over ||theta|| <= b of R. Squared: the unconstrained minimiser if inside, else the
    /// ridge solution (G + lambda I)^{-1} c with ||.|| = b, lambda by bisection. Absolute: R is
    /// convex and (1/(2a))-smooth (e'' <= 1/a, ||phi|| <= 1), so projected gradient descent with
    /// step a converges; 3000 steps.
    pub fn best_risk(&self, b: f64) -> f64 {
        if self.loss == Loss::Absolute {
            let step = self.noise.max(1e-3);
            let mut theta = vec![0.0; self.p];
            for _ in 0..3000 {
                let g = self.absolute_gradient(&theta);
                for (t, gk) in theta.iter_mut().zip(&g) {
                    *t -= step * gk;
                }
                let norm = theta.iter().map(|t| t * t).sum::<f64>().sqrt();
                if norm > b {
                    theta.iter_mut().for_each(|t| *t *= b / norm);
                }
            }
            return self.risk(&theta);
        }
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
        match self.loss {
            Loss::Squared => Self::squared_risks(thetas, x, y),
            Loss::Absolute => Self::sums(thetas, x, y, |y, f| Loss::Absolute.eval(y, f)),
        }
    }

    /// Squared loss through the sample's sufficient statistics: (1/n) sum_i (y_i - t.x_i)^2 =
    /// (y.y - 2 t.(X^T y) + t^T (X^T X) t) / n, so the cost is n p^2 + M p^2 instead of n M p
    /// (the net has thousands of members). The loss's own scaling (`Loss::eval`) is applied to
    /// the identity by evaluating it at the unit residual.
    fn squared_risks(thetas: &Array2<f64>, x: &Array2<f64>, y: &[f64]) -> Vec<f64> {
        let n = y.len().max(1) as f64;
        let yv = ndarray::ArrayView1::from(y);
        let gram = x.t().dot(x);
        let xty = x.t().dot(&yv);
        let yy = yv.dot(&yv);
        let unit = Loss::Squared.eval(1.0, 0.0);
        let tg = thetas.dot(&gram);
        thetas
            .rows()
            .into_iter()
            .zip(tg.rows())
            .map(|(t, tg)| unit * (yy - 2.0 * t.dot(&xty) + tg.dot(&t)).max(0.0) / n)
            .collect()
    }

    #[cfg(test)]
    fn squared_risks_direct(thetas: &Array2<f64>, x: &Array2<f64>, y: &[f64]) -> Vec<f64> {
        Self::sums(thetas, x, y, |y, f| Loss::Squared.eval(y, f))
    }

    fn sums(
        thetas: &Array2<f64>,
        x: &Array2<f64>,
        y: &[f64],
        loss: impl Fn(f64, f64) -> f64,
    ) -> Vec<f64> {
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
                *acc += loss(*yi, f);
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
    pub fn check_params(p: &Params) -> Result<(usize, f64, f64, f64), MoeError> {
        let dim = p.usize_at_least("p", 1)?;
        if dim > 4 {
            return Err(out_of_range("p", &dim.into(), "lattice nets are built for p <= 4").into());
        }
        Loss::parse(p.str_or("loss", "squared")?)?;
        let features = p.str_or("features", "poly")?;
        if !matches!(features, "poly" | "random") {
            return Err(out_of_range(
                "features",
                &features.into(),
                "must be \"poly\" or \"random\"",
            )
            .into());
        }
        Ok((
            dim,
            p.positive("eps")?,
            p.positive("B")?,
            p.nonnegative("noise")?,
        ))
    }

    /// From parameters p, eps, B, noise, the optional shift `offset` and `loss` ("squared",
    /// the default, or "absolute"). Nets are pure functions of these, so they are built once
    /// per process and shared through `crate::memo` (an experiment's replicates would otherwise
    /// rebuild the net and its quadrature risks every time).
    pub fn from_params(p: &Params) -> Result<std::sync::Arc<Self>, MoeError> {
        let (dim, eps, b, noise) = Self::check_params(p)?;
        let key = format!(
            "{dim} {eps:e} {b:e} {noise:e} {:e} {} {}",
            p.f64_or("offset", 0.0)?,
            p.str_or("loss", "squared")?,
            p.str_or("features", "poly")?
        );
        crate::memo::shared("moe.expert_net", key, || Self::build(p))
    }

    fn build(p: &Params) -> Result<Self, MoeError> {
        let (experts, b, eps) = Self::experts_from_params(p)?;
        Ok(Self::new(experts, b, eps))
    }

    /// The experts, B and eps a net's parameters name, without building the net (the
    /// closed-form bounds need only these).
    pub fn experts_from_params(p: &Params) -> Result<(PolyExperts, f64, f64), MoeError> {
        let (dim, eps, b, noise) = Self::check_params(p)?;
        let loss = Loss::parse(p.str_or("loss", "squared")?)?;
        let offset = p.f64_or("offset", 0.0)?;
        let experts = match p.str_or("features", "poly")? {
            "poly" => PolyExperts::shifted(dim, noise, offset),
            "random" => PolyExperts::random_features(dim, noise, offset, FEATURE_SEED),
            other => {
                return Err(out_of_range(
                    "features",
                    &other.into(),
                    "must be \"poly\" or \"random\"",
                )
                .into())
            }
        };
        Ok((experts.with_loss(loss), b, eps))
    }

    /// The index of the member of smallest empirical risk on (x, y) (first on ties).
    pub fn erm(&self, x: &Array2<f64>, y: &[f64]) -> usize {
        self.erm_with(x, y, super::Fault::None)
    }

    /// `erm` with a fault injected (mutation controls).
    pub fn erm_with(&self, x: &Array2<f64>, y: &[f64], fault: super::Fault) -> usize {
        super::pick(&self.experts.empirical_risks(&self.net, x, y), fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squared_risks_by_sufficient_statistics_equal_the_direct_sums() {
        let mut rng = crate::mc::stream(3, 0, 0);
        let x = ndarray::Array2::from_shape_fn((500, 4), |_| {
            let v: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            v
        });
        let y: Vec<f64> = x.rows().into_iter().map(|r| r.sum().sin() + 0.1).collect();
        let thetas = ndarray::Array2::from_shape_fn((300, 4), |(j, k)| {
            ((j * 7 + k * 3) % 11) as f64 / 5.0 - 1.0
        });
        let fast = PolyExperts::squared_risks(&thetas, &x, &y);
        let direct = PolyExperts::squared_risks_direct(&thetas, &x, &y);
        for (a, b) in fast.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-12 * b.max(1.0), "{a} vs {b}");
        }
    }

    /// The exact risk of `e` at theta against 4e5-sample Monte Carlo (to `tol`), and its
    /// infimum over the unit ball against a lattice of spacing-parameter `eps`: never above the
    /// lattice's minimum, and within `gap` of it.
    fn check_risk_and_infimum(
        e: &PolyExperts,
        theta: &[f64],
        seed: u64,
        tol: f64,
        eps: f64,
        gap: f64,
    ) {
        let mut rng = crate::mc::stream(seed, 0, 0);
        let (x, y) = e.sample(400_000, &mut rng);
        let th = ndarray::Array2::from_shape_vec((1, theta.len()), theta.to_vec()).unwrap();
        let mc = e.empirical_risks(&th, &x, &y)[0];
        assert!(
            (mc - e.risk(theta)).abs() < tol,
            "{mc} vs {}",
            e.risk(theta)
        );
        let best = e.best_risk(1.0);
        let lattice_min = crate::moe::lattice_net(e.p, 1.0, eps)
            .rows()
            .into_iter()
            .map(|r| e.risk(r.as_slice().unwrap()))
            .fold(f64::INFINITY, f64::min);
        assert!(best <= lattice_min + 1e-9, "{best} vs {lattice_min}");
        assert!(lattice_min - best < gap, "{best} vs {lattice_min}");
    }

    #[test]
    fn exact_risk_matches_monte_carlo_and_best_is_a_minimum() {
        check_risk_and_infimum(
            &PolyExperts::new(3, 0.3),
            &[0.2, 0.5, -0.3],
            1,
            2e-3,
            0.05,
            1e-2,
        );
    }

    /// The absolute loss: quadrature risk and projected-gradient infimum.
    #[test]
    fn absolute_risk_matches_monte_carlo_and_best_is_a_minimum() {
        let e = PolyExperts::new(2, 0.3).with_loss(Loss::Absolute);
        check_risk_and_infimum(&e, &[0.2, 0.5], 2, 1.5e-3, 0.02, 1e-3);
    }

    /// Random Fourier features: quadrature moments.
    #[test]
    fn random_feature_risk_matches_monte_carlo() {
        let e = PolyExperts::random_features(3, 0.3, 0.0, 17);
        check_risk_and_infimum(&e, &[0.4, -0.3, 0.5], 4, 2e-3, 0.05, 1e-2);
    }
}
