//! How routes align with regimes: NMI and one-step errors of fitted mixtures on a test
//! trajectory, with and without the routing regulariser.
use crate::mc::Rng;
use crate::moe::MoeError;

use super::*;

/// One fitted mixture's routing on held-out data.
#[derive(Debug, Clone)]
pub struct RoutingScore {
    pub lambda: f64,
    /// NMI between the routed expert and the generating regime on the test trajectory.
    pub nmi: f64,
    /// One-step prediction MSE on the test trajectory.
    pub mse: f64,
    pub routed: Vec<usize>,
    pub regime: Vec<usize>,
    /// Training objective per observation of EM started at the generating regimes minus that
    /// of the fit (> 0: the objective prefers regime routing and EM did not find it).
    pub objective_gap: f64,
}

/// Train and test trajectories drawn once, one fit per lambda from the same random
/// initialisation (paired comparisons across regulariser strengths). With `reference`, EM is
/// also started at the true regimes to measure the objective gap of the *first* lambda (NaN
/// for the others, and for all without `reference`).
pub fn routing_scores(
    spec: &SwitchingSpec,
    opts: &MoeOptions,
    lambdas: &[f64],
    reference: bool,
    rng: &mut Rng,
) -> Result<Vec<RoutingScore>, MoeError> {
    let train = spec.sample(rng)?;
    let test = spec.sample(rng)?;
    let init = rng.clone();
    lambdas
        .iter()
        .enumerate()
        .map(|(i, &lambda)| {
            let o = MoeOptions { lambda, ..*opts };
            let moe = GatedMoe::fit(&train, &o, &mut init.clone())?;
            let objective_gap = if reference && i == 0 {
                GatedMoe::fit_from_regimes(&train, &o)?.objective(&train, lambda)
                    - moe.objective(&train, lambda)
            } else {
                f64::NAN
            };
            let routed = moe.route(&test);
            let regime = test.routed_regimes().to_vec();
            Ok(RoutingScore {
                lambda,
                nmi: crate::stats::normalized_mutual_information(&routed, &regime),
                mse: moe.mse(&test),
                routed,
                regime,
                objective_gap,
            })
        })
        .collect()
}
