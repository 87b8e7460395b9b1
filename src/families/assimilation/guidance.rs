//! Family `assimilation`, topic `guidance`: the team's dynamical guidance (issue #16) in the
//! linear-Gaussian case, F and G learned by least squares under each subset of the four
//! objectives and their cycled analysis error in closed form (theory/assimilation.md
//! section 15).
use super::*;
use crate::assimilation::{Objectives, Windows};
use crate::bounds::{
    Control, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant,
};
use crate::experiment::{Metrics, Replicate};
use crate::stats::{Target, Verdict};

/// The windows of a grid point: the taxonomy's model (d = 4, `obs` full or coarse,
/// observation noise `r`) without model error.
fn windows(p: &Params) -> Result<Windows, Error> {
    let c = super::taxonomy::case(p, 0.0)?;
    Ok(Windows::new(&c.truth)?)
}

fn objectives(p: &Params) -> Result<Objectives, Error> {
    Ok(Objectives::parse(p.str("objectives")?)?)
}

/// Training windows per fit at a grid point.
fn windows_n(p: &Params) -> Result<usize, Error> {
    Ok(p.usize_at_least("N", 20)?)
}

pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let w = windows(p)?;
    let obj = objectives(p)?;
    let n = windows_n(p)?;
    let kalman = w.kalman_mse;
    let pop = w.cycled(&w.train(&w.population(), obj)?);
    let pop_sup = w.cycled(&w.train(&w.population(), Objectives::SUPERVISED)?);
    Ok(Box::new(move |rng, _common| {
        let s = w.sample(n, rng);
        let this = w.train(&s, obj)?;
        let sup = w.cycled(&w.train(&s, Objectives::SUPERVISED)?);
        let e = w.cycled(&this);
        let diverged = if e.mse.is_finite() { 0.0 } else { 1.0 };
        let m: Metrics = vec![
            ("mse_over_kalman".into(), e.mse / kalman),
            ("gain".into(), sup.mse / e.mse),
            ("spread_over_mse".into(), e.spread / e.mse),
            ("diverged".into(), diverged),
            ("rounds".into(), this.rounds as f64),
            ("population_mse_over_kalman".into(), pop.mse / kalman),
            ("population_gain".into(), pop_sup.mse / pop.mse),
            ("population_spread_over_mse".into(), pop.spread / pop.mse),
        ];
        Ok(m)
    }))
}

/// The alignment objectives replaced by the analysis on its own forecast: a positive control.
pub const UNROLLED_INSTEAD: Control = Control::positive_mutation(
    "unrolled_instead",
    "forward and backward alignment replaced by the analysis on its own forecast (G trained on F of its own analysis of the step before, one step unrolled): an added objective that does give G the forecast error the cycle has, so the check must find it lowers the cycled error (HOLDS or SUPPORTED)",
    &[Verdict::Holds, Verdict::Supported],
);

/// Training windows per fit in the entry.
const TRAIN: usize = 400;

/// Full and coarse observations, r in {0.1, 1}, 400 training windows, at both scales (a
/// replicate costs milliseconds).
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for obs in ["full", "coarse"] {
        for r in [0.1, 1.0] {
            out.push(Params::new().with("obs", obs).with("r", r).with("N", TRAIN));
        }
    }
    out
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let w = windows(p)?;
    let n = windows_n(p)?;
    let added = if v.is(UNROLLED_INSTEAD) {
        Objectives {
            unrolled: true,
            ..Objectives::SUPERVISED
        }
    } else {
        Objectives::ALL
    };
    let runs = ctx.replicate("guidance", |_, rng| {
        let s = w.sample(n, rng);
        let sup = w.cycled(&w.train(&s, Objectives::SUPERVISED)?);
        let fitted = w.train(&s, added)?;
        let with = w.cycled(&fitted);
        Ok::<_, Error>((with.mse, sup.mse, fitted.settled))
    })?;
    let diverged = |mse: f64| -> f64 {
        if mse.is_finite() {
            0.0
        } else {
            1.0
        }
    };
    let premises = vec![
        Premise::worst(
            "both cycles have a stationary law (no run diverged)",
            runs.iter().map(|r| (diverged(r.0).max(diverged(r.1)), 0.0)),
        ),
        Premise::worst(
            "the alternating fit settled (to 1e-10) in every run",
            runs.iter().map(|r| (if r.2 { 0.0 } else { 1.0 }, 0.0)),
        ),
    ];
    Ok(Evidence::Mean {
        samples: runs.iter().map(|r| (r.0 / r.1).ln()).collect(),
        target: Target::AtMost(0.0),
        support: Support::Gaussian {
            why: "each replicate is the log ratio of two smooth functions of the second moments of 400 training windows",
        },
    }
    .with_premises(premises))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "assimilation.guidance.alignment",
    kind: Kind::Expectation,
    status: Status::Conjecture {
        expected: Some(Verdict::Refuted),
    },
    statement: "dynamical guidance on the taxonomy's linear-Gaussian model (d = 4, observed fully or by pair averages, r = 0.1 or 1): an affine forecast model F and a conditional-Gaussian analysis model G fitted by least squares on 400 reference windows with the forward and backward alignment objectives added to the supervised ones have a cycled (x^F = F(x^A), x^A = G's mean) stationary analysis error no larger than with the supervised objectives alone: E ln(MSE with alignment / MSE supervised) <= 0, both MSEs exact for the fitted pair",
    source: "the team's dynamical-guidance design (issue #16, notes of Dec 5); closed forms derived in theory/assimilation.md section 15",
    replicates: 32,
    grid,
    check,
    controls: &[UNROLLED_INSTEAD],
}];

/// The Lorenz63 benchmark's ETKF setting: its chronology (dt 0.01, observed every 25 steps
/// with R = 2 I) for the reference and test runs, and its RMSE on the test run beside the
/// learned pair's.
const L63_REFERENCE: &str = "l63_etkf_n10";

/// Test-run observation times (the benchmark's 1000, the first 64 burn-in).
const L63_TEST_CYCLES: usize = 1000;

/// A learned analysis whose state leaves |x_i| <= 200 has left Lorenz63's attractor.
const L63_BOUND: f64 = 200.0;

pub(super) fn prepare_lorenz63(p: &Params) -> Result<Replicate, Error> {
    use crate::assimilation::{cycle_features, train_features, FeatureSettings};
    let obj = objectives(p)?;
    let n = windows_n(p)?;
    let set = FeatureSettings {
        features: p.usize_at_least_or("features", 1, 300)?,
        length: p.positive_or("length", 10.0)?,
        lambda: p.positive_or("lambda", 1e-6)?,
        rounds: p.usize_at_least_or("rounds", 1, 5)?,
    };
    let setting = super::benchmark::setting(L63_REFERENCE)?;
    let base = super::benchmark::twin(setting, &Params::new())?;
    let train = crate::assimilation::Twin {
        cycles: n + 3,
        burn_in: 0,
        ..base
    };
    let test = crate::assimilation::Twin {
        cycles: L63_TEST_CYCLES,
        ..base
    };
    let method = setting.method;
    Ok(Box::new(move |rng, _common| {
        let (xs, ys) = train.truth(rng)?;
        let (xt, yt) = test.truth(rng)?;
        let sup = train_features(&xs, &ys, Objectives::SUPERVISED, set, &mut rng.clone())?;
        let this = train_features(&xs, &ys, obj, set, &mut rng.clone())?;
        let s = cycle_features(&sup, &xt, &yt, test.burn_in, L63_BOUND)?;
        let e = cycle_features(&this, &xt, &yt, test.burn_in, L63_BOUND)?;
        let etkf = test.run(method, &xt, &yt, rng)?;
        let m: Metrics = vec![
            ("rmse".into(), e.rmse),
            ("supervised_rmse".into(), s.rmse),
            ("gain".into(), s.mse / e.mse),
            ("spread_over_mse".into(), e.spread / e.mse),
            ("diverged".into(), if e.mse.is_finite() { 0.0 } else { 1.0 }),
            ("etkf_rmse".into(), crate::stats::mean_sd(&etkf.rmse).0),
        ];
        Ok(m)
    }))
}
