//! Registered measurements: what one replicate of an experiment cell computes.
//! Each returns named metrics; the runner aggregates them into means and intervals.
use crate::mc::Rng;
use crate::online::{HintSpec, Options, Problem, StepChoice};
use crate::params::Params;
use crate::Error;

/// Named values from one replicate.
pub type Metrics = Vec<(String, f64)>;

/// A measurement an experiment can sweep.
pub struct Measure {
    pub name: &'static str,
    pub description: &'static str,
    /// The metrics it reports (figures may only plot these).
    pub metrics: &'static [&'static str],
    /// Check a cell's parameters without running it.
    pub validate: fn(&Params) -> Result<(), Error>,
    /// One replicate: `rng` is the replicate's own stream in this cell; `common` is the
    /// replicate's stream shared by every cell of the grid (common random numbers: the
    /// same random mixture across r, h, ..., so curves compare like with like).
    pub run: fn(&Params, &mut Rng, &mut Rng) -> Result<Metrics, Error>,
}

pub static MEASURES: &[Measure] = &[
    Measure {
        name: "moe.routing",
        description: "switching Lorenz63, gated mixture of K affine experts fitted by EM: NMI between the routed expert and the generating regime on a test trajectory, with the routing regulariser lambda and without it (same data and initialisation), the one-step MSEs, and the objective gap (EM started at the true regimes minus EM from random blocks, per observation)",
        metrics: &["nmi", "nmi_unregularised", "nmi_gain", "mse", "mse_unregularised", "objective_gap"],
        validate: |p| {
            crate::moe::SwitchingSpec::from_params(p)?;
            crate::moe::MoeOptions::from_params(p)?;
            Ok(())
        },
        run: super::moe::routing,
    },
    Measure {
        name: "moe.srm",
        description: "penalised selection over nets of p = 1..pmax parameter experts: chosen p, its exact risk, the oracle bound",
        metrics: &["chosen_p", "risk", "oracle_bound", "best"],
        validate: |p| {
            p.usize_at_least("n", 1)?;
            p.positive("eps")?;
            p.positive("B")?;
            p.positive("delta")?;
            p.nonnegative("noise")?;
            p.usize_at_least("pmax", 1)?;
            Ok(())
        },
        run: |p, rng, _| {
            let o = crate::bounds::moe::Srm::new(p)?.select(rng);
            Ok(vec![
                ("chosen_p".into(), o.chosen_p as f64),
                ("risk".into(), o.risk),
                ("oracle_bound".into(), o.oracle_bound),
                ("best".into(), o.best),
            ])
        },
    },
    Measure {
        name: "moe.ewa",
        description: "mirror averaging over the lattice eps-net of the polynomial experts (temperature beta = 2c (Y + B)^2): exact excess over inf R, the bound of moe.ewa.mirror_averaging as an excess over inf R, its generic form L eps + beta p log(1 + 2B/eps) / n, and the tightness excess / generic bound",
        metrics: &["excess", "oracle_bound", "generic_bound", "tightness", "net_size"],
        validate: |p| {
            crate::moe::ExpertNet::check_params(p)?;
            p.usize_at_least("n", 1)?;
            crate::bounds::moe::check_prior(p.str_or("prior", "uniform")?)
        },
        run: |p, rng, _| {
            let ma = crate::bounds::moe::MirrorAveraging::new(p)?;
            let excess = ma.risk(rng) - ma.net.best;
            Ok(vec![
                ("excess".into(), excess),
                ("tightness".into(), excess / ma.generic_bound),
                ("oracle_bound".into(), ma.oracle - ma.net.best),
                ("generic_bound".into(), ma.generic_bound),
                ("net_size".into(), ma.net.net.nrows() as f64),
            ])
        },
    },
    Measure {
        name: "moe.epsnet",
        description: "ERM over the lattice eps-net of the polynomial experts' ball: exact excess risk and the bound of moe.erm.epsnet",
        metrics: &["excess", "bound"],
        validate: |p| {
            crate::moe::ExpertNet::check_params(p)?;
            p.usize_at_least("n", 1)?;
            p.positive("delta")?;
            Ok(())
        },
        run: |p, rng, _| {
            let erm = crate::bounds::moe::EpsNetErm::new(p)?;
            Ok(vec![("excess".into(), erm.excess(rng)), ("bound".into(), erm.bound)])
        },
    },
    Measure {
        name: "dynamics.phase_prediction",
        description: "Langford phase problem: one-step prediction RMSE of (x, y) for a window estimator of length w and for the EKF",
        metrics: &["rmse_window", "rmse_ekf"],
        validate: |p| {
            crate::bounds::dynamics::phase_problem(p)?;
            p.usize_at_least("w", 1)?;
            Ok(())
        },
        run: super::dynamics::phase_prediction,
    },
    Measure {
        name: "dynamics.lyapunov",
        description: "Lyapunov spectrum (Benettin/QR, RK4 h = 0.01) over horizon T from a perturbed start",
        metrics: &["l1", "l2", "l3", "sum", "mean_divergence"],
        validate: |p| {
            crate::dynamics::SystemSpec::from_params(p)?;
            p.positive("T")?;
            Ok(())
        },
        run: super::dynamics::lyapunov,
    },
    Measure {
        name: "multiscale.separation",
        description: "a random multi-scale mixture (K >= 2): separation of components 0 and 1 seen at resolution r",
        metrics: &["mahalanobis", "kl"],
        validate: |p| check_level(p, "r", 0),
        run: super::multiscale::separation,
    },
    Measure {
        name: "multiscale.conditioning",
        description: "the level r+1 details w_t given nothing, x_t^r, and (x_t^r, x_{t-1}^{r+1}): expected total variance and entropy",
        metrics: &["tv_none", "tv_coarse", "tv_both", "h_none", "h_coarse", "h_both"],
        validate: |p| check_level(p, "r", 1),
        run: super::multiscale::conditioning,
    },
    Measure {
        name: "multiscale.spectrum",
        description: "energy beyond resolution r: the resolution tail E||x - P^{r+}P^r x||^2, the best rank-n_r tail, their ratio",
        metrics: &["res_tail", "rank_tail", "structure_index", "level_energy"],
        validate: |p| check_level(p, "r", 0),
        run: super::multiscale::spectrum,
    },
    Measure {
        name: "multiscale.reconstruction",
        description: "exact posterior mean of x_t from observations y_s = P^{r_obs} x_s + noise, s <= t: mean squared error per coordinate",
        metrics: &["mse", "relative_mse", "posterior_var"],
        validate: |p| check_level(p, "r_obs", 0),
        run: super::multiscale::reconstruction,
    },
    Measure {
    name: "online.regret",
    description: "one OMD run: regret, S = sum ||x_t - M_t||^2, the bound for its step size, tightness, learned-hint weights",
    metrics: &[
        "regret", "s", "eta", "bound", "tightness", "regret_over_sqrt_t", "w_zero", "w_last", "w_mean", "w_fading", "w_ar1",
        "best_member_s",
    ],
    validate: |p| Problem::from_params(p).map(|_| ()),
    run: online_regret,
}];

/// A level parameter must name a level of the hierarchy (0..=L - below).
fn check_level(p: &Params, name: &str, below: usize) -> Result<(), Error> {
    let hier = crate::bounds::multiscale::hierarchy(p)?;
    crate::multiscale::MultiscaleGmmSpec::from_params(p)?;
    let r = p.usize_at_least(name, 0)?;
    if r + below > hier.levels() {
        return Err(crate::params::out_of_range(
            name,
            &r.into(),
            &format!(
                "resolution level out of range 0..={}",
                hier.levels() - below
            ),
        )
        .into());
    }
    Ok(())
}

/// Look a measurement up by name.
pub fn find(name: &str) -> Result<&'static Measure, String> {
    MEASURES.iter().find(|m| m.name == name).ok_or_else(|| {
        format!(
            "unknown measure `{name}`; known: {}",
            MEASURES
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn online_regret(p: &Params, rng: &mut Rng, _common: &mut Rng) -> Result<Metrics, Error> {
    let prob = Problem::from_params(p)?;
    let (o, eta) = prob.run(rng, Options::FAST)?;
    let r2 = o.r_max_sq;
    // the bound that applies to the step size used (theory/online.md)
    let bound = match prob.step {
        StepChoice::Tuned => (2.0 * r2 * o.s).sqrt(),
        StepChoice::Fixed(eta) => r2 / eta + 0.5 * eta * o.s,
        StepChoice::Adaptive => 3.5 * r2.sqrt() * (o.s.sqrt() + 1.0),
    };
    let mut m: Metrics = vec![
        ("regret".into(), o.regret),
        ("s".into(), o.s),
        ("eta".into(), eta),
        ("bound".into(), bound),
        (
            "tightness".into(),
            if bound > 0.0 {
                o.regret / bound
            } else {
                f64::NAN
            },
        ),
        (
            "regret_over_sqrt_t".into(),
            o.regret / (prob.rounds as f64).sqrt(),
        ),
    ];
    if let (Some(w), HintSpec::Learned { class }) = (&o.hint_weights, &prob.hint) {
        for (wi, c) in w.iter().zip(class) {
            m.push((format!("w_{}", c.name()), *wi));
        }
        let best = o
            .member_s
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .cloned()
            .fold(f64::INFINITY, f64::min);
        m.push(("best_member_s".into(), best));
    }
    Ok(m)
}
