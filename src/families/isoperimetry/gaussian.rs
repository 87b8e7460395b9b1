//! Family `isoperimetry`, topic `gaussian`.
use super::*;
use crate::isoperimetry::{gaussian_constant, linear_lower_bound, projection_lower_bound};

pub const VARIANCE_HALVED: Control =
    Control::new("variance_halved", "C_P = C_LS = lambda_max(Sigma) / 2");
/// The stiffness assembled without the density's weight (the Lebesgue Dirichlet form).
pub const UNWEIGHTED_STIFFNESS: Control = Control::mutation(
    "unweighted_stiffness",
    "the finite-element stiffness assembled as int phi_i' phi_j', without the weight p",
);

fn grid(s: Scale) -> Vec<Params> {
    let mut out = vec![
        Params::new()
            .with("d", 1usize)
            .with("m", 0.0)
            .with("s", 1.0),
        Params::new()
            .with("d", 1usize)
            .with("m", 2.0)
            .with("s", 0.3),
        Params::new()
            .with("d", 1usize)
            .with("m", -1.0)
            .with("s", 3.0),
        Params::new().with("d", 2usize),
        Params::new().with("d", 8usize),
    ];
    if s == Scale::Full {
        out.push(Params::new().with("d", 32usize));
    }
    out
}

fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = v.pick(VARIANCE_HALVED, 1.0, 0.5);
    let fault = if v.is(UNWEIGHTED_STIFFNESS) {
        FemFault::UnweightedStiffness
    } else {
        FemFault::None
    };
    let d = p.usize_at_least("d", 1)?;
    if d == 1 {
        let (m, s) = (p.f64("m")?, p.positive("s")?);
        let g = Gmm::gaussian(array![m], array![[s * s]])?;
        let want = c * s * s;
        let fem = poincare_fem(&g, TAIL, TOL, fault)?;
        let schr = poincare_schrodinger(&g, TAIL, TOL, SchrodingerFault::None)?;
        let lsi = lsi_lower_bound(&fem)?;
        return Ok(Evidence::worst_exact([
            agree(fem.c_p, want),
            agree(schr.c_p, want),
            agree(linear_lower_bound(&g)?, want),
            // the LSI lower end of a Gaussian is attained by every tilt: C_LS = s^2
            agree(lsi.c_ls_lower, want),
        ]));
    }
    let runs = realisations(ctx, |rng| {
        let cov = random_covariance(d, rng)?;
        let (ev, q) = crate::linalg::eigh(cov.view())?;
        let g = Gmm::gaussian(Array1::zeros(d), cov.clone())?;
        let want = c * gaussian_constant(cov.view())?;
        let top = q.column(d - 1).to_owned();
        let proj = if fault == FemFault::None {
            projection_lower_bound(&g, &top, TOL)?
        } else {
            // the faulty stiffness on the projected law
            let row = (&top / top.dot(&top).sqrt())
                .insert_axis(ndarray::Axis(0))
                .to_owned();
            poincare_fem(&g.affine(&row, None, None)?, TAIL, TOL, fault)?.lower
        };
        Ok(vec![
            agree(linear_lower_bound(&g)?, want),
            agree(ev[d - 1], want),
            // the projection on the top eigenvector is N(0, lambda_max): its FEM lower end
            agree(proj, want),
        ])
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "isoperimetry.gaussian.closed_form",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for N(m, Sigma), C_P = C_LS = lambda_max(Sigma): the finite elements, the Schrödinger route, the LSI test functions, the linear and the projection lower bounds all return it to 1e-6",
    source: "Bakry, Gentil, Ledoux 2014 (Gaussian Poincaré and log-Sobolev inequalities); theory/isoperimetry.md section 1",
    replicates: 2,
    grid,
    check,
    controls: &[VARIANCE_HALVED, UNWEIGHTED_STIFFNESS],
}];
