//! The Langford phase problem: noisy (x, y) observations of the Langford system with a
//! drifting rotation frequency; one-step prediction by a window estimator and by an EKF.
use super::{invalid, sample_rk4, DynamicsError, Langford, V3};
use crate::filter::{window_predictions, PhaseEkf};
use crate::mc::Rng;
use nalgebra::Vector2;
use rand_distr::{Distribution, StandardNormal};

/// True (x, y) and noisy observations every `dt`, after a transient of 50 time units from a
/// random start near (0.1, 0, 0).
pub fn langford_observations(
    sys: &Langford,
    dt: f64,
    n: usize,
    noise: f64,
    rng: &mut Rng,
) -> Result<(Vec<Vector2<f64>>, Vec<Vector2<f64>>), DynamicsError> {
    if !(noise >= 0.0) {
        return Err(invalid("observation noise", format!("{noise}, need >= 0")));
    }
    let mut g = || -> f64 { StandardNormal.sample(rng) };
    let x0 = V3::new(0.1 + 0.05 * g(), 0.05 * g(), 0.05 * g());
    let warm = sample_rk4(sys, x0, 0.0, 1.0, 50, 100)?;
    let start = *warm.x.last().unwrap_or(&x0);
    let tr = sample_rk4(sys, start, 50.0, dt, n, 10)?;
    let truth: Vec<Vector2<f64>> = tr.x.iter().map(|s| Vector2::new(s[0], s[1])).collect();
    let obs = truth
        .iter()
        .map(|t| t + Vector2::new(noise * g(), noise * g()))
        .collect();
    Ok((truth, obs))
}

/// A phase-tracking problem: the system, sampling step, length and noise.
#[derive(Debug, Clone, Copy)]
pub struct PhaseProblem {
    pub sys: Langford,
    pub dt: f64,
    pub steps: usize,
    pub noise: f64,
    /// Steps excluded from the scores while the estimators warm up.
    pub burn_in: usize,
}

impl PhaseProblem {
    /// The problem of a parameter set: `noise` (required), `drift` (0), `period` (20),
    /// `dt` (0.05), `steps` (600, at least 10).
    pub fn from_params(
        p: &crate::params::Params,
    ) -> Result<PhaseProblem, crate::params::ParamError> {
        let sys = Langford {
            drift: p.f64_or("drift", 0.0)?,
            period: p.positive_or("period", 20.0)?,
            ..Langford::default()
        };
        Ok(PhaseProblem {
            sys,
            dt: p.positive_or("dt", 0.05)?,
            steps: p.usize_at_least_or("steps", 10, 600)?,
            noise: p.nonnegative("noise")?,
            burn_in: 100,
        })
    }
}

/// Root-mean-square one-step prediction errors of (x, y) against the truth.
#[derive(Debug, Clone)]
pub struct PhaseScores {
    pub ekf: f64,
    /// (window length, RMSE) per window.
    pub windows: Vec<(usize, f64)>,
}

impl PhaseProblem {
    /// The EKF tuned to the problem: observation noise as generated, random-walk scales
    /// for the frequency matched to the drift's rate of change.
    pub fn ekf(&self) -> PhaseEkf {
        let drift_rate = self.sys.drift * std::f64::consts::TAU / self.sys.period;
        PhaseEkf {
            dt: self.dt,
            omega0: self.sys.omega0,
            q_phase: 0.02,
            q_omega: (drift_rate * self.dt).max(0.02),
            q_amp: 0.03,
            r: self.noise.max(1e-3),
        }
    }

    /// Scores of the EKF and of each window length on one realisation.
    pub fn scores(&self, windows: &[usize], rng: &mut Rng) -> Result<PhaseScores, DynamicsError> {
        self.scores_with(0, windows, rng)
    }

    /// `scores` with the EKF's forecasts used `ekf_lag` steps late (a negative control's
    /// indexing slip: the forecast of x_{t+1} made at t - lag is scored against x_{t+1}).
    pub fn scores_with(
        &self,
        ekf_lag: usize,
        windows: &[usize],
        rng: &mut Rng,
    ) -> Result<PhaseScores, DynamicsError> {
        if ekf_lag >= self.burn_in {
            return Err(invalid(
                "EKF lag",
                format!("{ekf_lag}, need < burn-in {}", self.burn_in),
            ));
        }
        let (truth, obs) =
            langford_observations(&self.sys, self.dt, self.steps + 1, self.noise, rng)?;
        let rmse = |pred: &[Vector2<f64>]| -> f64 {
            let idx = self.burn_in..self.steps;
            let n = idx.len().max(1) as f64;
            (idx.map(|s| (pred[s] - truth[s + 1]).norm_squared())
                .sum::<f64>()
                / n)
                .sqrt()
        };
        let mut ekf_pred = self.ekf().predictions(&obs);
        if ekf_lag > 0 {
            ekf_pred.rotate_right(ekf_lag);
        }
        let ekf = rmse(&ekf_pred);
        let windows = windows
            .iter()
            .map(|&w| {
                (
                    w,
                    rmse(&window_predictions(&obs, w, self.dt, self.sys.omega0)),
                )
            })
            .collect();
        Ok(PhaseScores { ekf, windows })
    }
}
