//! Hint processes M_t: predictions of x_t from x_1..x_{t-1} (the oracle alone sees x_t).
use super::{Domain, OnlineError};

/// Which hint to use.
#[derive(Debug, Clone, PartialEq)]
pub enum HintSpec {
    /// M_t = 0: plain mirror descent.
    Zero,
    /// M_t = x_{t-1}.
    Last,
    /// M_t = (1/(t-1)) sum_{s<t} x_s.
    Mean,
    /// M_t = sum_{s<t} alpha^{t-1-s} x_s / sum_{s<t} alpha^{t-1-s}.
    Fading { alpha: f64 },
    /// M_t = a x_{t-1} + c with (a, c) the least-squares AR(1) fit, pooled over
    /// coordinates, on x_1..x_{t-1}; pulled back into the dual unit ball.
    Ar1,
    /// M_t = x_t: the perfect hint (not causal; for bounds and conjectures only).
    Oracle,
    /// An EKF tracking phase, frequency and amplitude of the first two coordinates (the
    /// Langford phase tracker of the dynamics family); its one-step forecast, the rest of
    /// the coordinates at their last value. `dt` is the sampling step, `noise` the
    /// observation noise it assumes.
    Ekf { dt: f64, noise: f64 },
    /// The learned hint of RS13 section 4: M_t = sum_pi q_t(pi) M_t^pi with
    /// q_t(pi) proportional to exp(-rate sum_{s<t} ||x_s - M_s^pi||_*^2), rate =
    /// `LEARNED_HINT_RATE` (1/8) unless a negative control changes it.
    Learned { class: Vec<HintSpec>, rate: f64 },
}

pub const HINT_NAMES: &str = "zero, last, mean, fading, ar1, ekf, oracle, learned";

/// Secondary learning rate of the learned hint: the squared dual norm
/// ||x - M||_*^2 is (1/8)-exp-concave in M while ||x - M||_* <= 2 (see theory/online.md).
pub const LEARNED_HINT_RATE: f64 = 0.125;

impl HintSpec {
    /// Parse a hint name; `fading` reads `alpha` (default 0.9) from `alpha`.
    pub fn parse(name: &str, alpha: f64) -> Result<Self, OnlineError> {
        Ok(match name {
            "zero" => HintSpec::Zero,
            "last" => HintSpec::Last,
            "mean" => HintSpec::Mean,
            "fading" => {
                if !(alpha > 0.0 && alpha < 1.0) {
                    return Err(super::invalid(
                        "fading hint",
                        format!("alpha = {alpha}, need 0 < alpha < 1"),
                    ));
                }
                HintSpec::Fading { alpha }
            }
            "ar1" => HintSpec::Ar1,
            "oracle" => HintSpec::Oracle,
            "ekf" => HintSpec::Ekf {
                dt: 0.05,
                noise: 0.05,
            },
            "learned" => HintSpec::Learned {
                class: HintSpec::default_class(alpha),
                rate: LEARNED_HINT_RATE,
            },
            other => {
                return Err(OnlineError::Unknown {
                    what: "hint",
                    name: other.to_string(),
                    known: HINT_NAMES,
                })
            }
        })
    }

    /// The finite class the learned hint chooses from by default.
    pub fn default_class(alpha: f64) -> Vec<HintSpec> {
        vec![
            HintSpec::Zero,
            HintSpec::Last,
            HintSpec::Mean,
            HintSpec::Fading { alpha },
            HintSpec::Ar1,
        ]
    }

    pub fn name(&self) -> &'static str {
        match self {
            HintSpec::Zero => "zero",
            HintSpec::Last => "last",
            HintSpec::Mean => "mean",
            HintSpec::Fading { .. } => "fading",
            HintSpec::Ar1 => "ar1",
            HintSpec::Oracle => "oracle",
            HintSpec::Ekf { .. } => "ekf",
            HintSpec::Learned { .. } => "learned",
        }
    }
}

#[derive(Debug, Clone)]
enum State {
    Zero,
    Last {
        last: Vec<f64>,
        seen: bool,
    },
    Mean {
        sum: Vec<f64>,
        n: f64,
    },
    Fading {
        alpha: f64,
        num: Vec<f64>,
        den: f64,
    },
    Ar1 {
        s: [f64; 5],
        last: Vec<f64>,
        seen: bool,
    },
    Oracle,
    Ekf {
        tracker: crate::filter::PhaseTracker,
        last: Vec<f64>,
    },
    Learned {
        rate: f64,
        members: Vec<Hint>,
        log_w: Vec<f64>,
        preds: Vec<Vec<f64>>,
        weights: Vec<f64>,
        losses: Vec<f64>,
        diff: Vec<f64>,
    },
}

/// A running hint process.
#[derive(Debug, Clone)]
pub struct Hint {
    state: State,
}

impl Hint {
    pub fn new(spec: &HintSpec, d: usize) -> Self {
        let state = match spec {
            HintSpec::Zero => State::Zero,
            HintSpec::Last => State::Last {
                last: vec![0.0; d],
                seen: false,
            },
            HintSpec::Mean => State::Mean {
                sum: vec![0.0; d],
                n: 0.0,
            },
            HintSpec::Fading { alpha } => State::Fading {
                alpha: *alpha,
                num: vec![0.0; d],
                den: 0.0,
            },
            HintSpec::Ar1 => State::Ar1 {
                s: [0.0; 5],
                last: vec![0.0; d],
                seen: false,
            },
            HintSpec::Oracle => State::Oracle,
            HintSpec::Ekf { dt, noise } => State::Ekf {
                tracker: crate::filter::PhaseTracker::new(crate::filter::PhaseEkf {
                    dt: *dt,
                    omega0: 3.5,
                    q_phase: 0.02,
                    q_omega: 0.05,
                    q_amp: 0.03,
                    r: noise.max(1e-3),
                }),
                last: vec![0.0; d],
            },
            HintSpec::Learned { class, rate } => {
                let k = class.len();
                State::Learned {
                    rate: *rate,
                    members: class.iter().map(|c| Hint::new(c, d)).collect(),
                    log_w: vec![0.0; k],
                    preds: vec![vec![0.0; d]; k],
                    weights: vec![1.0 / k as f64; k],
                    losses: vec![0.0; k],
                    diff: vec![0.0; d],
                }
            }
        };
        Hint { state }
    }

    /// Whether the hint needs x_t itself (the oracle, or a class containing it).
    pub fn needs_upcoming(&self) -> bool {
        match &self.state {
            State::Oracle => true,
            State::Learned { members, .. } => members.iter().any(|m| m.needs_upcoming()),
            _ => false,
        }
    }

    /// Write M_t into `out`. `upcoming` is x_t, read only by the oracle.
    pub fn predict<D: Domain + ?Sized>(
        &mut self,
        dom: &D,
        upcoming: Option<&[f64]>,
        out: &mut [f64],
    ) {
        match &mut self.state {
            State::Zero => out.fill(0.0),
            State::Last { last, .. } => out.copy_from_slice(last),
            State::Mean { sum, n } => {
                let inv = if *n > 0.0 { 1.0 / *n } else { 0.0 };
                for (o, s) in out.iter_mut().zip(sum.iter()) {
                    *o = s * inv;
                }
            }
            State::Fading { num, den, .. } => {
                let inv = if *den > 0.0 { 1.0 / *den } else { 0.0 };
                for (o, s) in out.iter_mut().zip(num.iter()) {
                    *o = s * inv;
                }
            }
            State::Ar1 { s, last, seen } => {
                let [n, sx, sy, sxx, sxy] = *s;
                if !*seen {
                    out.fill(0.0);
                } else if n < 2.0 {
                    out.copy_from_slice(last);
                } else {
                    let vx = sxx - sx * sx / n;
                    let a = if vx > 1e-12 {
                        (sxy - sx * sy / n) / vx
                    } else {
                        0.0
                    };
                    let c = (sy - a * sx) / n;
                    for (o, l) in out.iter_mut().zip(last.iter()) {
                        *o = a * l + c;
                    }
                    dom.clip_dual(out);
                }
            }
            State::Ekf { tracker, last } => {
                out.copy_from_slice(last);
                if let (Some(p), true) = (tracker.prediction(), out.len() >= 2) {
                    out[0] = p[0];
                    out[1] = p[1];
                }
                dom.clip_dual(out);
            }
            State::Oracle => match upcoming {
                Some(x) => out.copy_from_slice(x),
                None => out.fill(0.0),
            },
            State::Learned {
                members,
                preds,
                weights,
                log_w,
                ..
            } => {
                let mx = log_w.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                let mut z = 0.0;
                for (w, lw) in weights.iter_mut().zip(log_w.iter()) {
                    *w = (lw - mx).exp();
                    z += *w;
                }
                out.fill(0.0);
                for ((m, p), w) in members
                    .iter_mut()
                    .zip(preds.iter_mut())
                    .zip(weights.iter_mut())
                {
                    *w /= z;
                    m.predict(dom, upcoming, p);
                    for (o, pi) in out.iter_mut().zip(p.iter()) {
                        *o += *w * pi;
                    }
                }
            }
        }
    }

    /// Reveal x_t (after `predict`).
    pub fn observe<D: Domain + ?Sized>(&mut self, dom: &D, x: &[f64]) {
        match &mut self.state {
            State::Zero | State::Oracle => {}
            State::Ekf { tracker, last } => {
                if x.len() >= 2 {
                    tracker.observe(&nalgebra::Vector2::new(x[0], x[1]));
                }
                last.copy_from_slice(x);
            }
            State::Last { last, seen } => {
                last.copy_from_slice(x);
                *seen = true;
            }
            State::Mean { sum, n } => {
                for (s, xi) in sum.iter_mut().zip(x) {
                    *s += xi;
                }
                *n += 1.0;
            }
            State::Fading { alpha, num, den } => {
                for (s, xi) in num.iter_mut().zip(x) {
                    *s = *alpha * *s + xi;
                }
                *den = *alpha * *den + 1.0;
            }
            State::Ar1 { s, last, seen } => {
                if *seen {
                    for (l, xi) in last.iter().zip(x) {
                        s[0] += 1.0;
                        s[1] += l;
                        s[2] += xi;
                        s[3] += l * l;
                        s[4] += l * xi;
                    }
                }
                last.copy_from_slice(x);
                *seen = true;
            }
            State::Learned {
                members,
                log_w,
                preds,
                losses,
                diff,
                rate,
                ..
            } => {
                for (((m, p), lw), cum) in members
                    .iter_mut()
                    .zip(preds.iter())
                    .zip(log_w.iter_mut())
                    .zip(losses.iter_mut())
                {
                    for ((dd, xi), pi) in diff.iter_mut().zip(x).zip(p) {
                        *dd = xi - pi;
                    }
                    let l = dom.dual_norm(diff).powi(2);
                    *cum += l;
                    *lw -= *rate * l;
                    m.observe(dom, x);
                }
            }
        }
    }

    /// The learned hint's current weights q_t (None for other hints).
    pub fn weights(&self) -> Option<&[f64]> {
        match &self.state {
            State::Learned { weights, .. } => Some(weights),
            _ => None,
        }
    }

    /// The learned hint's members' cumulative S_pi = sum_s ||x_s - M_s^pi||_*^2.
    pub fn member_losses(&self) -> Option<&[f64]> {
        match &self.state {
            State::Learned { losses, .. } => Some(losses),
            _ => None,
        }
    }
}
