//! Family `isoperimetry`, topic `muckenhoupt`.
use super::*;

/// The often-quoted upper constant 1 in place of 4.
pub const UPPER_CONSTANT_ONE: Control = Control::new(
    "upper_constant_one",
    "C_P <= B (the upper constant 1 for 4)",
);
/// A reciprocal dropped: int p where int 1/p belongs.
pub const DENSITY_FOR_RECIPROCAL: Control = Control::mutation(
    "density_for_reciprocal",
    "Muckenhoupt's functional with int_m^x p in place of int_m^x 1/p",
);

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = line_law(p)?;
    let fault = if v.is(DENSITY_FOR_RECIPROCAL) {
        MuckFault::DensityForReciprocal
    } else {
        MuckFault::None
    };
    let b = muckenhoupt_b(&g, TAIL, MUCK_ELEMENTS, fault)?.b;
    let fem = poincare_fem(&g, TAIL, TOL, FemFault::None)?;
    let upper = v.pick(UPPER_CONSTANT_ONE, 4.0, 1.0);
    Ok(Evidence::worst_exact([
        (0.5 * b, fem.c_p),
        (fem.c_p, upper * b),
    ]))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.muckenhoupt",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "with B Muckenhoupt's functional about the median, B / 2 <= C_P <= 4 B on the line",
    source: "Muckenhoupt, Studia Math. 44 (1972); Bobkov & Götze, J. Funct. Anal. 163 (1999), with the median; theory/isoperimetry.md section 3",
    replicates: 1,
    grid: battery,
    check,
    controls: &[UPPER_CONSTANT_ONE, DENSITY_FOR_RECIPROCAL],
}];
