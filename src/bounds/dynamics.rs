//! Family `dynamics`: integrators, Jacobians, Lyapunov spectra, Kalman filtering
//! (theory/dynamics.md states each entry).
use super::{Control, Ctx, Entry, Evidence, Kind, Scale, Variant};
use crate::dynamics::{
    finite_difference_jacobian, integrate, lyapunov_spectrum, rk4, Lorenz63, SystemSpec, V3,
};
use crate::filter::Kalman;
use crate::mc::{self, Rng};
use crate::params::Params;
use crate::Error;
use nalgebra::{Matrix2x4, Matrix4, SVector, Vector2, Vector4};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ChiSquared, ContinuousCDF};

const THEORY: &str = "theory/dynamics.md";

fn systems() -> Vec<Params> {
    vec![
        Params::new().with("system", "lorenz63"),
        Params::new().with("system", "langford"),
        Params::new()
            .with("system", "langford")
            .with("drift", 0.5)
            .with("period", 20.0),
    ]
}

// ------------------------------------------------------------- 1. RK4 order

fn rk4_order_grid(_s: Scale) -> Vec<Params> {
    vec![Params::new()
        .with("system", "lorenz63")
        .with("horizon", 0.25)]
}

fn rk4_order_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let horizon = p.positive("horizon")?;
    let x0 = spec.initial_state();
    let reference = *integrate(f, x0, horizon, horizon, 1e-13, 1e-13)?
        .x
        .last()
        .ok_or_else(|| Error::Unknown("empty trajectory".into()))?;
    // the asymptotic range: errors 3e-6 .. 7e-10, above the reference's ~1e-13
    let hs = [0.01, 0.005, 0.0025, 0.00125];
    let mut x = Vec::new();
    let mut err = Vec::new();
    for h in hs {
        let n = (horizon / h).round() as usize;
        let xe = rk4(f, x0, 0.0, horizon, n)?;
        x.push(h);
        err.push((xe - reference).norm());
    }
    let (lo, hi) = if v.is("fifth_order") {
        (4.7, 5.3)
    } else {
        (3.7, 4.3)
    };
    Ok(Evidence::Slope {
        se: vec![0.0; x.len()],
        x,
        mean: err,
        lo,
        hi,
    })
}

fn dop853_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let horizon = p.positive("horizon")?;
    let x0 = spec.initial_state();
    let last = |tol: f64| -> Result<V3, Error> {
        integrate(f, x0, horizon, horizon, tol, tol)?
            .x
            .last()
            .copied()
            .ok_or_else(|| Error::Unknown("empty trajectory".into()))
    };
    let reference = last(1e-14)?;
    let c = v.pick("tolerance_hundredth", 1.0, 0.01);
    let mut pairs = Vec::new();
    for tol in [1e-4, 1e-6, 1e-8, 1e-10] {
        let x = last(tol)?;
        pairs.push(((x - reference).amax(), c * tol * (1.0 + reference.amax())));
    }
    Ok(Evidence::worst_exact(pairs))
}

// -------------------------------------------------------------- 2. Jacobians

fn jacobian_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let mut rng = mc::stream(ctx.seed, ctx.cell, 0);
    let mut pairs = Vec::new();
    for _ in 0..20 {
        let x = V3::from_fn(|_, _| rng.random_range(-3.0..3.0)) + spec.initial_state();
        let t: f64 = rng.random_range(0.0..50.0);
        let mut j = f.jacobian(t, &x);
        if v.is("dropped_term") {
            // a classic slip: the -z in d(ydot)/dx of Lorenz, the cubic term of Langford's zdot
            j[(1, 0)] += x[2];
            j[(2, 0)] -= 3.0 * 0.1 * x[2] * x[0] * x[0];
        }
        let fd = finite_difference_jacobian(f, t, &x, 1e-6);
        let scale = fd.amax().max(1.0);
        pairs.push(((j - fd).amax() / scale, 1e-6));
    }
    Ok(Evidence::worst_exact(pairs))
}

// ------------------------------------------------------- 3-4. Lyapunov spectra

fn lyapunov_horizon(s: Scale) -> f64 {
    match s {
        Scale::Quick => 2000.0,
        Scale::Full => 5000.0,
    }
}

fn lorenz_lyapunov_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let t = p.positive("T")?;
    let f = Lorenz63::default();
    let run = lyapunov_spectrum(&f, V3::new(1.0, 1.0, 20.0), 0.01, 20.0, t, 1)?;
    let reference = v.pick("wrong_reference", 0.9056, 1.0);
    let [l1, l2, l3] = run.exponents;
    let sum_exact = -(f.sigma + 1.0 + f.beta);
    Ok(Evidence::worst_exact([
        ((l1 - reference).abs(), 0.02),
        ((l1 + l2 + l3 - sum_exact).abs(), 1e-2),
    ]))
}

fn trace_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let t = lyapunov_horizon(ctx.scale);
    let run = lyapunov_spectrum(f, spec.initial_state(), 0.01, 50.0, t, 1)?;
    let sum: f64 = run.exponents.iter().sum();
    // the control claims volume preservation: the exponents sum to zero
    let target = if v.is("volume_preserving") {
        0.0
    } else {
        run.mean_divergence
    };
    let mut pairs = vec![((sum - target).abs(), 1e-2)];
    if f.autonomous() {
        let zero = run
            .exponents
            .iter()
            .fold(f64::INFINITY, |m, l| m.min(l.abs()));
        pairs.push((zero, 0.01));
    }
    Ok(Evidence::worst_exact(pairs))
}

// ------------------------------------------------------------- 5-6. Kalman

/// 2-D constant-velocity tracking: state (position, velocity), position observed.
pub fn tracking_model(dt: f64, accel: f64, obs: f64) -> Kalman<4, 2> {
    let a = Matrix4::new(
        1.0, 0.0, dt, 0.0, 0.0, 1.0, 0.0, dt, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    );
    let (q11, q12, q22) = (dt.powi(3) / 3.0, dt.powi(2) / 2.0, dt);
    let q = Matrix4::new(
        q11, 0.0, q12, 0.0, 0.0, q11, 0.0, q12, q12, 0.0, q22, 0.0, 0.0, q12, 0.0, q22,
    ) * (accel * accel);
    let o = Matrix2x4::new(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    Kalman {
        a,
        b: Vector4::zeros(),
        q,
        o,
        r: nalgebra::Matrix2::identity() * (obs * obs),
    }
}

fn gauss<const N: usize>(rng: &mut Rng) -> SVector<f64, N> {
    SVector::<f64, N>::from_fn(|_, _| StandardNormal.sample(rng))
}

/// Simulate the model from N(0, P0) for `steps` observations.
pub fn simulate_tracking(
    k: &Kalman<4, 2>,
    p0: &Matrix4<f64>,
    steps: usize,
    rng: &mut Rng,
) -> (Vec<Vector4<f64>>, Vec<Vector2<f64>>) {
    let lq = k.q.cholesky().map(|c| c.l()).unwrap_or_else(Matrix4::zeros);
    let lp = p0.cholesky().map(|c| c.l()).unwrap_or_else(Matrix4::zeros);
    let lr =
        k.r.cholesky()
            .map(|c| c.l())
            .unwrap_or_else(nalgebra::Matrix2::zeros);
    let mut x = lp * gauss::<4>(rng);
    let (mut xs, mut ys) = (Vec::with_capacity(steps), Vec::with_capacity(steps));
    for s in 0..steps {
        if s > 0 {
            x = k.a * x + k.b + lq * gauss::<4>(rng);
        }
        ys.push(k.o * x + lr * gauss::<2>(rng));
        xs.push(x);
    }
    (xs, ys)
}

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
            let (xs, ys) = simulate_tracking(&k, &p0, steps, rng);
            let run = assumed
                .filter(Vector4::zeros(), p0, &ys)
                .map_err(|e| Error::Unknown(e.to_string()))?;
            let (m, pm) = run.filtered[steps - 1];
            let e = xs[steps - 1] - m;
            let nees = pm
                .cholesky()
                .map(|c| e.dot(&c.solve(&e)))
                .unwrap_or(f64::INFINITY);
            Ok((e.norm_squared() - pm.trace(), nees))
        },
    )
}

fn kalman_mse_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let errs = kalman_errors(p, ctx, v.pick("q_misspecified", 1.0, 0.25))?;
    Ok(Evidence::Mean {
        samples: errs.iter().map(|e| e.0).collect(),
        bound: 0.0,
        two_sided: true,
    })
}

fn kalman_nees_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let errs = kalman_errors(p, ctx, v.pick("q_misspecified", 1.0, 0.25))?;
    let delta = 0.1;
    let q = ChiSquared::new(4.0)
        .map_err(|e| Error::Unknown(e.to_string()))?
        .inverse_cdf(1.0 - delta);
    Ok(Evidence::Tail {
        violations: errs.iter().filter(|e| e.1 > q).count() as u64,
        n: errs.len() as u64,
        delta,
        two_sided: true,
    })
}

fn kalman_exact_check(_p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    use crate::filter::{stacked_posterior, LinearGaussianModel};
    use crate::prob::Gmm;
    let k = tracking_model(0.1, 1.0, 0.5);
    let p0 = Matrix4::identity() * 2.0;
    let mut rng = mc::stream(ctx.seed, ctx.cell, 0);
    let (_, ys) = simulate_tracking(&k, &p0, 8, &mut rng);
    let run = k
        .filter(Vector4::zeros(), p0, &ys)
        .map_err(|e| Error::Unknown(e.to_string()))?;
    let sm = k.smooth(&run);
    let nd = |m: &[f64], r: usize, c: usize| {
        ndarray::Array2::from_shape_fn((r, c), |(i, j)| m[j * r + i])
    };
    let model = LinearGaussianModel {
        a: nd(k.a.as_slice(), 4, 4),
        b: ndarray::Array1::zeros(4),
        q: nd(k.q.as_slice(), 4, 4),
        o: nd(k.o.as_slice(), 2, 4),
        r: nd(k.r.as_slice(), 2, 2),
    };
    let prior = Gmm::gaussian(ndarray::Array1::zeros(4), nd(p0.as_slice(), 4, 4))?;
    let ysn: Vec<_> = ys.iter().map(|y| ndarray::arr1(&[y[0], y[1]])).collect();
    let mut pairs = Vec::new();
    for target in 0..ys.len() {
        let post = stacked_posterior(&prior, &model, &ysn, target)?;
        let (m, pm) = if v.is("filter_for_smoother") {
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

// ------------------------------------------ 8. history beats the window (conjecture)

/// The Langford phase problem of a parameter set (noise, drift, period, dt, steps).
pub fn phase_problem(p: &Params) -> Result<crate::dynamics::PhaseProblem, Error> {
    let sys = crate::dynamics::Langford {
        drift: p.f64_or("drift", 0.0)?,
        period: p.positive_or("period", 20.0)?,
        ..crate::dynamics::Langford::default()
    };
    Ok(crate::dynamics::PhaseProblem {
        sys,
        dt: p.positive_or("dt", 0.05)?,
        steps: p
            .usize_at_least("steps", 10)
            .or_else(|_| Ok::<usize, Error>(600))?,
        noise: p.nonnegative("noise")?,
        burn_in: 100,
    })
}

/// Window lengths the conjecture compares against (the best one in hindsight).
pub const WINDOWS: [usize; 7] = [2, 3, 5, 10, 20, 40, 80];

fn history_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for noise in [0.01, 0.05, 0.2] {
        for drift in [0.0, 0.5, 1.5] {
            out.push(
                Params::new()
                    .with("noise", noise)
                    .with("drift", drift)
                    .with("period", 20.0)
                    .with("steps", 600usize),
            );
        }
    }
    out
}

fn history_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let prob = phase_problem(p)?;
    let scores = mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        prob.scores(&WINDOWS, rng)
    })?;
    // the best window in hindsight: smallest mean RMSE over the replicates
    let best = (0..WINDOWS.len())
        .min_by(|&a, &b| {
            let m = |i: usize| scores.iter().map(|s| s.windows[i].1).sum::<f64>();
            m(a).total_cmp(&m(b))
        })
        .unwrap_or(0);
    let c = v.pick("ekf_halves_the_error", 1.0, 0.5);
    Ok(Evidence::Mean {
        samples: scores
            .iter()
            .map(|s| s.ekf - c * s.windows[best].1)
            .collect(),
        bound: 0.0,
        two_sided: false,
    })
}

/// The family's entries.
pub static ENTRIES: [Entry; 9] = [
    Entry {
        id: "dynamics.rk4.order",
        family: "dynamics",
        kind: Kind::Scaling,
        statement: "RK4's global error on Lorenz63 over t in [0, 0.25] scales as h^4 (slope of log error vs log h in [3.7, 4.3])",
        source: "classical (Hairer, Norsett, Wanner I, II.3)",
        theory: THEORY,
        replicates: 1,
        grid: rk4_order_grid,
        check: rk4_order_check,
        controls: &[Control { name: "fifth_order", description: "slope in [4.7, 5.3]" }],
        expected: None,
    },
    Entry {
        id: "dynamics.dop853.tolerance",
        family: "dynamics",
        kind: Kind::Exact,
        statement: "Dop853 (ode_solvers) meets its tolerance over a short horizon: on Lorenz63, t in [0, 0.25], ||x - x_ref||_inf <= tol (1 + ||x_ref||_inf) for rtol = atol = tol in {1e-4, ..., 1e-10}",
        source: "local error control (Hairer, Norsett, Wanner I, II.4); reference at tol 1e-14",
        theory: THEORY,
        replicates: 1,
        grid: |_| vec![Params::new().with("system", "lorenz63").with("horizon", 0.25)],
        check: dop853_check,
        controls: &[Control { name: "tolerance_hundredth", description: "error below tol / 100" }],
        expected: None,
    },
    Entry {
        id: "dynamics.jacobian",
        family: "dynamics",
        kind: Kind::Exact,
        statement: "closed-form Jacobians equal central finite differences to 1e-6 (relative to the largest entry) at random states",
        source: "derived by hand; checked numerically",
        theory: THEORY,
        replicates: 1,
        grid: |_| systems(),
        check: jacobian_check,
        controls: &[Control { name: "dropped_term", description: "one term of the Jacobian dropped" }],
        expected: None,
    },
    Entry {
        id: "dynamics.lyapunov.lorenz",
        family: "dynamics",
        kind: Kind::Exact,
        statement: "Lorenz63 (10, 28, 8/3): |lambda_1 - 0.9056| <= 0.02 at T >= 2000, and sum lambda_i = -(sigma + 1 + beta) = -13.667 to 1e-2",
        source: "Sprott, Chaos and Time-Series Analysis (2003), table of Lyapunov exponents",
        theory: THEORY,
        replicates: 1,
        grid: |s| vec![Params::new().with("T", lyapunov_horizon(s))],
        check: lorenz_lyapunov_check,
        controls: &[Control { name: "wrong_reference", description: "lambda_1 = 1.0" }],
        expected: None,
    },
    Entry {
        id: "dynamics.lyapunov.trace",
        family: "dynamics",
        kind: Kind::Exact,
        statement: "sum of the exponents = time-averaged divergence along the same trajectory (to 1e-2); one exponent is zero (within 0.01) for autonomous flows",
        source: "Liouville's formula det Phi = exp(int tr J); Haken (1983) for the zero exponent",
        theory: THEORY,
        replicates: 1,
        grid: |_| systems(),
        check: trace_check,
        controls: &[Control { name: "volume_preserving", description: "the exponents sum to zero" }],
        expected: None,
    },
    Entry {
        id: "dynamics.kalman.exact",
        family: "dynamics",
        kind: Kind::Exact,
        statement: "the Kalman filter's and the RTS smoother's moments equal brute-force conditioning of the stacked Gaussian system (1e-9)",
        source: "Bayes' rule for jointly Gaussian vectors",
        theory: THEORY,
        replicates: 1,
        grid: |_| vec![Params::new().with("model", "tracking")],
        check: kalman_exact_check,
        controls: &[Control { name: "filter_for_smoother", description: "the filtered moments reported as the smoothed ones" }],
        expected: None,
    },
    Entry {
        id: "dynamics.kalman.calibration",
        family: "dynamics",
        kind: Kind::Expectation,
        statement: "E||x_t - m_t||^2 = tr P_t for the Kalman filter on data from its model (two-sided)",
        source: "P_t is the posterior covariance",
        theory: THEORY,
        replicates: 4000,
        grid: kalman_grid,
        check: kalman_mse_check,
        controls: &[Control { name: "q_misspecified", description: "the filter assumes Q / 4" }],
        expected: None,
    },
    Entry {
        id: "dynamics.kalman.nees",
        family: "dynamics",
        kind: Kind::HighProbability,
        statement: "NEES (x_t - m_t)^T P_t^{-1} (x_t - m_t) ~ chi^2_4: it exceeds the 0.9 quantile with probability exactly 0.1",
        source: "Bar-Shalom, Li, Kirubarajan (2001), 5.4",
        theory: THEORY,
        replicates: 4000,
        grid: kalman_grid,
        check: kalman_nees_check,
        controls: &[Control { name: "q_misspecified", description: "the filter assumes Q / 4" }],
        expected: None,
    },
    Entry {
        id: "dynamics.conjecture.history_beats_window",
        family: "dynamics",
        kind: Kind::Conjecture,
        statement: "Langford with a drifting frequency, noisy (x, y): the EKF (phase, frequency, amplitude) predicts the next (x, y) better than the best window estimator",
        source: "research notes (tracking the full history beats windowing)",
        theory: THEORY,
        replicates: 12,
        grid: history_grid,
        check: history_check,
        controls: &[Control { name: "ekf_halves_the_error", description: "the EKF's error is below half the best window's" }],
        expected: None,
    },
];
