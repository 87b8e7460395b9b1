//! Family `dynamics`: integrators, Jacobians, Lyapunov spectra, Kalman filtering
//! (theory/dynamics.md states each entry).
//!
//! Each topic file holds the entries whose id is `dynamics.TOPIC[.name]`; `measures` and
//! `pictures` are what the family hands the experiment engine.
pub mod conjecture;
pub mod dop853;
pub mod jacobian;
pub mod kalman;
pub mod lyapunov;
mod measures;
mod pictures;
pub mod rk4;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Support, Variant};
use crate::dynamics::PhaseProblem;
use crate::filter::{simulate_tracking, tracking_model};
use crate::registry::Family;
use crate::stats::Target;

const THEORY: &str = "theory/dynamics.md";
use crate::dynamics::{
    finite_difference_jacobian, integrate, lyapunov_spectrum, rk4, rk4_weighted, Flow, Lorenz63,
    SystemSpec, M3, V3,
};
use crate::filter::Kalman;
use crate::mc::{self};
use crate::params::{out_of_range, Params};
use crate::Error;
use nalgebra::{Matrix4, Vector4};
use rand::Rng as _;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A start for a Lyapunov run: `x0` plus N(0, 0.1^2 I) (the experiments' and the
/// catalogue's perturbed starts are this one function).
pub(crate) fn perturbed_start(x0: V3, rng: &mut crate::mc::Rng) -> V3 {
    use rand_distr::{Distribution, StandardNormal};
    x0 + V3::from_fn(|_, _| 0.1 * Distribution::<f64>::sample(&StandardNormal, rng))
}

/// A flow whose closed-form Jacobian has the sign of d(xdot)/dy flipped, the vector field
/// unchanged: the tangent dynamics of a Jacobian with a sign slip (a mutation control).
struct FlippedJacobian<'a>(&'a dyn Flow);

impl Flow for FlippedJacobian<'_> {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn rhs(&self, t: f64, x: &V3) -> V3 {
        self.0.rhs(t, x)
    }
    fn jacobian(&self, t: f64, x: &V3) -> M3 {
        let mut j = self.0.jacobian(t, x);
        j[(0, 1)] = -j[(0, 1)];
        j
    }
    fn autonomous(&self) -> bool {
        self.0.autonomous()
    }
}

fn systems() -> Vec<Params> {
    vec![
        Params::new().with("system", "lorenz63"),
        Params::new().with("system", "langford"),
        Params::new()
            .with("system", "langford")
            .with("drift", 0.5)
            .with("period", 20.0),
    ]
}

/// The family `dynamics`.
pub static FAMILY: Family = Family {
    name: "dynamics",
    summary: "Lorenz63, Langford, switching systems: integrators, Jacobians, Lyapunov spectra, Kalman filtering",
    theory: THEORY,
    topics: &[rk4::ENTRIES, dop853::ENTRIES, jacobian::ENTRIES, lyapunov::ENTRIES, kalman::ENTRIES, conjecture::ENTRIES],
    measures: measures::MEASURES,
    pictures: pictures::PICTURES,
    rounding_sensitive: &[],
};
