//! Family `dynamics`, topic `dop853`.
use super::*;

pub const TOLERANCE_HUNDREDTH: Control =
    Control::new("tolerance_hundredth", "error below tol / 100");
pub const RHO_TYPO: Control = Control::mutation(
    "rho_typo",
    "the integrated Lorenz63 has rho = 28.001 (a parameter typo); the reference keeps 28",
);

fn dop853_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let horizon = p.positive("horizon")?;
    let x0 = spec.initial_state();
    let typo = Lorenz63 {
        rho: 28.001,
        ..Lorenz63::default()
    };
    let run_flow: &dyn Flow = if v.is(RHO_TYPO) { &typo } else { f };
    let last = |tol: f64, f: &dyn Flow| -> Result<V3, Error> {
        integrate(f, x0, horizon, horizon, tol, tol)?
            .x
            .last()
            .copied()
            .ok_or_else(|| Error::Internal("empty trajectory".into()))
    };
    let reference = last(1e-14, f)?;
    let c = v.pick(TOLERANCE_HUNDREDTH, 1.0, 0.01);
    let mut pairs = Vec::new();
    for tol in [1e-4, 1e-6, 1e-8, 1e-10] {
        let x = last(tol, run_flow)?;
        pairs.push(((x - reference).amax(), c * tol * (1.0 + reference.amax())));
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.dop853.tolerance",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "Dop853 (ode_solvers) meets its tolerance over a short horizon: on Lorenz63, t in [0, 0.25], ||x - x_ref||_inf <= tol (1 + ||x_ref||_inf) for rtol = atol = tol in {1e-4, ..., 1e-10}",
        source: "local error control (Hairer, Norsett, Wanner I, II.4); reference at tol 1e-14",
        replicates: 1,
        grid: |_| vec![Params::new().with("system", "lorenz63").with("horizon", 0.25)],
        check: dop853_check,
        controls: &[TOLERANCE_HUNDREDTH, RHO_TYPO],
    },
];
