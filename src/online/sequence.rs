//! Loss sequences x_t. Each is generated in coordinates of size <= 1 and mapped
//! into the domain's dual unit ball, so ||x_t||_* <= 1 always.
use super::{invalid, Domain, OnlineError};
use crate::mc::Rng;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// What sequence to generate. Parameters are in coordinate units (each
/// coordinate of the raw vector lies in [-1, 1] before noise and clipping).
#[derive(Debug, Clone, PartialEq)]
pub enum SequenceSpec {
    /// x_t = m + sigma xi_t, xi_t standard normal; m_i = gap (i/(d-1) - 1/2).
    Iid { sigma: f64, gap: f64 },
    /// A random walk with l2 step `step` per round (path length step * T, coordinates,
    /// reflected into [-1, 1]^d) plus N(0, sigma^2) noise.
    Drift { step: f64, sigma: f64 },
    /// x_{t,i} = amplitude sin(2 pi t / period + 2 pi i / d) plus noise.
    Periodic {
        period: f64,
        amplitude: f64,
        sigma: f64,
    },
    /// Markov switching among `regimes` random means with mean dwell time `dwell`, plus noise.
    Regimes {
        regimes: usize,
        dwell: f64,
        sigma: f64,
    },
    /// Independent random signs in every coordinate.
    Rademacher,
    /// An adaptive adversary that sees f_t: on the simplex the loss 1 on f_t's largest
    /// coordinate (0 elsewhere); on the ball x_t = f_t / ||f_t||.
    Adversary,
    /// A deterministic regime switch: loss 1 on every coordinate but a leader (loss 0); the
    /// leader is coordinate 0 for the first `at` rounds and coordinate 1 afterwards. On the
    /// plain simplex a shrinking step size recovers from it slowly (theory/online.md section 8).
    Switch { at: usize },
    /// Two experts, fair coin: x_t = (eps_t, 1 - eps_t), eps_t ~ Bernoulli(1/2). Needs d = 2.
    TwoExperts,
    /// An external series, row-major T x d, already in coordinate units.
    External { d: usize, values: Arc<Vec<f64>> },
    /// Observations of the Langford system (issue: dynamics) every `dt`:
    /// (x, y, z)/1.5 + N(0, noise^2) in the first min(d, 3) coordinates, zeros after;
    /// rotation frequency 3.5 + drift sin(2 pi t / period).
    Langford {
        noise: f64,
        drift: f64,
        period: f64,
        dt: f64,
    },
}

pub const SEQUENCE_NAMES: &str =
    "iid, drift, periodic, regimes, rademacher, adversary, switch, two_experts, langford";

impl SequenceSpec {
    /// Build from a name and its parameters (sigma, gap, step, period, amplitude, regimes, dwell).
    pub fn from_params(p: &crate::params::Params) -> Result<Self, OnlineError> {
        let name = p.str_or("sequence", "iid")?;
        let sigma = p.f64_or("sigma", 0.0)?;
        if sigma < 0.0 {
            return Err(crate::params::out_of_range("sigma", &sigma.into(), "must be >= 0").into());
        }
        Ok(match name {
            "iid" => SequenceSpec::Iid {
                sigma,
                gap: p.f64_or("gap", 0.0)?,
            },
            "drift" => SequenceSpec::Drift {
                step: p.f64_or("step", 0.01)?,
                sigma,
            },
            "periodic" => SequenceSpec::Periodic {
                period: p.f64_or("period", 50.0)?,
                amplitude: p.f64_or("amplitude", 0.8)?,
                sigma,
            },
            "regimes" => SequenceSpec::Regimes {
                regimes: p.f64_or("regimes", 3.0)? as usize,
                dwell: p.f64_or("dwell", 100.0)?,
                sigma,
            },
            "rademacher" => SequenceSpec::Rademacher,
            "adversary" => SequenceSpec::Adversary,
            // the leader changes after a quarter of the horizon unless `switch_at` says when
            "switch" => SequenceSpec::Switch {
                at: match p.get("switch_at") {
                    Some(_) => p.usize_at_least("switch_at", 0)?,
                    None => p.usize_at_least("T", 1)? / 4,
                },
            },
            "two_experts" => SequenceSpec::TwoExperts,
            "langford" => SequenceSpec::Langford {
                noise: sigma,
                drift: p.f64_or("drift", 0.5)?,
                period: p.positive_or("period", 20.0)?,
                dt: p.positive_or("dt", 0.05)?,
            },
            other => {
                return Err(OnlineError::Unknown {
                    what: "sequence",
                    name: other.to_string(),
                    known: SEQUENCE_NAMES,
                }
                .into())
            }
        })
    }

    /// Short name for tables and figures.
    pub fn name(&self) -> &'static str {
        match self {
            SequenceSpec::Iid { .. } => "iid",
            SequenceSpec::Drift { .. } => "drift",
            SequenceSpec::Periodic { .. } => "periodic",
            SequenceSpec::Regimes { .. } => "regimes",
            SequenceSpec::Rademacher => "rademacher",
            SequenceSpec::Adversary => "adversary",
            SequenceSpec::Switch { .. } => "switch",
            SequenceSpec::TwoExperts => "two_experts",
            SequenceSpec::External { .. } => "external",
            SequenceSpec::Langford { .. } => "langford",
        }
    }
}

/// A running sequence generator.
pub struct Sequence {
    spec: SequenceSpec,
    /// Langford: the system and its current (time, state).
    flow: Option<(crate::dynamics::Langford, f64, crate::dynamics::V3)>,
    d: usize,
    t: usize,
    state: Vec<f64>,
    means: Vec<Vec<f64>>,
    regime: usize,
}

impl Sequence {
    /// Start a sequence of dimension d; draws any initial randomness from `rng`.
    pub fn new(spec: SequenceSpec, d: usize, rng: &mut Rng) -> Result<Self, OnlineError> {
        let mut state = vec![0.0; d];
        let mut means = Vec::new();
        match &spec {
            SequenceSpec::Iid { sigma, gap } => {
                check_noise(*sigma)?;
                if !gap.is_finite() {
                    return Err(invalid("iid sequence", format!("gap = {gap}")));
                }
                for (i, m) in state.iter_mut().enumerate() {
                    *m = gap * (i as f64 / (d.max(2) - 1) as f64 - 0.5);
                }
            }
            SequenceSpec::Drift { step, sigma } => {
                check_noise(*sigma)?;
                if !(*step >= 0.0 && step.is_finite()) {
                    return Err(invalid(
                        "drift sequence",
                        format!("step = {step}, need >= 0"),
                    ));
                }
                for m in state.iter_mut() {
                    *m = rng.random_range(-0.5..0.5);
                }
            }
            SequenceSpec::Periodic { period, sigma, .. } => {
                check_noise(*sigma)?;
                if !(*period > 0.0) {
                    return Err(invalid(
                        "periodic sequence",
                        format!("period = {period}, need > 0"),
                    ));
                }
            }
            SequenceSpec::Regimes {
                regimes,
                dwell,
                sigma,
            } => {
                check_noise(*sigma)?;
                if *regimes < 1 || !(*dwell >= 1.0) {
                    return Err(invalid(
                        "regime sequence",
                        format!(
                            "regimes = {regimes}, dwell = {dwell}; need regimes >= 1, dwell >= 1"
                        ),
                    ));
                }
                means = (0..*regimes)
                    .map(|_| (0..d).map(|_| rng.random_range(-1.0..1.0)).collect())
                    .collect();
            }
            SequenceSpec::TwoExperts if d != 2 => {
                return Err(invalid(
                    "two_experts sequence",
                    format!("needs d = 2, got d = {d}"),
                ))
            }
            SequenceSpec::Langford { noise, dt, .. } => {
                check_noise(*noise)?;
                if !(*dt > 0.0) {
                    return Err(invalid(
                        "langford sequence",
                        format!("dt = {dt}, need dt > 0"),
                    ));
                }
            }
            SequenceSpec::External { d: de, values } => {
                if *de != d || values.len() % d.max(1) != 0 {
                    return Err(invalid(
                        "external sequence",
                        format!(
                            "dimension {de} with {} values does not match d = {d}",
                            values.len()
                        ),
                    ));
                }
            }
            _ => {}
        }
        let flow = match &spec {
            SequenceSpec::Langford { drift, period, .. } => {
                let sys = crate::dynamics::Langford {
                    drift: *drift,
                    period: *period,
                    ..crate::dynamics::Langford::default()
                };
                // a random start, then a transient of 50 time units onto the attractor
                let x0 = crate::dynamics::V3::new(
                    0.1 + 0.05 * gauss(rng),
                    0.05 * gauss(rng),
                    0.05 * gauss(rng),
                );
                let warm = crate::dynamics::sample_rk4(&sys, x0, 0.0, 1.0, 50, 100)
                    .map_err(|e| invalid("langford sequence", e.to_string()))?;
                Some((sys, 50.0, *warm.x.last().unwrap_or(&x0)))
            }
            _ => None,
        };
        Ok(Sequence {
            spec,
            flow,
            d,
            t: 0,
            state,
            means,
            regime: 0,
        })
    }

    /// Whether x_t depends on the learner's f_t.
    pub fn is_adaptive(&self) -> bool {
        matches!(self.spec, SequenceSpec::Adversary)
    }

    /// Rounds available (None for unbounded generators).
    pub fn rounds_available(&self) -> Option<usize> {
        match &self.spec {
            SequenceSpec::External { values, .. } => Some(values.len() / self.d),
            _ => None,
        }
    }

    /// Write x_t into `x` (in the dual unit ball). `f` is the learner's f_t, used only
    /// by adaptive sequences. Panics never: an exhausted external series repeats.
    pub fn next<D: Domain + ?Sized>(&mut self, dom: &D, f: &[f64], rng: &mut Rng, x: &mut [f64]) {
        let t = self.t;
        self.t += 1;
        let d = self.d;
        match &self.spec {
            SequenceSpec::Iid { sigma, .. } => {
                for (xi, m) in x.iter_mut().zip(&self.state) {
                    *xi = m + sigma * gauss(rng);
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::Drift { step, sigma } => {
                let mut norm = 0.0;
                for xi in x.iter_mut() {
                    *xi = gauss(rng);
                    norm += *xi * *xi;
                }
                let step = step / norm.sqrt().max(1e-300);
                for (s, xi) in self.state.iter_mut().zip(x.iter_mut()) {
                    *s = (*s + step * *xi).clamp(-1.0, 1.0);
                    *xi = *s + sigma * gauss(rng);
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::Periodic {
                period,
                amplitude,
                sigma,
            } => {
                let tau = std::f64::consts::TAU;
                for (i, xi) in x.iter_mut().enumerate() {
                    let phase = tau * (t as f64 / period + i as f64 / d as f64);
                    *xi = amplitude * phase.sin() + sigma * gauss(rng);
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::Regimes { dwell, sigma, .. } => {
                let k = self.means.len();
                if k > 1 && rng.random::<f64>() < 1.0 / dwell {
                    let j = rng.random_range(0..k - 1);
                    self.regime = if j >= self.regime { j + 1 } else { j };
                }
                for (xi, m) in x.iter_mut().zip(&self.means[self.regime]) {
                    *xi = m + sigma * gauss(rng);
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::Rademacher => {
                for xi in x.iter_mut() {
                    *xi = if rng.random::<bool>() { 1.0 } else { -1.0 };
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::Switch { at } => {
                let leader = if t < *at { 0 } else { 1 % d };
                x.fill(1.0);
                x[leader] = 0.0;
                dom.dual_from_coords(x);
            }
            SequenceSpec::Adversary => {
                if matches!(dom.name(), "simplex" | "clipped_simplex") {
                    let mut best = 0;
                    for i in 1..d {
                        if f[i] > f[best] {
                            best = i;
                        }
                    }
                    x.fill(0.0);
                    x[best] = 1.0;
                } else {
                    let n = dom.norm(f);
                    if n > 0.0 {
                        for (xi, fi) in x.iter_mut().zip(f) {
                            *xi = fi / n;
                        }
                    } else {
                        x.fill(0.0);
                        x[0] = 1.0;
                    }
                }
            }
            SequenceSpec::TwoExperts => {
                let e = if rng.random::<bool>() { 1.0 } else { 0.0 };
                x[0] = e;
                x[1] = 1.0 - e;
            }
            SequenceSpec::Langford { noise, dt, .. } => {
                let noise = *noise;
                let dt = *dt;
                if let Some((sys, t, state)) = self.flow.as_mut() {
                    x.fill(0.0);
                    for (i, xi) in x.iter_mut().enumerate().take(3) {
                        *xi = state[i] / 1.5 + noise * gauss(rng);
                    }
                    let h = dt / 10.0;
                    for _ in 0..10 {
                        *state = crate::dynamics::rk4_step(sys, *t, state, h);
                        *t += h;
                    }
                }
                dom.dual_from_coords(x);
            }
            SequenceSpec::External { values, .. } => {
                let rows = values.len() / d;
                let r = t % rows.max(1);
                x.copy_from_slice(&values[r * d..(r + 1) * d]);
                dom.dual_from_coords(x);
            }
        }
    }
}

fn check_noise(sigma: f64) -> Result<(), OnlineError> {
    if sigma.is_finite() && sigma >= 0.0 {
        Ok(())
    } else {
        Err(invalid(
            "sequence",
            format!("sigma = {sigma}, need a finite sigma >= 0"),
        ))
    }
}

#[inline]
fn gauss(rng: &mut Rng) -> f64 {
    StandardNormal.sample(rng)
}
