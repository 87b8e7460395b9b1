//! Tracking the phase and amplitude of a rotating signal from noisy (x, y) observations:
//! a window estimator and an extended Kalman filter with (phase, frequency, amplitude)
//! as states. Both predict the next (x, y).
use nalgebra::{Matrix2, Matrix2x3, Matrix3, Vector2, Vector3};

/// Phase line over the last `w` observations, fitted robustly. With z_i = x_i + i y_i and tau_i
/// the times relative to now: a first line from the lag-one correlation (omega_1 =
/// arg(sum z_i conj(z_{i-1})) / dt, Kay 1989; phi_1 = arg(sum z_i e^{-i omega_1 tau_i})); each
/// phase atan2(y_i, x_i) is unwrapped to the turn nearest that line (not to its noisy
/// neighbour, so one point near the origin cannot slip every later phase by 2 pi); then the
/// least-squares line through the unwrapped phases with weights r_i^2 (a phase at radius r has
/// noise variance about noise^2 / r^2). The amplitude is the mean radius; the prediction is
/// A (cos(phi + omega dt), sin(phi + omega dt)). With w = 1 the frequency is the prior
/// `omega0`. (The first version unwrapped sequentially and weighted every point alike: at noise
/// 0.2 long windows were judged on slips, not on the frequency drift.) Returns one prediction
/// per step (for step s + 1 from observations up to s).
pub fn window_predictions(
    obs: &[Vector2<f64>],
    w: usize,
    dt: f64,
    omega0: f64,
) -> Vec<Vector2<f64>> {
    use std::f64::consts::TAU;
    let w = w.max(1);
    let mut out = Vec::with_capacity(obs.len());
    for s in 0..obs.len() {
        let lo = (s + 1).saturating_sub(w);
        let win = &obs[lo..=s];
        let n = win.len();
        let amp = win.iter().map(|o| o.norm()).sum::<f64>() / n as f64;
        let tau = |i: usize| (i as f64 - (n - 1) as f64) * dt;
        let (phi, omega) = if n < 2 {
            (win[0][1].atan2(win[0][0]), omega0)
        } else {
            // sum z_i conj(z_{i-1}) = (x_i x_{i-1} + y_i y_{i-1}) + i (y_i x_{i-1} - x_i y_{i-1})
            let (re, im) = win.windows(2).fold((0.0, 0.0), |(re, im), p| {
                let (a, b) = (p[0], p[1]);
                (
                    re + b[0] * a[0] + b[1] * a[1],
                    im + b[1] * a[0] - b[0] * a[1],
                )
            });
            let om1 = im.atan2(re) / dt;
            // sum z_i e^{-i om1 tau_i}
            let (re, im) = win.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, o)| {
                let (c, sn) = ((om1 * tau(i)).cos(), (-om1 * tau(i)).sin());
                (re + o[0] * c - o[1] * sn, im + o[0] * sn + o[1] * c)
            });
            let phi1 = im.atan2(re);
            // unwrap to the nearest turn of the first line, then the weighted line
            let (mut sw, mut st, mut sp) = (0.0, 0.0, 0.0);
            let pts: Vec<(f64, f64, f64)> = win
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let line = phi1 + om1 * tau(i);
                    let raw = o[1].atan2(o[0]);
                    let p = raw + TAU * ((line - raw) / TAU).round();
                    let wt = o.norm_squared();
                    sw += wt;
                    st += wt * tau(i);
                    sp += wt * p;
                    (tau(i), p, wt)
                })
                .collect();
            if sw <= 0.0 {
                (phi1, om1)
            } else {
                let (tm, pm) = (st / sw, sp / sw);
                let (sxx, sxy) = pts.iter().fold((0.0, 0.0), |(a, b), (t, p, wt)| {
                    (a + wt * (t - tm) * (t - tm), b + wt * (t - tm) * (p - pm))
                });
                if sxx > 0.0 {
                    let om = sxy / sxx;
                    (pm - om * tm, om)
                } else {
                    (phi1, om1)
                }
            }
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
    fn a_point_near_the_origin_does_not_slip_the_window_phase() {
        // a clean rotation with one observation replaced by a point near the origin on the
        // opposite side: sequential unwrapping carried that point's phase error into every
        // later phase of the window
        let (dt, om, a) = (0.05, 3.5, 1.0);
        let mut obs: Vec<_> = (0..200)
            .map(|i| {
                let t = i as f64 * dt;
                Vector2::new(a * (om * t).cos(), a * (om * t).sin())
            })
            .collect();
        let k = 150;
        obs[k] = -obs[k] * 0.02;
        let win = window_predictions(&obs, 40, dt, 3.0);
        for s in (k + 1)..(k + 30) {
            let clean = {
                let t = (s + 1) as f64 * dt;
                Vector2::new(a * (om * t).cos(), a * (om * t).sin())
            };
            assert!((win[s] - clean).norm() < 0.05, "step {s}: {:?}", win[s]);
        }
    }

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
