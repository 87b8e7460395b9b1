//! Family `assimilation`, topic `conjecture`: the particles a particle filter needs to match
//! the ETKF on Lorenz96 grow exponentially in the dimension (theory/assimilation.md section
//! 13), and EnSF's error at a fixed ensemble size does not (section 14).
use super::benchmark::{setting, twin, PfMatch};
use super::*;
use crate::assimilation::{AssimilationError, CycleFault, EnsfFault};
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Support, Variant};
use crate::stats::{Target, Verdict};

/// The particle filter's last particle moved onto the truth after each forecast.
pub const PARTICLE_AT_TRUTH: Control = Control::mutation(
    "particle_at_truth",
    "the particle filter peeks: after each forecast its last particle is moved onto the true state, so two particles match the ETKF at every dimension and N_p* does not grow",
);

/// The two dimensions, fixed before the entry's first run (theory/assimilation.md section
/// 13): far enough apart for ln N_p* to move by more than its run-to-run spread, and both
/// within a 2^10-particle search.
const DIMS: (usize, usize) = (5, 12);

/// The growth per added variable the claim asks for: the lower end of the band 0.70 +- 0.3
/// (ln 1.5 = 0.41) around the figure `assimilation_pf_vs_etkf`'s fitted rate, fixed before the
/// entry's first run.
const FACTOR: f64 = 1.5;

/// The share of runs allowed to grow more slowly: the claim is on the median run.
const SLOWER_SHARE: f64 = 0.5;

/// Searches stop at 2^10 particles and count as 2^10: at the larger dimension that lowers
/// N_p*, so a run it affects counts against the claim unless 2^10 is already enough (it is while N_p*(5) <= 59); at the
/// smaller it would raise the ratio, so the premise excludes it.
const CAP: usize = 1 << 10;

/// The figure's run length: 300 observation times, the first 100 burn-in.
const CYCLES: usize = 300;
const BURN_IN: usize = 100;

/// The same single point at both scales: the claim does not shrink with the scale.
fn grid(_s: Scale) -> Vec<Params> {
    vec![Params::new()
        .with("d_small", DIMS.0)
        .with("d_large", DIMS.1)
        .with("cap", CAP)
        .with("cycles", CYCLES)]
}

/// Per run (one truth per dimension, each searched on the run's own stream): Z = FACTOR^(d_large
/// - d_small) N_p*(d_small) / N_p*(d_large), the claimed growth over the measured; the claim
/// P[Z > 1] < 1/2. The premise: no search at the smaller dimension reached the cap.
fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let (small, large) = (
        p.usize_at_least("d_small", 4)?,
        p.usize_at_least("d_large", 4)?,
    );
    let cap = p.usize_at_least("cap", 2)?;
    let cycles = p.usize_at_least("cycles", BURN_IN + 10)?;
    let fault = if v.is(PARTICLE_AT_TRUTH) {
        CycleFault::ParticleAtTruth
    } else {
        CycleFault::None
    };
    let at_small = PfMatch::new(small, cap, cycles, BURN_IN, 0.0)?;
    let at_large = PfMatch::new(large, cap, cycles, BURN_IN, 0.0)?;
    let runs = ctx.replicate(
        "pf_vs_enkf_dimension",
        |_, rng| -> Result<(f64, bool), Error> {
            let (n_small, _) = at_small.run(fault, rng)?;
            let (n_large, _) = at_large.run(fault, rng)?;
            let claimed = FACTOR.powi(large as i32 - small as i32);
            let z = claimed * n_small.unwrap_or(cap as f64) / n_large.unwrap_or(cap as f64);
            Ok((z, n_small.is_none()))
        },
    )?;
    let z: Vec<f64> = runs.iter().map(|(z, _)| *z).collect();
    let censored = runs.iter().filter(|(_, c)| *c).count();
    Ok(
        Evidence::tail(&z, 1.0, SLOWER_SHARE).with_premises(vec![crate::bounds::Premise {
            name: "no search at the smaller dimension reached the cap",
            lhs: censored as f64,
            rhs: 0.0,
        }]),
    )
}

// ------------------------------------------- EnSF at a fixed ensemble size against d

/// EnSF's likelihood term with R in place of R^-1.
pub const COVARIANCE_NOT_INVERTED: Control = Control::mutation(
    "covariance_not_inverted",
    "EnSF's likelihood term written H^T R (y - H x) instead of H^T R^-1 (y - H x): with R = 0.01 I the observations pull 10^4 times too weakly",
);

/// Why a replicate is treated as near normal.
const TIME_MEAN: &str = "each replicate is an analysis RMSE averaged over 100 observation times (and over the d variables inside each)";

/// Accurate observations (the figure `assimilation_dimension`'s): error variance 0.01, so the
/// bound, the observations' own error, is 0.1.
const ENSF_OBS_VAR: f64 = 0.01;
/// 150 observation times, the first 50 burn-in (EnSF starts each analysis afresh and
/// settles within a few cycles at this observation error; the figure uses 400 and 150).
const ENSF_CYCLES: usize = 150;
const ENSF_BURN_IN: usize = 50;

/// Quick: 20 and 160 variables; full: also 1280. (10 240 variables was checked once, at
/// beccd31: 0.0588 [0.0585, 0.0591], 58 s per run on one core; in the full check it ran last
/// and alone and took the reproduction past its 30 minutes: theory/assimilation.md section 14.)
fn ensf_grid(s: Scale) -> Vec<Params> {
    let dims: &[usize] = match s {
        Scale::Quick => &[20, 160],
        Scale::Full => &[20, 160, 1280],
    };
    dims.iter()
        .map(|&d| {
            Params::new()
                .with("dim", d)
                .with("obs_var", ENSF_OBS_VAR)
                .with("cycles", ENSF_CYCLES)
                .with("burn_in", ENSF_BURN_IN)
        })
        .collect()
}

/// Per run, one truth: EnSF's time-averaged analysis RMSE (40 members, each member's own
/// kernel as its prior score, 100 Euler-Maruyama steps), the claim E RMSE <= sqrt(obs_var);
/// the premise that the 40-particle filter on the same truth does no better than that (a run
/// it loses counts as infinite error).
fn ensf_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let ensf = setting("l96_ensf_own_n40")?;
    let pf = setting("l96_pf_n40")?;
    let t = twin(ensf, p)?;
    let bound = t.obs_var.sqrt();
    let fault = if v.is(COVARIANCE_NOT_INVERTED) {
        CycleFault::Ensf(EnsfFault::CovarianceNotInverted)
    } else {
        CycleFault::None
    };
    let runs = ctx.replicate("ensf_dimension", |_, rng| -> Result<(f64, f64), Error> {
        let (xs, ys) = t.truth(rng)?;
        let ensf = crate::stats::mean_sd(&t.run_with(ensf.method, fault, &xs, &ys, rng)?.rmse).0;
        let pf = match t.run(pf.method, &xs, &ys, rng) {
            Ok(run) => crate::stats::mean_sd(&run.rmse).0,
            Err(AssimilationError::Diverged { .. }) => f64::INFINITY,
            Err(e) => return Err(e.into()),
        };
        Ok((ensf, pf))
    })?;
    let best_pf = runs.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    Ok(Evidence::Mean {
        samples: runs.iter().map(|r| r.0).collect(),
        target: Target::AtMost(bound),
        support: Support::Gaussian { why: TIME_MEAN },
    }
    .with_premises(vec![crate::bounds::Premise {
        name: "the 40-particle filter does no better than the observations (its RMSE at least their error sd in every run)",
        lhs: bound,
        rhs: best_pf,
    }]))
}

pub static ENTRIES: &[Entry] = &[
Entry {
    id: "assimilation.conjecture.pf_vs_enkf_dimension",
    kind: Kind::HighProbability,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "on Lorenz96 (F = 8, dt = 0.05, every variable observed every step with unit error variance, 300 observation times of which 100 burn-in), the particles N_p* the bootstrap particle filter (NER 0.5, jitter reg 0.7) needs to match the time-averaged RMSE of a 24-member ETKF (inflation 1.013, rotations) on the same truth grow at least 1.5-fold per added variable from d = 5 to d = 12 in most runs: P[N_p*(12) < 1.5^7 N_p*(5)] < 1/2, 1.5^7 = 17.1 (searches stop at 2^10 particles; a run stopped there counts against the claim unless 2^10 already exceeds 17.1 N_p*(5)). At these dimensions a power law d^a with a >= 3.2 grows as fast: section 13 reports the curvature measurement that would tell them apart",
    source: "issue #15's conjecture (exponential growth in the number of variables, after Snyder, Bengtsson, Bickel & Anderson, Mon. Wea. Rev. 136(12), 2008), at the dimensions a 2^10-particle search reaches (the issue's 10, 20, 40 are out of reach: theory/assimilation.md section 13)",
    // 32 at the first look: at 16 (looks to 128) one master seed in four stayed undecided
    replicates: 32,
    grid,
    check,
    controls: &[PARTICLE_AT_TRUTH],
},
Entry {
    id: "assimilation.conjecture.ensf_dimension",
    kind: Kind::Expectation,
    status: Status::Conjecture {
        expected: Some(Verdict::Supported),
    },
    statement: "on Lorenz96 (F = 8, dt = 0.05, every variable observed every step with error variance 0.01, 150 observation times of which 50 burn-in) with d = 20 and 160 variables (full: also 1280; 10 240 checked once, theory section 14), EnSF with 40 members (each member's own kernel as the prior score, EnSF's damped likelihood term, 100 Euler-Maruyama steps per analysis) keeps its time-averaged analysis RMSE below the observations' error, E RMSE <= 0.1, at every d, where a 40-particle bootstrap filter on the same truths does no better than the observations (premise); with H = I and a diagonal R the own-member analysis acts component by component, so only the forecast depends on d (theory section 14)",
    source: "issue #16's conjecture (EnSF stays accurate as the dimension grows where the particle filter collapses; Bao, Zhang & Zhang's EnSF, CMAME 2024, reports Lorenz96 up to 10^6 variables; recalled, not read here): theory/assimilation.md section 14",
    replicates: 6,
    grid: ensf_grid,
    check: ensf_check,
    controls: &[COVARIANCE_NOT_INVERTED],
},
];
