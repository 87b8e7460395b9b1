//! What the assimilation family hands the experiment engine.
use crate::assimilation::{snyder_asymptote, CollapseCase, Proposal};
use crate::experiment::{Measure, Metrics, Replicate};
use crate::params::Params;
use crate::Error;

pub static MEASURES: &[Measure] = &[
    Measure {
        name: "assimilation.benchmark",
        description: "one twin experiment of a benchmark table (`setting`: l63_* in Sakov, Oliver & Bertino 2012's Lorenz63 set-up, l96_* in Sakov & Oke 2008's Lorenz96 set-up, each a method with its tuning from DAPPER's model files; `cycles`, the number of observation times (default 1000), and `burn_in`, how many of the first are left out of the averages, may be set; `N` runs an ETKF, EnKF or EnSF setting with another ensemble size, its inflation and rotations kept; `obs_var` replaces the setting's observation error variance and `dim` Lorenz96's number of variables (40); l63_pf_* DAPPER's bootstrap particle filter with its jitter, l63_ensf_* and l96_ensf_* EnSF with 100 steps, its prior score the mixture over the members or, `_own_`, each member's own kernel, theory section 12): a truth run and its observations from the replicate's stream, the method cycled against them; `rmse` the analysis RMSE sqrt(|x_a - x|^2 / d) averaged over the observation times after the burn-in, `rmse_ar1_half_width` its 95% half-width within the run from an AR(1) fit of the RMSE series, `spread` the ensemble's sqrt(tr P / d) averaged the same way (ensemble methods only), `published` the value DAPPER lists for the setting and `rmse_over_published` the ratio (both only at the setting's own ensemble size, observation noise and dimension, and not for EnSF, which DAPPER does not list) (theory/assimilation.md section 9)",
        metrics: &["rmse", "rmse_ar1_half_width", "spread", "published", "rmse_over_published"],
        indicators: &[],
        prepare: super::benchmark::prepare_measure,
        closed_form: None,
    },
    Measure {
        name: "assimilation.taxonomy",
        description: "the taxonomy's linear-Gaussian model (d = 4; `obs` full or coarse, observation noise `r`, the hybrid's model error `eps`, `prior` gaussian or mixture; `steps` observation times, default 20): one truth run and its observations; `kl_hybrid` and `kl_climatology`, KL(filtering posterior || target) at the last time for the hybrid- and climatology-trained targets (the cycle-trained target is the filtering posterior), and each target's mean's RMSE against the truth (`rmse_cycle`, `rmse_hybrid`, `rmse_climatology`) (theory/assimilation.md section 10)",
        metrics: &["kl_hybrid", "kl_climatology", "rmse_cycle", "rmse_hybrid", "rmse_climatology"],
        indicators: &[],
        prepare: super::taxonomy::prepare_measure,
        closed_form: None,
    },
    Measure {
        name: "assimilation.guidance",
        description: "dynamical guidance on the taxonomy's linear-Gaussian model (d = 4; `obs` full or coarse, observation noise `r`, no model error): per replicate N (`N`) training windows (x_{t-1}, x_t, x_{t+1}, y_t) from the stationary law, a forecast model F (affine) and an analysis model G (a conditional Gaussian, mean affine in the forecast and y_t, covariance the residuals') fitted by least squares under the `objectives` (a '+'-joined subset of forecast: F(x_{t-1}) ~ x_t; analysis: G(F(x_{t-1}), y_t) ~ x_t; forward: F(G(F(x_{t-1}), y_t)) ~ x_{t+1}; backward: G(x_{t+1}, y_t) ~ x_t and G(F(x_t), y_t) ~ x_t; alternating least squares when an alignment objective couples F and G), then cycled (x^F_t = F(x^A_{t-1}), x^A_t = G's mean) against the truth: `mse_over_kalman` the cycle's stationary mean squared analysis error over the Kalman filter's (exact, the least any analysis of the same observations attains; its excess is the squared distance to the exact posterior mean), `gain` the supervised pair's cycled error over this subset's on the same training set (above 1: the subset helps), `spread_over_mse` tr of G's covariance over the cycled error (1: calibrated), `diverged` whether the cycle has no stationary law, `rounds` the alternating rounds; `population_*` the same for the fit from the exact second moments (N to infinity) (theory/assimilation.md section 15)",
        metrics: &[
            "mse_over_kalman",
            "gain",
            "spread_over_mse",
            "diverged",
            "rounds",
            "population_mse_over_kalman",
            "population_gain",
            "population_spread_over_mse",
        ],
        indicators: &["diverged"],
        prepare: super::guidance::prepare_measure,
        closed_form: None,
    },
    Measure {
        name: "assimilation.guidance_lorenz63",
        description: "dynamical guidance on Lorenz63 with the benchmark's chronology (dt 0.01, observed every 25 steps with R = 2 I): per replicate a reference run of N (`N`) observation times trains a forecast model F and an analysis model G's mean, each a ridge regression on (1, input, `features` random Fourier features of length scale `length`, default 300 and 10; penalty `lambda` per pair, default 1e-6), under the `objectives` (as `assimilation.guidance`; `rounds` alternating rounds when they couple F and G, default 5), and the supervised pair on the same run and features; both are cycled on a fresh test run of 1000 observation times (x^A_0 = y_0, the first 64 left out): `rmse` this pair's time-averaged analysis RMSE, `supervised_rmse` the supervised pair's, `gain` the supervised pair's mean squared error over this one's (above 1: the objectives help), `spread_over_mse` G's stated variance over its cycled error, `diverged` whether the cycle left the attractor (a component beyond 200), `etkf_rmse` the benchmark's 10-member ETKF on the same test run (theory/assimilation.md section 15)",
        metrics: &["rmse", "supervised_rmse", "gain", "spread_over_mse", "diverged", "etkf_rmse"],
        indicators: &["diverged"],
        prepare: super::guidance::prepare_lorenz63,
        closed_form: None,
    },
    Measure {
        name: "assimilation.score_filter",
        description: "the score-based filter's analysis step on a fixed linear-Gaussian problem (`d` state components, `m` observations; prior, H and R fixed): per replicate one truth from the prior and its observation y, then EnSF's pseudo-time process (alpha(t) = 1 - (1 - eps_alpha) t, beta^2(t) = t, `eps_alpha` default 0.05) sampled by Euler-Maruyama in `steps` uniform steps from `start` (standard: N(0, I) as EnSF draws it; exact: the exact noised posterior at t = 1) with the prior's exact noised score plus the `likelihood` term (exact: grad log p_t(y | x_t); ensf_damped: (1 - t) grad log p(y | x_t); undamped; tweedie_mean: the likelihood at Tweedie's mean with R alone); `kl` KL(Kalman posterior || output law), exact; `kl_limit` the same for the continuous-time limit (steps to infinity); `mean_error` |mean - m_a| / sqrt(tr P_a); `spread_ratio` sqrt(tr V / tr P_a) (theory/assimilation.md section 12)",
        metrics: &["kl", "kl_limit", "mean_error", "spread_ratio"],
        indicators: &[],
        prepare: super::score_filter::prepare_measure,
        closed_form: None,
    },
    Measure {
    name: "assimilation.collapse",
    description: "Snyder, Bengtsson, Bickel & Anderson's test case in d dimensions (x_k ~ N(0, I_d) reached through x_{k-1} ~ N(0, (1 - q) I) and process noise N(0, q I), y = x_k + N(0, I); q defaults to 0.5): one draw of y and `Ne` particles from the `proposal` (bootstrap: the prior, weighted by p(y | x_k); optimal: p(x_k | x_{k-1}, y), weighted by p(y | x_{k-1})); `w_max` the largest normalised weight, `inv_w_max_minus_1` 1/w_max - 1, `ess_fraction` the effective sample size over Ne, `log_weight_variance` the log-weights' sample variance; with `bin_centre` (and `bin_width`, default 0.1) `in_bin`, whether w_max falls in that bar of a histogram; closed forms `tau2` (the proposal's tau^2, theory/assimilation.md section 5) and `asymptote` sqrt(2 ln Ne / tau^2), the conjectured large-tau form of E[1/w_max] - 1 (section 8)",
    metrics: &[
        "w_max",
        "inv_w_max_minus_1",
        "ess_fraction",
        "log_weight_variance",
        "tau2",
        "asymptote",
        "in_bin",
    ],
    indicators: &["in_bin"],
    prepare: prepare_collapse,
    closed_form: Some(collapse_closed),
},
Measure {
    name: "assimilation.pf_vs_etkf",
    description: "Lorenz96 with `dim` variables (F = 8, RK4 with dt = 0.05, every variable observed every step with unit error variance; `cycles` observation times, default 300, the first `burn_in`, default 100, left out): one truth run, the 24-member ETKF (inflation 1.013, random rotations) cycled on it, and the bootstrap particle filter (NER 0.5, jitter reg 0.7) run at 2 * 2^(j/2) particles until its time-averaged RMSE reaches the ETKF's (times 1 + `tolerance`, default 0); `particles_needed` that size (interpolated in ln N between the last two runs), the `cap` (default 2^13) when no size up to it does, `censored` whether it did not, `ln_particles_needed` its logarithm, `etkf_rmse` the ETKF's time-averaged analysis RMSE (theory/assimilation.md section 13)",
    metrics: &["particles_needed", "ln_particles_needed", "etkf_rmse", "censored"],
    indicators: &["censored"],
    prepare: super::benchmark::prepare_pf_vs_etkf,
    closed_form: None,
},
Measure {
    name: "assimilation.collapse_required",
    description: "Snyder, Bengtsson, Bickel & Anderson's test case (as `assimilation.collapse`) read as an ensemble size: `tau2`, the proposal's variance of the log-weights, sets the dimension d = tau2 / (lambda (3/2 lambda + 1)) (lambda = 1 for the bootstrap proposal, (1 - q)/(1 + q) for the optimal one; tau2 must give a whole d), so both proposals share one axis; `ne_star` the ensemble size N_e* at which the mean over `draws` (default 64) draws of y of 1/w_max - 1 first reaches `level` (default 1), the particles of each y nested and read at the sizes 2^(k/4), the crossing interpolated in ln N_e (refused beyond `cap` particles, default 2^19); `ln_ne_star` its logarithm; closed form `d` (theory/assimilation.md section 8)",
    metrics: &["ne_star", "ln_ne_star", "d"],
    indicators: &[],
    prepare: prepare_required,
    closed_form: Some(required_closed),
}];

/// The dimension whose tau^2 is the given one for a proposal (refused when it is not whole).
fn required_case(p: &Params) -> Result<CollapseCase, Error> {
    let q = p.f64_or("q", 0.5)?;
    let proposal = Proposal::from_name(p.str("proposal")?)?;
    let tau2 = p.positive("tau2")?;
    let per_dim = CollapseCase::new(1, q, proposal)?.tau2();
    let d = tau2 / per_dim;
    if (d - d.round()).abs() > 1e-9 * d.max(1.0) || d.round() < 1.0 {
        let near = (d.round().max(1.0)) * per_dim;
        return Err(crate::params::out_of_range(
            "tau2",
            p.get("tau2").expect("asked for"),
            &format!(
                "the {} proposal's tau^2 is {per_dim} per dimension, so tau2 must be a whole multiple of it (nearest: {near})",
                p.str("proposal")?
            ),
        )
        .into());
    }
    Ok(CollapseCase::new(d.round() as usize, q, proposal)?)
}

fn required_closed(p: &Params) -> Result<Metrics, Error> {
    Ok(vec![("d".into(), required_case(p)?.d as f64)])
}

fn prepare_required(p: &Params) -> Result<Replicate, Error> {
    let case = required_case(p)?;
    let level = p.positive_or("level", 1.0)?;
    let draws = p.usize_at_least_or("draws", 1, 64)?;
    let cap = p.usize_at_least_or("cap", 16, 1 << 19)?;
    let d = case.d as f64;
    Ok(Box::new(move |rng, _common| {
        let n = case.required_ensemble(level, draws, cap, rng)?;
        Ok(vec![
            ("ne_star".into(), n),
            ("ln_ne_star".into(), n.ln()),
            ("d".into(), d),
        ])
    }))
}

fn case(p: &Params) -> Result<(CollapseCase, usize), Error> {
    let d = p.usize_at_least("d", 1)?;
    let ne = p.usize_at_least("Ne", 2)?;
    let q = p.f64_or("q", 0.5)?;
    let proposal = Proposal::from_name(p.str("proposal")?)?;
    Ok((CollapseCase::new(d, q, proposal)?, ne))
}

fn collapse_closed(p: &Params) -> Result<Metrics, Error> {
    let (c, ne) = case(p)?;
    let tau2 = c.tau2();
    Ok(vec![
        ("tau2".into(), tau2),
        ("asymptote".into(), snyder_asymptote(ne, tau2)),
    ])
}

fn prepare_collapse(p: &Params) -> Result<Replicate, Error> {
    let (c, ne) = case(p)?;
    let closed = collapse_closed(p)?;
    // a histogram bar: whether w_max falls in [centre - width/2, centre + width/2), the
    // last bar closed at 1
    let bin = match p.has("bin_centre") {
        false => None,
        true => {
            let width = p.positive_or("bin_width", 0.1)?;
            let centre = p.f64("bin_centre")?;
            let (lo, hi) = (centre - width / 2.0, centre + width / 2.0);
            if !(lo >= -1e-12 && hi <= 1.0 + 1e-12) {
                return Err(crate::params::out_of_range(
                    "bin_centre",
                    p.get("bin_centre").expect("asked for"),
                    &format!("its bar [{lo}, {hi}) must lie within [0, 1], where weights lie"),
                )
                .into());
            }
            Some((lo, hi))
        }
    };
    Ok(Box::new(move |rng, _common| {
        let w = c.draw(ne, rng)?;
        let mut m: Metrics = vec![
            ("w_max".into(), w.w_max),
            ("inv_w_max_minus_1".into(), 1.0 / w.w_max - 1.0),
            ("ess_fraction".into(), w.ess_fraction),
            ("log_weight_variance".into(), w.log_weight_variance),
        ];
        if let Some((lo, hi)) = bin {
            let inside = w.w_max >= lo && (w.w_max < hi || (hi >= 1.0 - 1e-12 && w.w_max <= 1.0));
            m.push(("in_bin".into(), if inside { 1.0 } else { 0.0 }));
        }
        m.extend(closed.iter().cloned());
        Ok(m)
    }))
}
