//! Family `isoperimetry`, topic `coarsening`: in orthonormal Haar coordinates the coarse state
//! x^r is a coordinate projection of x^{r+1}, so its Poincaré constant is no larger
//! (theory/isoperimetry.md section 12).
use super::*;
use crate::isoperimetry::{poincare_band, Band};
use crate::multiscale::{hierarchy, MultiscaleGmmSpec};

/// The coarse states taken as block sums, 2^{(L - r)/2} times the orthonormal coefficients
/// (the Haar scaling left unnormalised): a map of norm above 1, which can raise the constant.
pub const BLOCK_SUMS: Control = Control::mutation(
    "block_sums",
    "the coarse state x^r taken as block sums (2^{(L-r)/2} times the orthonormal Haar coefficients) instead of orthonormal coefficients",
);

fn grid(s: Scale) -> Vec<Params> {
    let (hs, seps): (&[f64], &[f64]) = match s {
        Scale::Quick => (&[0.0, 0.5, 0.9], &[8.0]),
        Scale::Full => (&[0.0, 0.25, 0.5, 0.75, 0.9], &[4.0, 8.0]),
    };
    let mut out = Vec::new();
    for &sep in seps {
        for &h in hs {
            out.push(structured(sep, h));
        }
    }
    out
}

/// The Poincaré band of x^r for r = 0..=L, in orthonormal Haar coordinates (or, with
/// `sums`, as block sums), for one draw of the structured mixture.
pub(super) fn level_bands(p: &Params, sums: bool, rng: &mut Rng) -> Result<Vec<Band>, Error> {
    let hier = hierarchy(p)?;
    let g = MultiscaleGmmSpec::from_params(p)?.build_haar(&hier, rng)?;
    let l = hier.levels();
    let mut out = Vec::with_capacity(l + 1);
    for r in 0..=l {
        let idx: Vec<usize> = (0..hier.coarse_dim(r)).collect();
        let mut m = g.marginal(&idx)?;
        if sums {
            let n = idx.len();
            let scale = 2f64.powf((l - r) as f64 / 2.0);
            m = m.affine(&(Array2::<f64>::eye(n) * scale), None, None)?;
        }
        out.push(poincare_band(&m, TOL)?);
    }
    Ok(out)
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let runs = realisations(ctx, |rng| {
        let bands = level_bands(p, v.is(BLOCK_SUMS), rng)?;
        Ok(bands
            .windows(2)
            .map(|w| (w[0].lower, w[1].upper))
            .collect::<Vec<_>>())
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.coarsening",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for the structured multi-scale mixtures in orthonormal Haar coordinates, C_P(x^r) <= C_P(x^{r+1}) at every level: the lower end of x^r's band is below the upper end of x^{r+1}'s",
    source: "derived (x^r is a coordinate projection of x^{r+1}, a map of norm 1: the push-forward bound, theory/isoperimetry.md sections 5 and 12)",
    replicates: 4,
    grid,
    check,
    controls: &[BLOCK_SUMS],
}];
