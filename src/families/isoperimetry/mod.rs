//! Family `isoperimetry`: Poincaré and log-Sobolev constants of the Gaussian mixtures the
//! project builds, as intervals whose ends are each honest (theory/isoperimetry.md states,
//! sources or derives every entry).
//!
//! Each topic file holds the entries whose id is `isoperimetry.TOPIC[.name]`.
pub mod coarsening;
pub mod conditioning;
pub mod conjecture;
pub mod convolution;
pub mod galerkin;
pub mod gaussian;
pub mod lsi_mixture;
mod measures;
pub mod muckenhoupt;
pub mod one_d;
pub mod pushforward;
pub mod sandwich;
pub mod schlichting;
pub mod weights;

use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Variant};
use crate::isoperimetry::{
    lsi_lower_bound, muckenhoupt as muckenhoupt_b, poincare_fem, poincare_schrodinger, FemFault,
    MuckFault, SchrodingerFault,
};
use crate::mc::{self, Rng};
use crate::params::{out_of_range, Params};
use crate::prob::Gmm;
use crate::registry::Family;
use crate::stats::Verdict;
use crate::Error;
use ndarray::{array, Array1, Array2};
use rand_distr::{Distribution, StandardNormal};

const THEORY: &str = "theory/isoperimetry.md";

/// Mass left outside the truncated domain of a law on the line.
const TAIL: f64 = 1e-14;
/// The refinement tolerance of every one-dimensional estimate (relative change of two
/// successive Richardson extrapolations).
const TOL: f64 = 1e-8;
/// The relative agreement the entries demand of two routes, or of a route and a closed form:
/// a hundred times the refinement tolerance (theory/isoperimetry.md, section 2).
const AGREE: f64 = 1e-6;
/// Elements of the mesh on which Muckenhoupt's functional is maximised.
const MUCK_ELEMENTS: usize = 20_000;

/// A two-component mixture on the line from a point's parameters: weight `w` of the first
/// component, means `m1`, `m2`, standard deviations `s1`, `s2` (default 1).
fn line_law(p: &Params) -> Result<Gmm, Error> {
    let w = p.f64("w")?;
    if !(w > 0.0 && w < 1.0) {
        return Err(out_of_range("w", &w.into(), "a weight in (0, 1)").into());
    }
    let (s1, s2) = (p.positive_or("s1", 1.0)?, p.positive_or("s2", 1.0)?);
    Ok(Gmm::new(
        &[w, 1.0 - w],
        array![[p.f64("m1")?], [p.f64("m2")?]],
        vec![array![[s1 * s1]], array![[s2 * s2]]],
    )?)
}

fn mixture(w: f64, m1: f64, m2: f64) -> Params {
    Params::new().with("w", w).with("m1", m1).with("m2", m2)
}

/// The one-dimensional battery: symmetric mixtures up to 8 standard deviations apart,
/// unbalanced weights (down to 1e-3 at full scale) and unequal variances; REFERENCES.md's
/// asymmetric case 0.2 N(4, 1) + 0.8 N(-4, 1) among them.
fn battery(s: Scale) -> Vec<Params> {
    let mut out = vec![
        mixture(0.5, -1.0, 1.0),
        mixture(0.5, -2.5, 2.5),
        mixture(0.5, -4.0, 4.0),
        mixture(0.2, 4.0, -4.0),
        mixture(0.01, 4.0, -4.0),
        mixture(0.5, -2.0, 2.0).with("s1", 0.5).with("s2", 2.0),
    ];
    if s == Scale::Full {
        out.extend([
            mixture(0.5, -3.0, 3.0),
            mixture(1e-3, 4.0, -4.0),
            mixture(0.1, -1.0, 3.0).with("s1", 2.0).with("s2", 0.5),
            mixture(0.3, 0.0, 0.5).with("s1", 0.2),
        ]);
    }
    out
}

fn realisations<T: Send>(
    ctx: &Ctx,
    f: impl Fn(&mut Rng) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<T>, Error> {
    mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| f(rng))
}

/// A random SPD matrix with eigenvalues spread over [0.2, 5] (a random rotation of them).
fn random_covariance(d: usize, rng: &mut Rng) -> Result<Array2<f64>, Error> {
    let g = Array2::from_shape_fn((d, d), |_| StandardNormal.sample(rng));
    let (_, q) = crate::linalg::eigh((&g + &g.t()).view())?;
    let ev = Array1::from_shape_fn(d, |i| {
        0.2 * (25.0f64).powf(i as f64 / (d.max(2) - 1) as f64)
    });
    Ok(q.dot(&Array2::from_diag(&ev)).dot(&q.t()))
}

/// The structured multi-scale mixture of the coarsening and conditioning entries: a
/// three-level one-dimensional hierarchy, two components of shared covariance, separation
/// `sep` and fine-scale structure profile `h`.
fn structured(sep: f64, h: f64) -> Params {
    Params::new()
        .with("geom", "1d")
        .with("L", 3usize)
        .with("K", 2usize)
        .with("hetero", 0.0)
        .with("sep", sep)
        .with("h", h)
}

/// The relative comparison |a - b| <= AGREE max(|b|, tiny) as an exact pair.
fn agree(a: f64, b: f64) -> (f64, f64) {
    ((a - b).abs(), AGREE * b.abs().max(1e-300))
}

/// The family `isoperimetry`.
pub static FAMILY: Family = Family {
    name: "isoperimetry",
    summary: "Poincaré and log-Sobolev constants of Gaussian mixtures: exact on the line, bounds in d dimensions",
    theory: THEORY,
    topics: &[
        gaussian::ENTRIES,
        one_d::ENTRIES,
        muckenhoupt::ENTRIES,
        conjecture::ENTRIES,
        convolution::ENTRIES,
        pushforward::ENTRIES,
        conditioning::ENTRIES,
        schlichting::ENTRIES,
        weights::ENTRIES,
        lsi_mixture::ENTRIES,
        sandwich::ENTRIES,
        coarsening::ENTRIES,
        galerkin::ENTRIES,
    ],
    measures: measures::MEASURES,
    pictures: &[],
    rounding_sensitive: &[],
};
