//! Affine dynamics x_{t+1} = A x_t + b + e, e ~ N(0, Q), on signals and fields.
use super::{Geometry, Hierarchy, MultiscaleError};
use crate::params::Params;
use ndarray::{Array1, Array2};

/// Affine dynamics with optional Gaussian process noise.
#[derive(Debug, Clone)]
pub struct AffineDynamics {
    pub a: Array2<f64>,
    pub b: Array1<f64>,
    pub q: Array2<f64>,
}

impl AffineDynamics {
    /// Circulant smoothing plus shift with contraction: A = c S_shift K_beta, where K_beta
    /// mixes each value with its neighbours (weights beta, 1 - 2 beta, beta in 1-D; the
    /// 5-point stencil with 1 - 4 beta in 2-D), S_shift shifts by `shift` cells (along
    /// rows in 2-D). b_i = b0 sin(2 pi i / side); Q = q^2 I.
    pub fn smoothing_shift(
        hier: &Hierarchy,
        c: f64,
        beta: f64,
        shift: usize,
        b0: f64,
        q: f64,
    ) -> Result<Self, MultiscaleError> {
        let bad = |reason: String| MultiscaleError::Invalid {
            what: "dynamics",
            reason,
        };
        if !(c.is_finite() && c > 0.0) {
            return Err(bad(format!("contraction c = {c}, need c > 0")));
        }
        if !(0.0..=0.25).contains(&beta) {
            return Err(bad(format!(
                "smoothing beta = {beta}, need 0 <= beta <= 1/4"
            )));
        }
        if !(q > 0.0 && q.is_finite()) {
            return Err(bad(format!("process noise q = {q}, need q > 0")));
        }
        let d = hier.dim();
        let side = hier.side(hier.levels());
        let mut a = Array2::zeros((d, d));
        match hier.geometry() {
            Geometry::OneD => {
                for i in 0..d {
                    let src = (i + d - shift % d) % d;
                    a[[i, src]] += c * (1.0 - 2.0 * beta);
                    a[[i, (src + 1) % d]] += c * beta;
                    a[[i, (src + d - 1) % d]] += c * beta;
                }
            }
            Geometry::TwoD => {
                for i in 0..side {
                    for j in 0..side {
                        let row = i * side + j;
                        let sj = (j + side - shift % side) % side;
                        let at = |ii: usize, jj: usize| ii * side + jj;
                        a[[row, at(i, sj)]] += c * (1.0 - 4.0 * beta);
                        a[[row, at((i + 1) % side, sj)]] += c * beta;
                        a[[row, at((i + side - 1) % side, sj)]] += c * beta;
                        a[[row, at(i, (sj + 1) % side)]] += c * beta;
                        a[[row, at(i, (sj + side - 1) % side)]] += c * beta;
                    }
                }
            }
        }
        let b = (0..d)
            .map(|i| b0 * (std::f64::consts::TAU * (i % side) as f64 / side as f64).sin())
            .collect();
        Ok(AffineDynamics {
            a,
            b,
            q: Array2::eye(d) * (q * q),
        })
    }

    /// From parameters c (0.9), beta (0.2), shift (1), b0 (0.1), q (0.3).
    pub fn from_params(hier: &Hierarchy, p: &Params) -> Result<Self, MultiscaleError> {
        Ok(Self::smoothing_shift(
            hier,
            p.f64_or("c", 0.9)?,
            p.f64_or("beta", 0.2)?,
            p.f64_or("shift", 1.0)? as usize,
            p.f64_or("b0", 0.1)?,
            p.f64_or("q", 0.3)?,
        )?)
    }
}
