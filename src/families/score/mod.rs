//! Family `score`: score models of noised Gaussian mixtures and the identities score learning
//! rests on (theory/score.md states, sources or derives every entry).
//!
//! Each topic file holds the entries whose id is `score.TOPIC[.name]`.
pub mod conjecture;
pub mod dsm_identity;
pub mod exact;
pub mod fisher;
pub mod lsi_kl;
pub mod measures;
pub mod rate;
pub mod ridge_optimal;
pub mod shared_model;
pub mod shared_time;
pub mod smoothed_empirical;
pub mod tweedie;
pub mod vp_ve;

use crate::bounds::Scale;
use crate::params::Params;
use crate::prob::Gmm;
use crate::registry::Family;
use crate::score::Noising;
use crate::Error;
use ndarray::{array, Array2};

const THEORY: &str = "theory/score.md";

/// The 1-D two-mode multi-scale model the score and diffusion families' learned-score checks
/// are asked of: d = 8 in three Haar levels, two modes 8 apart, a share h of the squared
/// separation at the fine levels; N training pairs or trajectories.
pub(crate) fn two_mode_point(h: f64, n: usize) -> crate::params::Params {
    crate::params::Params::new()
        .with("geom", "1d")
        .with("L", 3usize)
        .with("K", 2usize)
        .with("sep", 8.0)
        .with("h", h)
        .with("N", n)
}

/// The targets of the family's checks, by name: `line`, 0.3 N(-2, 0.25) + 0.7 N(2, 1);
/// `plane`, three components in d = 2 with unequal covariances; `d4`, two components in d = 4
/// sharing a correlated covariance.
pub(crate) fn target(name: &str) -> Result<Gmm, Error> {
    Ok(match name {
        "line" => Gmm::new(
            &[0.3, 0.7],
            array![[-2.0], [2.0]],
            vec![array![[0.25]], array![[1.0]]],
        )?,
        "plane" => Gmm::new(
            &[0.2, 0.5, 0.3],
            array![[-2.0, 0.0], [1.5, 1.0], [0.5, -2.5]],
            vec![
                array![[0.5, 0.2], [0.2, 0.3]],
                array![[1.0, -0.3], [-0.3, 0.6]],
                array![[0.2, 0.0], [0.0, 0.8]],
            ],
        )?,
        "d4" => {
            let c =
                Array2::from_shape_fn((4, 4), |(i, j)| 0.6f64.powi((i as i32 - j as i32).abs()));
            Gmm::new(
                &[0.4, 0.6],
                array![[1.5, 0.0, -1.0, 0.5], [-1.5, 0.5, 1.0, 0.0]],
                vec![c.clone(), c],
            )?
        }
        other => {
            return Err(
                crate::params::unknown_choice("target", other, &["line", "plane", "d4"]).into(),
            )
        }
    })
}

/// The noising of a point: `kind` = ve (y = x + s z) or vp (y = sqrt(1 - s^2) x + s z).
fn noising(p: &Params) -> Result<Noising, Error> {
    let s = p.f64("s")?;
    Ok(match p.str("kind")? {
        "ve" => Noising::ve(s)?,
        "vp" => Noising::vp(s)?,
        other => return Err(crate::params::unknown_choice("kind", other, &["ve", "vp"]).into()),
    })
}

/// Every (target, noising) pair of a grid.
fn cases(targets: &[&str], noisings: &[(&str, f64)]) -> Vec<Params> {
    let mut out = Vec::new();
    for t in targets {
        for (k, s) in noisings {
            out.push(
                Params::new()
                    .with("target", *t)
                    .with("kind", *k)
                    .with("s", *s),
            );
        }
    }
    out
}

fn scale_targets(s: Scale) -> &'static [&'static str] {
    match s {
        Scale::Quick => &["line", "plane"],
        Scale::Full => &["line", "plane", "d4"],
    }
}

/// The family `score`.
pub static FAMILY: Family = Family {
    name: "score",
    summary: "score models of noised Gaussian mixtures: the exact score, Tweedie's formula, VP against VE, the smoothed empirical score, the Fisher divergence, the denoising score-matching identity, log-Sobolev control of KL, the closed-form random-feature fit, the smoothed empirical score's rate, the IR conditional scores and their conjectures",
    theory: THEORY,
    topics: &[
        exact::ENTRIES,
        tweedie::ENTRIES,
        vp_ve::ENTRIES,
        smoothed_empirical::ENTRIES,
        fisher::ENTRIES,
        dsm_identity::ENTRIES,
        lsi_kl::ENTRIES,
        ridge_optimal::ENTRIES,
        rate::ENTRIES,
        shared_model::ENTRIES,
        shared_time::ENTRIES,
        conjecture::ENTRIES,
    ],
    measures: measures::MEASURES,
    pictures: &[],
    rounding_sensitive: &[],
};
