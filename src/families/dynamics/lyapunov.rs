//! Family `dynamics`, topic `lyapunov`.
use super::*;

pub const WRONG_REFERENCE: Control = Control::new("wrong_reference", "lambda_1 = 1.0");
pub const VOLUME_PRESERVING: Control =
    Control::new("volume_preserving", "the exponents sum to zero");
/// The tangent dynamics run with a Jacobian whose d(xdot)/dy has the wrong sign.
pub const JACOBIAN_SIGN: Control = Control::mutation(
    "jacobian_sign",
    "the tangent dynamics use a Jacobian with the sign of d(xdot)/dy flipped",
);

// ------------------------------------------------------- 3-4. Lyapunov spectra

fn lyapunov_horizon(s: Scale) -> f64 {
    match s {
        Scale::Quick => 2000.0,
        Scale::Full => 5000.0,
    }
}

fn lorenz_lyapunov_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let t = p.positive("T")?;
    let f = Lorenz63::default();
    let flipped = FlippedJacobian(&f);
    let flow: &dyn Flow = if v.is(JACOBIAN_SIGN) { &flipped } else { &f };
    let run = lyapunov_spectrum(flow, V3::new(1.0, 1.0, 20.0), 0.01, 20.0, t, 1)?;
    let reference = v.pick(WRONG_REFERENCE, 0.9056, 1.0);
    let [l1, l2, l3] = run.exponents;
    let sum_exact = -(f.sigma + 1.0 + f.beta);
    Ok(Evidence::worst_exact([
        ((l1 - reference).abs(), 0.02),
        ((l1 + l2 + l3 - sum_exact).abs(), 1e-2),
    ]))
}

fn trace_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let flipped = FlippedJacobian(spec.flow());
    let f: &dyn Flow = if v.is(JACOBIAN_SIGN) {
        &flipped
    } else {
        spec.flow()
    };
    let t = lyapunov_horizon(ctx.scale);
    let run = lyapunov_spectrum(f, spec.initial_state(), 0.01, 50.0, t, 1)?;
    let sum: f64 = run.exponents.iter().sum();
    // the control claims volume preservation: the exponents sum to zero
    let target = if v.is(VOLUME_PRESERVING) {
        0.0
    } else {
        run.mean_divergence
    };
    let mut pairs = vec![((sum - target).abs(), 1e-2)];
    if f.autonomous() {
        let zero = run
            .exponents
            .iter()
            .fold(f64::INFINITY, |m, l| m.min(l.abs()));
        pairs.push((zero, 0.01));
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.lyapunov.lorenz",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "Lorenz63 (10, 28, 8/3): |lambda_1 - 0.9056| <= 0.02 at T >= 2000, and sum lambda_i = -(sigma + 1 + beta) = -13.667 to 1e-2",
        source: "Sprott, Chaos and Time-Series Analysis (2003), table of Lyapunov exponents",
        replicates: 1,
        grid: |s| vec![Params::new().with("T", lyapunov_horizon(s))],
        check: lorenz_lyapunov_check,
        controls: &[WRONG_REFERENCE, JACOBIAN_SIGN],
    },
    Entry {
        id: "dynamics.lyapunov.trace",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "sum of the exponents = time-averaged divergence along the same trajectory (to 1e-2); one exponent is zero (within 0.01) for autonomous flows",
        source: "Liouville's formula det Phi = exp(int tr J); Haken (1983) for the zero exponent",
        replicates: 1,
        grid: |_| systems(),
        check: trace_check,
        controls: &[VOLUME_PRESERVING, JACOBIAN_SIGN],
    },
];
