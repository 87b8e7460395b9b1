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
    /// sup_{f, g in F} D_R(f, g): the largest Bregman divergence between two points of F
    /// (infinite on the simplex). A time-varying step size's regret bound needs it finite.
    fn divergence_diameter_sq(&self) -> f64;
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
    fn divergence_diameter_sq(&self) -> f64 {
        // KL(e_1 || g) -> infinity as g_1 -> 0
        f64::INFINITY
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

/// The simplex clipped away from its faces, {f : f_i >= gamma, sum f_i = 1} (0 < gamma < 1/d),
/// with negative entropy: 1-strongly convex w.r.t. ||.||_1 as on the whole simplex, dual norm
/// ||.||_inf. Unlike the simplex, sup D_R = KL between two of its vertices is finite:
/// (a - gamma) ln(a / gamma) with a = 1 - (d - 1) gamma. The mirror state holds ln g; each step
/// is the multiplicative update followed by the KL projection onto the clipped set,
/// out_i = max(gamma, c w_i) with c fixed by sum out_i = 1.
#[derive(Debug, Clone, Copy)]
pub struct ClippedSimplex {
    d: usize,
    gamma: f64,
    /// A mutation for the negative controls: the KL projection is skipped, so the learner
    /// plays the plain multiplicative update while the bound still uses the clipped set.
    skip_projection: bool,
}

impl ClippedSimplex {
    pub fn new(d: usize, gamma: f64) -> Result<Self, super::OnlineError> {
        if d < 2 {
            return Err(super::invalid(
                "clipped simplex",
                format!("dimension d = {d}, need d >= 2"),
            ));
        }
        if !(gamma > 0.0 && gamma * (d as f64) < 1.0) {
            return Err(super::invalid(
                "clipped simplex",
                format!("gamma = {gamma}, need 0 < gamma < 1/d = {}", 1.0 / d as f64),
            ));
        }
        Ok(ClippedSimplex {
            d,
            gamma,
            skip_projection: false,
        })
    }
    /// The same set with the learner's KL projection skipped (negative controls only).
    pub fn projection_skipped(self) -> Self {
        ClippedSimplex {
            skip_projection: true,
            ..self
        }
    }
    /// The largest coordinate of a vertex, a = 1 - (d - 1) gamma.
    fn vertex_top(&self) -> f64 {
        1.0 - (self.d as f64 - 1.0) * self.gamma
    }
    /// out <- the KL projection onto the clipped set of the positive weights exp(out).
    fn project_log(&self, out: &mut [f64]) {
        let mx = max_of(out);
        for o in out.iter_mut() {
            *o = (*o - mx).exp();
        }
        let z = sum_of(out);
        if self.skip_projection {
            out.iter_mut().for_each(|o| *o /= z);
            return;
        }
        // clipped coordinates only grow from the empty set; at most d passes (see the
        // theory file: each pass's c is >= the solution's, so no coordinate is clipped wrongly)
        let mut clipped = 0usize;
        let mut free_mass = z;
        let mut c = 1.0 / z;
        loop {
            let mut newly = 0usize;
            let mut removed = 0.0;
            for o in out.iter_mut() {
                if *o >= 0.0 && c * *o < self.gamma {
                    removed += *o;
                    *o = -1.0; // marks a clipped coordinate
                    newly += 1;
                }
            }
            if newly == 0 {
                break;
            }
            clipped += newly;
            free_mass -= removed;
            c = (1.0 - clipped as f64 * self.gamma) / free_mass;
        }
        for o in out.iter_mut() {
            *o = if *o < 0.0 { self.gamma } else { c * *o };
        }
    }
}

impl Domain for ClippedSimplex {
    fn dim(&self) -> usize {
        self.d
    }
    fn r_max_sq(&self) -> f64 {
        // R at a vertex minus R at the uniform point
        let (a, g) = (self.vertex_top(), self.gamma);
        a * a.ln() + (self.d as f64 - 1.0) * g * g.ln() + (self.d as f64).ln()
    }
    fn divergence_diameter_sq(&self) -> f64 {
        let (a, g) = (self.vertex_top(), self.gamma);
        (a - g) * (a / g).ln()
    }
    fn norm(&self, v: &[f64]) -> f64 {
        v.iter().map(|x| x.abs()).sum()
    }
    fn dual_norm(&self, v: &[f64]) -> f64 {
        v.iter().fold(0.0, |m, x| m.max(x.abs()))
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
        // gamma on every coordinate, the rest on the smallest
        let lo = c.iter().fold(f64::INFINITY, |m, x| m.min(*x));
        self.gamma * sum_of(c) + (1.0 - self.d as f64 * self.gamma) * lo
    }
    fn start(&self, state: &mut [f64]) {
        state.fill(-(self.d as f64).ln());
    }
    fn prox_point(&self, state: &[f64], v: &[f64], eta: f64, out: &mut [f64]) {
        for ((o, s), vi) in out.iter_mut().zip(state).zip(v) {
            *o = s - eta * vi;
        }
        self.project_log(out);
    }
    fn prox_update(&self, state: &mut [f64], v: &[f64], eta: f64) {
        for (s, vi) in state.iter_mut().zip(v) {
            *s -= eta * vi;
        }
        self.project_log(state);
        for s in state.iter_mut() {
            *s = s.ln();
        }
    }
    fn point(&self, state: &[f64], out: &mut [f64]) {
        out.copy_from_slice(state);
        self.project_log(out);
    }
    fn ftrl_point(&self, theta: &[f64], eta: f64, out: &mut [f64]) {
        // argmin_F <f, theta> + (1/eta) sum f ln f = the KL projection of softmax(-eta theta)
        for (o, t) in out.iter_mut().zip(theta) {
            *o = -eta * t;
        }
        self.project_log(out);
    }
    fn name(&self) -> &'static str {
        "clipped_simplex"
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
    fn divergence_diameter_sq(&self) -> f64 {
        // ||f - g||^2 / 2 at two antipodal points
        2.0 * self.rho * self.rho
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
    use rand::Rng as _;

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

    /// KL(f || w) for f in the clipped set, w > 0 (unnormalised).
    fn kl(f: &[f64], w: &[f64]) -> f64 {
        f.iter().zip(w).map(|(a, b)| a * (a / b).ln() - a + b).sum()
    }

    #[test]
    fn clipped_projection_is_the_kl_minimiser_by_brute_force() {
        // d = 3: search the clipped triangle on a fine grid; the closed form must be at
        // least as good as every grid point and agree with the best to the grid's resolution
        let dom = ClippedSimplex::new(3, 0.05).unwrap();
        for w in [
            [0.9, 0.09, 0.01],
            [1e-6, 0.5, 0.5],
            [0.3, 0.3, 0.4],
            [1.0, 1e-12, 1e-12],
        ] {
            let mut out: Vec<f64> = w.iter().map(|x: &f64| x.ln()).collect();
            dom.project_log(&mut out);
            assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-14);
            assert!(out.iter().all(|&x| x >= 0.05 - 1e-15));
            let best = kl(&out, &w);
            let n = 900;
            let mut grid_best = f64::INFINITY;
            for i in 0..=n {
                for j in 0..=(n - i) {
                    let f = [
                        i as f64 / n as f64,
                        j as f64 / n as f64,
                        (n - i - j) as f64 / n as f64,
                    ];
                    if f.iter().all(|&x| x >= 0.05) {
                        let k = kl(&f, &w);
                        assert!(
                            best <= k + 1e-12,
                            "{w:?}: grid point {f:?} beats the projection"
                        );
                        grid_best = grid_best.min(k);
                    }
                }
            }
            assert!(grid_best - best < 1e-3, "{w:?}: {grid_best} vs {best}");
        }
    }

    #[test]
    fn clipped_divergence_diameter_is_attained_at_two_vertices_and_never_exceeded() {
        let mut rng = crate::mc::stream(7, 0, 0);
        for (d, g) in [(2usize, 0.01), (3, 0.1), (8, 1e-3)] {
            let dom = ClippedSimplex::new(d, g).unwrap();
            let dd = dom.divergence_diameter_sq();
            let a = 1.0 - (d as f64 - 1.0) * g;
            let mut v1 = vec![g; d];
            let mut v2 = vec![g; d];
            v1[0] = a;
            v2[1] = a;
            assert!((kl(&v1, &v2) - dd).abs() < 1e-12);
            assert!(dd < (1.0 / g).ln());
            for _ in 0..2000 {
                let p = |rng: &mut crate::mc::Rng| {
                    let mut st: Vec<f64> =
                        (0..d).map(|_| 8.0 * (rng.random::<f64>() - 0.5)).collect();
                    dom.project_log(&mut st);
                    st
                };
                let (f, h) = (p(&mut rng), p(&mut rng));
                assert!(kl(&f, &h) <= dd + 1e-12);
            }
            // the range of R: vertex minus uniform
            let r = |f: &[f64]| f.iter().map(|x| x * x.ln()).sum::<f64>();
            assert!((dom.r_max_sq() - (r(&v1) - r(&vec![1.0 / d as f64; d]))).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_domains_are_errors() {
        assert!(ClippedSimplex::new(4, 0.25).is_err());
        assert!(ClippedSimplex::new(4, 0.0).is_err());
        assert!(ClippedSimplex::new(1, 0.1).is_err());
        assert!(Simplex::new(1).is_err());
        assert!(Ball::new(2, 0.0).is_err());
        assert!(Ball::new(2, f64::NAN).is_err());
    }
}
