//! Family `isoperimetry`, topic `conditioning`.
use super::*;
use crate::isoperimetry::gaussian_constant;

/// The Schur complement with the gain term's sign slipped (`Conditioner::gain_sign_slipped`):
/// conditioning would inflate the covariance.
pub const GAIN_SIGN: Control = Control::mutation(
    "gain_sign",
    "the conditional covariance Sigma_vv + G Sigma_uu G^T (the gain term's sign slipped)",
);
pub const CONDITIONAL_HALF: Control = Control::new("conditional_half", "C(v | u) <= C(v) / 2");

fn grid(_s: Scale) -> Vec<Params> {
    [(2usize, 1usize), (4, 1), (5, 3)]
        .iter()
        .map(|(d, du)| Params::new().with("d", *d).with("du", *du))
        .collect()
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let d = p.usize_at_least("d", 2)?;
    let du = p.usize_at_least("du", 1)?;
    if du >= d {
        return Err(out_of_range("du", &du.into(), &format!("below d = {d}")).into());
    }
    let c = v.pick(CONDITIONAL_HALF, 1.0, 0.5);
    let runs = realisations(ctx, |rng| {
        let cov = random_covariance(d, rng)?;
        let g = Gmm::gaussian(Array1::zeros(d), cov.clone())?;
        let u: Vec<usize> = (0..du).collect();
        let vv: Vec<usize> = (du..d).collect();
        let mut cond = g.conditioner(&u, &vv)?;
        if v.is(GAIN_SIGN) {
            cond = cond.gain_sign_slipped()?;
        }
        let marginal = crate::linalg::submatrix(&cov, &vv, &vv);
        let c_cond = gaussian_constant(cond.schur(0).matrix().view())?;
        let mut pairs = vec![(c_cond, c * gaussian_constant(marginal.view())?)];
        if d - du == 1 {
            // the conditional law at a drawn u is N(., S) on the line: the finite elements
            // return S
            let (x, _) = g.sample(1, rng);
            let at = cond.at(x.row(0).slice(ndarray::s![..du]))?;
            pairs.push(agree(
                poincare_fem(&at, TAIL, TOL, FemFault::None)?.c_p,
                c_cond,
            ));
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.conditioning.gaussian",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for a Gaussian, conditioning reduces both constants: lambda_max(Sigma_vv - Sigma_vu Sigma_uu^{-1} Sigma_uv) <= lambda_max(Sigma_vv); on the line the finite elements return the Schur complement",
    source: "derived (the Schur complement is below the marginal block in the Loewner order; theory/isoperimetry.md section 6)",
    replicates: 3,
    grid,
    check,
    controls: &[GAIN_SIGN, CONDITIONAL_HALF],
}];
