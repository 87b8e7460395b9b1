//! Decision sets with a 1-strongly convex regulariser R, the norm it is strongly
//! convex in, and the dual norm that measures losses and hints.
//!
//! A domain keeps a *mirror state* for the point g: the simplex keeps
//! log-weights (so no exponentials are needed to update g), the ball keeps g.

/// A convex decision set F with regulariser R (1-strongly convex w.r.t. `norm`).
pub trait Domain: Sync + Send {
    /// Dimension d.
    fn dim(&self) -> usize;
    /// R_max^2 = sup_F R - inf_F R.
    fn r_max_sq(&self) -> f64;
    /// The primal norm ||v||.
    fn norm(&self, v: &[f64]) -> f64;
    /// The dual norm ||v||_*.
    fn dual_norm(&self, v: &[f64]) -> f64;
    /// Map a vector of coordinates in [-1, 1] into the dual unit ball.
    fn dual_from_coords(&self, v: &mut [f64]);
    /// Pull a vector back into the dual unit ball (no-op when inside).
    fn clip_dual(&self, v: &mut [f64]);
    /// min_{f in F} <f, c>: the loss of the best fixed action given cumulative loss c.
    fn min_linear(&self, c: &[f64]) -> f64;
    /// Mirror state of g_0 = argmin_F R.
    fn start(&self, state: &mut [f64]);
    /// out = argmin_F eta <f, v> + D_R(f, g), g the point of `state`. Cost O(d).
    fn prox_point(&self, state: &[f64], v: &[f64], eta: f64, out: &mut [f64]);
    /// state <- mirror state of argmin_F eta <g', v> + D_R(g', g). Cost O(d).
    fn prox_update(&self, state: &mut [f64], v: &[f64], eta: f64);
    /// The point g of a mirror state.
    fn point(&self, state: &[f64], out: &mut [f64]);
    /// out = argmin_F <f, theta> + R(f) / eta (follow the regularised leader).
    fn ftrl_point(&self, theta: &[f64], eta: f64, out: &mut [f64]);
    /// A short name for tables.
    fn name(&self) -> &'static str;
}

/// The probability simplex in R^d with negative entropy R(f) = sum f_i ln f_i:
/// 1-strongly convex w.r.t. ||.||_1 (Pinsker), dual norm ||.||_inf, R_max^2 = ln d.
#[derive(Debug, Clone, Copy)]
pub struct Simplex {
    d: usize,
}

impl Simplex {
    pub fn new(d: usize) -> Result<Self, super::OnlineError> {
        if d < 2 {
            return Err(super::invalid(
                "simplex",
                format!("dimension d = {d}, need d >= 2"),
            ));
        }
        Ok(Simplex { d })
    }
}

/// max_i v_i with four independent accumulators (no loop-carried dependency on one
/// register); NaN-free input assumed, as every caller's values are finite.
#[inline]
fn max_of(v: &[f64]) -> f64 {
    let mut m = [f64::NEG_INFINITY; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            m[k] = if c[k] > m[k] { c[k] } else { m[k] };
        }
    }
    for &x in rest {
        m[0] = if x > m[0] { x } else { m[0] };
    }
    let a = if m[0] > m[1] { m[0] } else { m[1] };
    let b = if m[2] > m[3] { m[2] } else { m[3] };
    if a > b {
        a
    } else {
        b
    }
}

/// sum_i v_i with four accumulators, in a fixed order (deterministic).
#[inline]
fn sum_of(v: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    let mut z = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &x in rest {
        z += x;
    }
    z
}

/// out_i = exp(s_i - eta v_i) / Z, computed stably (max subtracted first).
#[inline]
fn softmax_shifted(s: &[f64], v: &[f64], eta: f64, out: &mut [f64]) {
    for ((o, si), vi) in out.iter_mut().zip(s).zip(v) {
        *o = si - eta * vi;
    }
    let mx = max_of(out);
    for o in out.iter_mut() {
        *o = (*o - mx).exp();
    }
    let z = sum_of(out);
    let inv = 1.0 / z;
    for o in out.iter_mut() {
        *o *= inv;
    }
}

impl Domain for Simplex {
    fn dim(&self) -> usize {
        self.d
    }
    fn r_max_sq(&self) -> f64 {
        (self.d as f64).ln()
    }
    fn norm(&self, v: &[f64]) -> f64 {
        v.iter().map(|x| x.abs()).sum()
    }
    fn dual_norm(&self, v: &[f64]) -> f64 {
        let mut m = [0.0f64; 4];
        let chunks = v.chunks_exact(4);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..4 {
                let a = c[k].abs();
                m[k] = if a > m[k] { a } else { m[k] };
            }
        }
        for &x in rest {
            m[0] = if x.abs() > m[0] { x.abs() } else { m[0] };
        }
        max_of(&m)
    }
    fn dual_from_coords(&self, v: &mut [f64]) {
        self.clip_dual(v)
    }
    fn clip_dual(&self, v: &mut [f64]) {
        for x in v.iter_mut() {
            *x = x.clamp(-1.0, 1.0);
        }
    }
    fn min_linear(&self, c: &[f64]) -> f64 {
        c.iter().fold(f64::INFINITY, |m, x| m.min(*x))
    }
    fn start(&self, state: &mut [f64]) {
        state.fill(0.0);
    }
    fn prox_point(&self, state: &[f64], v: &[f64], eta: f64, out: &mut [f64]) {
        softmax_shifted(state, v, eta, out);
    }
    fn prox_update(&self, state: &mut [f64], v: &[f64], eta: f64) {
        // Multiplicative update in the log domain. The point is invariant to a common
        // shift of the log-weights, so they are re-centred only when the largest drifts
        // past 64 in magnitude: bounded over any horizon, and one pass per round.
        for (s, vi) in state.iter_mut().zip(v) {
            *s -= eta * vi;
        }
        let mx = max_of(state);
        if mx.abs() > 64.0 {
            for s in state.iter_mut() {
                *s -= mx;
            }
        }
    }
    fn point(&self, state: &[f64], out: &mut [f64]) {
        softmax_shifted(state, state, 0.0, out);
    }
    fn ftrl_point(&self, theta: &[f64], eta: f64, out: &mut [f64]) {
        // argmin <f, theta> + (1/eta) sum f ln f = softmax(-eta theta)
        softmax_shifted(theta, theta, 1.0 + eta, out);
        // softmax_shifted computes exp(theta - (1 + eta) theta) = exp(-eta theta)
    }
    fn name(&self) -> &'static str {
        "simplex"
    }
}

/// The Euclidean ball of radius rho with R(f) = ||f||^2 / 2: 1-strongly convex
/// w.r.t. ||.||_2 (self-dual), R_max^2 = rho^2 / 2.
#[derive(Debug, Clone, Copy)]
pub struct Ball {
    d: usize,
    rho: f64,
}

impl Ball {
    pub fn new(d: usize, rho: f64) -> Result<Self, super::OnlineError> {
        if d < 1 {
            return Err(super::invalid("ball", "dimension d = 0"));
        }
        if !(rho > 0.0 && rho.is_finite()) {
            return Err(super::invalid(
                "ball",
                format!("radius rho = {rho}, need rho > 0"),
            ));
        }
        Ok(Ball { d, rho })
    }
    pub fn radius(&self) -> f64 {
        self.rho
    }
}

fn l2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn project_ball(v: &mut [f64], radius: f64) {
    let n = l2(v);
    if n > radius {
        let s = radius / n;
        for x in v.iter_mut() {
            *x *= s;
        }
    }
}

impl Domain for Ball {
    fn dim(&self) -> usize {
        self.d
    }
    fn r_max_sq(&self) -> f64 {
        0.5 * self.rho * self.rho
    }
    fn norm(&self, v: &[f64]) -> f64 {
        l2(v)
    }
    fn dual_norm(&self, v: &[f64]) -> f64 {
        l2(v)
    }
    fn dual_from_coords(&self, v: &mut [f64]) {
        let s = 1.0 / (self.d as f64).sqrt();
        for x in v.iter_mut() {
            *x *= s;
        }
        self.clip_dual(v);
    }
    fn clip_dual(&self, v: &mut [f64]) {
        project_ball(v, 1.0);
    }
    fn min_linear(&self, c: &[f64]) -> f64 {
        -self.rho * l2(c)
    }
    fn start(&self, state: &mut [f64]) {
        state.fill(0.0);
    }
    fn prox_point(&self, state: &[f64], v: &[f64], eta: f64, out: &mut [f64]) {
        for ((o, g), vi) in out.iter_mut().zip(state).zip(v) {
            *o = g - eta * vi;
        }
        project_ball(out, self.rho);
    }
    fn prox_update(&self, state: &mut [f64], v: &[f64], eta: f64) {
        for (g, vi) in state.iter_mut().zip(v) {
            *g -= eta * vi;
        }
        project_ball(state, self.rho);
    }
    fn point(&self, state: &[f64], out: &mut [f64]) {
        out.copy_from_slice(state);
    }
    fn ftrl_point(&self, theta: &[f64], eta: f64, out: &mut [f64]) {
        for (o, t) in out.iter_mut().zip(theta) {
            *o = -eta * t;
        }
        project_ball(out, self.rho);
    }
    fn name(&self) -> &'static str {
        "ball"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simplex_prox_is_multiplicative_weights() {
        let s = Simplex::new(3).unwrap();
        let mut st = vec![0.0; 3];
        s.start(&mut st);
        let v = [1.0, 0.0, -1.0];
        let mut f = vec![0.0; 3];
        s.prox_point(&st, &v, 0.5, &mut f);
        let w: Vec<f64> = v.iter().map(|x: &f64| (-0.5 * x).exp()).collect();
        let z: f64 = w.iter().sum();
        for i in 0..3 {
            assert!((f[i] - w[i] / z).abs() < 1e-15);
        }
        s.ftrl_point(&v, 0.5, &mut f);
        for i in 0..3 {
            assert!((f[i] - w[i] / z).abs() < 1e-15);
        }
    }

    #[test]
    fn ball_prox_projects() {
        let b = Ball::new(2, 1.0).unwrap();
        let st = [0.0, 0.0];
        let mut f = [0.0; 2];
        b.prox_point(&st, &[3.0, 4.0], 1.0, &mut f);
        assert!((f[0] + 0.6).abs() < 1e-15 && (f[1] + 0.8).abs() < 1e-15);
        assert!((b.min_linear(&[3.0, 4.0]) + 5.0).abs() < 1e-15);
    }

    #[test]
    fn bad_domains_are_errors() {
        assert!(Simplex::new(1).is_err());
        assert!(Ball::new(2, 0.0).is_err());
        assert!(Ball::new(2, f64::NAN).is_err());
    }
}
