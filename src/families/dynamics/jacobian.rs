//! Family `dynamics`, topic `jacobian`.
use super::*;

pub const DROPPED_TERM: Control =
    Control::mutation("dropped_term", "one term of the Jacobian dropped");

// -------------------------------------------------------------- 2. Jacobians

fn jacobian_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let mut rng = mc::stream(ctx.seed, ctx.cell, 0);
    let mut pairs = Vec::new();
    for _ in 0..20 {
        let x = V3::from_fn(|_, _| rng.random_range(-3.0..3.0)) + spec.initial_state();
        let t: f64 = rng.random_range(0.0..50.0);
        let mut j = f.jacobian(t, &x);
        if v.is(DROPPED_TERM) {
            // a classic slip: the -z in d(ydot)/dx of Lorenz, the cubic term of Langford's zdot
            j[(1, 0)] += x[2];
            j[(2, 0)] -= 3.0 * 0.1 * x[2] * x[0] * x[0];
        }
        let fd = finite_difference_jacobian(f, t, &x, 1e-6);
        let scale = fd.amax().max(1.0);
        pairs.push(((j - fd).amax() / scale, 1e-6));
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.jacobian",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "closed-form Jacobians equal central finite differences to 1e-6 (relative to the largest entry) at random states",
        source: "derived by hand; checked numerically",
        replicates: 1,
        grid: |_| systems(),
        check: jacobian_check,
        controls: &[DROPPED_TERM],
    },
];
