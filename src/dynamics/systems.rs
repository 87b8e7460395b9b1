//! The vector fields and their closed-form Jacobians.
use super::{invalid, M3, V3};
use crate::params::Params;

/// dx/dt = f(t, x) in R^3 with its Jacobian.
pub trait Flow: Sync + Send {
    fn name(&self) -> &'static str;
    fn rhs(&self, t: f64, x: &V3) -> V3;
    /// d f / d x in closed form.
    fn jacobian(&self, t: f64, x: &V3) -> M3;
    /// Whether f does not depend on t (then one Lyapunov exponent is zero).
    fn autonomous(&self) -> bool;
    /// div f = tr J: the local rate of phase-space volume change.
    fn divergence(&self, t: f64, x: &V3) -> f64 {
        self.jacobian(t, x).trace()
    }
}

/// Lorenz63 with an optional constant forcing vector:
/// x' = sigma (y - x) + f0, y' = x (rho - z) - y + f1, z' = x y - beta z + f2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lorenz63 {
    pub sigma: f64,
    pub rho: f64,
    pub beta: f64,
    pub forcing: V3,
}

impl Default for Lorenz63 {
    fn default() -> Self {
        Lorenz63 {
            sigma: 10.0,
            rho: 28.0,
            beta: 8.0 / 3.0,
            forcing: V3::zeros(),
        }
    }
}

impl Lorenz63 {
    /// K copies of the standard system forced along y by strength * (i - (K-1)/2),
    /// i = 0..K-1 (the switching experiments' regimes).
    pub fn switching_family(k: usize, strength: f64) -> Vec<Lorenz63> {
        (0..k)
            .map(|i| Lorenz63 {
                forcing: V3::new(0.0, strength * (i as f64 - (k as f64 - 1.0) / 2.0), 0.0),
                ..Lorenz63::default()
            })
            .collect()
    }
}

impl Flow for Lorenz63 {
    fn name(&self) -> &'static str {
        "lorenz63"
    }
    fn rhs(&self, _t: f64, s: &V3) -> V3 {
        let (x, y, z) = (s[0], s[1], s[2]);
        V3::new(
            self.sigma * (y - x) + self.forcing[0],
            x * (self.rho - z) - y + self.forcing[1],
            x * y - self.beta * z + self.forcing[2],
        )
    }
    fn jacobian(&self, _t: f64, s: &V3) -> M3 {
        let (x, y, z) = (s[0], s[1], s[2]);
        M3::new(
            -self.sigma,
            self.sigma,
            0.0,
            self.rho - z,
            -1.0,
            -x,
            y,
            x,
            -self.beta,
        )
    }
    fn autonomous(&self) -> bool {
        true
    }
}

/// The Langford system (dysts' "Aizawa"; a..f = alpha, beta, lambda, omega, rho, eps):
/// x' = (z - beta) x - omega(t) y, y' = omega(t) x + (z - beta) y,
/// z' = lambda + alpha z - z^3/3 - (x^2 + y^2)(1 + rho z) + eps z x^3,
/// with omega(t) = omega0 + drift sin(2 pi t / period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Langford {
    pub alpha: f64,
    pub beta: f64,
    pub lambda: f64,
    pub omega0: f64,
    pub rho: f64,
    pub eps: f64,
    pub drift: f64,
    pub period: f64,
}

impl Default for Langford {
    fn default() -> Self {
        Langford {
            alpha: 0.95,
            beta: 0.7,
            lambda: 0.6,
            omega0: 3.5,
            rho: 0.25,
            eps: 0.1,
            drift: 0.0,
            period: 50.0,
        }
    }
}

impl Langford {
    pub fn omega(&self, t: f64) -> f64 {
        self.omega0 + self.drift * (std::f64::consts::TAU * t / self.period).sin()
    }
}

impl Flow for Langford {
    fn name(&self) -> &'static str {
        "langford"
    }
    fn rhs(&self, t: f64, s: &V3) -> V3 {
        let (x, y, z) = (s[0], s[1], s[2]);
        let w = self.omega(t);
        let r2 = x * x + y * y;
        V3::new(
            (z - self.beta) * x - w * y,
            w * x + (z - self.beta) * y,
            self.lambda + self.alpha * z - z * z * z / 3.0 - r2 * (1.0 + self.rho * z)
                + self.eps * z * x * x * x,
        )
    }
    fn jacobian(&self, t: f64, s: &V3) -> M3 {
        let (x, y, z) = (s[0], s[1], s[2]);
        let w = self.omega(t);
        let a = 1.0 + self.rho * z;
        M3::new(
            z - self.beta,
            -w,
            x,
            w,
            z - self.beta,
            y,
            -2.0 * x * a + 3.0 * self.eps * z * x * x,
            -2.0 * y * a,
            self.alpha - z * z - self.rho * (x * x + y * y) + self.eps * x * x * x,
        )
    }
    fn autonomous(&self) -> bool {
        self.drift == 0.0
    }
}

/// Central finite differences of f at (t, x), step h relative to the state's scale.
pub fn finite_difference_jacobian<F: Flow + ?Sized>(f: &F, t: f64, x: &V3, h: f64) -> M3 {
    let mut j = M3::zeros();
    for c in 0..3 {
        let mut a = *x;
        let mut b = *x;
        let step = h * x[c].abs().max(1.0);
        a[c] += step;
        b[c] -= step;
        let col = (f.rhs(t, &a) - f.rhs(t, &b)) / (2.0 * step);
        j.set_column(c, &col);
    }
    j
}

/// A system named in parameters: `system` = lorenz63 | langford (+ drift, period).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SystemSpec {
    Lorenz(Lorenz63),
    Langford(Langford),
}

impl SystemSpec {
    pub fn from_params(p: &Params) -> Result<Self, super::DynamicsError> {
        Ok(match p.str_or("system", "lorenz63")? {
            "lorenz63" => SystemSpec::Lorenz(Lorenz63::default()),
            "langford" => {
                let l = Langford {
                    drift: p.f64_or("drift", 0.0)?,
                    period: p.positive_or("period", 50.0)?,
                    ..Langford::default()
                };
                SystemSpec::Langford(l)
            }
            other => {
                return Err(
                    invalid("system", format!("`{other}`: known lorenz63, langford")).into(),
                );
            }
        })
    }
    pub fn flow(&self) -> &dyn Flow {
        match self {
            SystemSpec::Lorenz(l) => l,
            SystemSpec::Langford(l) => l,
        }
    }
    /// A point near the attractor to start from.
    pub fn initial_state(&self) -> V3 {
        match self {
            SystemSpec::Lorenz(_) => V3::new(1.0, 1.0, 20.0),
            SystemSpec::Langford(_) => V3::new(0.1, 0.0, 0.0),
        }
    }
}
