//! A regression task with a known regression function, a finite class of predictors,
//! bounded (clipped squared) loss, empirical risk minimisation.
use crate::mc::Rng;
use rand::Rng as _;
use rand_distr::{Distribution, Normal};

/// z ~ U[-1, 1], y = f*(z) + N(0, noise^2), f*(z) = sin(pi z) / 2; loss min((y - h(z))^2, 1).
#[derive(Debug, Clone, Copy)]
pub struct RegressionTask {
    pub noise: f64,
}

impl RegressionTask {
    pub fn target(z: f64) -> f64 {
        0.5 * (std::f64::consts::PI * z).sin()
    }
    pub fn sample(&self, n: usize, rng: &mut Rng) -> (Vec<f64>, Vec<f64>) {
        let nd = Normal::new(0.0, self.noise.max(0.0)).ok();
        let z: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let y = z
            .iter()
            .map(|&zi| Self::target(zi) + nd.map_or(0.0, |d| d.sample(rng)))
            .collect();
        (z, y)
    }
    pub fn loss(y: f64, h: f64) -> f64 {
        ((y - h) * (y - h)).min(1.0)
    }
}

/// M linear predictors h_j(z) = theta_j z, theta_j evenly spaced in [-1, 1].
#[derive(Debug, Clone)]
pub struct FiniteClass {
    pub thetas: Vec<f64>,
}

impl FiniteClass {
    pub fn linear(m: usize) -> Self {
        FiniteClass {
            thetas: (0..m)
                .map(|j| {
                    if m == 1 {
                        0.0
                    } else {
                        -1.0 + 2.0 * j as f64 / (m - 1) as f64
                    }
                })
                .collect(),
        }
    }
    /// Empirical risks of every member on (z, y).
    pub fn risks(&self, z: &[f64], y: &[f64]) -> Vec<f64> {
        let n = z.len().max(1) as f64;
        self.thetas
            .iter()
            .map(|t| {
                z.iter()
                    .zip(y)
                    .map(|(zi, yi)| RegressionTask::loss(*yi, t * zi))
                    .sum::<f64>()
                    / n
            })
            .collect()
    }
    /// Index of the empirical risk minimiser (first on ties).
    pub fn erm(&self, z: &[f64], y: &[f64]) -> usize {
        self.erm_with(z, y, super::Fault::None)
    }

    /// `erm` with a fault injected (mutation controls).
    pub fn erm_with(&self, z: &[f64], y: &[f64], fault: super::Fault) -> usize {
        super::pick(&self.risks(z, y), fault)
    }
}
