//! Family `assimilation`, topic `taxonomy`: what climatology-, cycle- and hybrid-trained
//! analyses target, in closed form against brute force, and how far each target is from the
//! filtering posterior (theory/assimilation.md section 10).
use super::*;
use crate::assimilation::{Targets, Taxonomy, TaxonomyFault};
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Support, Variant};
use crate::experiment::{Metrics, Replicate};
use crate::filter::StateSpaceModel;
use crate::prob::Gmm;
use crate::stats::{Target, Verdict};

/// The climatological law propagated without the process noise.
pub const CLIMATOLOGY_WITHOUT_PROCESS_NOISE: Control = Control::mutation(
    "climatology_without_process_noise",
    "the climatological law of x_t propagated as P <- A P A^T, the process noise Q of each forecast step dropped",
);

/// The hybrid's forecast model equal to the truth's: a positive control of the ordering.
pub const NO_MODEL_ERROR: Control = Control::positive_mutation(
    "no_model_error",
    "the hybrid's forecast model made exact (epsilon = 0): the hybrid is then the cycle-trained target, KL 0, and the ordering must hold everywhere (HOLDS or SUPPORTED)",
    &[Verdict::Holds, Verdict::Supported],
);

/// Observation times y_0..y_{STEPS-1}; the targets are read at the last.
const STEPS: usize = 20;

/// The model of a grid point (d = 4): the truth x_s = A x_{s-1} + w_s, A = 0.9 times a rotation
/// by 0.3 in each of two planes, Q = 0.1 I; observed fully (O = I) or coarsely (O the two pair
/// averages, m = 2), R = r I; the hybrid's model A + eps E with E the unit-norm rotation
/// generator coupling the planes; x_0 from the truth's stationary law (`prior = "gaussian"`)
/// or from a two-component mixture with means +-(2, 0, 2, 0) and the stationary covariance
/// (`"mixture"`).
pub(crate) fn case(p: &Params, eps: f64) -> Result<Taxonomy, Error> {
    let r = p.positive("r")?;
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    let mut a = Array2::<f64>::zeros((4, 4));
    for k in [0usize, 2] {
        a[[k, k]] = 0.9 * c;
        a[[k, k + 1]] = -0.9 * s;
        a[[k + 1, k]] = 0.9 * s;
        a[[k + 1, k + 1]] = 0.9 * c;
    }
    let mut e = Array2::<f64>::zeros((4, 4));
    for (i, j) in [(0usize, 2usize), (1, 3)] {
        e[[i, j]] = 1.0;
        e[[j, i]] = -1.0;
    }
    let q = Array2::<f64>::eye(4) * 0.1;
    let o = match p.str("obs")? {
        "full" => Array2::<f64>::eye(4),
        "coarse" => ndarray::array![[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]],
        other => {
            return Err(crate::params::unknown_choice("obs", other, &["full", "coarse"]).into())
        }
    };
    let rr = Array2::<f64>::eye(o.nrows()) * r;
    let b = Array1::<f64>::zeros(4);
    let truth = StateSpaceModel::new(a.clone(), b.clone(), q.clone(), o.clone(), rr.clone())?;
    let model = StateSpaceModel::new(&a + &(e * eps), b, q.clone(), o, rr)?;
    let stat = truth.stationary_covariance()?;
    let prior = match p.str_or("prior", "gaussian")? {
        "gaussian" => Gmm::gaussian(Array1::zeros(4), stat)?,
        "mixture" => Gmm::new(
            &[0.5, 0.5],
            ndarray::array![[2.0, 0.0, 2.0, 0.0], [-2.0, 0.0, -2.0, 0.0]],
            vec![stat.clone(), stat],
        )?,
        other => {
            return Err(
                crate::params::unknown_choice("prior", other, &["gaussian", "mixture"]).into(),
            )
        }
    };
    Ok(Taxonomy::new(truth, model, prior)?)
}

/// (worst |difference|, allowance) pairs between two mixtures with the same components.
fn gmm_pairs(a: &Gmm, b: &Gmm) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let near = |x: f64, y: f64| ((x - y).abs(), 1e-9 * (1.0 + y.abs()));
    for (x, y) in a.weights().iter().zip(b.weights().iter()) {
        out.push(near(*x, *y));
    }
    for (x, y) in a.means().iter().zip(b.means().iter()) {
        out.push(near(*x, *y));
    }
    for k in 0..a.components().min(b.components()) {
        for (x, y) in a.cov_of(k).matrix().iter().zip(b.cov_of(k).matrix().iter()) {
            out.push(near(*x, *y));
        }
    }
    if a.components() != b.components() {
        out.push((1.0, 0.0));
    }
    out
}

fn targets_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for prior in ["gaussian", "mixture"] {
        for obs in ["full", "coarse"] {
            out.push(
                Params::new()
                    .with("prior", prior)
                    .with("obs", obs)
                    .with("r", 1.0)
                    .with("eps", 0.3),
            );
        }
    }
    out
}

fn targets_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = case(p, p.nonnegative("eps")?)?;
    let fault = if v.is(CLIMATOLOGY_WITHOUT_PROCESS_NOISE) {
        TaxonomyFault::ClimatologyWithoutProcessNoise
    } else {
        TaxonomyFault::None
    };
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let (_, ys) = c.truth.simulate(&c.prior, STEPS, &mut rng)?;
    let closed = c.targets(&ys, fault)?;
    let brute = c.targets_stacked(&ys)?;
    let mut pairs = gmm_pairs(&closed.cycle, &brute.cycle);
    pairs.extend(gmm_pairs(&closed.hybrid, &brute.hybrid));
    pairs.extend(gmm_pairs(&closed.climatology, &brute.climatology));
    Ok(Evidence::worst_exact(pairs))
}

/// KL(filtering posterior || target) for the hybrid and the climatology (single Gaussians).
fn kls(t: &Targets) -> Result<(f64, f64), Error> {
    let kl = |q: &Gmm| {
        crate::prob::kl_gaussian(
            t.cycle.mean_of(0),
            t.cycle.cov_of(0),
            q.mean_of(0),
            q.cov_of(0),
        )
    };
    Ok((kl(&t.hybrid)?, kl(&t.climatology)?))
}

/// Model error eps in {0.1, 0.3, 1} (quick: 0.1, 1), observation noise r in {0.1, 1}, full and
/// coarse observations; the stationary Gaussian prior.
fn ordering_grid(s: Scale) -> Vec<Params> {
    let eps: &[f64] = match s {
        Scale::Quick => &[0.1, 1.0],
        Scale::Full => &[0.1, 0.3, 1.0],
    };
    let mut out = Vec::new();
    for obs in ["full", "coarse"] {
        for r in [0.1, 1.0] {
            for &e in eps {
                out.push(Params::new().with("obs", obs).with("r", r).with("eps", e));
            }
        }
    }
    out
}

fn ordering_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let eps = p.nonnegative("eps")?;
    let eps = if v.is(NO_MODEL_ERROR) { 0.0 } else { eps };
    let c = case(p, eps)?;
    let z = ctx.replicate("taxonomy", |_, rng| {
        let (_, ys) = c.truth.simulate(&c.prior, STEPS, rng)?;
        let (hybrid, clim) = kls(&c.targets(&ys, TaxonomyFault::None)?)?;
        Ok::<f64, Error>(hybrid - clim)
    })?;
    Ok(Evidence::Mean {
        samples: z,
        target: Target::AtMost(0.0),
        support: Support::Unbounded,
    })
}

/// The measure `assimilation.taxonomy`.
pub(super) fn prepare_measure(p: &Params) -> Result<Replicate, Error> {
    let c = case(p, p.nonnegative("eps")?)?;
    let steps = p.usize_at_least_or("steps", 1, STEPS)?;
    Ok(Box::new(move |rng, _common| {
        let (xs, ys) = c.truth.simulate(&c.prior, steps, rng)?;
        let t = c.targets(&ys, TaxonomyFault::None)?;
        let (hybrid, clim) = kls(&t)?;
        let x = &xs[steps - 1];
        let err = |g: &Gmm| {
            let e = &g.mean() - x;
            (e.dot(&e) / x.len() as f64).sqrt()
        };
        let m: Metrics = vec![
            ("kl_hybrid".into(), hybrid),
            ("kl_climatology".into(), clim),
            ("rmse_cycle".into(), err(&t.cycle)),
            ("rmse_hybrid".into(), err(&t.hybrid)),
            ("rmse_climatology".into(), err(&t.climatology)),
        ];
        Ok(m)
    }))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "assimilation.taxonomy.targets",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "for a linear-Gaussian state-space model (d = 4, observed fully or by pair averages) with a Gaussian or two-component mixture law of x_0, after 20 observation times: the cycle-trained target (the Gaussian-sum filter under the truth), the hybrid target (the same filter under a forecast model with error eps = 0.3) and the climatology-trained target (the truth's law of x_t propagated by the recursion, analysed by y_t) equal brute-force conditioning (the stacked joint of x_t and every observation; for the climatology the joint of (x_t, y_t) written as sums of powers of A) in weights, means and covariances to 1e-9 (1 + |value|)",
        source: "derived in theory/assimilation.md section 10 (Bayes' rule for each target's prior; the taxonomy of issue #16, after Hodyss et al. 2025, not read)",
        replicates: 1,
        grid: targets_grid,
        check: targets_check,
        controls: &[CLIMATOLOGY_WITHOUT_PROCESS_NOISE],
    },
    Entry {
        id: "assimilation.taxonomy.ordering",
        kind: Kind::Expectation,
        status: Status::Conjecture {
            expected: Some(Verdict::Refuted),
        },
        statement: "the hybrid-trained target is nearer the filtering posterior than the climatology-trained one: E_y[KL(p(x_t | y_0:t) || hybrid) - KL(p(x_t | y_0:t) || climatology)] <= 0 at every model error eps in {0.1, 0.3, 1}, observation noise r in {0.1, 1}, full and coarse observations (the cycle-trained target is the filtering posterior, KL 0, by section 10). Expected REFUTED: a large enough model error makes the hybrid's forecast worse than climatology",
        source: "issue #16 (Hodyss et al. 2025's claim that methods accounting for the dynamics are better, in simplified linear-Gaussian settings; not read); theory/assimilation.md section 10",
        replicates: 16,
        grid: ordering_grid,
        check: ordering_check,
        controls: &[NO_MODEL_ERROR],
    },
];
