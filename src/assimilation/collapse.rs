//! Particle-filter collapse in Snyder, Bengtsson, Bickel & Anderson's test case, with the
//! optimal proposal beside the bootstrap one (theory/assimilation.md sections 7 and 8).
//!
//! The model: x_{k-1} ~ N(0, (1 - q) I_d), x_k = x_{k-1} + N(0, q I_d), so x_k ~ N(0, I_d)
//! whatever q in [0, 1); y = x_k + e, e ~ N(0, I_d). q = 0 is Snyder et al.'s case (no
//! dynamics: the proposals coincide).
//! - Bootstrap proposal: particles x_k^i from the prior, weights p(y | x_k^i).
//! - Optimal proposal: particles from p(x_k | x_{k-1}^i, y), weights
//!   p(y | x_{k-1}^i) = N(y; x_{k-1}^i, (1 + q) I): the weights do not depend on the draw of
//!   x_k, so only x_{k-1}^i is drawn.
use super::{invalid, normalised_weights};
use super::{AssimilationError, LinearObservation};
use crate::mc::Rng;
use crate::prob::RunningLogSumExp;
use ndarray::Array2;
use rand_distr::{Distribution, StandardNormal};

/// Which proposal the particles come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposal {
    Bootstrap,
    Optimal,
}

/// The proposals' names, as configs write them.
pub const PROPOSALS: &[&str] = &["bootstrap", "optimal"];

impl Proposal {
    pub fn from_name(s: &str) -> Result<Proposal, crate::params::ParamError> {
        match s {
            "bootstrap" => Ok(Proposal::Bootstrap),
            "optimal" => Ok(Proposal::Optimal),
            other => Err(crate::params::unknown_choice("proposal", other, PROPOSALS)),
        }
    }
}

/// A deliberate fault of the optimal proposal's weights: the catalogue's mutation control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalFault {
    None,
    /// The predictive p(y | x_{k-1}) written N(y; x_{k-1}, R), its process noise left out.
    PredictiveWithoutProcessNoise,
    /// The weights computed as if the observation error variance were twice what it is (a
    /// misspecified R in the likelihood): flatter weights than the model's.
    ObservationVarianceDoubled,
}

/// Snyder et al.'s test case in d dimensions with process-noise share q.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollapseCase {
    pub d: usize,
    pub q: f64,
    pub proposal: Proposal,
    pub fault: ProposalFault,
}

/// What one draw of y and its N_e weighted particles give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightDraw {
    pub w_max: f64,
    /// Effective sample size over N_e.
    pub ess_fraction: f64,
    /// The sample variance of the log-weights (unbiased).
    pub log_weight_variance: f64,
}

impl CollapseCase {
    pub fn new(d: usize, q: f64, proposal: Proposal) -> Result<CollapseCase, AssimilationError> {
        if d == 0 {
            return Err(invalid(
                "collapse case",
                "the dimension d must be at least 1",
            ));
        }
        if !(0.0..1.0).contains(&q) {
            return Err(invalid(
                "process-noise share q",
                format!("must lie in [0, 1), got {q}"),
            ));
        }
        Ok(CollapseCase {
            d,
            q,
            proposal,
            fault: ProposalFault::None,
        })
    }

    /// The weights' model: the state they depend on has prior N(0, p I) and the weight is
    /// N(y; that state, v I): (p, v) = (1, 1) for the bootstrap proposal (p(y | x_k)) and
    /// (1 - q, 1 + q) for the optimal one (p(y | x_{k-1})).
    fn weight_model(&self) -> (f64, f64) {
        match self.proposal {
            Proposal::Bootstrap => (1.0, 1.0),
            Proposal::Optimal => {
                let predictive = match self.fault {
                    ProposalFault::PredictiveWithoutProcessNoise => 1.0,
                    _ => 1.0 + self.q,
                };
                (1.0 - self.q, predictive)
            }
        }
    }

    /// The weights' model as a `LinearObservation` and its prior covariance, for the general
    /// closed form (small d: it builds d x d matrices).
    pub fn as_linear(&self) -> Result<(LinearObservation, Array2<f64>), AssimilationError> {
        let (p, v) = self.weight_model();
        Ok((
            LinearObservation::identity(self.d, v)?,
            Array2::eye(self.d) * p,
        ))
    }

    /// tau^2 of this proposal's log-weights (section 5's formula with every eigenvalue
    /// lambda = p / v): 5d/2 for the bootstrap proposal; with lambda = (1 - q)/(1 + q),
    /// d lambda (3/2 lambda + 1) for the optimal one. The unit test checks it against the
    /// general `log_likelihood_variance_closed`.
    pub fn tau2(&self) -> f64 {
        let (p, v) = self.weight_model();
        let lambda = p / v;
        self.d as f64 * lambda * (1.5 * lambda + 1.0)
    }

    /// A draw of y from its marginal: x_k ~ N(0, I) through x_{k-1} and its noise, plus the
    /// observation error.
    fn draw_y(&self, rng: &mut Rng) -> Vec<f64> {
        let mut normal = || <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng);
        (0..self.d)
            .map(|_| (1.0 - self.q).sqrt() * normal() + self.q.sqrt() * normal() + normal())
            .collect()
    }

    /// `ne` particles' log-weights -|y - x_i|^2 / (2 v) given y (the weights' covariance is
    /// a multiple of I: O(ne d), no d x d matrix).
    fn log_weights_given(&self, y: &[f64], ne: usize, rng: &mut Rng) -> Vec<f64> {
        let (p, v) = self.weight_model();
        let v = match self.fault {
            ProposalFault::ObservationVarianceDoubled => 2.0 * v,
            _ => v,
        };
        let sd = p.sqrt();
        let mut normal = || <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng);
        (0..ne)
            .map(|_| -y.iter().map(|yj| (yj - sd * normal()).powi(2)).sum::<f64>() / (2.0 * v))
            .collect()
    }

    /// One draw: y, and N_e particles' normalised weights.
    pub fn draw(&self, ne: usize, rng: &mut Rng) -> Result<WeightDraw, AssimilationError> {
        if ne < 2 {
            return Err(invalid(
                "ensemble",
                format!("needs N_e >= 2 particles, got {ne}"),
            ));
        }
        let y = self.draw_y(rng);
        let lw = self.log_weights_given(&y, ne, rng);
        let w = normalised_weights(&lw);
        let (_, lsd) = crate::stats::mean_sd(&lw);
        Ok(WeightDraw {
            w_max: crate::prob::max_of(&w),
            ess_fraction: super::effective_sample_size(&w) / ne as f64,
            log_weight_variance: lsd * lsd,
        })
    }
}

/// The ensemble sizes at which `required_ensemble` reads the curve: 2^(k/4), k = 4, 5, ...
fn size_grid(k: u32) -> usize {
    2f64.powf(k as f64 / 4.0).round() as usize
}

impl CollapseCase {
    /// N_e*(c): the ensemble size at which the mean over `draws` draws of y of
    /// 1/w_max - 1 first reaches `c`. The particles of each y are nested (the first n of
    /// them are the ensemble of size n), read at the sizes 2^(k/4); the crossing is
    /// interpolated linearly in ln N_e between the two sizes that bracket it. An error if
    /// it lies beyond `cap` particles.
    pub fn required_ensemble(
        &self,
        c: f64,
        draws: usize,
        cap: usize,
        rng: &mut Rng,
    ) -> Result<f64, AssimilationError> {
        if !(c > 0.0) || draws == 0 {
            return Err(invalid(
                "required ensemble",
                format!(
                    "needs a level c > 0 and at least one draw of y (c = {c}, draws = {draws})"
                ),
            ));
        }
        // per draw of y: y, the running log-sum-exp of its log-weights, the count
        let mut state: Vec<(Vec<f64>, RunningLogSumExp, usize)> = (0..draws)
            .map(|_| (self.draw_y(rng), RunningLogSumExp::default(), 0))
            .collect();
        let mut previous: Option<(usize, f64)> = None;
        for k in 4.. {
            let n = size_grid(k);
            if n > cap {
                return Err(invalid(
                    "required ensemble",
                    format!(
                        "1/w_max - 1 stays below {c} up to N_e = {cap} particles (d = {})",
                        self.d
                    ),
                ));
            }
            let mut total = 0.0;
            for (y, lse, count) in state.iter_mut() {
                for l in self.log_weights_given(y, n - *count, rng) {
                    lse.push(l);
                }
                *count = n;
                // 1 / w_max - 1
                total += lse.relative_to_max() - 1.0;
            }
            let g = total / draws as f64;
            if g >= c {
                return Ok(match previous {
                    Some((n0, g0)) if g > g0 => {
                        crate::stats::crossing_in_ln_n((n0 as f64, g0), (n as f64, g), c)
                    }
                    _ => n as f64,
                });
            }
            previous = Some((n, g));
        }
        unreachable!("the loop returns or errs before k overflows")
    }
}

/// The asymptotic form E[1/w_max] - 1 ~ sqrt(2 ln N_e) / tau (a Conjecture here: its
/// statement in Snyder et al. 2008 was not read; theory/assimilation.md section 8).
pub fn snyder_asymptote(ne: usize, tau2: f64) -> f64 {
    (2.0 * (ne as f64).ln() / tau2).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tau2_of_both_proposals_and_their_coincidence_without_dynamics() {
        let b = CollapseCase::new(4, 0.5, Proposal::Bootstrap).unwrap();
        assert!((b.tau2() - 10.0).abs() < 1e-12);
        let o = CollapseCase::new(4, 0.5, Proposal::Optimal).unwrap();
        let l = 0.5 / 1.5;
        assert!((o.tau2() - 4.0 * l * (1.5 * l + 1.0)).abs() < 1e-12);
        let o0 = CollapseCase::new(4, 0.0, Proposal::Optimal).unwrap();
        assert!((o0.tau2() - 10.0).abs() < 1e-12);
        // the isotropic shortcut is the general closed form
        for c in [b, o, o0] {
            let (obs, p) = c.as_linear().unwrap();
            let general = crate::assimilation::log_likelihood_variance_closed(&obs, &p).unwrap();
            assert!((c.tau2() - general).abs() < 1e-12);
        }
        assert!(CollapseCase::new(4, 1.0, Proposal::Optimal).is_err());
        let mut rng = crate::mc::stream(1, 0, 0);
        let w = b.draw(100, &mut rng).unwrap();
        assert!(w.w_max > 0.0 && w.w_max <= 1.0 && w.ess_fraction <= 1.0);
        assert!(b.draw(1, &mut rng).is_err());
    }

    #[test]
    fn the_required_ensemble_grows_with_dimension_and_stops_at_its_cap() {
        let case = |d| CollapseCase::new(d, 0.5, Proposal::Bootstrap).unwrap();
        let mut rng = crate::mc::stream(2, 0, 0);
        // the smallest size already has 1/w_max - 1 > 0
        assert_eq!(
            case(2)
                .required_ensemble(1e-12, 8, 1 << 10, &mut rng)
                .unwrap(),
            2.0
        );
        let small = case(2)
            .required_ensemble(1.0, 64, 1 << 16, &mut rng)
            .unwrap();
        let large = case(16)
            .required_ensemble(1.0, 64, 1 << 16, &mut rng)
            .unwrap();
        assert!(small > 2.0 && large > 4.0 * small, "{small} {large}");
        // d = 64 needs far more than 1000 particles
        assert!(case(64).required_ensemble(1.0, 8, 1000, &mut rng).is_err());
        assert!(case(2).required_ensemble(0.0, 8, 1000, &mut rng).is_err());
    }
}
