//! The switching-Lorenz63 data of the gated mixture: the spec, the simulated trajectories,
//! the gate features (quadratic monomials and the pooled-residual window) and their scaling.
use crate::dynamics::{simulate_switching, DynamicsError, Lorenz63, V3};
use crate::mc::Rng;
use crate::moe::MoeError;
use crate::params::{out_of_range, Params};
use ndarray::{s, Array1, Array2, Axis};
use rand::Rng as _;

pub(super) const H: f64 = 0.005;
pub(super) const MEAN_FIELD_SWEEPS: usize = 5;
pub(super) const INIT_BLOCK: f64 = 50.0;

/// An optional positive integer parameter: its value when given (errors name it), else `default`.
pub(super) fn opt_count(p: &Params, name: &str, default: usize) -> Result<usize, MoeError> {
    match p.get(name) {
        Some(_) => Ok(p.usize_at_least(name, 1)?),
        None => Ok(default),
    }
}

/// The switching system and how it is observed.
#[derive(Debug, Clone, Copy)]
pub struct SwitchingSpec {
    pub k: usize,
    pub forcing: f64,
    pub dwell: f64,
    /// Process noise per unit time (Euler-Maruyama).
    pub noise: f64,
    /// Samples kept (after a transient of 5 time units).
    pub samples: usize,
    /// Time between samples in RK4 steps of 0.005.
    pub every: usize,
    pub quadratic_experts: bool,
    /// Past residuals the gate averages over.
    pub window: usize,
}

/// One trajectory at consecutive sample times t = 0..T: monomials q_t of x_t (T x 9), expert
/// features psi_t (T x pe), increments y_t = x_{t+1} - x_t (T x 3), the regime that drove
/// each increment.
#[derive(Debug, Clone)]
pub struct SwitchingData {
    pub q: Array2<f64>,
    pub psi: Array2<f64>,
    pub y: Array2<f64>,
    pub regime: Vec<usize>,
    pub window: usize,
}

impl SwitchingData {
    /// The regimes of the rows the mixture is fitted and evaluated on (t >= window).
    pub fn routed_regimes(&self) -> &[usize] {
        &self.regime[self.window.min(self.regime.len())..]
    }
}

pub(super) fn monomials(x: &V3) -> [f64; 9] {
    [
        x[0],
        x[1],
        x[2],
        x[0] * x[0],
        x[1] * x[1],
        x[2] * x[2],
        x[0] * x[1],
        x[0] * x[2],
        x[1] * x[2],
    ]
}

impl SwitchingSpec {
    /// From parameters K, forcing, dwell, noise, samples, every, window, experts
    /// (errors name the field).
    pub fn from_params(p: &Params) -> Result<Self, MoeError> {
        let spec = SwitchingSpec {
            k: p.usize_at_least("K", 1)?,
            forcing: p.f64_or("forcing", 20.0)?,
            dwell: p.positive_or("dwell", 1.0)?,
            noise: p.f64_or("noise", 0.5)?,
            samples: p.usize_at_least("samples", 10)?,
            every: opt_count(p, "every", 1)?,
            window: opt_count(p, "window", 20)?,
            quadratic_experts: match p.str_or("experts", "quadratic")? {
                "affine" => false,
                "quadratic" => true,
                other => {
                    return Err(out_of_range(
                        "experts",
                        &other.into(),
                        "must be \"affine\" or \"quadratic\"",
                    )
                    .into())
                }
            },
        };
        if !(spec.noise >= 0.0) {
            return Err(out_of_range("noise", &spec.noise.into(), "must be >= 0").into());
        }
        if !spec.forcing.is_finite() {
            return Err(out_of_range("forcing", &spec.forcing.into(), "must be finite").into());
        }
        if spec.window >= spec.samples {
            return Err(out_of_range(
                "window",
                &spec.window.into(),
                "must be below the number of samples",
            )
            .into());
        }
        Ok(spec)
    }

    /// Simulate one trajectory (random start, 5 time units of transient dropped).
    pub fn sample(&self, rng: &mut Rng) -> Result<SwitchingData, MoeError> {
        let systems = Lorenz63::switching_family(self.k, self.forcing);
        let transient = (5.0 / (H * self.every as f64)).ceil() as usize;
        let n = self.samples + transient + 1;
        let x0 = V3::new(
            rng.random_range(-5.0..5.0),
            rng.random_range(-5.0..5.0),
            rng.random_range(15.0..30.0),
        );
        let tr = simulate_switching(
            &systems,
            self.dwell,
            x0,
            H,
            n * self.every,
            self.every,
            self.noise,
            rng,
        )?;
        let xs = &tr.x[transient..];
        let t = self.samples;
        let pe = if self.quadratic_experts { 10 } else { 4 };
        let mut q = Array2::zeros((t, 9));
        let mut psi = Array2::zeros((t, pe));
        let mut y = Array2::zeros((t, 3));
        for i in 0..t {
            let m = monomials(&xs[i]);
            for j in 0..9 {
                q[[i, j]] = m[j];
            }
            psi[[i, 0]] = 1.0;
            for j in 1..pe {
                psi[[i, j]] = m[j - 1] / if j <= 3 { 20.0 } else { 400.0 };
            }
            for j in 0..3 {
                y[[i, j]] = xs[i + 1][j] - xs[i][j];
            }
        }
        if !q.iter().chain(y.iter()).all(|v| v.is_finite()) {
            return Err(DynamicsError::Invalid {
                what: "switching data",
                reason: "non-finite states (lower the noise or the forcing)".into(),
            }
            .into());
        }
        Ok(SwitchingData {
            q,
            psi,
            y,
            regime: tr.regime[transient..transient + t].to_vec(),
            window: self.window,
        })
    }
}

/// Column means and standard deviations of the training gate inputs, applied to any set.
#[derive(Debug, Clone)]
pub struct Standardiser {
    mean: Array1<f64>,
    sd: Array1<f64>,
}

impl Standardiser {
    pub fn fit(u: &Array2<f64>) -> Self {
        let mean = u
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(u.ncols()));
        let sd = u
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s > 1e-12 { s } else { 1.0 });
        Standardiser { mean, sd }
    }
    /// Standardised columns and a constant column (the gate's intercept).
    pub fn apply(&self, u: &Array2<f64>) -> Array2<f64> {
        let z = (u - &self.mean) / &self.sd;
        let mut out = Array2::ones((u.nrows(), u.ncols() + 1));
        out.slice_mut(s![.., 1..]).assign(&z);
        out
    }
}
