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
        name: "assimilation.score_filter",
        description: "the score-based filter's analysis step on a fixed linear-Gaussian problem (`d` state components, `m` observations; prior, H and R fixed): per replicate one truth from the prior and its observation y, then EnSF's pseudo-time process (alpha(t) = 1 - (1 - eps_alpha) t, beta^2(t) = t, `eps_alpha` default 0.05) sampled by Euler-Maruyama in `steps` uniform steps from `start` (standard: N(0, I) as EnSF draws it; exact: the exact noised posterior at t = 1) with the prior's exact noised score plus the `likelihood` term (exact: grad log p_t(y | x_t); ensf_damped: (1 - t) grad log p(y | x_t); undamped; tweedie_mean: the likelihood at Tweedie's mean with R alone); `kl` KL(Kalman posterior || output law), exact; `kl_limit` the same for the continuous-time limit (steps to infinity); `mean_error` |mean - m_a| / sqrt(tr P_a); `spread_ratio` sqrt(tr V / tr P_a) (theory/assimilation.md section 12)",
        metrics: &["kl", "kl_limit", "mean_error", "spread_ratio"],
        indicators: &[],
        prepare: super::score_filter::prepare_measure,
        closed_form: None,
    },
    Measure {
    name: "assimilation.collapse",
    description: "Snyder, Bengtsson, Bickel & Anderson's test case in d dimensions (x_k ~ N(0, I_d) reached through x_{k-1} ~ N(0, (1 - q) I) and process noise N(0, q I), y = x_k + N(0, I); q defaults to 0.5): one draw of y and `Ne` particles from the `proposal` (bootstrap: the prior, weighted by p(y | x_k); optimal: p(x_k | x_{k-1}, y), weighted by p(y | x_{k-1})); `w_max` the largest normalised weight, `inv_w_max_minus_1` 1/w_max - 1, `ess_fraction` the effective sample size over Ne, `log_weight_variance` the log-weights' sample variance; closed forms `tau2` (the proposal's tau^2, theory/assimilation.md section 5) and `asymptote` sqrt(2 ln Ne / tau^2), the conjectured large-tau form of E[1/w_max] - 1 (section 8)",
    metrics: &[
        "w_max",
        "inv_w_max_minus_1",
        "ess_fraction",
        "log_weight_variance",
        "tau2",
        "asymptote",
    ],
    indicators: &[],
    prepare: prepare_collapse,
    closed_form: Some(collapse_closed),
}];

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
    Ok(Box::new(move |rng, _common| {
        let w = c.draw(ne, rng)?;
        let mut m: Metrics = vec![
            ("w_max".into(), w.w_max),
            ("inv_w_max_minus_1".into(), 1.0 / w.w_max - 1.0),
            ("ess_fraction".into(), w.ess_fraction),
            ("log_weight_variance".into(), w.log_weight_variance),
        ];
        m.extend(closed.iter().cloned());
        Ok(m)
    }))
}
