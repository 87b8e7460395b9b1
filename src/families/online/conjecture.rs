//! Family `online`, topic `conjecture`.
use super::*;

pub const LIMIT_FORM_HALVED: Control = Control::new(
    "limit_form_halved",
    "Reg_T <= R^2/(2 eta) with the perfect hint",
);

fn perfect_hint_conjecture(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    // the late oracle is checked against the limit form R^2/eta, which the main verdict
    // (REFUTED: regret is not zero) does not decide
    let c = if v.is(LATE_ORACLE) {
        1.0
    } else {
        v.pick(LIMIT_FORM_HALVED, 0.0, 0.5)
    };
    perfect_hint_evidence(p, c, v, ctx)
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "online.conjecture.perfect_hint",
    kind: Kind::Exact,
    status: Status::Conjecture {
        expected: Some(Verdict::Refuted),
    },
    statement: "the notes' claim: if M_t = x_t exactly, OMD's regret is zero",
    source: "research notes; expected REFUTED at finite eta (see online.omd.perfect_hint_limit)",
    replicates: 2,
    grid: perfect_hint_grid,
    check: perfect_hint_conjecture,
    controls: &[LIMIT_FORM_HALVED, LATE_ORACLE],
}];
