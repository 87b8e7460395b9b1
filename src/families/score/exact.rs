//! Family `score`, topic `exact`: the exact noised score of a mixture is the gradient of its
//! log-density (theory/score.md section 1).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::score::{ExactScore, ScoreModel};
use ndarray::Array1;

/// The score of the clean target scaled by a (a x without the noise s z): the convolution
/// with the noise forgotten.
pub const NOISE_NOT_ADDED: Control = Control::mutation(
    "noise_not_added",
    "the noised score computed from the law of a x alone (the noise's s^2 I not added to the covariances)",
);

/// Relative agreement demanded of the score and a central difference of the log-density
/// (step 1e-5 of the scale: truncation ~1e-10, rounding ~1e-16 |log p| / 1e-5).
const FD_TOL: f64 = 1e-6;
pub(super) fn grid(s: Scale) -> Vec<Params> {
    cases(scale_targets(s), &[("ve", 0.1), ("ve", 1.0), ("vp", 0.6)])
}

/// The points a check visits: every noised component mean, the midpoint of the first two, and
/// a point ten noised standard deviations beyond the first mean.
pub(super) fn points(noised: &Gmm) -> Array2<f64> {
    let d = noised.dim();
    let k = noised.components();
    let mut rows: Vec<Array1<f64>> = (0..k).map(|j| noised.mean_of(j).to_owned()).collect();
    rows.push((&noised.mean_of(0) + &noised.mean_of(1)) * 0.5);
    let sd = noised.covariance().diag().mapv(f64::sqrt);
    let mut far = noised.mean_of(0).to_owned();
    far[0] += 10.0 * sd[0];
    rows.push(far);
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

/// The exact model of a point, or with `NOISE_NOT_ADDED` the mistaken one.
pub(super) fn model(g: &Gmm, n: crate::score::Noising, v: Variant) -> Result<ExactScore, Error> {
    Ok(if v.is(NOISE_NOT_ADDED) {
        // a x + (tiny) s z: the noise's covariance left out
        let clean = crate::score::Noising::new(n.a, 1e-12 * n.s)?;
        ExactScore {
            noised: clean.apply(g)?,
            noising: n,
        }
    } else {
        ExactScore::new(g, n)?
    })
}

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let g = target(p.str("target")?)?;
    let n = noising(p)?;
    let model = model(&g, n, v)?;
    let truth = n.apply(&g)?;
    let y = points(&truth);
    let s = model.score(y.view())?;
    let d = g.dim();
    let mut pairs = Vec::new();
    for i in 0..y.nrows() {
        let sd = truth.covariance().diag().mapv(f64::sqrt);
        for j in 0..d {
            let h = 1e-5 * sd[j];
            let (mut yp, mut ym) = (y.row(i).to_owned(), y.row(i).to_owned());
            yp[j] += h;
            ym[j] -= h;
            let pts = ndarray::stack(ndarray::Axis(0), &[yp.view(), ym.view()])
                .map_err(|e| Error::Internal(e.to_string()))?;
            let lp = truth.log_density(pts.view())?;
            let fd = (lp[0] - lp[1]) / (2.0 * h);
            pairs.push(((s[[i, j]] - fd).abs(), FD_TOL * (1.0 + fd.abs())));
        }
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.exact",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for a Gaussian mixture noised as a x + s z (VE and VP, s from 0.1 to 1), the exact score sum_k r_k(y) C_k^{-1} (a m_k - y) equals the central difference of the exact log-density (to 1e-6 relative) at the component means, between the modes and ten standard deviations out",
    source: "derived (the noised law is the mixture sum_k w_k N(a m_k, a^2 S_k + s^2 I)), theory/score.md section 1",
    replicates: 1,
    grid,
    check,
    controls: &[NOISE_NOT_ADDED],
}];
