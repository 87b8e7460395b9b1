//! Family `multiscale`, topic `conditioning`.
use super::*;

pub const REVERSED_ORDER: Control =
    Control::new("reversed_order", "conditioning on more raises the entropy");
/// The conditioner's Schur complement with the gain term's sign slipped:
/// Sigma_ww + K Sigma_xw = 2 Sigma_ww - (Sigma_ww - K Sigma_xw), so conditioning inflates
/// (`prob::Conditioner::gain_sign_slipped`; for mixtures, in every component).
/// (Conditioning on x_{t-1}^{r+1} alone, the first mutation tried, is not caught: in these
/// models the previous fine state says at least as much about w_t as x_t^r does, so the
/// order survives; theory/multiscale.md.)
pub const GAIN_SIGN: Control = Control::mutation(
    "gain_sign",
    "the conditional covariance adds the gain term (Sigma_ww + K Sigma_xw) instead of subtracting it",
);
/// Each draw's x_{t-1}^{r+1} paired with the next draw's x_t (an off-by-one in the pairing
/// of the conditioning variables).
pub const STALE_PAIRING: Control = Control::mutation(
    "stale_pairing",
    "each draw's x_{t-1}^{r+1} paired with another draw's (x_t^r, w_t) (an off-by-one in the pairing)",
);

/// The conditional mixture's component weights w_k N(u; mu_k, S_k) computed without the
/// normalising constant |S_k|^{-1/2}, as if it cancelled across components (it does not
/// when the components' covariances differ, hetero = 1 here). (Keeping the prior weights,
/// the first slip tried, is not caught: theory/multiscale.md.)
pub const WEIGHTS_WITHOUT_LOG_DET: Control = Control::mutation(
    "weights_without_log_det",
    "the conditional mixture's component weights drop the Gaussian's normalising constant",
);

/// The fault a control injects into the IR conditionals.
fn fault(v: Variant) -> IrFault {
    if v.is(WEIGHTS_WITHOUT_LOG_DET) {
        IrFault::WeightsWithoutLogDet
    } else if v.is(GAIN_SIGN) {
        IrFault::GainSign
    } else {
        IrFault::None
    }
}

/// Gauss-Hermite nodes per mixture component for E tr Cov(w | x^0), and the coarser rule
/// whose agreement is the convergence premise.
const QUAD_NODES: usize = 512;
const QUAD_NODES_CHECK: usize = 256;
/// Relative allowance on the law of total variance's closure (within + between - tr Cov(w)):
/// measured at most 1.6e-15 tr Cov(w) with the correct conditional (seed 20261122, every
/// point), at least 5.6e-4 tr Cov(w) with the weights slip, so 1e-10 sits five orders
/// of magnitude from either.
const TOTAL_VARIANCE_CLOSES: f64 = 1e-10;

// ------------------------------------------- 3. Loewner order of conditioning

fn loewner_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let reversed = v.is(REVERSED_ORDER);
    let runs = realisations(ctx, |rng| {
        let (hier, g, dynm) = model(p, rng)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let (mut both, mut coarse) = (
            ir.detail_given_coarse_and_previous(r)?,
            ir.detail_given_coarse(r)?,
        );
        if v.is(GAIN_SIGN) {
            both = both.gain_sign_slipped()?;
            coarse = coarse.gain_sign_slipped()?;
        }
        let marg = ir.detail_marginal(r)?;
        let mut pairs = Vec::new();
        for k in 0..g.components() {
            let cm = marg.cov_of(k).matrix();
            let (cb, cc) = (both.schur(k).matrix(), coarse.schur(k).matrix());
            let scale = cm.iter().fold(0.0f64, |a, x| a.max(x.abs())).max(1e-300);
            let (d1, d2) = if reversed {
                (cb - cc, cc - cm)
            } else {
                (cc - cb, cm - cc)
            };
            pairs.push((-min_eigenvalue(d1.view())? / scale, 0.0));
            pairs.push((-min_eigenvalue(d2.view())? / scale, 0.0));
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// ------------------------------- 4-5. total variance and entropy (mixtures)

/// Samples of the joint (c_{t-1}, c_t) drawn in chunks (one stream per chunk, in order).
fn joint_samples(ir: &IrModel, n: usize, ctx: &Ctx) -> Array2<f64> {
    let chunk = 256;
    let chunks = n.div_ceil(chunk);
    let parts = mc::replicate(chunks, ctx.seed ^ 0x5eed, ctx.cell, |i, rng| {
        let m = chunk.min(n - i as usize * chunk);
        ir.joint.sample(m, rng).0
    });
    let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
    ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, ir.joint.dim())))
}

fn mixture_grid(s: Scale, entropy: bool) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        // strongly correlated levels (h = 0.9): the coarse level says little about the
        // finest details, I(w; x^0) is about 3e-4 nats, and resolving it from zero at the
        // entry's budget takes four times the replicates (theory/multiscale.md)
        let more = if base.f64("h").unwrap_or(0.0) >= 0.9 {
            4usize
        } else {
            1
        };
        for r in [0, l / 2, l - 1] {
            for which in ["previous_vs_coarse", "coarse_vs_none"] {
                if r == 0 && which == "coarse_vs_none" && !entropy {
                    // x^0 is one coordinate: `multiscale.conditioning.total_variance_coarsest`
                    // computes this expectation by quadrature instead of sampling it
                    continue;
                }
                out.push(
                    base.clone()
                        .with("r", r)
                        .with("which", which)
                        .with("replicate_factor", more),
                );
            }
        }
    }
    out.dedup();
    out
}

fn conditioning_evidence(
    p: &Params,
    v: Variant,
    ctx: &Ctx,
    entropy: bool,
) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let which = p.str("which")?.to_string();
    let mut rng = mc::stream(ctx.seed, ctx.cell, u64::MAX >> 8);
    let (hier, g, dynm) = model(p, &mut rng)?;
    let ir = IrModel::new(hier, &g, &dynm)?;
    let n = ctx.replicates * p.usize_at_least("replicate_factor", 1)?;
    let z = joint_samples(&ir, n, ctx);
    let s = if v.is(STALE_PAIRING) {
        // x_{t-1}^{r+1} of draw i+1 beside (x_t^r, w_t) of draw i
        let (_, _, prev, _) = ir.sets(r)?;
        let mut shifted = z.clone();
        for &j in &prev {
            let mut col = shifted.column_mut(j);
            let rolled: Vec<f64> = z
                .column(j)
                .iter()
                .cycle()
                .skip(1)
                .take(z.nrows())
                .copied()
                .collect();
            col.assign(&Array1::from(rolled));
        }
        ir.detail_spread(r, shifted.view())?
    } else {
        let (mut u2, _, prev, _) = ir.sets(r)?;
        u2.extend(prev);
        ir.detail_spread_given(r, &u2, z.view(), fault(v))?
    };
    // Z = (more conditioning) - (less conditioning) for E[tr Cov] and its entropy analogue
    let (more, less) = match (entropy, which == "previous_vs_coarse") {
        (true, true) => (s.nll_both, s.nll_coarse),
        (true, false) => (s.nll_coarse, s.nll_none),
        (false, true) => (s.tv_both, s.tv_coarse),
        (false, false) => (s.tv_coarse, Array1::from_elem(z.nrows(), s.tv_none)),
    };
    let sign = if v.is(REVERSED_ORDER) { -1.0 } else { 1.0 };
    Ok(Evidence::Mean {
        samples: (&more - &less).mapv(|x| sign * x).to_vec(),
        target: Target::AtMost(0.0),
        support: Support::Unbounded,
    })
}

fn total_variance_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    conditioning_evidence(p, v, ctx, false)
}

fn entropy_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    conditioning_evidence(p, v, ctx, true)
}

/// r = 0 of the standard grid: x^0 is one coordinate.
fn coarsest_grid(s: Scale) -> Vec<Params> {
    let mut out: Vec<Params> = standard_grid(s, 3, true)
        .into_iter()
        .map(|b| b.with("r", 0usize))
        .collect();
    out.dedup();
    out
}

/// E tr Cov(w^1 | x^0) <= tr Cov(w^1), the expectation over the scalar x^0 by Gauss-Hermite
/// quadrature per component of its mixture law; the premise is that the rule's convergence
/// error (256 against 512 nodes) is below a hundredth of the gap the verdict rests on.
fn coarsest_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let fault = fault(v);
    let runs = realisations(ctx, |rng| {
        let (hier, g, dynm) = model(p, rng)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let none = ir.detail_marginal(r)?.total_variance();
        let quad = |nodes| -> Result<f64, Error> {
            ir.expected_coarse_spread(r, nodes, fault)?
                .ok_or_else(|| out_of_range("r", &r.into(), "x^r must be one coordinate").into())
        };
        let (fine, check) = (quad(QUAD_NODES)?, quad(QUAD_NODES_CHECK)?);
        let between = ir
            .expected_coarse_between(r, QUAD_NODES, fault)?
            .ok_or_else(|| out_of_range("r", &r.into(), "x^r must be one coordinate"))?;
        let pair = if v.is(REVERSED_ORDER) {
            (none, fine)
        } else {
            (fine, none)
        };
        // the verdict rests on the gap tr Cov(w) - E tr Cov(w | x^0); it is decided only if
        // the rule's convergence error (256 against 512 nodes) is far below that gap
        let quad_err = (fine - check).abs();
        let converged = (100.0 * quad_err, (none - fine).abs());
        // the conditional is the joint law's: its within- and between-parts add up to
        // tr Cov(w) (law of total variance, an equality), up to ten times the rule's
        // convergence error or 1e-10 tr Cov(w), whichever is larger (theory/multiscale.md 4b)
        let closes = (
            (fine + between - none).abs(),
            (10.0 * quad_err).max(TOTAL_VARIANCE_CLOSES * none),
        );
        Ok((pair, converged, closes))
    })?;
    let premises = vec![
        Premise::worst(
            "quadrature error < gap / 100",
            runs.iter().map(|(_, q, _)| *q),
        ),
        Premise::worst(
            "within + between = tr Cov(w) (law of total variance closes)",
            runs.iter().map(|(_, _, c)| *c),
        ),
    ];
    Ok(Evidence::worst_exact(runs.into_iter().map(|(pair, _, _)| pair)).with_premises(premises))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "multiscale.conditioning.gaussian",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "per component: Cov(w^{r+1} | x^r, x_{t-1}^{r+1}) <= Cov(w^{r+1} | x^r) <= Cov(w^{r+1}) in Loewner order",
        source: "derived (Schur complements of nested conditioning sets)",
        replicates: 2,
        grid: |s| levels_grid(s, 3),
        check: loewner_check,
        controls: &[REVERSED_ORDER, GAIN_SIGN],
    },
    Entry {
        id: "multiscale.conditioning.total_variance",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "mixtures: E tr Cov(w | x^r, x_{t-1}^{r+1}) <= E tr Cov(w | x^r) <= tr Cov(w)",
        source: "derived (law of total variance, conditionally)",
        replicates: 20000,
        grid: |s| mixture_grid(s, false),
        check: total_variance_check,
        // weights_without_log_det is not listed here: at 3 of 20 master seeds its error stays
        // inside this inequality's slack; entry 4b's closure premise catches it at 20 of 20
        controls: &[REVERSED_ORDER, GAIN_SIGN],
    },
    Entry {
        id: "multiscale.conditioning.total_variance_coarsest",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "mixtures, r = 0 (x^0 one coordinate): E tr Cov(w^1 | x^0) <= tr Cov(w^1), the expectation by Gauss-Hermite quadrature over the mixture law of x^0",
        source: "derived (law of total variance); quadrature in theory/multiscale.md",
        replicates: 2,
        grid: coarsest_grid,
        check: coarsest_check,
        controls: &[REVERSED_ORDER, WEIGHTS_WITHOUT_LOG_DET],
    },
    Entry {
        id: "multiscale.conditioning.entropy",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "mixtures: h(w | x^r, x_{t-1}^{r+1}) <= h(w | x^r) <= h(w) (Monte Carlo of -log p)",
        source: "derived (conditional mutual information >= 0)",
        replicates: 20000,
        grid: |s| mixture_grid(s, true),
        check: entropy_check,
        controls: &[REVERSED_ORDER, STALE_PAIRING],
    },
];
