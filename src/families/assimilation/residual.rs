//! Family `assimilation`, topic `residual`: coarse plus residual (issue #16) in the stationary
//! linear-Gaussian regime, where the best deterministic analysis is the Kalman mean and the
//! residual's law is N(0, P_a) (theory/assimilation.md section 11).
use super::*;
use crate::assimilation::{fit_linear_analysis, LinearAnalysis, ResidualFault, ResidualProblem};
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Variant};

/// T regressed on the observation alone.
pub const FORECAST_DROPPED: Control = Control::mutation(
    "forecast_dropped",
    "the deterministic analysis T regressed on y alone, the forecast mean u_F dropped from its inputs",
);

/// The residual law's covariance taken as the forecast's.
pub const RESIDUAL_AS_FORECAST_ERROR: Control = Control::mutation(
    "residual_as_forecast_error",
    "the residual model's covariance taken as the forecast error's P_f instead of the residual's own (what is left after T has used y)",
);

/// Full and coarse observations, r in {0.1, 1}, the taxonomy's model.
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for obs in ["full", "coarse"] {
        for r in [0.1, 1.0] {
            out.push(Params::new().with("obs", obs).with("r", r));
        }
    }
    out
}

fn problem(p: &Params) -> Result<ResidualProblem, Error> {
    let c = super::taxonomy::case(p, 0.0)?;
    Ok(ResidualProblem::stationary(&c.truth)?)
}

/// (|difference|, allowance) over two analyses' coefficients and residual covariances.
fn pairs(a: &LinearAnalysis, b: &LinearAnalysis) -> Vec<(f64, f64)> {
    let near = |x: &f64, y: &f64| ((x - y).abs(), 1e-9 * (1.0 + y.abs()));
    a.b_u
        .iter()
        .zip(b.b_u.iter())
        .chain(a.b_y.iter().zip(b.b_y.iter()))
        .chain(a.residual.iter().zip(b.residual.iter()))
        .chain(a.intercept.iter().zip(b.intercept.iter()))
        .map(|(x, y)| near(x, y))
        .collect()
}

fn optimal_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let pr = problem(p)?;
    let fault = if v.is(FORECAST_DROPPED) {
        ResidualFault::ForecastDropped
    } else {
        ResidualFault::None
    };
    Ok(Evidence::worst_exact(pairs(
        &pr.population(fault)?,
        &pr.kalman()?,
    )))
}

/// Training pairs per fitted analysis.
const TRAIN: usize = 400;

fn finite_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let pr = problem(p)?;
    let pa = pr.kalman()?.residual;
    let d = pa.nrows();
    let target = pa.diag().sum();
    let z = ctx.replicate("residual", |_, rng| {
        let (zz, x) = pr.sample(TRAIN, rng)?;
        let fitted = fit_linear_analysis(&zz, &x, d)?;
        let cov = if v.is(RESIDUAL_AS_FORECAST_ERROR) {
            // the forecast error's covariance estimated from the same pairs (x - u_F)
            let e = &x - &zz.slice(ndarray::s![.., ..d]);
            e.t().dot(&e) / (TRAIN - 1) as f64
        } else {
            fitted.residual
        };
        Ok::<f64, Error>(cov.diag().sum() / target)
    })?;
    Ok(Evidence::Mean {
        samples: z,
        target: crate::stats::Target::Within {
            value: 1.0,
            margin: 0.03,
        },
        support: crate::bounds::Support::Gaussian {
            why: "each replicate is the trace of a residual covariance averaged over 400 training triples",
        },
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "assimilation.residual.optimal",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "coarse plus residual in the stationary linear-Gaussian regime (the taxonomy's model, d = 4, full or pair-average observations, r = 0.1 or 1; forecast mean u_F ~ N(0, P_stat - P_f) and forecast error N(0, P_f) with P_f the steady Kalman forecast covariance): the population least-squares analysis of x on (u_F, y), from the exact second moments, is the Kalman analysis mean (I - K O) u_F + K y, and its residual covariance is the Kalman analysis covariance P_a, to 1e-9 (1 + |value|)",
        source: "issue #16 (the team's coarse-plus-residual design); derived in theory/assimilation.md section 11 (the conditional mean of a Gaussian is linear, so least squares attains it)",
        replicates: 1,
        grid,
        check: optimal_check,
        controls: &[FORECAST_DROPPED],
    },
    Entry {
        id: "assimilation.residual.finite",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "the same analysis fitted by least squares (with an intercept) on 400 training triples (u_F, y, x): its residual covariance RSS / (n - p), p = 1 + d + m, has expected trace tr P_a (E tr / tr P_a within 0.03 of 1)",
        source: "the unbiasedness of RSS / (n - p) in Gaussian linear regression (conditionally on the design, so also on average); theory/assimilation.md section 11",
        replicates: 16,
        grid,
        check: finite_check,
        controls: &[RESIDUAL_AS_FORECAST_ERROR],
    },
];
