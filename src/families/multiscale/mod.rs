//! Family `multiscale`: multi-scale Gaussian mixtures under affine dynamics, the exact
//! core of iterative refinement (theory/multiscale.md states and derives every entry).
//!
//! Each topic file holds the entries whose id is `multiscale.TOPIC[.name]`; `measures` and
//! `pictures` are what the family hands the experiment engine.
pub mod conditioning;
pub mod eckart_young;
pub mod filter;
pub mod kl_chain;
mod measures;
mod pictures;
pub mod separation;
use crate::bounds::{
    Control, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant,
};
use crate::multiscale::{component_through, projected_mahalanobis};
use crate::multiscale::{hierarchy, model, observation_model, resolution_and_rank_tails};
use crate::registry::Family;
use crate::stats::Target;

const THEORY: &str = "theory/multiscale.md";
use crate::filter::{gaussian_sum_filter, stacked_posterior, GaussianSumPlan};
use crate::linalg::{min_eigenvalue, Spd};
use crate::mc::{self, Rng};
use crate::multiscale::{Hierarchy, IrFault, IrModel, MultiscaleGmmSpec};
use crate::params::{out_of_range, Params, Value};
use crate::prob::{kl_gaussian, Gmm};
use crate::Error;
use ndarray::{Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::ContinuousCDF;

fn geometries() -> Vec<Params> {
    vec![
        Params::new().with("geom", "1d").with("L", 4usize),
        Params::new().with("geom", "1d").with("L", 6usize),
        Params::new().with("geom", "2d").with("L", 2usize),
        Params::new().with("geom", "2d").with("L", 3usize),
    ]
}

fn over_h(base: &Params) -> Vec<Params> {
    [0.0, 0.5, 0.9]
        .iter()
        .map(|h| base.clone().with("h", *h))
        .collect()
}

fn standard_grid(s: Scale, k: usize, hetero: bool) -> Vec<Params> {
    let geoms = match s {
        Scale::Quick => geometries()
            .into_iter()
            .filter(|g| g.f64("L").unwrap_or(9.0) <= 4.0)
            .collect(),
        Scale::Full => geometries(),
    };
    geoms
        .iter()
        .flat_map(|g| {
            over_h(
                &g.clone()
                    .with("K", k)
                    .with("hetero", if hetero { 1.0 } else { 0.0 })
                    .with("sep", 4.0),
            )
        })
        .collect()
}

fn realisations<T: Send>(
    ctx: &Ctx,
    f: impl Fn(&mut Rng) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<T>, Error> {
    mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| f(rng))
}

/// The standard grid with K components, one point per resolution level r = 0..L-1.
fn levels_grid(s: Scale, k: usize) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, k, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r in 0..l {
            out.push(base.clone().with("r", r));
        }
    }
    out
}

/// The family `multiscale`.
pub static FAMILY: Family = Family {
    name: "multiscale",
    summary: "multi-scale Gaussian mixtures under affine dynamics: the exact core of iterative refinement",
    theory: THEORY,
    topics: &[separation::ENTRIES, conditioning::ENTRIES, kl_chain::ENTRIES, eckart_young::ENTRIES, filter::ENTRIES],
    measures: measures::MEASURES,
    pictures: pictures::PICTURES,
    rounding_sensitive: &[],
};
