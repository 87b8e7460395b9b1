//! Family `diffusion`, topic `error_budget`: one IR time step on a Gaussian multi-scale model,
//! every level sampled by Euler-Maruyama with a score wrong by a factor 1 + delta; the final
//! error against the sum of the levels' errors, and against the levels' Girsanov bounds
//! (theory/diffusion.md section 6).
use super::*;
use crate::bounds::{Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::diffusion::budget::{ir_gaussian_budget, BudgetFault, IrBudget, LevelSampler};
use crate::multiscale::IrModel;
use crate::params::Params;

/// The IR sampler assembles x_t with H instead of H^T.
pub const SYNTHESIS_TRANSPOSED: Control = Control::mutation(
    "synthesis_transposed",
    "the IR sampler assembles its output with the Haar analysis matrix H instead of its inverse H^T",
);
/// The budget without the coarsest level's term.
pub const DROP_COARSEST: Control = Control::new(
    "drop_coarsest",
    "the final error is the sum of the detail levels' errors alone (the coarsest level's left out)",
);

/// 1-D with 8 and 2-D with 16 coefficients (L = 3, L = 2), h = 0 and 0.9, Euler-Maruyama on
/// Karras grids of 8 and 64 levels, score errors delta = 0 and 0.2.
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for (geom, l) in [("1d", 3usize), ("2d", 2)] {
        for h in [0.0, 0.9] {
            for n in [8usize, 64] {
                for delta in [0.0, 0.2] {
                    out.push(
                        Params::new()
                            .with("geom", geom)
                            .with("L", l)
                            .with("K", 1usize)
                            .with("hetero", 1.0)
                            .with("h", h)
                            .with("levels", n)
                            .with("delta", delta),
                    );
                }
            }
        }
    }
    out
}

fn fault(v: Variant) -> BudgetFault {
    if v.is(SYNTHESIS_TRANSPOSED) {
        BudgetFault::SynthesisTransposed
    } else {
        BudgetFault::None
    }
}

/// The budget at one grid point for each random model of the replicates.
fn budgets(p: &Params, v: Variant, ctx: &Ctx) -> Result<Vec<IrBudget>, Error> {
    let level = LevelSampler {
        sampler: Sampler::EulerMaruyama,
        fault: sampler_fault(v),
        grid: SigmaGrid::karras(p.usize_at_least("levels", 2)?, SIGMA_MIN, SIGMA_MAX, RHO)?,
        delta: p.f64("delta")?,
        init_var: SIGMA_MAX * SIGMA_MAX,
    };
    crate::mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        let (hier, g, dynm) = crate::multiscale::model(p, rng)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        Ok(ir_gaussian_budget(&ir, &level, fault(v))?)
    })
}

fn identity_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let drop = v.is(DROP_COARSEST);
    let pairs = budgets(p, v, ctx)?.into_iter().flat_map(|b| {
        let sum = b.sum_of_terms() - if drop { b.levels[0].term } else { 0.0 };
        // the identity, both ways
        [(b.final_kl, sum), (sum, b.final_kl)]
    });
    Ok(Evidence::worst_exact(pairs))
}

fn girsanov_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let pairs = budgets(p, v, ctx)?.into_iter().map(|b| {
        let bound: f64 = b.levels.iter().map(|l| l.truncation + l.girsanov).sum();
        (b.final_kl, bound)
    });
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "diffusion.error_budget",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "one IR time step on a Gaussian multi-scale model (K = 1, affine dynamics; x_t^0 given x_{t-1}^0, then w_t^{r+1} given (x_t^r, x_{t-1}^{r+1})), every level by Euler-Maruyama with the score (1 + delta) times the level's exact conditional score: KL(p(x_{t-1}, x_t) || q(x_{t-1}, x_t)) = sum over levels j of E_p KL(p(block_j | x_{t-1}, x_t's coarser coefficients) || q(block_j | IR's set)), both sides exact",
        source: "KL chain rule over the Haar bijection (as multiscale.kl_chain), with each level's sampler law composed exactly (theory/diffusion.md section 6)",
        replicates: 2,
        grid,
        check: identity_check,
        controls: &[DROP_COARSEST, SYNTHESIS_TRANSPOSED],
    },
    Entry {
        id: "diffusion.error_budget.girsanov",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "the same IR step: KL(p || q) <= sum over levels of [E I(block; what IR does not condition on | IR's set) + the level's Girsanov bound (initialisation with its mean term, discretisation, score error)]",
        source: "the chain rule's terms split exactly into truncation + sampler error; each sampler error bounded as in diffusion.girsanov (Chen et al., ICLR 2023, arXiv 2209.11215), theory/diffusion.md section 6",
        replicates: 2,
        grid,
        check: girsanov_check,
        controls: &[DRIFT_AT_NEW_LEVEL, NOISE_SCALED_BY_STEP],
    },
];
