//! Poincaré and log-Sobolev constants of the laws the project builds (Gaussian mixtures in
//! one and in d dimensions), as intervals whose ends are each honest.
//!
//! Conventions (theory/isoperimetry.md): Var f <= C_P E|grad f|^2 and
//! Ent(f^2) <= 2 C_LS E|grad f|^2 for every smooth f, so C_P <= C_LS, and both equal
//! lambda_max(Sigma) for N(m, Sigma).
//!
//! One dimension, numerically exact (`one_d`): C_P = 1 / lambda_2 of the weighted
//! finite-element pencil (stiffness int p f'^2, mass int p f^2), refined and
//! Richardson-extrapolated to a stated tolerance; the
//! independent route through the Schrödinger operator -d^2/dx^2 + V'^2/4 - V''/2, V = -log p
//! (`schrodinger`); both solve one tridiagonal pencil (`tridiag`); a log-Sobolev lower end from test
//! functions e^{theta u} (`lsi`); Muckenhoupt's functional, which brackets C_P within [B/2, 4B]
//! (`muckenhoupt`). d dimensions (`bounds`): closed forms and the bounds that apply to
//! mixtures; a Galerkin lower end over polynomials and bumps with Monte Carlo Gram matrices
//! and sample splitting (`galerkin`).
mod bounds;
mod fem;
mod galerkin;
mod law;
mod lsi;
mod mixture;
mod mixture_lsi;
mod muckenhoupt;
mod schrodinger;
mod tridiag;

pub use bounds::{
    ccnw_lsi_bound, convolution_lsi_bound, gaussian_constant, linear_lower_bound, means_radius,
    means_radius_about, projection_lower_bound, projection_lower_ends,
};
pub use fem::{poincare_fem, poincare_fem_fixed, FemFault, FemPoincare};
pub use galerkin::{
    galerkin_lower, gram_matrices, monomial_count, validate_basis, Basis, GalerkinBasis,
    GalerkinFault, GalerkinLower, MAX_BASIS,
};
pub use law::{Law1d, Uniform};
pub use lsi::{lsi_lower_bound, LsiLower};
pub use mixture::{
    band_directions, chi_square_bound, poincare_band, poincare_band_with, Band, BandFault,
    ChiFault, ChiSquareBound,
};
pub use mixture_lsi::{
    complete_graph_lsi, label_lsi, label_ratio, label_search, line_lsi_upper, lsi_band,
    mixture_lsi_bound, mixture_lsi_upper, two_point_lsi, two_point_search, LsiFault,
};
pub use muckenhoupt::{muckenhoupt, MuckFault, Muckenhoupt};
pub use schrodinger::{poincare_schrodinger, SchrodingerFault, SchrodingerPoincare};

use thiserror::Error;

/// What the isoperimetry code rejects or cannot do: a parameter out of range, a law it cannot
/// truncate or resolve to the requested tolerance, a LAPACK failure.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum IsoError {
    #[error(transparent)]
    Param(#[from] crate::params::ParamError),
    #[error(transparent)]
    Prob(#[from] crate::prob::ProbError),
    #[error(transparent)]
    Linalg(#[from] crate::linalg::LinalgError),
    /// The refinement stopped at its largest mesh before the estimate was stable: names the
    /// tolerance asked for and what was reached.
    #[error("{what}: not stable to tol = {tol:e} by {elements} elements (last change {change:e}); ask for a larger `tol` or a narrower law")]
    Tolerance {
        what: &'static str,
        tol: f64,
        elements: usize,
        change: f64,
    },
    /// The narrowest component is too narrow for the domain: the mesh that resolves it would
    /// exceed the largest the refinement allows.
    #[error("a component with standard deviation {scale:e} on a domain of width {span:.3} needs about {needed:.0} elements to resolve, more than the {max} allowed: widen the component or split the law")]
    Resolution {
        scale: f64,
        span: f64,
        needed: f64,
        max: usize,
    },
    #[error("{0}")]
    Input(String),
    #[error("LAPACK {routine} failed (info = {info})")]
    Lapack { routine: &'static str, info: i32 },
}

impl crate::error::SubjectError for IsoError {}
