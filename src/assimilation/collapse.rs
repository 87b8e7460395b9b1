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
                    ProposalFault::None => 1.0 + self.q,
                    ProposalFault::PredictiveWithoutProcessNoise => 1.0,
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

    /// One draw: the truth x_k ~ N(0, I) (through x_{k-1} and its noise), y, and N_e
    /// particles' normalised weights. The weights' covariance is a multiple of I, so each
    /// log-weight is -|y - x_i|^2 / (2 v): O(N_e d), no d x d matrix.
    pub fn draw(&self, ne: usize, rng: &mut Rng) -> Result<WeightDraw, AssimilationError> {
        if ne < 2 {
            return Err(invalid(
                "ensemble",
                format!("needs N_e >= 2 particles, got {ne}"),
            ));
        }
        let d = self.d;
        let mut normal = || <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng);
        let y: Vec<f64> = (0..d)
            .map(|_| (1.0 - self.q).sqrt() * normal() + self.q.sqrt() * normal() + normal())
            .collect();
        let (p, v) = self.weight_model();
        let sd = p.sqrt();
        let lw: Vec<f64> = (0..ne)
            .map(|_| -y.iter().map(|yj| (yj - sd * normal()).powi(2)).sum::<f64>() / (2.0 * v))
            .collect();
        let w = normalised_weights(&lw);
        let (_, lsd) = crate::stats::mean_sd(&lw);
        Ok(WeightDraw {
            w_max: crate::prob::max_of(&w),
            ess_fraction: super::effective_sample_size(&w) / ne as f64,
            log_weight_variance: lsd * lsd,
        })
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
}
