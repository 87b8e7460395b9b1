//! Family `isoperimetry`, topic `pushforward`.
use super::*;
use crate::isoperimetry::gaussian_constant;

/// The pushed law's covariance scaled once (a Sigma, or A Sigma) where the map acts on both
/// sides (a^2 Sigma, A Sigma A^T).
pub const SCALED_ONCE: Control = Control::mutation(
    "scaled_once",
    "the pushed-forward covariance scaled by the map on one side only (a s^2 for a^2 s^2)",
);
pub const NORM_NOT_SQUARED: Control = Control::new(
    "norm_not_squared",
    "C(A#mu) <= ||A|| C(mu) (the norm not squared)",
);

fn grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for law in battery(s).into_iter().take(4) {
        for a in [0.5, 3.0] {
            out.push(law.clone().with("a", a));
        }
    }
    for d in [3usize, 6] {
        out.push(Params::new().with("d", d));
    }
    out
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let power = v.pick(NORM_NOT_SQUARED, 2.0, 1.0);
    if p.get("d").is_some() {
        let d = p.usize_at_least("d", 2)?;
        let runs = realisations(ctx, |rng| {
            let cov = random_covariance(d, rng)?;
            let a = Array2::from_shape_fn((d - 1, d), |_| StandardNormal.sample(rng));
            // (the one-sided slip is a mutation of the line's pushforward; here the map is
            // applied as written)
            let pushed = a.dot(&cov).dot(&a.t());
            let sym = (&pushed + &pushed.t()) * 0.5;
            let norm2 = gaussian_constant(a.dot(&a.t()).view())?; // ||A||_op^2
            Ok(vec![(
                gaussian_constant(sym.view())?,
                norm2.powf(power / 2.0) * gaussian_constant(cov.view())?,
            )])
        })?;
        return Ok(Evidence::worst_exact(runs.into_iter().flatten()));
    }
    let g = line_law(p)?;
    let a = p.f64("a")?;
    let pushed = if v.is(SCALED_ONCE) {
        let w = g.weights();
        let means = g.means().mapv(|m| a * m + 1.0);
        let covs = (0..g.components())
            .map(|k| g.cov_of(k).matrix() * a.abs())
            .collect();
        Gmm::new(w.as_slice().unwrap_or(&[]), means, covs)?
    } else {
        g.affine(&array![[a]], Some(&array![1.0]), None)?
    };
    let c = poincare_fem(&g, TAIL, TOL, FemFault::None)?.c_p;
    let ca = poincare_fem(&pushed, TAIL, TOL, FemFault::None)?.c_p;
    // on the line the bound is an equality: C(aX + b) = a^2 C(X), both ways
    let scale = a.abs().powf(power);
    Ok(Evidence::worst_exact([
        agree(ca, scale * c),
        agree(scale * c, ca),
    ]))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.pushforward",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "C(A#mu) <= ||A||_op^2 C(mu), an equality C(aX + b) = a^2 C(X) on the line (finite elements) and lambda_max(A Sigma A^T) <= ||A||^2 lambda_max(Sigma) for Gaussians",
    source: "derived (f o A is a test function for mu; theory/isoperimetry.md section 5)",
    replicates: 2,
    grid,
    check,
    controls: &[SCALED_ONCE, NORM_NOT_SQUARED],
}];
