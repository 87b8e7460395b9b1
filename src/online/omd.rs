//! Optimistic mirror descent (RS13) and optimistic FTRL, with the exact regret
//! against the best fixed action in hindsight and the terms of the RS13 lemma.
//! (Over 400 lines only with its unit tests: 353 lines of code, then the tests.)
use super::{invalid, Domain, Hint, OnlineError, Sequence};
use crate::mc::Rng;

/// Step size schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepSize {
    /// A fixed eta > 0.
    Fixed(f64),
    /// eta_t = c min{1, 1 / (sqrt(S_{t-1}) + sqrt(S_{t-2}))}, S_k = sum_{s<=k} ||x_s - M_s||_*^2
    /// (RS13's adaptive step size; c is its scale: D = sqrt(sup D_R) for the derived bound,
    /// R_max for the range-of-R conjecture, theory/online.md section 8).
    Adaptive(f64),
}

impl StepSize {
    fn validate(self) -> Result<(), OnlineError> {
        match self {
            StepSize::Fixed(eta) if !(eta > 0.0 && eta.is_finite()) => {
                Err(invalid("step size", format!("eta = {eta}, need eta > 0")))
            }
            StepSize::Adaptive(c) if !(c > 0.0 && c.is_finite()) => Err(invalid(
                "step size",
                format!("adaptive scale c = {c}, need 0 < c < infinity"),
            )),
            _ => Ok(()),
        }
    }
    #[inline]
    fn eta(self, s1: f64, s2: f64) -> f64 {
        match self {
            StepSize::Fixed(eta) => eta,
            StepSize::Adaptive(c) => {
                let den = s1.sqrt() + s2.sqrt();
                c * if den > 1.0 { 1.0 / den } else { 1.0 }
            }
        }
    }
}

/// Everything a run measured. Sums run over t = 1..T.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub rounds: usize,
    /// sum_t <f_t, x_t>
    pub learner_loss: f64,
    /// min_{f in F} sum_t <f, x_t>
    pub best_loss: f64,
    /// learner_loss - best_loss
    pub regret: f64,
    /// S = sum_t ||x_t - M_t||_*^2
    pub s: f64,
    /// sum_t ||x_t - M_t||_* ||g_t - f_t|| (only with `detailed`)
    pub cross: f64,
    /// sum_t ||g_t - f_t||^2 + ||g_{t-1} - f_t||^2 (only with `detailed`)
    pub negative: f64,
    /// sum_t ||f_t - f_{t-1}||^2 with f_0 = argmin R (only with `detailed`)
    pub movement: f64,
    /// R_max^2 of the domain
    pub r_max_sq: f64,
    /// sup_{f, g} D_R(f, g) of the domain (infinite on the simplex)
    pub divergence_sq: f64,
    /// max_t ||x_t||_* and max_t ||M_t||_* (only with `premises`)
    pub max_dual_x: f64,
    pub max_dual_hint: f64,
    /// The learned hint's final weights and its members' S_pi.
    pub hint_weights: Option<Vec<f64>>,
    pub member_s: Option<Vec<f64>>,
    /// The played points f_1..f_T, row-major (only with `record`).
    pub iterates: Vec<f64>,
}

/// A deliberate defect in the algorithm, for the negative controls that mutate what is
/// computed (theory/online.md): the statement checked stays the same.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Fault {
    /// The algorithm as written.
    #[default]
    None,
    /// A sign slip: the learner's step moves uphill, towards the larger loss
    /// (OMD: g_t = argmin -eta <g, x_t> + D_R(g, g_{t-1}); OFTRL: the leader's cumulative
    /// loss enters with the wrong sign).
    Uphill,
    /// OMD's second mirror step uses the hint M_t instead of the loss x_t, so the learner
    /// never learns from the losses it is charged.
    UpdateWithHint,
}

/// What to measure beyond regret and S.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compute the lemma's iterate terms (costs one extra point evaluation per round).
    pub detailed: bool,
    /// Keep every f_t.
    pub record: bool,
    /// Track max_t ||x_t||_* and max_t ||M_t||_* (the premises of the degradation bound).
    pub premises: bool,
    /// A defect to inject (negative controls only).
    pub fault: Fault,
}

impl Options {
    pub const FAST: Options = Options {
        detailed: false,
        record: false,
        premises: false,
        fault: Fault::None,
    };
    pub const PREMISES: Options = Options {
        detailed: false,
        record: false,
        premises: true,
        fault: Fault::None,
    };
    pub const DETAILED: Options = Options {
        detailed: true,
        record: false,
        premises: true,
        fault: Fault::None,
    };
    pub const RECORD: Options = Options {
        detailed: true,
        record: true,
        premises: true,
        fault: Fault::None,
    };

    /// The same options with a defect injected.
    pub const fn with_fault(self, fault: Fault) -> Options {
        Options { fault, ..self }
    }
}

/// Bookkeeping shared by every algorithm: losses, S, norms, iterates.
struct Ledger {
    cum: Vec<f64>,
    learner: f64,
    s: f64,
    max_x: f64,
    max_m: f64,
    iterates: Vec<f64>,
    record: bool,
}

impl Ledger {
    fn new(d: usize, rounds: usize, record: bool) -> Self {
        Ledger {
            cum: vec![0.0; d],
            learner: 0.0,
            s: 0.0,
            max_x: 0.0,
            max_m: 0.0,
            iterates: if record {
                Vec::with_capacity(rounds * d)
            } else {
                Vec::new()
            },
            record,
        }
    }

    /// Add round t; returns ||x_t - M_t||_*.
    #[inline]
    fn add<D: Domain + ?Sized>(
        &mut self,
        dom: &D,
        f: &[f64],
        x: &[f64],
        m: &[f64],
        diff: &mut [f64],
    ) -> f64 {
        let mut dot = 0.0;
        for ((((c, fi), xi), mi), di) in self
            .cum
            .iter_mut()
            .zip(f)
            .zip(x)
            .zip(m)
            .zip(diff.iter_mut())
        {
            dot += fi * xi;
            *c += xi;
            *di = xi - mi;
        }
        self.learner += dot;
        let dn = dom.dual_norm(diff);
        self.s += dn * dn;
        if self.record {
            self.iterates.extend_from_slice(f);
        }
        dn
    }

    fn finish<D: Domain + ?Sized>(self, dom: &D, rounds: usize, hint: &Hint) -> Outcome {
        let best = dom.min_linear(&self.cum);
        Outcome {
            rounds,
            learner_loss: self.learner,
            best_loss: best,
            regret: self.learner - best,
            s: self.s,
            r_max_sq: dom.r_max_sq(),
            divergence_sq: dom.divergence_diameter_sq(),
            max_dual_x: self.max_x,
            max_dual_hint: self.max_m,
            hint_weights: hint.weights().map(|w| w.to_vec()),
            member_s: hint.member_losses().map(|w| w.to_vec()),
            iterates: self.iterates,
            ..Outcome::default()
        }
    }
}

fn check_run(seq: &Sequence, hint: &Hint, rounds: usize) -> Result<(), OnlineError> {
    if rounds < 1 {
        return Err(invalid("horizon", "T = 0, need T >= 1"));
    }
    if hint.needs_upcoming() && seq.is_adaptive() {
        return Err(invalid(
            "hint",
            "the oracle hint needs x_t before f_t, but an adaptive sequence chooses x_t after seeing f_t",
        ));
    }
    Ok(())
}

/// Run optimistic mirror descent for `rounds` rounds (RS13):
/// f_t = argmin_F eta_t <f, M_t> + D_R(f, g_{t-1}),  g_t = argmin_F eta_t <g, x_t> + D_R(g, g_{t-1}),
/// g_0 = argmin R. Cost O(T d) (plus the hint's cost); no allocation inside the loop.
pub fn omd<D: Domain + ?Sized>(
    dom: &D,
    seq: &mut Sequence,
    hint: &mut Hint,
    step: StepSize,
    rounds: usize,
    rng: &mut Rng,
    opts: Options,
) -> Result<Outcome, OnlineError> {
    step.validate()?;
    check_run(seq, hint, rounds)?;
    let d = dom.dim();
    let mut state = vec![0.0; d];
    dom.start(&mut state);
    let (mut f, mut x, mut m, mut diff) = (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let (mut g_prev, mut g, mut f_prev) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let mut flipped = vec![0.0; d];
    if opts.detailed {
        dom.point(&state, &mut g_prev);
        f_prev.copy_from_slice(&g_prev);
    }
    let mut led = Ledger::new(d, rounds, opts.record);
    let (mut s1, mut s2) = (0.0, 0.0); // S_{t-1}, S_{t-2}
    let (mut cross, mut negative, mut movement) = (0.0, 0.0, 0.0);
    let adaptive = seq.is_adaptive();
    let oracle = hint.needs_upcoming();
    for _ in 0..rounds {
        if !adaptive {
            seq.next(dom, &f, rng, &mut x);
        }
        hint.predict(dom, if oracle { Some(&x) } else { None }, &mut m);
        let eta = step.eta(s1, s2);
        dom.prox_point(&state, &m, eta, &mut f);
        if adaptive {
            seq.next(dom, &f, rng, &mut x);
        }
        let dn = led.add(dom, &f, &x, &m, &mut diff);
        if opts.premises {
            led.max_x = led.max_x.max(dom.dual_norm(&x));
            led.max_m = led.max_m.max(dom.dual_norm(&m));
        }
        match opts.fault {
            Fault::None => dom.prox_update(&mut state, &x, eta),
            Fault::Uphill => {
                for (o, xi) in flipped.iter_mut().zip(&x) {
                    *o = -xi;
                }
                dom.prox_update(&mut state, &flipped, eta)
            }
            Fault::UpdateWithHint => dom.prox_update(&mut state, &m, eta),
        }
        if opts.detailed {
            dom.point(&state, &mut g);
            let gf = dist(dom, &g, &f, &mut diff);
            let gpf = dist(dom, &g_prev, &f, &mut diff);
            cross += dn * gf;
            negative += gf * gf + gpf * gpf;
            let ff = dist(dom, &f, &f_prev, &mut diff);
            movement += ff * ff;
            std::mem::swap(&mut g, &mut g_prev);
            f_prev.copy_from_slice(&f);
        }
        hint.observe(dom, &x);
        s2 = s1;
        s1 = led.s;
    }
    let mut out = led.finish(dom, rounds, hint);
    out.cross = cross;
    out.negative = negative;
    out.movement = movement;
    Ok(out)
}

#[inline]
fn dist<D: Domain + ?Sized>(dom: &D, a: &[f64], b: &[f64], buf: &mut [f64]) -> f64 {
    for ((o, ai), bi) in buf.iter_mut().zip(a).zip(b) {
        *o = ai - bi;
    }
    dom.norm(buf)
}

/// Plain (non-optimistic) mirror descent, written independently of `omd`:
/// play f_t = g_{t-1}, then g_t = argmin_F eta <g, x_t> + D_R(g, g_{t-1}).
/// Always records the iterates.
pub fn plain_mirror_descent<D: Domain + ?Sized>(
    dom: &D,
    seq: &mut Sequence,
    eta: f64,
    rounds: usize,
    rng: &mut Rng,
) -> Result<Outcome, OnlineError> {
    StepSize::Fixed(eta).validate()?;
    let d = dom.dim();
    let mut state = vec![0.0; d];
    dom.start(&mut state);
    let (mut f, mut x, zero, mut diff) = (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let mut led = Ledger::new(d, rounds, true);
    for _ in 0..rounds {
        dom.point(&state, &mut f);
        seq.next(dom, &f, rng, &mut x);
        led.add(dom, &f, &x, &zero, &mut diff);
        dom.prox_update(&mut state, &x, eta);
    }
    Ok(led.finish(dom, rounds, &Hint::new(&super::HintSpec::Zero, d)))
}

/// Outcome of optimistic FTRL, with the RVU terms of Syrgkanis et al. (2015).
#[derive(Debug, Clone)]
pub struct OftrlOutcome {
    pub outcome: Outcome,
    /// sum_t ||f_t - f_{t-1}||^2 with f_0 = argmin R.
    pub movement: f64,
}

/// Optimistic follow the regularised leader:
/// f_t = argmin_F <f, sum_{s<t} x_s + M_t> + R(f) / eta.
pub fn oftrl<D: Domain + ?Sized>(
    dom: &D,
    seq: &mut Sequence,
    hint: &mut Hint,
    eta: f64,
    rounds: usize,
    rng: &mut Rng,
    opts: Options,
) -> Result<OftrlOutcome, OnlineError> {
    StepSize::Fixed(eta).validate()?;
    check_run(seq, hint, rounds)?;
    let d = dom.dim();
    let (mut f, mut x, mut m, mut diff, mut theta) = (
        vec![0.0; d],
        vec![0.0; d],
        vec![0.0; d],
        vec![0.0; d],
        vec![0.0; d],
    );
    let mut f_prev = vec![0.0; d];
    dom.ftrl_point(&theta, eta, &mut f_prev); // f_0 = argmin R
    let mut led = Ledger::new(d, rounds, opts.record);
    let mut movement = 0.0;
    let sign = if opts.fault == Fault::Uphill {
        -1.0
    } else {
        1.0
    };
    let adaptive = seq.is_adaptive();
    let oracle = hint.needs_upcoming();
    for _ in 0..rounds {
        if !adaptive {
            seq.next(dom, &f, rng, &mut x);
        }
        hint.predict(dom, if oracle { Some(&x) } else { None }, &mut m);
        for ((t, c), mi) in theta.iter_mut().zip(&led.cum).zip(&m) {
            *t = sign * c + mi;
        }
        dom.ftrl_point(&theta, eta, &mut f);
        if adaptive {
            seq.next(dom, &f, rng, &mut x);
        }
        led.add(dom, &f, &x, &m, &mut diff);
        led.max_x = led.max_x.max(dom.dual_norm(&x));
        led.max_m = led.max_m.max(dom.dual_norm(&m));
        let step = dist(dom, &f, &f_prev, &mut diff);
        movement += step * step;
        f_prev.copy_from_slice(&f);
        hint.observe(dom, &x);
    }
    Ok(OftrlOutcome {
        outcome: led.finish(dom, rounds, hint),
        movement,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Ball, HintSpec, SequenceSpec, Simplex};
    use super::*;
    use crate::mc::stream;

    fn run_both<D: Domain>(dom: &D, spec: SequenceSpec) -> (Outcome, Outcome) {
        let d = dom.dim();
        let mut rng = stream(11, 0, 0);
        let mut seq = Sequence::new(spec.clone(), d, &mut rng).unwrap();
        let mut hint = Hint::new(&HintSpec::Zero, d);
        let a = omd(
            dom,
            &mut seq,
            &mut hint,
            StepSize::Fixed(0.3),
            200,
            &mut rng,
            Options::RECORD,
        )
        .unwrap();
        let mut rng = stream(11, 0, 0);
        let mut seq = Sequence::new(spec, d, &mut rng).unwrap();
        let b = plain_mirror_descent(dom, &mut seq, 0.3, 200, &mut rng).unwrap();
        (a, b)
    }

    #[test]
    fn zero_hint_is_plain_mirror_descent() {
        for spec in [
            SequenceSpec::Iid {
                sigma: 0.5,
                gap: 0.3,
            },
            SequenceSpec::Rademacher,
            SequenceSpec::Adversary,
        ] {
            // the simplex computes the same floating-point operations: bit-identical
            let (a, b) = run_both(&Simplex::new(5).unwrap(), spec.clone());
            assert_eq!(a.iterates, b.iterates, "simplex {spec:?}");
            assert_eq!(a.regret, b.regret);
            // the ball re-projects a point already on the sphere: equal to rounding
            let (a, b) = run_both(&Ball::new(4, 2.0).unwrap(), spec.clone());
            assert_eq!(a.iterates.len(), b.iterates.len());
            for (u, v) in a.iterates.iter().zip(&b.iterates) {
                assert!((u - v).abs() <= 1e-12, "ball {spec:?}: {u} vs {v}");
            }
        }
    }

    #[test]
    fn omd_and_oftrl_coincide_on_the_simplex() {
        // With the entropic regulariser the Bregman projection is a normalisation,
        // which commutes with the multiplicative update: OMD = optimistic FTRL.
        let dom = Simplex::new(4).unwrap();
        let spec = SequenceSpec::Periodic {
            period: 17.0,
            amplitude: 0.7,
            sigma: 0.1,
        };
        let mut rng = stream(3, 0, 0);
        let mut seq = Sequence::new(spec.clone(), 4, &mut rng).unwrap();
        let mut h = Hint::new(&HintSpec::Last, 4);
        let a = omd(
            &dom,
            &mut seq,
            &mut h,
            StepSize::Fixed(0.4),
            300,
            &mut rng,
            Options::RECORD,
        )
        .unwrap();
        let mut rng = stream(3, 0, 0);
        let mut seq = Sequence::new(spec, 4, &mut rng).unwrap();
        let mut h = Hint::new(&HintSpec::Last, 4);
        let b = oftrl(&dom, &mut seq, &mut h, 0.4, 300, &mut rng, Options::RECORD).unwrap();
        for (u, v) in a.iterates.iter().zip(&b.outcome.iterates) {
            assert!((u - v).abs() < 1e-12);
        }
    }

    #[test]
    fn regret_is_exact_against_brute_force() {
        // best fixed action by brute force over vertices (simplex) and by the
        // closed form -rho ||sum x|| checked against a fine angular search (ball, d = 2)
        let dom = Ball::new(2, 1.5).unwrap();
        let mut rng = stream(5, 0, 0);
        let mut seq = Sequence::new(
            SequenceSpec::Iid {
                sigma: 0.7,
                gap: 0.4,
            },
            2,
            &mut rng,
        )
        .unwrap();
        let mut h = Hint::new(&HintSpec::Mean, 2);
        let out = omd(
            &dom,
            &mut seq,
            &mut h,
            StepSize::Fixed(0.1),
            100,
            &mut rng,
            Options::RECORD,
        )
        .unwrap();
        let mut rng = stream(5, 0, 0);
        let mut seq = Sequence::new(
            SequenceSpec::Iid {
                sigma: 0.7,
                gap: 0.4,
            },
            2,
            &mut rng,
        )
        .unwrap();
        let mut cum = [0.0; 2];
        let mut x = [0.0; 2];
        for _ in 0..100 {
            seq.next(&dom, &[0.0, 0.0], &mut rng, &mut x);
            cum[0] += x[0];
            cum[1] += x[1];
        }
        let best = (0..100_000)
            .map(|k| {
                let a = k as f64 * std::f64::consts::TAU / 100_000.0;
                1.5 * (a.cos() * cum[0] + a.sin() * cum[1])
            })
            .fold(f64::INFINITY, f64::min);
        assert!((out.best_loss - best).abs() < 1e-6 * best.abs().max(1.0));
    }

    #[test]
    fn bad_runs_are_errors() {
        let dom = Simplex::new(3).unwrap();
        let mut rng = stream(1, 0, 0);
        let mut seq = Sequence::new(SequenceSpec::Adversary, 3, &mut rng).unwrap();
        let mut h = Hint::new(&HintSpec::Oracle, 3);
        assert!(omd(
            &dom,
            &mut seq,
            &mut h,
            StepSize::Fixed(1.0),
            10,
            &mut rng,
            Options::FAST
        )
        .is_err());
        let mut h = Hint::new(&HintSpec::Zero, 3);
        assert!(omd(
            &dom,
            &mut seq,
            &mut h,
            StepSize::Fixed(0.0),
            10,
            &mut rng,
            Options::FAST
        )
        .is_err());
        assert!(omd(
            &dom,
            &mut seq,
            &mut h,
            StepSize::Fixed(1.0),
            0,
            &mut rng,
            Options::FAST
        )
        .is_err());
    }
}
