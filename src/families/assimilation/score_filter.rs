//! Family `assimilation`, topic `score_filter`: the score-based filter's analysis step (EnSF's
//! pseudo-time process and sampler) on a linear-Gaussian problem, where its output law is
//! exact: which posterior each likelihood term makes it target (issue #16, entry 5;
//! theory/assimilation.md section 12).
use super::*;
use crate::assimilation::{Likelihood, OdeFault, PseudoTime, ScoreAnalysis, ScoreFault, Start};
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::experiment::{Metrics, Replicate};

/// EnSF's alpha(1), as its published Lorenz96 script sets it.
pub const EPS_ALPHA: f64 = 0.05;

/// The fixed problem seed (the prior, H and R of `super::problem`).
const PROBLEM_SEED: u64 = 1201;

pub const ENSF_DAMPING: Control = Control::mutation(
    "ensf_damping",
    "the likelihood term as EnSF writes it, (1 - t) grad log p(y | x) at x = x_t, in place of grad log p_t(y | x_t): not the posterior's noised score, so refining the sampler converges to another law",
);

pub const TWEEDIE_MEAN: Control = Control::mutation(
    "tweedie_mean",
    "the likelihood at Tweedie's mean E[x_0 | x_t] with R alone, its covariance not inflated by H Cov(x_0 | x_t) H^T",
);

pub const LIKELIHOOD_UNDAMPED: Control = Control::mutation(
    "likelihood_undamped",
    "grad log p(y | x) at x = x_t at full weight at every pseudo-time",
);

pub const NO_JACOBIAN: Control = Control::mutation(
    "no_jacobian",
    "the exact likelihood term without its chain rule: H^T S^-1 (y - H mu) in place of J^T H^T S^-1 (y - H mu), J = d mu / d x_t",
);

pub const ODE_WITHOUT_DIFFUSION: Control = Control::mutation(
    "ode_without_diffusion",
    "the continuous-time covariance equation without its diffusion term g^2 I",
);

/// (d, m): one observation of two, one of six, three of six.
fn grid(_s: Scale) -> Vec<Params> {
    [(2usize, 1usize), (6, 1), (6, 3)]
        .iter()
        .map(|&(d, m)| Params::new().with("d", d).with("m", m))
        .collect()
}

/// The grid point's problem with one observation drawn from its prior predictive (the
/// point's own stream, replicate 0).
fn analysis(p: &Params, ctx: &Ctx) -> Result<ScoreAnalysis, Error> {
    let (d, m) = dims(p)?;
    let pr = problem(d, m, PROBLEM_SEED)?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let z = Array1::from_shape_fn(d, |_| StandardNormal.sample(&mut rng));
    let x = &pr.m0 + &pr.l.dot(&z);
    let y = pr.obs.observe(&x, &mut rng);
    Ok(ScoreAnalysis::new(
        pr.m0,
        pr.p,
        pr.obs,
        y,
        PseudoTime::new(EPS_ALPHA)?,
    )?)
}

/// KL(Kalman posterior || N(mean, cov)).
pub(crate) fn kl_to_kalman(
    a: &ScoreAnalysis,
    (mean, cov): &(Array1<f64>, Array2<f64>),
) -> Result<f64, Error> {
    let (ma, pa) = a.kalman();
    Ok(crate::prob::kl_gaussian(
        ma.view(),
        &Spd::new(pa.clone(), "Kalman posterior covariance")?,
        mean.view(),
        &Spd::new(cov.clone(), "score filter output covariance")?,
    )?)
}

fn likelihood_of(v: Variant) -> Likelihood {
    if v.is(ENSF_DAMPING) {
        Likelihood::EnsfDamped
    } else if v.is(TWEEDIE_MEAN) {
        Likelihood::TweedieMean
    } else if v.is(LIKELIHOOD_UNDAMPED) {
        Likelihood::Undamped
    } else {
        Likelihood::Exact
    }
}

/// The step counts the slope is fitted over.
const STEPS: [usize; 3] = [64, 128, 256];

fn gaussian_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let a = analysis(p, ctx)?;
    let lk = likelihood_of(v);
    let kl: Vec<f64> = STEPS
        .iter()
        .map(|&n| kl_to_kalman(&a, &a.output_law(n, Start::Exact, lk, ScoreFault::None)?))
        .collect::<Result<_, _>>()?;
    Ok(Evidence::Slope {
        x: STEPS.iter().map(|&n| n as f64).collect(),
        mean: kl,
        se: vec![0.0; STEPS.len()],
        replicates: 1,
        lo: -2.5,
        hi: -1.5,
    })
}

/// The Dopri5 tolerance of the continuous-time route.
const ODE_TOL: f64 = 1e-11;
/// The recursion's smallest step count for the Richardson extrapolations 2 L(2S) - L(S).
const RICHARDSON: usize = 2048;

fn limit_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let a = analysis(p, ctx)?;
    let fault = if v.is(NO_JACOBIAN) {
        ScoreFault::NoJacobian
    } else {
        ScoreFault::None
    };
    let ode = if v.is(ODE_WITHOUT_DIFFUSION) {
        OdeFault::NoDiffusion
    } else {
        OdeFault::None
    };
    let mut pairs = Vec::new();
    // (a) the exact score from the exact start: the limit is the Kalman posterior itself
    let (ma, pa) = a.kalman();
    let (m, c) = a.limit_law(Start::Exact, Likelihood::Exact, fault, ode, ODE_TOL)?;
    let near = |x: f64, y: f64, tol: f64| ((x - y).abs(), tol * (1.0 + y.abs()));
    pairs.extend(m.iter().zip(ma.iter()).map(|(x, y)| near(*x, *y, 1e-8)));
    pairs.extend(c.iter().zip(pa.iter()).map(|(x, y)| near(*x, *y, 1e-8)));
    // (b) every likelihood from EnSF's start: the recursion, extrapolated, meets the limit.
    // The recursion's error is c1 h + c2 h^2 + ...: R(S) = 2 L(2S) - L(S) leaves O(h^2), so
    // R(2S) - R(S) is three times R(2S)'s own remainder; it is the allowance, beside the ODE's
    for name in Likelihood::NAMES {
        let lk = Likelihood::from_name(name)?;
        let (ml, cl) = a.limit_law(Start::Standard, lk, fault, ode, ODE_TOL)?;
        let laws: Vec<_> = [1, 2, 4]
            .iter()
            .map(|k| a.output_law(k * RICHARDSON, Start::Standard, lk, fault))
            .collect::<Result<_, _>>()?;
        let rich = |i: usize| {
            let (m1, c1) = &laws[i];
            let (m2, c2) = &laws[i + 1];
            let m: Vec<f64> = m2.iter().zip(m1).map(|(b, a)| 2.0 * b - a).collect();
            let c: Vec<f64> = c2.iter().zip(c1).map(|(b, a)| 2.0 * b - a).collect();
            m.into_iter().chain(c).collect::<Vec<f64>>()
        };
        let (r1, r2) = (rich(0), rich(1));
        let ode_values: Vec<f64> = ml.iter().chain(cl.iter()).cloned().collect();
        for ((x, y), x1) in r2.iter().zip(&ode_values).zip(&r1) {
            pairs.push(((x - y).abs(), 1e-8 * (1.0 + y.abs()) + (x - x1).abs()));
        }
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "assimilation.score_filter.gaussian",
        kind: Kind::Scaling,
        status: Status::Claim,
        statement: "the score-based filter's analysis (EnSF's pseudo-time process x_t = alpha(t) x_0 + beta(t) z, alpha(t) = 1 - 0.95 t, beta^2(t) = t, reverse SDE by Euler-Maruyama on a uniform mesh of S steps) with the prior's exact noised score plus the exact noised likelihood term grad log p_t(y | x_t), started from the exact noised posterior at t = 1, converges to the Kalman posterior: KL(Kalman posterior || output) falls as S^-2, its log-log slope over S = 64, 128, 256 within 1/2 of -2 (linear-Gaussian problems with d = 2 or 6 and m = 1 or 3 observations, one y drawn from the prior predictive)",
        source: "the pseudo-time process, the damping h(t) = 1 - t and the sampler: Bao, Zhang, Zhang, An ensemble score filter for tracking high-dimensional nonlinear dynamical systems (CMAME 432, 2024, arXiv 2309.00983), read through its public code (zezhongzhang/EnSF: legacy_code/EnSF_L96.py, ScoreFilter/diffusion.py); the exact likelihood term and the order: derived (theory/assimilation.md section 12)",
        replicates: 1,
        grid,
        check: gaussian_check,
        controls: &[ENSF_DAMPING, TWEEDIE_MEAN, LIKELIHOOD_UNDAMPED],
    },
    Entry {
        id: "assimilation.score_filter.limit",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "the continuous-time limit of the score filter's output law, the reverse SDE's mean and covariance equations integrated by Dopri5 at tolerance 1e-11: (a) with the exact likelihood term from the exact noised posterior at t = 1 it is the Kalman posterior, mean and covariance within 1e-8 (1 + |value|); (b) for each likelihood term (exact, EnSF's damped, undamped, at Tweedie's mean) from EnSF's start N(0, I), the exact law L(S) of the Euler-Maruyama recursion, extrapolated as R(S) = 2 L(2S) - L(S), meets it: |R(4096) - limit| <= 1e-8 (1 + |limit|) + |R(4096) - R(2048)| (the second difference is three times R(4096)'s own O(h^2) remainder) in every mean and covariance entry",
        source: "derived (theory/assimilation.md section 12); the process and the likelihood terms as in assimilation.score_filter.gaussian",
        replicates: 1,
        grid,
        check: limit_check,
        controls: &[NO_JACOBIAN, ODE_WITHOUT_DIFFUSION],
    },
];

/// The measure `assimilation.score_filter`: one y per replicate (shared by every cell) on the fixed problem (`d`,
/// `m`), the sampler with `likelihood` from `start` in `steps` steps; its exact output law
/// against the Kalman posterior, and the continuous-time limit's.
pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let (d, m) = dims(p)?;
    let steps = p.usize_at_least("steps", 1)?;
    let lk = Likelihood::from_name(p.str("likelihood")?)?;
    let start = Start::from_name(p.str("start")?)?;
    let time = PseudoTime::new(p.f64_or("eps_alpha", EPS_ALPHA)?)?;
    let pr = problem(d, m, PROBLEM_SEED)?;
    // the truth and y from the replicate's common stream: every cell (likelihood, start,
    // steps) sees the same observations, so the curves differ by the sampler alone
    Ok(Box::new(move |_rng, common| {
        let z = Array1::from_shape_fn(d, |_| StandardNormal.sample(common));
        let x = &pr.m0 + &pr.l.dot(&z);
        let y = pr.obs.observe(&x, common);
        let a = ScoreAnalysis::new(pr.m0.clone(), pr.p.clone(), pr.obs.clone(), y, time)?;
        let law = a.output_law(steps, start, lk, ScoreFault::None)?;
        let limit = a.limit_law(start, lk, ScoreFault::None, OdeFault::None, 1e-11)?;
        let (ma, pa) = a.kalman();
        let e = &law.0 - ma;
        let m: Metrics = vec![
            ("kl".into(), kl_to_kalman(&a, &law)?),
            ("kl_limit".into(), kl_to_kalman(&a, &limit)?),
            ("mean_error".into(), (e.dot(&e) / pa.diag().sum()).sqrt()),
            (
                "spread_ratio".into(),
                (law.1.diag().sum() / pa.diag().sum()).sqrt(),
            ),
        ];
        Ok(m)
    }))
}
