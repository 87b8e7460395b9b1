//! Family `isoperimetry`, topic `conjecture`.
use super::*;

/// The battery without its asymmetric laws: symmetric mixtures only.
pub const SYMMETRIC_ONLY: Control = Control::positive_mutation(
    "symmetric_only",
    "the same check on symmetric mixtures only (where B <= C_P is not expected to fail)",
    &[Verdict::Supported, Verdict::Inconclusive],
);

fn grid(s: Scale) -> Vec<Params> {
    battery(s)
}

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = line_law(p)?;
    if v.is(SYMMETRIC_ONLY) {
        let symmetric = (p.f64("w")? - 0.5).abs() < 1e-12
            && (p.f64("m1")? + p.f64("m2")?).abs() < 1e-12
            && (p.positive_or("s1", 1.0)? - p.positive_or("s2", 1.0)?).abs() < 1e-12;
        if !symmetric {
            // not part of this control's battery: an exact pair that holds
            return Ok(Evidence::Exact { lhs: 0.0, rhs: 1.0 });
        }
    }
    let b = muckenhoupt_b(&g, TAIL, MUCK_ELEMENTS, MuckFault::None)?.b;
    let fem = poincare_fem(&g, TAIL, TOL, FemFault::None)?;
    Ok(Evidence::Exact {
        lhs: b,
        rhs: fem.c_p,
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.conjecture.muckenhoupt_lower",
    kind: Kind::Exact,
    status: Status::Conjecture {
        expected: Some(Verdict::Refuted),
    },
    statement: "the often-quoted lower form B <= C_P of Muckenhoupt's bracket (expected REFUTED: 0.2 N(4, 1) + 0.8 N(-4, 1) has B = 1610, C_P = 1314)",
    source: "../shared/REFERENCES.md (the counterexample, finite elements checked twice); theory/isoperimetry.md section 3",
    replicates: 1,
    grid,
    check,
    controls: &[SYMMETRIC_ONLY],
}];
