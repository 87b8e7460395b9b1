//! The independent route to C_P on the line: with p = e^{-V}, the map f -> f sqrt(p) turns
//! the weighted operator -(p f')'/p into the Schrödinger operator
//! H = -d^2/dx^2 + W, W = V'^2/4 - V''/2, whose ground state sqrt(p) has energy 0; its second
//! eigenvalue is the spectral gap lambda_2 = 1 / C_P. Second-order finite differences on a
//! uniform grid of the truncated domain, Dirichlet ends (sqrt(p) vanishes there to the
//! truncation's accuracy), give a symmetric tridiagonal matrix, solved as `tridiag::Pencil`
//! says (the ground state and the second state by inverse iteration, their energies as
//! Rayleigh quotients); refined and Richardson-extrapolated as the finite elements are. Only laws that vanish at their domain's ends (not the uniform
//! law, whose ground state needs Neumann ends).
use super::tridiag::{refine, refine_richardson, Pencil};
use super::{IsoError, Law1d};

/// A defect injected into the potential (a mutation control), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchrodingerFault {
    None,
    /// W = V'^2 / 4 without the -V''/2 term.
    DroppedCurvature,
}

#[derive(Debug, Clone)]
pub struct SchrodingerPoincare {
    pub c_p: f64,
    /// The ground-state energy on the finest grid (0 in the limit: a consistency check).
    pub ground: f64,
    pub change: f64,
    pub points: usize,
}

/// The finite-difference H on `intervals` intervals (their interior points the unknowns).
fn operator(
    law: &dyn Law1d,
    (a, b): (f64, f64),
    intervals: usize,
    fault: SchrodingerFault,
) -> Result<Pencil, IsoError> {
    let n = intervals - 1;
    let h = (b - a) / intervals as f64;
    let x: Vec<f64> = (1..=n).map(|i| a + i as f64 * h).collect();
    let pot = law
        .potential_derivatives(&x)?
        .iter()
        .map(|(v1, v2)| match fault {
            SchrodingerFault::None => v1 * v1 / 4.0 - v2 / 2.0,
            SchrodingerFault::DroppedCurvature => v1 * v1 / 4.0,
        })
        .collect();
    let k = 1.0 / (h * h);
    Ok(Pencil {
        edge: vec![k; n - 1],
        ends: (k, k),
        pot,
        md: vec![1.0; n],
        mo: vec![0.0; n - 1],
    })
}

/// The states of the two lowest energies: (E_0, ground, E_1, second).
type States = (f64, Vec<f64>, f64, Vec<f64>);

fn lowest_two(h: &Pencil, guess: Option<&States>) -> Result<States, IsoError> {
    let n = h.n();
    let (s0, g0, s1, g1) = match guess {
        Some((e0, g, e1, m)) => (*e0, refine(g, n, true), *e1, refine(m, n, true)),
        None => {
            let e = h.lowest(1, 2)?;
            let bump: Vec<f64> = (0..n)
                .map(|i| (std::f64::consts::PI * (i + 1) as f64 / (n + 1) as f64).sin())
                .collect();
            let odd: Vec<f64> = (0..n)
                .map(|i| (2.0 * std::f64::consts::PI * (i + 1) as f64 / (n + 1) as f64).sin())
                .collect();
            (e[0], bump, e[1], odd)
        }
    };
    let ground = h.inverse_iteration(s0, g0, &[])?;
    let second = h.inverse_iteration(s1, g1, &[&ground])?;
    Ok((h.rayleigh(&ground), ground, h.rayleigh(&second), second))
}

/// C_P by the Schrödinger route, refined like `poincare_fem`.
pub fn poincare_schrodinger(
    law: &dyn Law1d,
    tail: f64,
    tol: f64,
    fault: SchrodingerFault,
) -> Result<SchrodingerPoincare, IsoError> {
    if law.compact() {
        return Err(IsoError::Input(
            "the Schrödinger route needs a law that vanishes at its domain's ends (Dirichlet); \
             a compact law's ends are Neumann: use the finite elements"
                .into(),
        ));
    }
    let dom = law.domain(tail)?;
    let (start, max) = super::fem::mesh_sizes(law, dom)?;
    let r = refine_richardson(
        "the Schrödinger spectral gap",
        (start, 2 * max),
        tol,
        |n, prev| {
            let h = operator(law, dom, n, fault)?;
            let states = lowest_two(&h, prev.map(|(_, s)| s))?;
            Ok((states.2, states))
        },
    )?;
    Ok(SchrodingerPoincare {
        c_p: 1.0 / r.lambda,
        ground: r.state.0,
        change: r.change,
        points: r.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prob::Gmm;
    use ndarray::array;

    /// N(m, s^2): H is the harmonic oscillator -f'' + (x - m)^2 / (4 s^4) - 1 / (2 s^2), with
    /// eigenvalues k / s^2: the gap is 1 / s^2.
    #[test]
    fn the_gaussian_is_the_harmonic_oscillator() {
        let g = Gmm::gaussian(array![-0.3], array![[0.49]]).unwrap();
        let r = poincare_schrodinger(&g, 1e-14, 1e-8, SchrodingerFault::None).unwrap();
        assert!((r.c_p / 0.49 - 1.0).abs() < 1e-7, "{}", r.c_p);
        assert!(r.ground.abs() < 1e-4, "{}", r.ground);
        let bad =
            poincare_schrodinger(&g, 1e-14, 1e-8, SchrodingerFault::DroppedCurvature).unwrap();
        assert!((bad.c_p / 0.49 - 1.0).abs() > 0.1, "{}", bad.c_p);
        assert!(poincare_schrodinger(
            &crate::isoperimetry::Uniform::new(0.0, 1.0).unwrap(),
            1e-9,
            1e-6,
            SchrodingerFault::None
        )
        .is_err());
    }
}
