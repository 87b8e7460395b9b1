//! The learning rules over an expert net, each with its bound as a named value: ERM over
//! the net, complexity-penalised selection across nets (SRM), and mirror averaging. The
//! catalogue checks these bounds and the figures draw the same values.
use super::MoeError;
use super::{mirror_averaging, pick, ExpertNet, Fault, Loss, PolyExperts};
use crate::mc::Rng;
use crate::params::{out_of_range, Params};

/// ERM over the lattice eps-net of the expert ball, with everything that does not depend on
/// the sample computed once: the net, its members' exact risks, inf R over the ball, the bound
/// L eps + sqrt(2 [p log(1 + 2B/eps) + log(2/delta)] / n).
pub struct EpsNetErm {
    net: std::sync::Arc<ExpertNet>,
    n: usize,
    pub bound: f64,
}

impl EpsNetErm {
    pub fn new(p: &Params) -> Result<Self, MoeError> {
        let net = ExpertNet::from_params(p)?;
        let n = p.usize_at_least("n", 1)?;
        let bound = Self::bound_of(p)?;
        Ok(EpsNetErm { net, n, bound })
    }

    /// The bound from the parameters alone (no net is built): what the figures draw as a
    /// curve and what `new` stores.
    pub fn bound_of(p: &Params) -> Result<f64, MoeError> {
        let (experts, b, eps) = ExpertNet::experts_from_params(p)?;
        let n = p.usize_at_least("n", 1)?;
        let delta = p.positive("delta")?;
        let dim = experts.p as f64;
        Ok(experts.lipschitz(b) * eps
            + (2.0 * (dim * (1.0 + 2.0 * b / eps).ln() + (2.0 / delta).ln()) / n as f64).sqrt())
    }

    /// The exact excess risk R(theta_hat) - inf R of ERM on a fresh sample.
    pub fn excess(&self, rng: &mut Rng) -> f64 {
        self.excess_with(rng, Fault::None)
    }

    /// `excess` with a fault injected into the ERM (mutation controls).
    pub fn excess_with(&self, rng: &mut Rng, fault: Fault) -> f64 {
        let (x, y) = self.net.experts.sample(self.n, rng);
        self.net.risks[self.net.erm_with(&x, &y, fault)] - self.net.best
    }

    /// max over the net of R - inf R: the largest excess any member has. Where it is below
    /// `bound` no estimator over the net can break the bound (the check cannot fail there).
    pub fn worst_member_excess(&self) -> f64 {
        self.net
            .risks
            .iter()
            .fold(f64::NEG_INFINITY, |a, r| a.max(*r))
            - self.net.best
    }

    /// The estimation part R(theta_hat) - min_N R (the net's own best as reference).
    pub fn excess_over_net(&self, rng: &mut Rng) -> f64 {
        self.excess(rng) + self.net.best - self.net.best_member
    }
}

/// Outcome of one penalised selection over the nets of p = 1..pmax parameters (uniform prior).
pub struct SrmOutcome {
    pub chosen_p: usize,
    /// R(h_hat) (exact).
    pub risk: f64,
    /// min_k [min_{H_k} R + 2 pen_k].
    pub oracle_bound: f64,
    /// min_k min_{H_k} R: the best risk over all classes.
    pub best: f64,
}

/// One class of the selection: the net with its exact risks, its penalty.
struct SrmClass {
    net: ExpertNet,
    pen: f64,
}

/// Structural risk minimisation over H_k = lattice eps-net of the k-parameter experts' ball,
/// k = 1..pmax, prior 1/pmax, pen_k = sqrt((log M_k + log(1/pi_k) + log(2/delta)) / (2n)).
/// Nets, exact risks and penalties are computed once; `select` draws one sample.
pub struct Srm {
    classes: Vec<SrmClass>,
    big: PolyExperts,
    n: usize,
    oracle_bound: f64,
    best: f64,
}

impl Srm {
    pub fn new(p: &Params) -> Result<Self, MoeError> {
        let n = p.usize_at_least("n", 1)?;
        let eps = p.positive("eps")?;
        let b = p.positive("B")?;
        let delta = p.positive("delta")?;
        let noise = p.nonnegative("noise")?;
        let pmax = p.usize_at_least("pmax", 1)?.min(4);
        let prior = 1.0 / pmax as f64;
        let mut classes = Vec::new();
        let (mut oracle_bound, mut best) = (f64::INFINITY, f64::INFINITY);
        for k in 1..=pmax {
            let net = ExpertNet::new(PolyExperts::new(k, noise), b, eps);
            let pen = (((net.net.nrows() as f64).ln() + (1.0 / prior).ln() + (2.0 / delta).ln())
                / (2.0 * n as f64))
                .sqrt();
            oracle_bound = oracle_bound.min(net.best_member + 2.0 * pen);
            best = best.min(net.best_member);
            classes.push(SrmClass { net, pen });
        }
        Ok(Srm {
            classes,
            big: PolyExperts::new(pmax, noise),
            n,
            oracle_bound,
            best,
        })
    }

    pub fn select(&self, rng: &mut Rng) -> SrmOutcome {
        self.select_with(rng, Fault::None)
    }

    /// The number of classes (p = 1..classes()).
    pub fn classes(&self) -> usize {
        self.classes.len()
    }

    /// `select` with a fault injected (mutation controls): `ArgmaxSlip` in the within-class
    /// ERM.
    pub fn select_with(&self, rng: &mut Rng, fault: Fault) -> SrmOutcome {
        let pmax = self.classes.len();
        // one sample for every class: the features of the largest class contain the others'
        let (xz, y) = self.big.sample(self.n, rng);
        let mut out = SrmOutcome {
            chosen_p: 0,
            risk: f64::NAN,
            oracle_bound: self.oracle_bound,
            best: self.best,
        };
        let mut best_score = f64::INFINITY;
        for (i, c) in self.classes.iter().enumerate() {
            let k = i + 1;
            let scale = (pmax as f64 / k as f64).sqrt();
            let x = xz.slice(ndarray::s![.., 0..k]).mapv(|v| v * scale);
            let emp = c.net.experts.empirical_risks(&c.net.net, &x, &y);
            let j = pick(&emp, fault);
            if emp[j] + c.pen < best_score {
                best_score = emp[j] + c.pen;
                out.chosen_p = k;
                out.risk = c.net.risks[j];
            }
        }
        out
    }
}

/// Mirror averaging over the lattice eps-net of the p-parameter experts with prior pi
/// (uniform, or pi_j ∝ exp(-||theta_j||^2 / (2 (B/2)^2))) at temperature
/// beta = 2c (Y + B)^2 (the loss c (y - f)^2 is 1/beta-exp-concave for |y| <= Y, |f| <= B;
/// 8 c B^2 when Y = B). Everything but the sample is computed once.
pub struct MirrorAveraging {
    pub net: std::sync::Arc<ExpertNet>,
    log_prior: Vec<f64>,
    pub beta: f64,
    n: usize,
    /// min_j [A(e_j) + beta log(1/pi_j) / n].
    pub oracle: f64,
    /// The generic form of the bound's excess over inf A with a uniform prior on an eps-net:
    /// L eps + beta p log(1 + 2B/eps) / n (minimised near eps = beta p / (L n)).
    pub generic_bound: f64,
}

/// A prior's name is "uniform" or "gaussian" (errors name the field).
pub fn check_prior(prior: &str) -> Result<(), MoeError> {
    match prior {
        "uniform" | "gaussian" => Ok(()),
        other => Err(out_of_range(
            "prior",
            &other.into(),
            "must be \"uniform\" or \"gaussian\"",
        )
        .into()),
    }
}

/// The prior over the net's members: "uniform", or "gaussian" (pi_j ∝ exp(-||theta_j||^2 / (2 (B/2)^2))).
pub fn net_log_prior(net: &ExpertNet, prior: &str) -> Result<Vec<f64>, MoeError> {
    check_prior(prior)?;
    let m = net.net.nrows();
    if prior == "uniform" {
        Ok(vec![-(m as f64).ln(); m])
    } else {
        let s2 = 2.0 * (net.b / 2.0) * (net.b / 2.0);
        let raw: Vec<f64> = net
            .net
            .rows()
            .into_iter()
            .map(|r| -r.dot(&r) / s2)
            .collect();
        Ok(crate::prob::normalise_log_weights(&raw))
    }
}

impl MirrorAveraging {
    pub fn new(p: &Params) -> Result<Self, MoeError> {
        let n = p.usize_at_least("n", 1)?;
        let prior = p.str_or("prior", "uniform")?;
        let net = ExpertNet::from_params(p)?;
        if net.experts.loss != Loss::Squared {
            return Err(out_of_range(
                "loss",
                &"absolute".into(),
                "mirror averaging's bound needs an exp-concave loss: use \"squared\"",
            )
            .into());
        }
        let log_prior = net_log_prior(&net, prior)?;
        let beta = Self::beta(&net.experts, net.b);
        let oracle = net
            .risks
            .iter()
            .zip(&log_prior)
            .map(|(r, lp)| r - beta * lp / n as f64)
            .fold(f64::INFINITY, f64::min);
        let generic_bound = Self::generic_bound_of(p)?;
        Ok(MirrorAveraging {
            net,
            log_prior,
            beta,
            n,
            oracle,
            generic_bound,
        })
    }

    /// The temperature 2c (Y + B)^2 with c = 1/4 (Loss::Squared is (y - f)^2 / 4).
    pub fn beta(experts: &PolyExperts, b: f64) -> f64 {
        2.0 * 0.25 * (experts.y_bound() + b).powi(2)
    }

    /// The generic bound L eps + beta p log(1 + 2B/eps) / n from the parameters alone (no
    /// net is built): what the figures draw as a curve and what `new` stores.
    pub fn generic_bound_of(p: &Params) -> Result<f64, MoeError> {
        let (experts, b, eps) = ExpertNet::experts_from_params(p)?;
        let n = p.usize_at_least("n", 1)?;
        let beta = Self::beta(&experts, b);
        Ok(experts.lipschitz(b) * eps
            + beta * experts.p as f64 * (1.0 + 2.0 * b / eps).ln() / n as f64)
    }

    /// The eps minimising the generic bound L eps + beta p log(1 + 2B/eps) / n: it is convex
    /// in eps, and its derivative vanishes where L n eps (eps + 2B) = 2 B beta p, so
    /// eps* = B (sqrt(1 + 2 beta p / (B L n)) - 1), which is beta p / (L n) (1 + O(1/n)).
    pub fn bound_optimal_eps(l: f64, beta: f64, p: usize, n: usize, b: f64) -> f64 {
        b * ((1.0 + 2.0 * beta * p as f64 / (b * l * n as f64)).sqrt() - 1.0)
    }

    /// The exact risk A(theta_bar) of the aggregate on a fresh sample of size n.
    pub fn risk(&self, rng: &mut Rng) -> f64 {
        self.risk_with(rng, Fault::None)
    }

    /// `risk` with a fault injected (mutation controls): `WeightsUphill` feeds the update the
    /// negated loss.
    pub fn risk_with(&self, rng: &mut Rng, fault: Fault) -> f64 {
        let e = &self.net.experts;
        let (x, y) = e.sample(self.n, rng);
        let sign = if fault == Fault::WeightsUphill {
            -1.0
        } else {
            1.0
        };
        let theta = mirror_averaging(&self.net.net, &self.log_prior, self.beta, &x, &y, |y, f| {
            sign * Loss::Squared.eval(y, f)
        });
        e.risk(&theta)
    }
}
