//! The one-dimensional laws the solvers take: a Gaussian mixture (`prob::Gmm` of dimension
//! 1) and the uniform law on an interval (the closed-form check (b - a)^2 / pi^2).
use super::IsoError;
use crate::prob::Gmm;
use ndarray::Array2;
use statrs::distribution::{ContinuousCDF, Normal};

/// A law on the line with a density: what the finite elements, the Schrödinger route and
/// Muckenhoupt's functional need of it.
pub trait Law1d: Sync {
    /// log p at each point (normalised).
    fn log_density(&self, x: &[f64]) -> Result<Vec<f64>, IsoError>;
    /// (V', V'') at each point, V = -log p (the Schrödinger potential's ingredients).
    fn potential_derivatives(&self, x: &[f64]) -> Result<Vec<(f64, f64)>, IsoError>;
    /// An interval carrying all but at most `tail` of the mass (the support, if compact).
    fn domain(&self, tail: f64) -> Result<(f64, f64), IsoError>;
    /// The smallest length on which the density changes (a mesh must resolve it).
    fn scale(&self) -> f64;
    /// Whether the law lives on its domain (its ends are the law's own, not a truncation).
    fn compact(&self) -> bool;
    /// P(X > x).
    fn sf(&self, x: f64) -> Result<f64, IsoError>;
    /// P(X <= x), accurate in the far left tail (no 1 - sf).
    fn cdf(&self, x: f64) -> Result<f64, IsoError>;
}

/// The uniform law on [a, b].
#[derive(Debug, Clone, Copy)]
pub struct Uniform {
    pub a: f64,
    pub b: f64,
}

impl Uniform {
    pub fn new(a: f64, b: f64) -> Result<Uniform, IsoError> {
        if a.is_finite() && b.is_finite() && b > a {
            Ok(Uniform { a, b })
        } else {
            Err(IsoError::Input(format!(
                "uniform law on [{a}, {b}]: need finite a < b"
            )))
        }
    }
}

impl Law1d for Uniform {
    fn log_density(&self, x: &[f64]) -> Result<Vec<f64>, IsoError> {
        Ok(vec![-(self.b - self.a).ln(); x.len()])
    }
    fn potential_derivatives(&self, x: &[f64]) -> Result<Vec<(f64, f64)>, IsoError> {
        Ok(vec![(0.0, 0.0); x.len()])
    }
    fn domain(&self, _tail: f64) -> Result<(f64, f64), IsoError> {
        Ok((self.a, self.b))
    }
    fn scale(&self) -> f64 {
        self.b - self.a
    }
    fn compact(&self) -> bool {
        true
    }
    fn sf(&self, x: f64) -> Result<f64, IsoError> {
        Ok(((self.b - x) / (self.b - self.a)).clamp(0.0, 1.0))
    }
    fn cdf(&self, x: f64) -> Result<f64, IsoError> {
        Ok(((x - self.a) / (self.b - self.a)).clamp(0.0, 1.0))
    }
}

fn one_d(g: &Gmm) -> Result<(), IsoError> {
    if g.dim() == 1 {
        Ok(())
    } else {
        Err(IsoError::Input(format!(
            "the one-dimensional solvers need a law on the line, not dimension {} (project it: \
             the projection of a Gaussian mixture is one)",
            g.dim()
        )))
    }
}

fn column(x: &[f64]) -> Array2<f64> {
    Array2::from_shape_fn((x.len(), 1), |(i, _)| x[i])
}

impl Law1d for Gmm {
    fn log_density(&self, x: &[f64]) -> Result<Vec<f64>, IsoError> {
        one_d(self)?;
        Ok(Gmm::log_density(self, column(x).view())?.to_vec())
    }
    fn potential_derivatives(&self, x: &[f64]) -> Result<Vec<(f64, f64)>, IsoError> {
        one_d(self)?;
        x.iter()
            .map(|&xi| {
                let (_, s, h) = self.log_density_score_hessian(ndarray::aview1(&[xi]))?;
                Ok((-s[0], -h[[0, 0]]))
            })
            .collect()
    }
    fn domain(&self, tail: f64) -> Result<(f64, f64), IsoError> {
        one_d(self)?;
        if !(tail > 0.0 && tail < 0.5) {
            return Err(IsoError::Input(format!(
                "truncation tail {tail}: need a mass in (0, 0.5)"
            )));
        }
        // each component loses 2 Phi(-z) outside mu_k +- z sigma_k, so the mixture at most that
        let z = -Normal::standard().inverse_cdf(tail / 2.0);
        let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
        for k in 0..self.components() {
            let (m, sd) = self.moments_1d(k);
            a = a.min(m - z * sd);
            b = b.max(m + z * sd);
        }
        Ok((a, b))
    }
    fn scale(&self) -> f64 {
        (0..self.components())
            .map(|k| self.moments_1d(k).1)
            .fold(f64::INFINITY, f64::min)
    }
    fn compact(&self) -> bool {
        false
    }
    fn sf(&self, x: f64) -> Result<f64, IsoError> {
        Ok(self.sf_1d(x)?)
    }
    fn cdf(&self, x: f64) -> Result<f64, IsoError> {
        Ok(self.cdf_1d(x)?)
    }
}
