//! A complete online problem read from named parameters: domain, sequence, hint,
//! horizon, step size. The one place that turns `Params` into a run.
use super::{
    invalid, omd, Ball, ClippedSimplex, Domain, Hint, HintSpec, OnlineError, Options, Outcome,
    Sequence, SequenceSpec, Simplex, StepSize,
};
use crate::mc::Rng;
use crate::params::{out_of_range, Params, Value};

/// How eta is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StepChoice {
    Fixed(f64),
    /// eta = R_max sqrt(2 / S) with S of the same sequence and hint (needs a
    /// non-adaptive sequence, whose S does not depend on eta).
    Tuned,
    /// RS13's adaptive step with scale c = sqrt(sup D_R): the derived bound's choice (needs a
    /// domain where sup D_R is finite: the ball or the clipped simplex).
    Adaptive,
    /// The same schedule with scale c = R_max (the range of R): the project's conjecture.
    AdaptiveRange,
}

/// Domain, sequence, hint and horizon.
pub struct Problem {
    pub domain: Box<dyn Domain>,
    pub sequence: SequenceSpec,
    pub hint: HintSpec,
    pub rounds: usize,
    pub step: StepChoice,
}

impl Problem {
    /// Parameters: domain (simplex | clipped_simplex | ball), d (>= 2), rho (ball radius,
    /// default 1), gamma (the clipped simplex's floor, 0 < gamma < 1/d, default 0.01 / d),
    /// T (>= 1), sequence and its parameters, hint (and alpha for fading), eta (number,
    /// "tuned", "adaptive" or "adaptive_range").
    pub fn from_params(p: &Params) -> Result<Self, OnlineError> {
        let d = p.usize_at_least("d", 2)?;
        let domain: Box<dyn Domain> = match p.str_or("domain", "simplex")? {
            "simplex" => Box::new(Simplex::new(d)?),
            "clipped_simplex" => Box::new(ClippedSimplex::new(
                d,
                p.positive_or("gamma", 0.01 / d as f64)?,
            )?),
            "ball" => Box::new(Ball::new(d, p.positive_or("rho", 1.0)?)?),
            other => {
                return Err(OnlineError::Unknown {
                    what: "domain",
                    name: other.into(),
                    known: "simplex, clipped_simplex, ball",
                }
                .into())
            }
        };
        let rounds = p.usize_at_least("T", 1)?;
        let sequence = SequenceSpec::from_params(p)?;
        let hint = match p.str_or("hint", "zero")? {
            // the phase tracker's forecast, matched to the langford sequence's step and noise
            "ekf" => HintSpec::Ekf {
                dt: p.positive_or("dt", 0.05)?,
                noise: p.f64_or("sigma", 0.05)?.max(1e-3),
            },
            name => HintSpec::parse(name, p.f64_or("alpha", 0.9)?)?,
        };
        let step = match p.get("eta") {
            None => StepChoice::Tuned,
            Some(Value::Str(s)) if s == "tuned" => StepChoice::Tuned,
            Some(Value::Str(s)) if s == "adaptive" => {
                if !domain.divergence_diameter_sq().is_finite() {
                    return Err(invalid(
                        "step size",
                        format!(
                            "eta = adaptive scales by sqrt(sup D_R), which is infinite on the {}; \
                             use domain = clipped_simplex, or eta = adaptive_range",
                            domain.name()
                        ),
                    ));
                }
                StepChoice::Adaptive
            }
            Some(Value::Str(s)) if s == "adaptive_range" => StepChoice::AdaptiveRange,
            Some(v @ Value::Str(_)) => {
                return Err(out_of_range(
                    "eta",
                    v,
                    "expected a number > 0, \"tuned\", \"adaptive\" or \"adaptive_range\"",
                )
                .into())
            }
            Some(_) => StepChoice::Fixed(p.positive("eta")?),
        };
        Ok(Problem {
            domain,
            sequence,
            hint,
            rounds,
            step,
        })
    }

    /// One run with a fresh sequence and hint drawn from `rng`; the step size as chosen.
    /// Returns the outcome and the (first) eta used (NaN for adaptive).
    pub fn run(&self, rng: &mut Rng, opts: Options) -> Result<(Outcome, f64), OnlineError> {
        match self.step {
            StepChoice::Fixed(eta) => Ok((self.run_with(StepSize::Fixed(eta), rng, opts)?, eta)),
            StepChoice::Adaptive | StepChoice::AdaptiveRange => {
                Ok((self.run_with(self.adaptive_step(), rng, opts)?, f64::NAN))
            }
            StepChoice::Tuned => {
                let eta = self.tuned_eta(&mut rng.clone())?;
                Ok((self.run_with(StepSize::Fixed(eta), rng, opts)?, eta))
            }
        }
    }

    /// The adaptive schedule of this problem's domain: scale sqrt(sup D_R) for `Adaptive`
    /// (the derived bound), R_max for `AdaptiveRange` and any other choice.
    pub fn adaptive_step(&self) -> StepSize {
        StepSize::Adaptive(match self.step {
            StepChoice::Adaptive => self.domain.divergence_diameter_sq().sqrt(),
            _ => self.domain.r_max_sq().sqrt(),
        })
    }

    /// A run with an explicit step size.
    pub fn run_with(
        &self,
        step: StepSize,
        rng: &mut Rng,
        opts: Options,
    ) -> Result<Outcome, OnlineError> {
        let d = self.domain.dim();
        let mut seq = Sequence::new(self.sequence.clone(), d, rng)?;
        let mut hint = Hint::new(&self.hint, d);
        omd(
            self.domain.as_ref(),
            &mut seq,
            &mut hint,
            step,
            self.rounds,
            rng,
            opts,
        )
    }

    /// eta = R_max sqrt(2 / S) for the sequence `rng` will generate. S does not depend on
    /// eta for non-adaptive sequences, so a pilot run measures it. S = 0 gives a large
    /// finite eta (1e6 R_max) rather than infinity.
    pub fn tuned_eta(&self, rng: &mut Rng) -> Result<f64, OnlineError> {
        if matches!(self.sequence, SequenceSpec::Adversary) {
            return Err(invalid(
                "step size",
                "eta = tuned needs S before the run, but the adaptive adversary's S depends on eta",
            ));
        }
        let pilot = self.run_with(StepSize::Fixed(1.0), rng, Options::FAST)?;
        let r = pilot.r_max_sq.sqrt();
        Ok(if pilot.s > 0.0 {
            r * (2.0 / pilot.s).sqrt()
        } else {
            1e6 * r
        })
    }
}
