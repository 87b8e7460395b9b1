//! The Poincaré constant of a law on the line by weighted P1 finite elements (Roustant,
//! Barthe, Iooss 2017): on a uniform mesh of the law's domain, the stiffness
//! K_ij = int p phi_i' phi_j' and the mass M_ij = int p phi_i phi_j (hat functions phi_i,
//! 4-point Gauss-Legendre per element) are tridiagonal, and C_P = 1 / lambda_2 of the pencil
//! K u = lambda M u (lambda_1 = 0, the constants; natural, Neumann, ends), solved as
//! `tridiag::Pencil` says (LAPACK's `dsbgvx` for the first shift, inverse iteration and the
//! Rayleigh quotient for the value).
//!
//! Courant-Fischer: the discrete lambda_2 is at least the continuous one, so 1 / RQ(u_h), the
//! Rayleigh quotient of any mean-zero finite-element function, is a lower bound on C_P (up to
//! quadrature and truncation, both far below 1e-10 here); the error of P1 elements is
//! O(h^2), so the estimate is the Richardson extrapolation (4 lambda(h/2) - lambda(h)) / 3,
//! refined until two successive extrapolations agree to `tol`.
use super::tridiag::{refine, refine_richardson, Pencil};
use super::{IsoError, Law1d};
use crate::prob::quad::legendre_rule;

/// A defect injected into the assembly (a mutation control), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FemFault {
    None,
    /// The stiffness without its weight: int phi_i' phi_j' (the Lebesgue Dirichlet form).
    UnweightedStiffness,
}

/// A uniform mesh of [a, b] with the law's density at each element's Gauss points.
#[derive(Debug, Clone)]
pub(crate) struct Mesh {
    pub a: f64,
    pub h: f64,
    pub elements: usize,
    /// Gauss points on the reference element [0, 1] and their weights (summing to 1).
    pub xi: Vec<f64>,
    pub wq: Vec<f64>,
    /// log p at element e's point q: index e * q + j.
    pub log_p: Vec<f64>,
}

const GAUSS_POINTS: usize = 4;

impl Mesh {
    pub fn new(law: &dyn Law1d, (a, b): (f64, f64), elements: usize) -> Result<Mesh, IsoError> {
        let (x, w) = legendre_rule(GAUSS_POINTS)?;
        let xi: Vec<f64> = x.iter().map(|t| 0.5 * (t + 1.0)).collect();
        let wq: Vec<f64> = w.iter().map(|v| 0.5 * v).collect();
        let h = (b - a) / elements as f64;
        let pts: Vec<f64> = (0..elements)
            .flat_map(|e| xi.iter().map(move |t| a + (e as f64 + t) * h))
            .collect();
        let log_p = law.log_density(&pts)?;
        Ok(Mesh {
            a,
            h,
            elements,
            xi,
            wq,
            log_p,
        })
    }

    pub fn nodes(&self) -> usize {
        self.elements + 1
    }

    pub fn node(&self, i: usize) -> f64 {
        self.a + i as f64 * self.h
    }

    /// The largest log p on the mesh: densities are scaled by exp(-it) (the pencil, the
    /// Rayleigh quotient and every ratio of expectations are invariant to that scale).
    pub fn log_scale(&self) -> f64 {
        self.log_p.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
    }

    /// The stiffness (as edge weights k_e / h^2) and the mass.
    pub(crate) fn pencil(&self, fault: FemFault) -> Pencil {
        let n = self.nodes();
        let c = self.log_scale();
        let mut edge = vec![0.0; n - 1];
        let (mut md, mut mo) = (vec![0.0; n], vec![0.0; n - 1]);
        for e in 0..self.elements {
            let (mut mass, mut m00, mut m01, mut m11) = (0.0, 0.0, 0.0, 0.0);
            for q in 0..GAUSS_POINTS {
                let p = (self.log_p[e * GAUSS_POINTS + q] - c).exp() * self.wq[q] * self.h;
                let (l, r) = (1.0 - self.xi[q], self.xi[q]);
                mass += p;
                m00 += p * l * l;
                m01 += p * l * r;
                m11 += p * r * r;
            }
            edge[e] = match fault {
                FemFault::None => mass,
                // the same total scale, without the density's shape
                FemFault::UnweightedStiffness => self.h,
            } / (self.h * self.h);
            md[e] += m00;
            md[e + 1] += m11;
            mo[e] += m01;
        }
        Pencil {
            edge,
            ends: (0.0, 0.0),
            pot: vec![0.0; n],
            md,
            mo,
        }
    }
}

/// The result of the finite-element route.
#[derive(Debug, Clone)]
pub struct FemPoincare {
    /// The estimate of C_P (Richardson-extrapolated).
    pub c_p: f64,
    /// 1 / RQ(u_h) on the finest mesh: a lower bound on C_P (Courant-Fischer).
    pub lower: f64,
    /// |change| of the last two extrapolations, relative.
    pub change: f64,
    pub elements: usize,
    /// The finest mesh's second eigenvector (nodal values, M-orthogonal to constants).
    pub(crate) mode: Vec<f64>,
    pub(crate) mesh: Mesh,
}

/// lambda_2 of the pencil on `mesh` and its eigenvector (M-orthogonal to the constants): the
/// first shift from `dsbgvx`, or from the previous mesh's value and mode when given.
fn lambda_2(
    mesh: &Mesh,
    fault: FemFault,
    guess: Option<(f64, &[f64])>,
) -> Result<(f64, Vec<f64>), IsoError> {
    let pencil = mesh.pencil(fault);
    let n = pencil.n();
    let (shift, start) = match guess {
        Some((lam, prev)) => (lam, refine(prev, n, false)),
        None => (
            pencil.lowest(1, 2)?[1],
            (0..n).map(|i| i as f64 / n as f64 - 0.5).collect(),
        ),
    };
    let ones = vec![1.0; n];
    let norm = pencil.m_dot(&ones, &ones).sqrt();
    let constant: Vec<f64> = ones.iter().map(|v| v / norm).collect();
    let mode = pencil.inverse_iteration(shift, start, &[&constant])?;
    Ok((pencil.rayleigh(&mode), mode))
}

/// The first mesh (25 elements across the narrowest component, at least 500, at most 16000:
/// the first solve is LAPACK's, superlinear in n) and the largest the refinement may reach;
/// an error, before any work, when the narrowest component cannot be resolved within it.
pub(crate) fn mesh_sizes(law: &dyn Law1d, dom: (f64, f64)) -> Result<(usize, usize), IsoError> {
    const MAX: usize = 256_000;
    let span = dom.1 - dom.0;
    let needed = span / law.scale() * 25.0;
    if !(needed <= MAX as f64) {
        return Err(IsoError::Resolution {
            scale: law.scale(),
            span,
            needed,
            max: MAX,
        });
    }
    Ok((needed.ceil().clamp(500.0, 16000.0) as usize, MAX))
}

/// C_P by the finite-element route, refined from `start` elements (doubling, at most
/// `max_elements`) until two Richardson extrapolations agree to `tol` (relative).
pub fn poincare_fem(
    law: &dyn Law1d,
    tail: f64,
    tol: f64,
    fault: FemFault,
) -> Result<FemPoincare, IsoError> {
    let dom = law.domain(tail)?;
    let r = refine_richardson(
        "the finite-element Poincaré constant",
        mesh_sizes(law, dom)?,
        tol,
        |n, prev| {
            let mesh = Mesh::new(law, dom, n)?;
            let guess = prev.map(|(l, (_, m)): &(f64, (Mesh, Vec<f64>))| (*l, m.as_slice()));
            let (lam, mode) = lambda_2(&mesh, fault, guess)?;
            Ok((lam, (mesh, mode)))
        },
    )?;
    let (mesh, mode) = r.state;
    Ok(FemPoincare {
        c_p: 1.0 / r.lambda,
        // the quotient of a mean-zero finite-element function: at least the discrete
        // lambda_2, which is at least the continuous one
        lower: 1.0 / r.finest,
        change: r.change,
        elements: r.size,
        mode,
        mesh,
    })
}

/// 1 / lambda_2 of the pencil on one fixed mesh of `elements` elements (no refinement): the
/// solver's unit of work, for benches.
pub fn poincare_fem_fixed(law: &dyn Law1d, tail: f64, elements: usize) -> Result<f64, IsoError> {
    let mesh = Mesh::new(law, law.domain(tail)?, elements)?;
    Ok(1.0 / lambda_2(&mesh, FemFault::None, None)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isoperimetry::Uniform;
    use crate::prob::Gmm;
    use ndarray::array;

    #[test]
    fn the_uniform_law_and_the_gaussian_have_their_closed_forms() {
        let u = Uniform::new(-1.0, 2.0).unwrap();
        let r = poincare_fem(&u, 1e-12, 1e-9, FemFault::None).unwrap();
        let want = 9.0 / std::f64::consts::PI.powi(2);
        assert!((r.c_p / want - 1.0).abs() < 1e-8, "{} vs {want}", r.c_p);
        assert!(r.lower <= r.c_p * (1.0 + 1e-12) && r.lower > 0.999 * want);
        let g = Gmm::gaussian(array![0.7], array![[2.25]]).unwrap();
        let r = poincare_fem(&g, 1e-14, 1e-8, FemFault::None).unwrap();
        assert!((r.c_p / 2.25 - 1.0).abs() < 1e-7, "{}", r.c_p);
        assert!(r.lower <= 2.25 * (1.0 + 1e-9), "{}", r.lower);
        // the mutation: a Lebesgue stiffness gives the interval's constant, not the law's
        let bad = poincare_fem(&g, 1e-14, 1e-8, FemFault::UnweightedStiffness).unwrap();
        assert!((bad.c_p / 2.25 - 1.0).abs() > 0.1, "{}", bad.c_p);
    }
}
