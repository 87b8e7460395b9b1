//! Tracking the phase and amplitude of a rotating signal from noisy (x, y) observations:
//! a window estimator and an extended Kalman filter with (phase, frequency, amplitude)
//! as states. Both predict the next (x, y).
use nalgebra::{Matrix2, Matrix2x3, Matrix3, Vector2, Vector3};

/// Least-squares phase line over the last `w` observations: the phases atan2(y, x) are
/// unwrapped, phi_i = phi + omega (i - now) dt is fitted, the amplitude is the mean radius;
/// the prediction is A (cos(phi + omega dt), sin(phi + omega dt)). With w = 1 the frequency
/// is the prior `omega0`. Returns one prediction per step (for step s + 1 from obs up to s).
pub fn window_predictions(
    obs: &[Vector2<f64>],
    w: usize,
    dt: f64,
    omega0: f64,
) -> Vec<Vector2<f64>> {
    let w = w.max(1);
    let mut out = Vec::with_capacity(obs.len());
    for s in 0..obs.len() {
        let lo = (s + 1).saturating_sub(w);
        let win = &obs[lo..=s];
        let n = win.len();
        let mut phases = Vec::with_capacity(n);
        let mut prev = 0.0;
        for (i, o) in win.iter().enumerate() {
            let mut p = o[1].atan2(o[0]);
            if i > 0 {
                while p - prev > std::f64::consts::PI {
                    p -= std::f64::consts::TAU;
                }
                while p - prev < -std::f64::consts::PI {
                    p += std::f64::consts::TAU;
                }
            }
            phases.push(p);
            prev = p;
        }
        let amp = win.iter().map(|o| o.norm()).sum::<f64>() / n as f64;
        let (phi, omega) = if n < 2 {
            (phases[0], omega0)
        } else {
            // times relative to now: tau_i = (i - (n - 1)) dt
            let taus: Vec<f64> = (0..n).map(|i| (i as f64 - (n - 1) as f64) * dt).collect();
            let tm = taus.iter().sum::<f64>() / n as f64;
            let pm = phases.iter().sum::<f64>() / n as f64;
            let sxx: f64 = taus.iter().map(|t| (t - tm) * (t - tm)).sum();
            let sxy: f64 = taus
                .iter()
                .zip(&phases)
                .map(|(t, p)| (t - tm) * (p - pm))
                .sum();
            let om = sxy / sxx;
            (pm - om * tm, om)
        };
        let p1 = phi + omega * dt;
        out.push(Vector2::new(amp * p1.cos(), amp * p1.sin()));
    }
    out
}

/// EKF noise settings: per-step standard deviations of the phase, frequency and amplitude
/// random walks, and of the observation noise.
#[derive(Debug, Clone, Copy)]
pub struct PhaseEkf {
    pub dt: f64,
    pub omega0: f64,
    pub q_phase: f64,
    pub q_omega: f64,
    pub q_amp: f64,
    pub r: f64,
}

impl PhaseEkf {
    /// One EKF pass; returns, for each step s, the prediction of observation s + 1.
    /// State (phi, omega, A): phi' = phi + omega dt, omega and A random walks;
    /// observation (A cos phi, A sin phi) + N(0, r^2 I).
    pub fn predictions(&self, obs: &[Vector2<f64>]) -> Vec<Vector2<f64>> {
        let mut tracker = PhaseTracker::new(*self);
        obs.iter().map(|y| tracker.observe(y)).collect()
    }
}

/// The EKF of `PhaseEkf` run one observation at a time.
#[derive(Debug, Clone)]
pub struct PhaseTracker {
    ekf: PhaseEkf,
    /// Predicted state and covariance for the next observation (None before the first).
    state: Option<(Vector3<f64>, Matrix3<f64>)>,
}

impl PhaseTracker {
    pub fn new(ekf: PhaseEkf) -> Self {
        PhaseTracker { ekf, state: None }
    }

    /// The predicted next observation (None before the first observation).
    pub fn prediction(&self) -> Option<Vector2<f64>> {
        self.state
            .map(|(s, _)| Vector2::new(s[2] * s[0].cos(), s[2] * s[0].sin()))
    }

    /// Take observation y (update, then predict); returns the prediction of the next one.
    pub fn observe(&mut self, y: &Vector2<f64>) -> Vector2<f64> {
        let e = &self.ekf;
        let f = Matrix3::new(1.0, e.dt, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0);
        let q = Matrix3::from_diagonal(&Vector3::new(
            e.q_phase.powi(2),
            e.q_omega.powi(2),
            e.q_amp.powi(2),
        ));
        let r = Matrix2::identity() * e.r.powi(2);
        let (mut s, mut p) = match self.state {
            None => (
                Vector3::new(y[1].atan2(y[0]), e.omega0, y.norm().max(1e-6)),
                Matrix3::from_diagonal(&Vector3::new(0.5, 1.0, 0.25)),
            ),
            Some((s, p)) => {
                let (c, sn) = (s[0].cos(), s[0].sin());
                let h = Vector2::new(s[2] * c, s[2] * sn);
                let hj = Matrix2x3::new(-s[2] * sn, 0.0, c, s[2] * c, 0.0, sn);
                let sm = hj * p * hj.transpose() + r;
                match sm.cholesky() {
                    Some(ch) => {
                        let gain = ch.solve(&(hj * p)).transpose();
                        let ikh = Matrix3::identity() - gain * hj;
                        (
                            s + gain * (y - h),
                            ikh * p * ikh.transpose() + gain * r * gain.transpose(),
                        )
                    }
                    None => (s, p),
                }
            }
        };
        s = f * s;
        p = f * p * f.transpose() + q;
        self.state = Some((s, p));
        Vector2::new(s[2] * s[0].cos(), s[2] * s[0].sin())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_predict_a_clean_rotation() {
        let (dt, om, a) = (0.05, 3.5, 1.2);
        let obs: Vec<_> = (0..400)
            .map(|i| {
                let t = i as f64 * dt;
                Vector2::new(a * (om * t).cos(), a * (om * t).sin())
            })
            .collect();
        let win = window_predictions(&obs, 5, dt, 3.0);
        let ekf = PhaseEkf {
            dt,
            omega0: 3.0,
            q_phase: 1e-3,
            q_omega: 1e-3,
            q_amp: 1e-3,
            r: 0.01,
        }
        .predictions(&obs);
        for s in 300..399 {
            assert!((win[s] - obs[s + 1]).norm() < 1e-9, "window {s}");
            assert!(
                (ekf[s] - obs[s + 1]).norm() < 1e-2,
                "ekf {s}: {:?} {:?}",
                ekf[s],
                obs[s + 1]
            );
        }
    }
}
