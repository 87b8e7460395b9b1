//! Affine dynamics x_{t+1} = A x_t + b + e, e ~ N(0, Q), on signals and fields.
use super::{Geometry, Hierarchy, MultiscaleError};
use crate::mc::Rng;
use crate::params::Params;
use crate::prob::Gmm;
use ndarray::{Array1, Array2, Axis};

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
        Ok(AffineDynamics {
            a,
            b: forcing(hier, b0, 0.0),
            q: Array2::eye(d) * (q * q),
        })
    }

    /// The same dynamics with the forcing pattern moved to `phase`: b_i = b0 sin(2 pi i / side
    /// + phase). A phase that advances with the step is a forcing that drifts (travels along
    /// the signal, along the rows in 2-D), so the law of x_t given x_{t-1} changes with t.
    pub fn with_forcing(&self, hier: &Hierarchy, b0: f64, phase: f64) -> Self {
        AffineDynamics {
            a: self.a.clone(),
            b: forcing(hier, b0, phase),
            q: self.q.clone(),
        }
    }

    /// N trajectories x_0, ..., x_T: x_0 drawn from `prior`, then x_t = A_t x_{t-1} + b_t + e_t
    /// with `steps[t - 1]` the step-t dynamics; each state an N x d array, rows the
    /// trajectories. The step's b_t + e_t is drawn by the one mixture sampler (a
    /// one-component mixture N(b_t, Q_t)).
    pub fn trajectories(
        prior: &Gmm,
        steps: &[AffineDynamics],
        n: usize,
        rng: &mut Rng,
    ) -> Result<Vec<Array2<f64>>, MultiscaleError> {
        let (mut x, _) = prior.sample(n, rng);
        let mut out = Vec::with_capacity(steps.len() + 1);
        for st in steps {
            let noise = Gmm::new(
                &[1.0],
                st.b.clone().insert_axis(Axis(0)),
                vec![st.q.clone()],
            )?;
            let next = x.dot(&st.a.t()) + noise.sample(n, rng).0;
            out.push(x);
            x = next;
        }
        out.push(x);
        Ok(out)
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

/// The forcing pattern b_i = b0 sin(2 pi (i mod side) / side + phase): one sine period along
/// the signal (along each row in 2-D).
fn forcing(hier: &Hierarchy, b0: f64, phase: f64) -> Array1<f64> {
    let side = hier.side(hier.levels());
    (0..hier.dim())
        .map(|i| b0 * (std::f64::consts::TAU * (i % side) as f64 / side as f64 + phase).sin())
        .collect()
}
