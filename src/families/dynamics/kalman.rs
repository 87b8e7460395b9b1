//! Family `dynamics`, topic `kalman`.
use super::*;

pub const FILTER_FOR_SMOOTHER: Control = Control::mutation(
    "filter_for_smoother",
    "the filtered moments reported as the smoothed ones",
);
pub const Q_MISSPECIFIED: Control = Control::mutation("q_misspecified", "the filter assumes Q / 4");

/// E||x_t - m_t||^2 / tr P_t = 1 is checked to within this margin (theory/dynamics.md).
const CALIBRATION_MARGIN: f64 = 0.05;
/// P[NEES > chi^2_4 quantile 0.9] = 0.1 is checked to within this margin.
const NEES_MARGIN: f64 = 0.02;

fn kalman_grid(_s: Scale) -> Vec<Params> {
    [0.1, 1.0]
        .iter()
        .flat_map(|&obs| {
            [1.0, 0.2].map(|accel| {
                Params::new()
                    .with("obs_noise", obs)
                    .with("accel", accel)
                    .with("steps", 20usize)
            })
        })
        .collect()
}

/// Replicates of the final-step error of a filter that assumes `q_scale` times the true Q.
fn kalman_errors(p: &Params, ctx: &Ctx, q_scale: f64) -> Result<Vec<(f64, f64)>, Error> {
    let k = tracking_model(0.1, p.positive("accel")?, p.positive("obs_noise")?);
    let steps = p.usize_at_least("steps", 1)?;
    let p0 = Matrix4::identity();
    let assumed = Kalman {
        q: k.q * q_scale,
        ..k
    };
    mc::try_replicate(
        ctx.replicates,
        ctx.seed,
        ctx.cell,
        |_, rng| -> Result<(f64, f64), Error> {
            let (xs, ys) = simulate_tracking(&k, &p0, steps, rng)?;
            let run = assumed
                .filter(Vector4::zeros(), p0, &ys)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let (m, pm) = run.filtered[steps - 1];
            let e = xs[steps - 1] - m;
            let nees = pm
                .cholesky()
                .map(|c| e.dot(&c.solve(&e)))
                .unwrap_or(f64::INFINITY);
            Ok((e.norm_squared() / pm.trace(), nees))
        },
    )
}

fn kalman_mse_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let errs = kalman_errors(p, ctx, v.pick(Q_MISSPECIFIED, 1.0, 0.25))?;
    Ok(Evidence::Mean {
        samples: errs.iter().map(|e| e.0).collect(),
        target: Target::Within {
            value: 1.0,
            margin: CALIBRATION_MARGIN,
        },
        support: Support::Unbounded,
    })
}

fn kalman_nees_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let errs = kalman_errors(p, ctx, v.pick(Q_MISSPECIFIED, 1.0, 0.25))?;
    let delta = 0.1;
    let q = ChiSquared::new(4.0)
        .map_err(|e| Error::Internal(e.to_string()))?
        .inverse_cdf(1.0 - delta);
    Ok(Evidence::Tail {
        violations: errs.iter().filter(|e| e.1 > q).count() as u64,
        n: errs.len() as u64,
        target: Target::Within {
            value: delta,
            margin: NEES_MARGIN,
        },
        // a rate claimed equal to delta: the rate over delta is the telling number
        quantile_ratio: None,
    })
}

fn kalman_exact_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    use crate::filter::stacked_posterior;
    use crate::prob::Gmm;
    // the grid names the model it compares on; only the tracking model is built here
    if p.str("model")? != "tracking" {
        return Err(Error::Input(format!(
            "model `{}`: the exact-filter comparison is built for `tracking`",
            p.str("model")?
        )));
    }
    let k = tracking_model(0.1, 1.0, 0.5);
    let p0 = Matrix4::identity() * 2.0;
    let mut rng = mc::stream(ctx.seed, ctx.cell, 0);
    let (_, ys) = simulate_tracking(&k, &p0, 8, &mut rng)?;
    let run = k
        .filter(Vector4::zeros(), p0, &ys)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let sm = k.smooth(&run);
    let nd = |m: &[f64], r: usize, c: usize| {
        ndarray::Array2::from_shape_fn((r, c), |(i, j)| m[j * r + i])
    };
    let model = k.state_space()?;
    let prior = Gmm::gaussian(ndarray::Array1::zeros(4), nd(p0.as_slice(), 4, 4))?;
    let ysn: Vec<_> = ys.iter().map(|y| ndarray::arr1(&[y[0], y[1]])).collect();
    let mut pairs = Vec::new();
    for target in 0..ys.len() {
        let post = stacked_posterior(&prior, &model, &ysn, target)?;
        let (m, pm) = if v.is(FILTER_FOR_SMOOTHER) {
            run.filtered[target]
        } else {
            sm[target]
        };
        let mut diff = 0.0f64;
        for i in 0..4 {
            diff = diff.max((post.mean_of(0)[i] - m[i]).abs());
            for j in 0..4 {
                diff = diff.max((post.cov_of(0).matrix()[[i, j]] - pm[(i, j)]).abs());
            }
        }
        pairs.push((diff, 0.0));
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.kalman.exact",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "the Kalman filter's and the RTS smoother's moments equal brute-force conditioning of the stacked Gaussian system (1e-9)",
        source: "Bayes' rule for jointly Gaussian vectors",
        replicates: 1,
        grid: |_| vec![Params::new().with("model", "tracking")],
        check: kalman_exact_check,
        controls: &[FILTER_FOR_SMOOTHER],
    },
    Entry {
        id: "dynamics.kalman.calibration",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "E||x_t - m_t||^2 = tr P_t for the Kalman filter on data from its model (two-sided)",
        source: "P_t is the posterior covariance",
        replicates: 4000,
        grid: kalman_grid,
        check: kalman_mse_check,
        controls: &[Q_MISSPECIFIED],
    },
    Entry {
        id: "dynamics.kalman.nees",
        kind: Kind::HighProbability,
        status: Status::Claim,
        statement: "NEES (x_t - m_t)^T P_t^{-1} (x_t - m_t) ~ chi^2_4: it exceeds the 0.9 quantile with probability exactly 0.1",
        source: "Bar-Shalom, Li, Kirubarajan (2001), 5.4",
        replicates: 4000,
        grid: kalman_grid,
        check: kalman_nees_check,
        controls: &[Q_MISSPECIFIED],
    },
];
