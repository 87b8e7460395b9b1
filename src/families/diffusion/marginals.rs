//! Family `diffusion`, topic `marginals`: a sampler with the exact score of a Gaussian mixture
//! puts each mode's mass where the mixture does, measured by Monte Carlo against the exact
//! density (theory/diffusion.md section 4).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Support, Variant};
use crate::diffusion::{run, NoisedScore};
use crate::params::Params;
use crate::stats::Target;
use ndarray::{array, ArrayView2};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

pub const LEVEL_SQUARED: Control = Control::mutation(
    "level_squared",
    "the score model asked for level sigma^2 where sigma is meant (a variance passed for a standard deviation)",
);

/// The equality margin on the mode mass (theory section 4).
const MARGIN: f64 = 0.02;
/// Samples per replicate (a replicate is their mean responsibility).
const BATCH: usize = 64;

/// The target: 0.3 N((-2, 0), 0.25 I) + 0.7 N((2, 0.5), diag(1, 0.2)).
pub(super) fn target() -> Result<Gmm, Error> {
    Ok(Gmm::new(
        &[0.3, 0.7],
        array![[-2.0, 0.0], [2.0, 0.5]],
        vec![
            array![[0.25, 0.0], [0.0, 0.25]],
            array![[1.0, 0.0], [0.0, 0.2]],
        ],
    )?)
}

/// `inner` asked for sigma^2 instead of sigma: the mutation `level_squared`.
struct LevelSquared<'a>(&'a dyn NoisedScore);

impl NoisedScore for LevelSquared<'_> {
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn score(
        &self,
        y: ArrayView2<f64>,
        sigma: f64,
    ) -> Result<Array2<f64>, crate::diffusion::DiffusionError> {
        self.0.score(y, sigma * sigma)
    }
}

/// Heun with 64 levels and Euler-Maruyama with 256 (where each sampler's discretisation
/// error is far inside the margin, section 4).
fn grid(_s: Scale) -> Vec<Params> {
    vec![
        Params::new()
            .with("sampler", "heun")
            .with("levels", 64usize),
        Params::new()
            .with("sampler", "euler_maruyama")
            .with("levels", 256usize),
    ]
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let sampler = Sampler::from_name(p.str("sampler")?)?;
    let n = p.usize_at_least("levels", 2)?;
    let g = target()?;
    // component 0 alone: its log-density gives the responsibility r_0 = w_0 N_0 / p
    let g0 = Gmm::new(
        &[1.0],
        g.mean_of(0).insert_axis(ndarray::Axis(0)).to_owned(),
        vec![g.cov_of(0).matrix().to_owned()],
    )?;
    let w0 = g.weights()[0];
    let grid = SigmaGrid::karras(n, SIGMA_MIN, SIGMA_MAX, RHO)?;
    let fault = sampler_fault(v);
    let samples = ctx.replicate("mode_mass", |_rep, rng| -> Result<f64, Error> {
        let exact = ExactMixtureScore { target: &g };
        let squared = LevelSquared(&exact);
        let score: &dyn NoisedScore = if v.is(LEVEL_SQUARED) {
            &squared
        } else {
            &exact
        };
        let x0 = Array2::from_shape_fn((BATCH, 2), |_| {
            SIGMA_MAX * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
        });
        // the samples' own noise streams hang off a seed drawn from this replicate's stream
        let sub: u64 = rng.random();
        let x = run(sampler, fault, &grid, score, x0, sub, 0, 0)?;
        let lr = g0.log_density(x.view())? - g.log_density(x.view())? + w0.ln();
        Ok(lr.mapv(f64::exp).mean().unwrap_or(f64::NAN))
    })?;
    Ok(Evidence::Mean {
        samples,
        target: Target::Within {
            value: w0,
            margin: MARGIN,
        },
        support: Support::Bounded { lo: 0.0, hi: 1.0 },
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.marginals.mode_weights",
    kind: Kind::Expectation,
    status: Status::Claim,
    statement: "Heun (64 Karras levels) and Euler-Maruyama (256) with the exact score of the 2-D mixture 0.3 N((-2,0), 0.25 I) + 0.7 N((2,0.5), diag(1,0.2)), started from N(0, 80^2 I): the output's mean responsibility of the first component, E r_0(X) (= 0.3 exactly for X from the target), lies within 0.02 of 0.3",
    source: "E_p r_k = w_k for the target's own responsibilities (a definition); the margin covers the samplers' discretisation error, measured (theory/diffusion.md section 4)",
    replicates: 800,
    grid,
    check,
    controls: &[LEVEL_SQUARED, NOISE_SCALED_BY_STEP.only_where(is_sde)],
}];
