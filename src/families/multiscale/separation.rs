//! Family `multiscale`, topic `separation`.
use super::*;

pub const CONSTANT_HALVED: Control = Control::new(
    "constant_halved",
    "Delta_A^2 <= (1/2) delta^T Sigma^{-1} delta",
);
pub const KL_HALVED: Control = Control::new("kl_halved", "KL^r <= (1/2) KL^{r+1}");
/// The coarse law's precision taken as A Sigma^{-1} A^T: for orthonormal rows of A that is
/// the precision of A x given the rest (conditioning), not of A x (marginalising).
pub const PRECISION_PROJECTED: Control = Control::mutation(
    "precision_projected",
    "the coarse precision taken as A Sigma^{-1} A^T instead of (A Sigma A^T)^{-1}",
);

/// Each level's component covariances replaced by their diagonals.
pub const DIAGONAL_COVARIANCE: Control = Control::mutation(
    "diagonal_covariance",
    "each level's covariances replaced by their diagonals (correlations between pixels dropped)",
);

fn diagonal_of(s: &Spd) -> Result<Spd, Error> {
    Ok(Spd::new(
        Array2::from_diag(&s.matrix().diag()),
        "diagonal covariance",
    )?)
}

/// The covariance of A x as the mutation computes it: (A Sigma^{-1} A^T)^{-1}.
fn precision_projected_cov(sigma: &Spd, a: &Array2<f64>) -> Result<Spd, Error> {
    let prec = Spd::new(a.dot(&sigma.inverse()?).dot(&a.t()), "A Sigma^{-1} A^T")?;
    Ok(Spd::new(prec.inverse()?, "(A Sigma^{-1} A^T)^{-1}")?)
}

// ------------------------------------------------- 1. Mahalanobis separation

fn mahalanobis_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = v.pick(CONSTANT_HALVED, 1.0, 0.5);
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let d = hier.dim();
        let sigma = g.cov_of(0);
        let delta = &g.mean_of(0) - &g.mean_of(1);
        let full = sigma.quad(delta.view())?;
        let mutated = v.is(PRECISION_PROJECTED);
        let sep = |a: &Array2<f64>, dl: &Array1<f64>| -> Result<f64, Error> {
            if mutated {
                Ok(precision_projected_cov(sigma, a)?.quad(a.dot(dl).view())?)
            } else {
                Ok(projected_mahalanobis(sigma, a, dl.view())?)
            }
        };
        let mut pairs = Vec::new();
        let mut prev = 0.0;
        for r in 0..=hier.levels() {
            let pr = hier.projection_matrix(r)?;
            let dr = sep(&pr, &delta)?;
            pairs.push((dr, c * full)); // Delta_r^2 <= delta^T Sigma^{-1} delta
            pairs.push((prev, c * dr)); // non-decreasing in r
            prev = dr;
        }
        // a random linear map A (d/2 x d) and the equality case delta = Sigma A^T z
        let m = (d / 2).max(1);
        let a = Array2::from_shape_fn((m, d), |_| StandardNormal.sample(rng));
        pairs.push((sep(&a, &delta)?, c * full));
        let z = Array1::from_shape_fn(m, |_| StandardNormal.sample(rng));
        let de = sigma.matrix().dot(&a.t()).dot(&z);
        let fe = sigma.quad(de.view())?;
        let ae = sep(&a, &de)?;
        pairs.push((ae, c * fe));
        pairs.push((fe, ae)); // equality: delta^T Sigma^{-1} delta <= Delta_A^2 too
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// ----------------------------------------------------------- 2. KL separation

fn kl_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = v.pick(KL_HALVED, 1.0, 0.5);
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let mut pairs = Vec::new();
        let mut prev = 0.0;
        for r in 0..=hier.levels() {
            let pr = hier.projection_matrix(r)?;
            let (m0, mut s0) = component_through(&g, 0, &pr)?;
            let (m1, mut s1) = component_through(&g, 1, &pr)?;
            if v.is(DIAGONAL_COVARIANCE) {
                s0 = diagonal_of(&s0)?;
                s1 = diagonal_of(&s1)?;
            }
            let kl = kl_gaussian(m0.view(), &s0, m1.view(), &s1)?;
            pairs.push((prev, c * kl));
            prev = kl;
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "multiscale.separation.mahalanobis",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "equal covariances: delta^T A^T (A Sigma A^T)^{-1} A delta <= delta^T Sigma^{-1} delta for every A, equality iff Sigma^{-1} delta in range(A^T); so separation is non-decreasing in resolution r",
        source: "derived (an orthogonal projection in the Sigma^{-1} inner product)",
        replicates: 3,
        grid: |s| standard_grid(s, 2, false),
        check: mahalanobis_check,
        controls: &[CONSTANT_HALVED, PRECISION_PROJECTED],
    },
    Entry {
        id: "multiscale.separation.kl",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "KL(N_i^r || N_j^r) is non-decreasing in r for general covariances (data processing)",
        source: "data processing inequality for KL",
        replicates: 3,
        grid: |s| standard_grid(s, 2, true),
        check: kl_check,
        controls: &[KL_HALVED, DIAGONAL_COVARIANCE],
    },
];
