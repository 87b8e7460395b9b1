//! The variance-preserving (VP) process and its deterministic sampler, DDIM, in VP coordinates
//! (theory/diffusion.md section 12).
//!
//! VP noising: x_t = alpha(t) x + sigma(t) z with alpha^2 + sigma^2 = 1; Song et al.'s linear
//! schedule beta(t) = beta_min + beta_d t on t in [eps, 1] gives alpha(t) =
//! exp(-(beta_min t + beta_d t^2 / 2) / 2). Dividing by alpha, y = x / alpha is the VE process
//! at the level sigma_ve = sigma / alpha = sqrt(exp(beta_min t + beta_d t^2 / 2) - 1), and
//! DDIM's step in VP coordinates is Euler's step on the probability-flow ODE in y (Karras et
//! al. 2022 state both; derived here, theory section 12). This module keeps the VP form
//! separate, written from its own formulas, so the family can check the equivalence instead of
//! assuming it.
use super::{DiffusionError, SigmaGrid};
use crate::prob::Gmm;
use crate::score::{ExactScore, Noising, ScoreModel};
use ndarray::{Array2, ArrayView2};

/// A mistake in the VP sampler (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VpFault {
    #[default]
    None,
    /// The next level's signal scale alpha(t') replaced by the current alpha(t) in DDIM's
    /// update (an index slip between the two ends of a step).
    AlphaOfCurrentLevel,
}

/// Song et al.'s linear VP schedule: beta(t) = beta_min + beta_d t, times from 1 down to eps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpSchedule {
    pub beta_min: f64,
    pub beta_d: f64,
    pub eps: f64,
}

impl VpSchedule {
    /// beta_min = 0.1, beta_d = 19.9, eps = 1e-3 (Song et al., ICLR 2021; as recalled in
    /// Karras et al. 2022, Table 1).
    pub fn song() -> VpSchedule {
        VpSchedule {
            beta_min: 0.1,
            beta_d: 19.9,
            eps: 1e-3,
        }
    }

    /// The integrated rate B(t) = int_0^t beta = beta_min t + beta_d t^2 / 2.
    fn integral(&self, t: f64) -> f64 {
        self.beta_min * t + 0.5 * self.beta_d * t * t
    }

    /// alpha(t) = exp(-B(t) / 2).
    pub fn alpha(&self, t: f64) -> f64 {
        (-0.5 * self.integral(t)).exp()
    }

    /// sigma(t) = sqrt(1 - alpha^2), without cancellation near t = 0.
    pub fn sigma(&self, t: f64) -> f64 {
        (-(-self.integral(t)).exp_m1()).sqrt()
    }

    /// The VE level of time t: sigma / alpha = sqrt(exp(B(t)) - 1).
    pub fn sigma_ve(&self, t: f64) -> f64 {
        self.integral(t).exp_m1().sqrt()
    }

    /// n times evenly spaced from 1 down to eps.
    pub fn times(&self, n: usize) -> Result<Vec<f64>, DiffusionError> {
        if n < 2 || !(self.eps > 0.0 && self.eps < 1.0) {
            return Err(DiffusionError::Input(format!(
                "VP times: need n >= 2 and 0 < eps < 1; got n = {n}, eps = {}",
                self.eps
            )));
        }
        if !(self.beta_min >= 0.0 && self.beta_d > 0.0) {
            return Err(DiffusionError::Input(format!(
                "VP schedule: need beta_min >= 0 and beta_d > 0; got {} and {}",
                self.beta_min, self.beta_d
            )));
        }
        Ok((0..n)
            .map(|i| 1.0 + (self.eps - 1.0) * i as f64 / (n - 1) as f64)
            .collect())
    }

    /// The VE grid of the same run: sigma_ve at the n times, then 0.
    pub fn ve_grid(&self, n: usize) -> Result<SigmaGrid, DiffusionError> {
        let mut s: Vec<f64> = self.times(n)?.iter().map(|&t| self.sigma_ve(t)).collect();
        s.push(0.0);
        SigmaGrid::new(s)
    }

    /// The exact VP noising of time t.
    pub fn noising(&self, t: f64) -> Result<Noising, DiffusionError> {
        Ok(Noising::new(self.alpha(t), self.sigma(t))?)
    }
}

/// DDIM in VP coordinates with the exact VP score of `target`, from the rows of `x0` at t = 1
/// along the schedule's n times, then the last denoising to t = 0: per step, the predicted
/// noise e = -sigma grad log p_t(x), the predicted clean state x0 = (x - sigma e) / alpha, and
/// x' = alpha' x0 + sigma' e; at the end x0 itself.
pub fn ddim_vp(
    schedule: &VpSchedule,
    n: usize,
    target: &Gmm,
    x0: ArrayView2<f64>,
    fault: VpFault,
) -> Result<Array2<f64>, DiffusionError> {
    let times = schedule.times(n)?;
    let mut x = x0.to_owned();
    for (i, &t) in times.iter().enumerate() {
        let (a, s) = (schedule.alpha(t), schedule.sigma(t));
        let score = ExactScore::new(target, schedule.noising(t)?)?.score(x.view())?;
        let e = score * (-s);
        let clean = (&x - &(&e * s)) / a;
        x = match times.get(i + 1) {
            Some(&t2) => {
                let a2 = if fault == VpFault::AlphaOfCurrentLevel {
                    a
                } else {
                    schedule.alpha(t2)
                };
                &clean * a2 + &e * schedule.sigma(t2)
            }
            None => clean,
        };
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// alpha against the integral of beta by the trapezoid rule, and the VE level against
    /// sigma / alpha; the grid is strictly decreasing from about 152 to about 0.0105.
    #[test]
    fn the_schedule_agrees_with_its_integral_and_its_ve_level() {
        let v = VpSchedule::song();
        for &t in &[1e-3, 0.1, 0.5, 1.0] {
            let m = 20000;
            let h = t / m as f64;
            let b: f64 = (0..m)
                .map(|k| {
                    let (u, w) = (k as f64 * h, (k + 1) as f64 * h);
                    0.5 * h * (2.0 * v.beta_min + v.beta_d * (u + w))
                })
                .sum();
            assert!((v.alpha(t) - (-0.5 * b).exp()).abs() < 1e-12, "t = {t}");
            let r = v.sigma(t) / v.alpha(t);
            assert!((v.sigma_ve(t) - r).abs() < 1e-9 * r, "t = {t}");
            assert!((v.alpha(t).powi(2) + v.sigma(t).powi(2) - 1.0).abs() < 1e-14);
        }
        let g = v.ve_grid(10).unwrap();
        assert!((g.sigmas()[0] - 152.0).abs() < 1.0, "{}", g.sigmas()[0]);
        assert!((g.sigmas()[9] - 0.0105).abs() < 1e-3, "{}", g.sigmas()[9]);
        assert!(VpSchedule { eps: 0.0, ..v }.times(10).is_err());
        assert!(v.times(1).is_err());
    }
}
