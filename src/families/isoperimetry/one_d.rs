//! Family `isoperimetry`, topic `one_d`.
use super::*;

pub const ROUTES_TEN_PERCENT_APART: Control = Control::new(
    "routes_ten_percent_apart",
    "the Schrödinger route's C_P is 1.1 times the finite elements'",
);
/// The Schrödinger potential without its curvature term.
pub const DROPPED_CURVATURE: Control = Control::mutation(
    "dropped_curvature",
    "the Schrödinger potential W = V'^2/4 without its -V''/2 term",
);
pub const UNWEIGHTED_STIFFNESS: Control = super::gaussian::UNWEIGHTED_STIFFNESS;

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = line_law(p)?;
    let fem_fault = if v.is(UNWEIGHTED_STIFFNESS) {
        FemFault::UnweightedStiffness
    } else {
        FemFault::None
    };
    let schr_fault = if v.is(DROPPED_CURVATURE) {
        SchrodingerFault::DroppedCurvature
    } else {
        SchrodingerFault::None
    };
    let fem = poincare_fem(&g, TAIL, TOL, fem_fault)?;
    let schr = poincare_schrodinger(&g, TAIL, TOL, schr_fault)?;
    let c = v.pick(ROUTES_TEN_PERCENT_APART, 1.0, 1.1);
    Ok(
        Evidence::worst_exact([agree(c * schr.c_p, fem.c_p)]).with_premises(vec![
            // Courant-Fischer: the finite-element quotient is a lower bound, so it must sit
            // under the extrapolated estimate
            Premise::worst(
                "finite-element quotient below the estimate",
                [(fem.lower, fem.c_p * (1.0 + AGREE))],
            ),
        ]),
    )
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.one_d.routes",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "on the line, C_P from weighted finite elements and from the Schrödinger form -d^2/dx^2 + V'^2/4 - V''/2 agree to 1e-6 (separations to 8 sd, weights to 1e-3, unequal variances), and the finite-element quotient is below the estimate",
    source: "Roustant, Barthe, Iooss, EJS 11 (2017), arXiv 1612.03689 (finite elements); the ground-state transform (derived, theory/isoperimetry.md section 2)",
    replicates: 1,
    grid: battery,
    check,
    controls: &[ROUTES_TEN_PERCENT_APART, DROPPED_CURVATURE, UNWEIGHTED_STIFFNESS],
}];
