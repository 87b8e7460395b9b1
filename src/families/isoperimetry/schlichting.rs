//! Family `isoperimetry`, topic `schlichting`: the chi-square bound on the Poincaré constant of
//! a two-component mixture (theory/isoperimetry.md section 8 derives it).
use super::*;
use crate::isoperimetry::{
    band_directions, chi_square_bound, linear_lower_bound, projection_lower_bound, ChiFault,
};

/// The variance decomposition without its between-component part: C_P <= max_k C_k.
pub const BETWEEN_TERM_DROPPED: Control = Control::mutation(
    "between_term_dropped",
    "the bound computed from the within-component variances only (the between-component term of the variance decomposition dropped): max_k C_k",
);
/// The divergence slipped: KL where chi-square belongs.
pub const KL_FOR_CHI_SQUARE: Control = Control::mutation(
    "kl_for_chi_square",
    "the bound computed with KL(mu_j || mu_k) in place of chi^2(mu_j || mu_k) (Delta^2 / 2 for e^{Delta^2} - 1)",
);

/// The subject's fault for a variant.
pub(super) fn chi_fault(v: Variant) -> ChiFault {
    if v.is(BETWEEN_TERM_DROPPED) {
        ChiFault::BetweenTermDropped
    } else if v.is(KL_FOR_CHI_SQUARE) {
        ChiFault::KlForChiSquare
    } else {
        ChiFault::None
    }
}

/// On the line: the battery plus close modes (where the bound is nearly attained); in d
/// dimensions: two components N(0, Sigma), N(delta, Sigma) with Mahalanobis separation `delta`.
fn grid(s: Scale) -> Vec<Params> {
    let mut out = vec![mixture(0.5, -0.25, 0.25), mixture(0.5, -0.5, 0.5)];
    out.extend(battery(s));
    let dims: &[usize] = match s {
        Scale::Quick => &[3, 8],
        Scale::Full => &[3, 8, 32],
    };
    for &d in dims {
        for delta in [0.5, 2.0] {
            out.push(
                Params::new()
                    .with("d", d)
                    .with("delta", delta)
                    .with("w", 0.3),
            );
        }
    }
    out
}

/// w N(0, Sigma) + (1 - w) N(delta, Sigma) in d dimensions: Sigma random (eigenvalues 0.2 to 5),
/// the mean difference a random direction of Mahalanobis length `delta`.
pub(super) fn shared_pair(d: usize, delta: f64, w: f64, rng: &mut Rng) -> Result<Gmm, Error> {
    let cov = random_covariance(d, rng)?;
    let spd = crate::linalg::Spd::new(cov.clone(), "Sigma")?;
    let dir: Array1<f64> = Array1::from_shape_fn(d, |_| StandardNormal.sample(rng));
    let mean = &dir * (delta / spd.quad(dir.view())?.sqrt());
    let mut means = Array2::zeros((2, d));
    means.row_mut(1).assign(&mean);
    Ok(Gmm::new(&[w, 1.0 - w], means, vec![cov.clone(), cov])?)
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let fault = chi_fault(v);
    if !p.has("d") {
        let g = line_law(p)?;
        let fem = poincare_fem(&g, TAIL, TOL, FemFault::None)?;
        let upper = chi_square_bound(&g, fault)?.bound;
        return Ok(Evidence::worst_exact([(fem.lower, upper)]));
    }
    let d = p.usize_at_least("d", 2)?;
    let delta = p.positive("delta")?;
    let w = p.f64("w")?;
    if !(w > 0.0 && w < 1.0) {
        return Err(out_of_range("w", &w.into(), "a weight in (0, 1)").into());
    }
    let runs = realisations(ctx, |rng| {
        let g = shared_pair(d, delta, w, rng)?;
        let upper = chi_square_bound(&g, fault)?.bound;
        // the lower ends: linear test functions, and the exact 1-D constant of the projections
        // on the mean difference, on Sigma^{-1} times it (the discriminant direction) and on
        // the covariance's top eigenvector
        let mut pairs = vec![(linear_lower_bound(&g)?, upper)];
        for dir in band_directions(&g)? {
            pairs.push((projection_lower_bound(&g, &dir, TOL)?, upper));
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.schlichting",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for w0 N(m0, S0) + w1 N(m1, S1), C_P <= min over lambda of max(C0 (1 + lambda w1 chi^2(mu1||mu0)), C1 (1 + (1 - lambda) w0 chi^2(mu0||mu1))), C0 (1 + w0 w1 (e^{Delta^2} - 1)) for equal covariances; above the exact 1-D value and every d-dimensional lower end",
    source: "derived (variance decomposition, then Cauchy-Schwarz against the density ratio; theory/isoperimetry.md section 8), the mechanism of Schlichting, Entropy 21:89 (2019)",
    replicates: 2,
    grid,
    check,
    controls: &[BETWEEN_TERM_DROPPED, KL_FOR_CHI_SQUARE],
}];
