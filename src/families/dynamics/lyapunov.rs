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

/// Lorenz63's largest exponent (Sprott 2003) and the margin of the equality claim on the
/// mean finite-time estimate: 0.02 covers the reference's last digit, the O(1/T) bias of a
/// time average from a fixed transient, and RK4's O(h^4) at h = 0.01 (theory/dynamics.md).
const LORENZ_LAMBDA_1: f64 = 0.9056;
const LAMBDA_1_MARGIN: f64 = 0.02;

/// Why a Gaussian interval: the skewness rule needs more replicates than a Lyapunov run per
/// replicate allows, and each estimate is an average over 2e5 steps of a mixing system.
const TIME_AVERAGE: &str =
    "each exponent is a time average of log stretch factors over 2e5 QR steps (central limit)";

// ------------------------------------------------------- 3-4. Lyapunov spectra

fn lyapunov_horizon(s: Scale) -> f64 {
    match s {
        Scale::Quick => 2000.0,
        Scale::Full => 5000.0,
    }
}

/// Each replicate: the spectrum of `flow` over horizon `t` (transient `transient`, RK4
/// h = 0.01) from its own start `x0 + N(0, 0.1^2 I)`.
fn perturbed_spectra(
    flow: &dyn Flow,
    x0: V3,
    transient: f64,
    t: f64,
    ctx: &Ctx,
) -> Result<Vec<crate::dynamics::LyapunovRun>, Error> {
    mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        Ok(lyapunov_spectrum(
            flow,
            perturbed_start(x0, rng),
            0.01,
            transient,
            t,
            1,
        )?)
    })
}

/// E lambda_1-hat(T) over perturbed starts, within LAMBDA_1_MARGIN of 0.9056.
fn lorenz_lyapunov_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let t = p.positive("T")?;
    let f = Lorenz63::default();
    let flipped = FlippedJacobian(&f);
    let flow: &dyn Flow = if v.is(JACOBIAN_SIGN) { &flipped } else { &f };
    let runs = perturbed_spectra(flow, V3::new(1.0, 1.0, 20.0), 20.0, t, ctx)?;
    Ok(Evidence::Mean {
        samples: runs.iter().map(|r| r.exponents[0]).collect(),
        target: Target::Within {
            value: v.pick(WRONG_REFERENCE, LORENZ_LAMBDA_1, 1.0),
            margin: LAMBDA_1_MARGIN,
        },
        support: Support::Gaussian { why: TIME_AVERAGE },
    })
}

/// Per system, one of two claims over perturbed starts: E[sum lambda_i - (1/T) int tr J]
/// within 1e-2 of 0 (Liouville), or E min_i |lambda_i| <= 0.01 (autonomous flows).
fn trace_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let claim = p.str("claim")?.to_string();
    let flipped = FlippedJacobian(spec.flow());
    let f: &dyn Flow = if v.is(JACOBIAN_SIGN) {
        &flipped
    } else {
        spec.flow()
    };
    let t = lyapunov_horizon(ctx.scale);
    let runs = perturbed_spectra(f, spec.initial_state(), 50.0, t, ctx)?;
    let (samples, target) = match claim.as_str() {
        "sum_is_divergence" => (
            runs.iter()
                .map(|r| {
                    // the control claims volume preservation: the exponents sum to zero
                    let target = if v.is(VOLUME_PRESERVING) {
                        0.0
                    } else {
                        r.mean_divergence
                    };
                    r.exponents.iter().sum::<f64>() - target
                })
                .collect(),
            Target::Within {
                value: 0.0,
                margin: 1e-2,
            },
        ),
        "zero_exponent" => (
            runs.iter()
                .map(|r| {
                    r.exponents
                        .iter()
                        .fold(f64::INFINITY, |m, l| m.min(l.abs()))
                })
                .collect(),
            Target::AtMost(0.01),
        ),
        other => {
            return Err(out_of_range(
                "claim",
                &other.into(),
                "must be sum_is_divergence or zero_exponent",
            )
            .into())
        }
    };
    Ok(Evidence::Mean {
        samples,
        target,
        support: Support::Gaussian { why: TIME_AVERAGE },
    })
}

/// Each system with the sum claim, and the autonomous ones with the zero-exponent claim.
fn trace_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for sys in systems() {
        let autonomous = sys.f64_or("drift", 0.0).unwrap_or(0.0) == 0.0;
        out.push(sys.clone().with("claim", "sum_is_divergence"));
        if autonomous {
            out.push(sys.with("claim", "zero_exponent"));
        }
    }
    out
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.lyapunov.lorenz",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "Lorenz63 (10, 28, 8/3), Benettin/QR with RK4 h = 0.01 from starts (1, 1, 20) + N(0, 0.1^2 I): the mean finite-time largest exponent at T = 2000 lies within 0.9056 +- 0.02",
        source: "Sprott, Chaos and Time-Series Analysis (2003), table of Lyapunov exponents",
        replicates: 8,
        grid: |s| vec![Params::new().with("T", lyapunov_horizon(s))],
        check: lorenz_lyapunov_check,
        controls: &[WRONG_REFERENCE, JACOBIAN_SIGN],
    },
    Entry {
        id: "dynamics.lyapunov.trace",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "over perturbed starts: the mean of (sum of the exponents - time-averaged divergence along the same trajectory) lies within 0 +- 1e-2; for autonomous flows the mean smallest |exponent| is at most 0.01",
        source: "Liouville's formula det Phi = exp(int tr J); Haken (1983) for the zero exponent",
        replicates: 8,
        grid: trace_grid,
        check: trace_check,
        controls: &[VOLUME_PRESERVING, JACOBIAN_SIGN],
    },
];
