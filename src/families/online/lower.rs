//! Family `online`, topic `lower`.
use super::*;

pub const MISSING_HALF: Control = Control::new(
    "missing_half",
    "E[Reg_T] = E|sum eps_t| (the factor 1/2 dropped)",
);

/// The algorithm sees the loss vector it is about to be charged: the statement's premise
/// (p_t independent of x_t) is what a look-ahead bug breaks.
pub const PEEKING_HINT: Control = Control::mutation(
    "peeking_hint",
    "every algorithm's hint replaced by the current loss x_t (a look-ahead bug)",
);

/// The equality is checked to within this fraction of the exact value (theory/online.md).
const TWO_EXPERTS_MARGIN: f64 = 0.05;

fn two_experts_grid(s: Scale) -> Vec<Params> {
    let ts: &[usize] = match s {
        Scale::Quick => &[10, 100, 1000],
        Scale::Full => &[10, 100, 1000, 10000],
    };
    let mut out = Vec::new();
    for &t in ts {
        for alg in ["hedge", "omd_last", "omd_mean_eta1"] {
            out.push(Params::new().with("T", t).with("algorithm", alg));
        }
    }
    out
}

fn two_experts_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let t = p.usize_at_least("T", 1)?;
    let (hint, eta) = match p.str("algorithm")? {
        "hedge" => ("zero", (8.0 * 2f64.ln() / t as f64).sqrt()),
        "omd_last" => ("last", (2f64.ln() / t as f64).sqrt()),
        "omd_mean_eta1" => ("mean", 1.0),
        other => {
            return Err(Error::Input(format!(
                "algorithm `{other}`: known hedge, omd_last, omd_mean_eta1"
            )))
        }
    };
    let hint = if v.is(PEEKING_HINT) { "oracle" } else { hint };
    let q = Params::new()
        .with("domain", "simplex")
        .with("d", 2usize)
        .with("sequence", "two_experts")
        .with("hint", hint)
        .with("T", t);
    let outs = runs(&q, StepSize::Fixed(eta), ctx, Options::FAST)?;
    Ok(Evidence::Mean {
        samples: outs.iter().map(|o| o.regret).collect(),
        target: Target::Within {
            value: v.pick(MISSING_HALF, 1.0, 2.0) * two_experts_expected_regret(t),
            margin: TWO_EXPERTS_MARGIN * two_experts_expected_regret(t),
        },
        // regret of T rounds lies in [-T, T], a range ~sqrt(T) times its spread, where the
        // betting interval's price for validity at any n is a width ~ln(1/a)/n times the
        // range: Student's t with the skewness rule instead (theory/stats.md)
        support: Support::Unbounded,
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "online.lower.two_experts",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "two experts, fair-coin losses: every algorithm's E[Reg_T] = E|N - T/2| = (1/2) E|sum eps_t| ~ sqrt(T/(2 pi))",
        source: "derived (E<p_t, x_t> = 1/2 for any p_t independent of x_t)",
        replicates: 4000,
        grid: two_experts_grid,
        check: two_experts_check,
        controls: &[MISSING_HALF, PEEKING_HINT],
    },
];
