//! Family `multiscale`, topic `eckart_young`.
use super::*;

pub const REVERSED: Control = Control::new(
    "reversed",
    "the resolution projection is the best rank-n_r projection",
);

/// The reconstruction one level too fine: the error of P^{(r+1)+} P^{r+1} (which keeps
/// n_{r+1} > n_r coefficients) compared with the rank-n_r tail.
pub const LEVEL_SLIP: Control = Control::mutation(
    "level_slip",
    "the reconstruction error taken at level r + 1 (an off-by-one in the level index)",
);

// --------------------------------------------------------- 7. Eckart-Young

fn eckart_young_grid(s: Scale) -> Vec<Params> {
    levels_grid(s, 3)
}

fn eckart_young_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let (mut tail, rank) = resolution_and_rank_tails(&hier, &g, r)?;
        if v.is(LEVEL_SLIP) {
            tail = resolution_and_rank_tails(&hier, &g, r + 1)?.0;
        }
        Ok(if v.is(REVERSED) {
            (tail, rank)
        } else {
            (rank, tail)
        })
    })?;
    Ok(Evidence::worst_exact(runs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "multiscale.eckart_young",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "E||x - P^{r+} P^r x||^2 >= sum of the d - n_r smallest eigenvalues of E[x x^T]; the ratio is a multi-scale structure index",
        source: "Eckart-Young / Ky Fan",
        replicates: 2,
        grid: eckart_young_grid,
        check: eckart_young_check,
        controls: &[REVERSED, LEVEL_SLIP],
    },
];
