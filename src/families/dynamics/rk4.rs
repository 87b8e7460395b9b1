//! Family `dynamics`, topic `rk4`.
use super::*;

pub const FIFTH_ORDER: Control = Control::new("fifth_order", "slope in [4.7, 5.3]");
/// k2 where k3 belongs in the final combination: weights (1, 4, 0, 1)/6 keep orders 1-3's
/// quadrature conditions but not the coupling b4 a43 c3 = 1/6 (theory/dynamics.md).
pub const STAGE_SLIP: Control = Control::mutation(
    "stage_slip",
    "RK4 combines its stages as (k1 + 4 k2 + k4)/6 (k2 typed where k3 belongs)",
);

// ------------------------------------------------------------- 1. RK4 order

fn rk4_order_grid(_s: Scale) -> Vec<Params> {
    vec![Params::new()
        .with("system", "lorenz63")
        .with("horizon", 0.25)]
}

fn rk4_order_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let horizon = p.positive("horizon")?;
    let x0 = spec.initial_state();
    let reference = *integrate(f, x0, horizon, horizon, 1e-13, 1e-13)?
        .x
        .last()
        .ok_or_else(|| Error::Internal("empty trajectory".into()))?;
    // the asymptotic range: errors 3e-6 .. 7e-10, above the reference's ~1e-13
    let hs = [0.01, 0.005, 0.0025, 0.00125];
    let mut x = Vec::new();
    let mut err = Vec::new();
    for h in hs {
        let n = (horizon / h).round() as usize;
        let xe = if v.is(STAGE_SLIP) {
            rk4_weighted(f, x0, 0.0, horizon, n, &[1.0, 4.0, 0.0, 1.0])?
        } else {
            rk4(f, x0, 0.0, horizon, n)?
        };
        x.push(h);
        err.push((xe - reference).norm());
    }
    let (lo, hi) = if v.is(FIFTH_ORDER) {
        (4.7, 5.3)
    } else {
        (3.7, 4.3)
    };
    Ok(Evidence::Slope {
        se: vec![0.0; x.len()],
        replicates: 1,
        x,
        mean: err,
        lo,
        hi,
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.rk4.order",
        kind: Kind::Scaling,
        status: Status::Claim,
        statement: "RK4's global error on Lorenz63 over t in [0, 0.25] scales as h^4 (slope of log error vs log h in [3.7, 4.3])",
        source: "classical (Hairer, Norsett, Wanner I, II.3)",
        replicates: 1,
        grid: rk4_order_grid,
        check: rk4_order_check,
        controls: &[FIFTH_ORDER, STAGE_SLIP],
    },
];
