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

/// The task where the finite-class bound is nearly attained: y ~ Bernoulli(q), two constant
/// classifiers h_1 = 1 and h_0 = 0 under the 0-1 loss, risks 1 - q and q. ERM is the majority
/// vote (h_1 on a tie); its excess risk is |2q - 1| when it picks the minority label, else 0.
#[derive(Debug, Clone, Copy)]
pub struct CoinTask {
    pub q: f64,
}

impl CoinTask {
    /// The coin whose two risks differ by `gap`: q = (1 + gap) / 2.
    pub fn with_gap(gap: f64) -> Result<Self, super::MoeError> {
        if !(0.0..1.0).contains(&gap) {
            return Err(
                crate::params::out_of_range("gap", &gap.into(), "need 0 <= gap < 1").into(),
            );
        }
        Ok(CoinTask {
            q: 0.5 * (1.0 + gap),
        })
    }
    /// True risks of (h_1, h_0).
    pub fn risks(&self) -> [f64; 2] {
        [1.0 - self.q, self.q]
    }
    /// The excess risk of ERM (or of the rule under `fault`) on n fresh labels.
    pub fn excess_with(&self, n: usize, rng: &mut Rng, fault: super::Fault) -> f64 {
        let ones = (0..n).filter(|_| rng.random::<f64>() < self.q).count() as f64;
        let nf = n.max(1) as f64;
        let emp = [(nf - ones) / nf, ones / nf];
        let r = self.risks();
        r[super::pick(&emp, fault)] - r[0].min(r[1])
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The coin's ERM picks the minority label with probability P(Binomial(n, q) < n/2) (n odd:
    /// no ties), so E excess = gap P(wrong); checked against the exact binomial sum.
    #[test]
    fn coin_erm_excess_matches_the_binomial_law() {
        use statrs::distribution::{Binomial, DiscreteCDF};
        let (n, gap) = (51usize, 0.2);
        let task = CoinTask::with_gap(gap).unwrap();
        let p_wrong = Binomial::new(task.q, n as u64).unwrap().cdf((n / 2) as u64);
        let reps = 40_000;
        let mut rng = crate::mc::stream(3, 0, 0);
        let mean = (0..reps)
            .map(|_| task.excess_with(n, &mut rng, super::super::Fault::None))
            .sum::<f64>()
            / reps as f64;
        let se = gap * (p_wrong * (1.0 - p_wrong) / reps as f64).sqrt();
        assert!(
            (mean - gap * p_wrong).abs() < 5.0 * se,
            "{mean} vs {}",
            gap * p_wrong
        );
        assert!(CoinTask::with_gap(1.0).is_err());
    }
}
