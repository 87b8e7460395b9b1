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
    /// DDPM's posterior mean with the cumulative sqrt(abar_i) where the one-step sqrt(alpha_i)
    /// belongs, in the coefficient of x_i (the two alphas of Ho et al.'s notation confused).
    AlphaBarInPosteriorMean,
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

/// Nichol and Dhariwal's cosine schedule: abar(t) = f(t) / f(0), f(t) = cos^2(((t + s) /
/// (1 + s)) pi / 2), offset s = 0.008 (read in openai/improved-diffusion,
/// `get_named_beta_schedule`; the paper, arXiv 2102.09672, was not read).
pub const COSINE_OFFSET: f64 = 0.008;

/// The largest one-step beta of the cosine schedule: beta_i = min(1 - abar(i/T) / abar((i-1)/T),
/// 0.999), since abar(1) = 0 would make the last step's beta 1 (same source).
pub const MAX_BETA: f64 = 0.999;

/// A discrete VP chain (DDPM's): cumulative signal fractions abar_0 = 1 > abar_1 > ... > abar_T
/// > 0, so x_i = sqrt(abar_i) x + sqrt(1 - abar_i) z, one-step betas beta_i = 1 - abar_i /
/// abar_{i-1}. Its VE levels are s_i = sqrt((1 - abar_i) / abar_i), from s_T down to s_0 = 0.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscreteVp {
    abar: Vec<f64>,
}

impl DiscreteVp {
    /// From the cumulative fractions abar_0..abar_T: abar_0 = 1, strictly decreasing, positive.
    pub fn new(abar: Vec<f64>) -> Result<DiscreteVp, DiffusionError> {
        let ok = abar.len() >= 2
            && abar[0] == 1.0
            && abar.windows(2).all(|w| w[1] < w[0])
            && abar.iter().all(|a| *a > 0.0 && a.is_finite());
        if !ok {
            return Err(DiffusionError::Input(format!(
                "a discrete VP chain needs abar_0 = 1, then strictly decreasing positive values \
                 (at least one step); got {} values from {:?} to {:?}",
                abar.len(),
                abar.first(),
                abar.last()
            )));
        }
        Ok(DiscreteVp { abar })
    }

    /// The cosine schedule with `steps` steps: betas from the cosine abar at i / steps, clipped
    /// at MAX_BETA, and abar their cumulative product (so a clipped step keeps abar_T > 0).
    pub fn cosine(steps: usize) -> Result<DiscreteVp, DiffusionError> {
        if steps < 1 {
            return Err(DiffusionError::Input(
                "the cosine schedule needs at least one step".into(),
            ));
        }
        let f = |t: f64| {
            (((t + COSINE_OFFSET) / (1.0 + COSINE_OFFSET)) * std::f64::consts::FRAC_PI_2)
                .cos()
                .powi(2)
        };
        let mut abar = vec![1.0];
        for i in 1..=steps {
            let (t1, t2) = ((i - 1) as f64 / steps as f64, i as f64 / steps as f64);
            let beta = (1.0 - f(t2) / f(t1)).min(MAX_BETA);
            abar.push(abar[i - 1] * (1.0 - beta));
        }
        DiscreteVp::new(abar)
    }

    /// Song et al.'s continuous schedule read at its `n` times (1 down to eps) and at t = 0:
    /// the chain whose VE levels are `VpSchedule::ve_grid(n)`.
    pub fn from_continuous(schedule: &VpSchedule, n: usize) -> Result<DiscreteVp, DiffusionError> {
        let mut abar = vec![1.0];
        abar.extend(
            schedule
                .times(n)?
                .iter()
                .rev()
                .map(|&t| schedule.alpha(t).powi(2)),
        );
        DiscreteVp::new(abar)
    }

    pub fn steps(&self) -> usize {
        self.abar.len() - 1
    }

    /// abar_i.
    pub fn abar(&self, i: usize) -> f64 {
        self.abar[i]
    }

    /// The VE level of step i: sqrt((1 - abar_i) / abar_i).
    pub fn sigma_ve(&self, i: usize) -> f64 {
        ((1.0 - self.abar[i]) / self.abar[i]).sqrt()
    }

    /// The VE grid of the chain: s_T, ..., s_1, 0.
    pub fn ve_grid(&self) -> Result<SigmaGrid, DiffusionError> {
        SigmaGrid::new((0..=self.steps()).rev().map(|i| self.sigma_ve(i)).collect())
    }
}

/// DDPM's ancestral sampler in VP coordinates (Ho et al. 2020, the posterior q(x_{i-1} | x_i,
/// x_0) with x_0 predicted by Tweedie's formula from the exact VP score of `target`; the
/// "fixed small" variance beta~_i = beta_i (1 - abar_{i-1}) / (1 - abar_i)), from the rows of
/// `x_top` at step T, with `noise[k]` the standard normal draws of the k-th step taken (T - k
/// to T - k - 1). The last step has variance 0 and returns the predicted x_0.
pub fn ddpm_vp(
    chain: &DiscreteVp,
    target: &Gmm,
    x_top: ArrayView2<f64>,
    noise: &[Array2<f64>],
    fault: VpFault,
) -> Result<Array2<f64>, DiffusionError> {
    let steps = chain.steps();
    if noise.len() != steps || noise.iter().any(|z| z.dim() != x_top.dim()) {
        return Err(DiffusionError::Input(format!(
            "DDPM: {steps} steps need {steps} noise arrays shaped like the start {:?}",
            x_top.dim()
        )));
    }
    let mut x = x_top.to_owned();
    for (k, i) in (1..=steps).rev().enumerate() {
        let (ab, ab_prev) = (chain.abar(i), chain.abar(i - 1));
        let beta = 1.0 - ab / ab_prev;
        let alpha = 1.0 - beta;
        let noising = Noising::new(ab.sqrt(), (1.0 - ab).sqrt())?;
        let score = ExactScore::new(target, noising)?.score(x.view())?;
        let clean = (&x + &(score * (1.0 - ab))) / ab.sqrt();
        let keep = if fault == VpFault::AlphaBarInPosteriorMean {
            ab.sqrt()
        } else {
            alpha.sqrt()
        };
        let c_clean = beta * ab_prev.sqrt() / (1.0 - ab);
        let c_x = (1.0 - ab_prev) * keep / (1.0 - ab);
        let var = beta * (1.0 - ab_prev) / (1.0 - ab);
        x = &clean * c_clean + &(&x * c_x) + &(&noise[k] * var.sqrt());
    }
    Ok(x)
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

    /// The cosine chain: abar equals f(i/T) / f(0) wherever no beta was clipped (the product
    /// telescopes), only the last step is clipped (at 0.999) for T = 8 to 1000, the VE grid is
    /// strictly decreasing to 0; the continuous schedule's chain has the same levels as its VE
    /// grid; bad chains are refused.
    #[test]
    fn the_cosine_chain_telescopes_and_clips_only_its_last_step() {
        let f = |t: f64| {
            (((t + COSINE_OFFSET) / (1.0 + COSINE_OFFSET)) * std::f64::consts::FRAC_PI_2)
                .cos()
                .powi(2)
        };
        for steps in [8usize, 64, 1000] {
            let c = DiscreteVp::cosine(steps).unwrap();
            for i in 0..steps {
                let want = f(i as f64 / steps as f64) / f(0.0);
                assert!(
                    (c.abar(i) - want).abs() < 1e-12 * (1.0 + want),
                    "T {steps}, i {i}"
                );
            }
            let last = 1.0 - c.abar(steps) / c.abar(steps - 1);
            assert!(
                (last - MAX_BETA).abs() < 1e-12,
                "T {steps}: last beta {last}"
            );
            let prev = 1.0 - c.abar(steps - 1) / c.abar(steps - 2);
            assert!(prev < MAX_BETA, "T {steps}: beta_(T-1) = {prev} clipped");
            let g = c.ve_grid().unwrap();
            assert_eq!(g.sigmas().len(), steps + 1);
            assert_eq!(*g.sigmas().last().unwrap(), 0.0);
        }
        let v = VpSchedule::song();
        let d = DiscreteVp::from_continuous(&v, 10).unwrap();
        let (a, b) = (d.ve_grid().unwrap(), v.ve_grid(10).unwrap());
        for (x, y) in a.sigmas().iter().zip(b.sigmas()) {
            assert!((x - y).abs() <= 1e-9 * (1.0 + y), "{x} vs {y}");
        }
        assert!(DiscreteVp::new(vec![1.0]).is_err());
        assert!(DiscreteVp::new(vec![0.9, 0.5]).is_err());
        assert!(DiscreteVp::new(vec![1.0, 0.5, 0.5]).is_err());
        assert!(DiscreteVp::new(vec![1.0, 0.5, 0.0]).is_err());
        assert!(DiscreteVp::cosine(0).is_err());
    }
}
