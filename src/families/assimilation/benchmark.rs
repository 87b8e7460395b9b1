//! Family `assimilation`, topic `benchmark`: the literature's twin experiments, each setting
//! with the time-averaged analysis RMSE DAPPER's model files list for it
//! (theory/assimilation.md section 9).
use super::*;
use crate::assimilation::{EnsfPrior, Method, System, Twin};
use crate::experiment::{Metrics, Replicate};

/// One row of a benchmark table: a method with its tuning and the published RMSE.
pub struct Setting {
    pub name: &'static str,
    pub system: System,
    pub method: Method,
    /// The time-averaged analysis RMSE listed in DAPPER's model file (its comments give two
    /// significant figures); None for a method DAPPER does not list (EnSF).
    pub published: Option<f64>,
}

/// Sakov, Oliver & Bertino (2012)'s Lorenz63 settings as `dapper/mods/Lorenz63/sakov2012.py`
/// lists them ("Suggested tuning"), and Sakov & Oke (2008)'s Lorenz96 settings as
/// `dapper/mods/Lorenz96/sakov2008.py` does.
pub static SETTINGS: &[Setting] = &[
    Setting {
        name: "l63_climatology",
        system: System::Lorenz63,
        method: Method::Climatology,
        published: Some(7.6),
    },
    Setting {
        name: "l63_oi",
        system: System::Lorenz63,
        method: Method::OptimalInterpolation,
        published: Some(1.25),
    },
    Setting {
        name: "l63_3dvar",
        system: System::Lorenz63,
        method: Method::Var3d { xb: 0.1 },
        published: Some(1.04),
    },
    Setting {
        name: "l63_etkf_n3",
        system: System::Lorenz63,
        method: Method::Etkf {
            n: 3,
            infl: 1.30,
            rot: false,
        },
        published: Some(0.80),
    },
    Setting {
        name: "l63_etkf_n10",
        system: System::Lorenz63,
        method: Method::Etkf {
            n: 10,
            infl: 1.02,
            rot: true,
        },
        published: Some(0.60),
    },
    Setting {
        name: "l63_enkf_n10",
        system: System::Lorenz63,
        method: Method::Enkf { n: 10, infl: 1.04 },
        published: Some(0.65),
    },
    Setting {
        name: "l63_enkf_n100",
        system: System::Lorenz63,
        method: Method::Enkf { n: 100, infl: 1.01 },
        published: Some(0.56),
    },
    Setting {
        name: "l63_pf_n100",
        system: System::Lorenz63,
        method: Method::Pf {
            n: 100,
            reg: 2.4,
            ner: 0.3,
        },
        published: Some(0.38),
    },
    Setting {
        name: "l63_pf_n800",
        system: System::Lorenz63,
        method: Method::Pf {
            n: 800,
            reg: 0.9,
            ner: 0.2,
        },
        published: Some(0.28),
    },
    Setting {
        name: "l63_pf_n4000",
        system: System::Lorenz63,
        method: Method::Pf {
            n: 4000,
            reg: 0.7,
            ner: 0.05,
        },
        published: Some(0.27),
    },
    Setting {
        name: "l63_ensf_n10",
        system: System::Lorenz63,
        method: Method::Ensf {
            n: 10,
            steps: 100,
            prior: EnsfPrior::Mixture,
        },
        published: None,
    },
    Setting {
        name: "l63_ensf_n100",
        system: System::Lorenz63,
        method: Method::Ensf {
            n: 100,
            steps: 100,
            prior: EnsfPrior::Mixture,
        },
        published: None,
    },
    Setting {
        name: "l63_ensf_own_n10",
        system: System::Lorenz63,
        method: Method::Ensf {
            n: 10,
            steps: 100,
            prior: EnsfPrior::OwnMember,
        },
        published: None,
    },
    Setting {
        name: "l96_climatology",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Climatology,
        published: Some(3.6),
    },
    Setting {
        name: "l96_oi",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::OptimalInterpolation,
        published: Some(0.95),
    },
    Setting {
        name: "l96_3dvar",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Var3d { xb: 0.02 },
        published: Some(0.41),
    },
    Setting {
        name: "l96_etkf_n24",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Etkf {
            n: 24,
            infl: 1.013,
            rot: true,
        },
        published: Some(0.18),
    },
    Setting {
        name: "l96_enkf_n40",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Enkf { n: 40, infl: 1.06 },
        published: Some(0.22),
    },
    Setting {
        name: "l96_enkf_n28",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Enkf { n: 28, infl: 1.08 },
        published: Some(0.24),
    },
    Setting {
        name: "l96_pf_n40",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Pf {
            n: 40,
            reg: 1.0,
            ner: 0.5,
        },
        published: None,
    },
    Setting {
        name: "l96_ensf_n40",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Ensf {
            n: 40,
            steps: 100,
            prior: EnsfPrior::Mixture,
        },
        published: None,
    },
    Setting {
        name: "l96_ensf_own_n40",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Ensf {
            n: 40,
            steps: 100,
            prior: EnsfPrior::OwnMember,
        },
        published: None,
    },
    Setting {
        name: "l63_ekf",
        system: System::Lorenz63,
        method: Method::Ekf { infl: 180.0 },
        published: Some(0.92),
    },
    Setting {
        name: "l96_ekf",
        system: System::Lorenz96 {
            n: 40,
            forcing: 8.0,
        },
        method: Method::Ekf { infl: 10.0 },
        published: Some(0.24),
    },
];

pub(crate) fn setting(name: &str) -> Result<&'static Setting, Error> {
    SETTINGS.iter().find(|s| s.name == name).ok_or_else(|| {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        crate::params::unknown_choice("setting", name, &names).into()
    })
}

/// The literature's chronology for a system, as DAPPER's model files set it: 1000
/// observation times in all (DAPPER's Ko); Lorenz63, dt = 0.01, observed every 25 steps with
/// R = 2 I, N(x0, 2 I) at the start, the first 64 observation times (16 time units, DAPPER's
/// 4 Tplot) burn-in; Lorenz96, dt = 0.05, observed every step with R = I, N(x0, 0.001 I) at
/// the start, the first 400 (20 time units, DAPPER's 2 Tplot) burn-in. `cycles` (all
/// observation times, burn-in included), `burn_in`, the observation error variance
/// `obs_var` and Lorenz96's number of variables `dim` may be set.
pub(crate) fn twin(s: &Setting, p: &Params) -> Result<Twin, Error> {
    let (dt, dko, obs_var, x0_var, burn) = match s.system {
        System::Lorenz63 => (0.01, 25, 2.0, 2.0, 64),
        System::Lorenz96 { .. } => (0.05, 1, 1.0, 0.001, 400),
    };
    let obs_var = p.positive_or("obs_var", obs_var)?;
    // `dim` sets Lorenz96's number of variables (Lorenz63 has three)
    let system = match (s.system, p.has("dim")) {
        (_, false) => s.system,
        (System::Lorenz96 { forcing, .. }, true) => System::Lorenz96 {
            n: p.usize_at_least("dim", 4)?,
            forcing,
        },
        (System::Lorenz63, true) => {
            return Err(crate::params::out_of_range(
                "dim",
                p.get("dim").expect("asked for"),
                &format!(
                    "the setting `{}` is on Lorenz63, whose dimension is 3",
                    s.name
                ),
            )
            .into())
        }
    };
    let burn_in = p.usize_at_least_or("burn_in", 0, burn)?;
    let cycles = p.usize_at_least_or("cycles", burn_in + 10, 1000)?;
    let t = Twin {
        system,
        dt,
        dko,
        cycles,
        burn_in,
        obs_var,
        x0_var,
    };
    t.check()?;
    Ok(t)
}

/// The measure `assimilation.benchmark`.
pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let s = setting(p.str("setting")?)?;
    let t = twin(s, p)?;
    // `N` runs an ensemble setting with another ensemble size, its tuning kept; `published`
    // is then reported only at the setting's own size (and observation noise)
    let method = match (p.has("N"), s.method.ensemble_size()) {
        (false, _) => s.method,
        (true, Some(_)) => s.method.with_ensemble_size(p.usize_at_least("N", 2)?)?,
        (true, None) => {
            return Err(crate::params::out_of_range(
                "N",
                p.get("N").expect("asked for"),
                &format!("the setting `{}` has no ensemble to resize", s.name),
            )
            .into())
        }
    };
    // the published value belongs to the setting's own ensemble size and observation noise
    let own_size =
        method.ensemble_size() == s.method.ensemble_size() && !p.has("obs_var") && !p.has("dim");
    Ok(Box::new(move |rng, _common| {
        let (xs, ys) = t.truth(rng)?;
        let run = t.run(method, &xs, &ys, rng)?;
        let (rmse, _) = crate::stats::mean_sd(&run.rmse);
        let ci = crate::stats::ar1_mean_interval(&run.rmse, 0.95);
        let spread = if run.spread.iter().all(|v| v.is_finite()) {
            crate::stats::mean_sd(&run.spread).0
        } else {
            f64::NAN
        };
        let mut m: Metrics = vec![
            ("rmse".into(), rmse),
            ("rmse_ar1_half_width".into(), ci.half_width()),
        ];
        if let (true, Some(published)) = (own_size, s.published) {
            m.push(("published".into(), published));
            m.push(("rmse_over_published".into(), rmse / published));
        }
        if spread.is_finite() {
            m.push(("spread".into(), spread));
        }
        Ok(m)
    }))
}
