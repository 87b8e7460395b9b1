//! Integrators: fixed-step RK4 (also for tangent dynamics), adaptive Dop853 with dense
//! output at a fixed sampling step, and switching simulation.
use super::{invalid, DynamicsError, Flow, Lorenz63, V3};
use crate::mc::Rng;
use ode_solvers::dop_shared::System;
use ode_solvers::Dop853;
use rand::Rng as _;

/// Sampled states x(t_i).
#[derive(Debug, Clone, Default)]
pub struct Trajectory {
    pub t: Vec<f64>,
    pub x: Vec<V3>,
    /// Regime index at each sample (switching systems only).
    pub regime: Vec<usize>,
}

/// The classical RK4 weights (times 6) of the stages k1..k4.
pub const RK4_WEIGHTS: [f64; 4] = [1.0, 2.0, 2.0, 1.0];

/// One classical Runge-Kutta step.
#[inline]
pub fn rk4_step<F: Flow + ?Sized>(f: &F, t: f64, x: &V3, h: f64) -> V3 {
    rk4_step_weighted(f, t, x, h, &RK4_WEIGHTS)
}

/// An RK4 step whose stages are combined with weights `w` / 6 (the classical ones, or a
/// negative control's slip).
#[inline]
pub fn rk4_step_weighted<F: Flow + ?Sized>(f: &F, t: f64, x: &V3, h: f64, w: &[f64; 4]) -> V3 {
    let k1 = f.rhs(t, x);
    let k2 = f.rhs(t + 0.5 * h, &(x + 0.5 * h * k1));
    let k3 = f.rhs(t + 0.5 * h, &(x + 0.5 * h * k2));
    let k4 = f.rhs(t + h, &(x + h * k3));
    x + (h / 6.0) * (w[0] * k1 + w[1] * k2 + w[2] * k3 + w[3] * k4)
}

/// x(t1) from x(t0) with n RK4 steps.
pub fn rk4<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    t0: f64,
    t1: f64,
    n: usize,
) -> Result<V3, DynamicsError> {
    rk4_weighted(f, x0, t0, t1, n, &RK4_WEIGHTS)
}

/// `rk4` with stage weights `w` / 6.
pub fn rk4_weighted<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    t0: f64,
    t1: f64,
    n: usize,
    w: &[f64; 4],
) -> Result<V3, DynamicsError> {
    if n == 0 || !(t1 > t0) {
        return Err(invalid(
            "RK4",
            format!("need n >= 1 steps and t1 > t0 (n = {n}, [{t0}, {t1}])"),
        ));
    }
    let h = (t1 - t0) / n as f64;
    let mut x = x0;
    for i in 0..n {
        x = rk4_step_weighted(f, t0 + i as f64 * h, &x, h, w);
        check(&x, t0 + (i + 1) as f64 * h)?;
    }
    Ok(x)
}

fn check(x: &V3, t: f64) -> Result<(), DynamicsError> {
    let n = x.norm();
    if !n.is_finite() || n > 1e8 {
        return Err(DynamicsError::Diverged { time: t, norm: n });
    }
    Ok(())
}

struct Adapter<'a, F: ?Sized>(&'a F);

impl<F: Flow + ?Sized> System<f64, V3> for Adapter<'_, F> {
    fn system(&self, t: f64, y: &V3, dy: &mut V3) {
        *dy = self.0.rhs(t, y);
    }
    fn solout(&mut self, _t: f64, y: &V3, _dy: &V3) -> bool {
        // stop at once on blow-up; the caller reports the time
        !(y.norm() < 1e8)
    }
}

/// Longest interval at which the solver itself writes dense output (see `integrate`).
const DENSE_STEP_MAX: f64 = 0.01;

/// Integrate from x0 on [0, t_end] with Dop853 (ode_solvers) at tolerances (rtol, atol),
/// dense output every `dt`. A non-finite or exploding state is an error naming the time.
pub fn integrate<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    t_end: f64,
    dt: f64,
    rtol: f64,
    atol: f64,
) -> Result<Trajectory, DynamicsError> {
    Ok(integrate_counted(f, x0, t_end, dt, rtol, atol)?.0)
}

/// `integrate`, also returning the number of steps the solver accepted (each met the local
/// error criterion; `dynamics.dop853.tolerance` sums their allowances).
pub fn integrate_counted<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    t_end: f64,
    dt: f64,
    rtol: f64,
    atol: f64,
) -> Result<(Trajectory, u32), DynamicsError> {
    if !(dt > 0.0 && dt.is_finite()) {
        return Err(invalid("sampling step", format!("dt = {dt}, need dt > 0")));
    }
    if !(rtol > 0.0 && atol > 0.0) {
        return Err(invalid(
            "tolerance",
            format!("rtol = {rtol}, atol = {atol}, need both > 0"),
        ));
    }
    if !(t_end > 0.0 && t_end.is_finite()) {
        return Err(invalid(
            "horizon",
            format!("t_end = {t_end}, need t_end > 0"),
        ));
    }
    // ode_solvers 0.6.2's Dop853 has its stage nodes c_12 and c_13 at 0 instead of 1
    // (srenevey/ode-solvers PR #42): right for autonomous flows only, silently wrong otherwise
    if !f.autonomous() {
        return Err(invalid(
            "flow",
            "Dop853 (ode_solvers 0.6.2) is refused for a time-dependent flow: its stage nodes c_12 and c_13 are wrong (srenevey/ode-solvers PR #42), which only an autonomous flow does not see; use rk4",
        ));
    }
    if x0.iter().any(|v| !v.is_finite()) {
        return Err(invalid(
            "initial state",
            format!("{:?} is not finite", x0.as_slice()),
        ));
    }
    // ode_solvers 0.6's dense output loses accuracy when the output interval is long
    // (measured on Lorenz63 at rtol 1e-12, t = 1: output every 0.01 and every 0.001 agree
    // to all digits, every 0.05 is off by 4e-6, every 0.25 by 4). So the solver writes
    // output at most every 0.01 and the requested samples are taken from it.
    let k = (dt / DENSE_STEP_MAX).ceil().max(1.0) as usize;
    let mut solver = Dop853::new(Adapter(f), 0.0, t_end, dt / k as f64, x0, rtol, atol);
    let res = solver.integrate();
    let t: Vec<f64> = solver.x_out().iter().step_by(k).cloned().collect();
    let x: Vec<V3> = solver.y_out().iter().step_by(k).cloned().collect();
    if let Some(i) = x.iter().position(|s| !(s.norm() < 1e8)) {
        return Err(DynamicsError::Diverged {
            time: t[i],
            norm: x[i].norm(),
        });
    }
    let stats = res.map_err(|e| DynamicsError::Integration(e.to_string()))?;
    Ok((
        Trajectory {
            t,
            x,
            regime: Vec::new(),
        },
        stats.accepted_steps,
    ))
}

/// Switching Lorenz63: K copies differing by a constant forcing; the active one follows a
/// Markov chain that leaves its regime at rate 1/dwell (to a uniformly chosen other regime).
/// RK4 with step h, a sample every `every` steps, optional additive noise of standard
/// deviation `noise` per unit time (Euler-Maruyama increment sqrt(h) noise xi).
pub fn simulate_switching(
    systems: &[Lorenz63],
    dwell: f64,
    x0: V3,
    h: f64,
    steps: usize,
    every: usize,
    noise: f64,
    rng: &mut Rng,
) -> Result<Trajectory, DynamicsError> {
    if systems.is_empty() || !(dwell > 0.0) || !(h > 0.0) || every == 0 || !(noise >= 0.0) {
        return Err(invalid(
            "switching system",
            format!(
                "K = {}, dwell = {dwell}, h = {h}, every = {every}, noise = {noise}",
                systems.len()
            ),
        ));
    }
    let k = systems.len();
    let mut x = x0;
    let mut regime = 0usize;
    let mut out = Trajectory::default();
    let p_leave = h / dwell;
    for i in 0..steps {
        if i % every == 0 {
            out.t.push(i as f64 * h);
            out.x.push(x);
            out.regime.push(regime);
        }
        if k > 1 && rng.random::<f64>() < p_leave {
            let j = rng.random_range(0..k - 1);
            regime = if j >= regime { j + 1 } else { j };
        }
        x = rk4_step(&systems[regime], i as f64 * h, &x, h);
        if noise > 0.0 {
            let s = noise * h.sqrt();
            let xi = V3::from_fn(|_, _| {
                rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, rng)
            });
            x += s * xi;
        }
        check(&x, (i + 1) as f64 * h)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_output_reaches_the_end_and_rk4_converges_to_it() {
        let f = Lorenz63::default();
        let x0 = V3::new(1.0, 1.0, 20.0);
        let tr = integrate(&f, x0, 1.0, 0.25, 1e-13, 1e-13).unwrap();
        assert_eq!(tr.t.len(), 5, "{:?}", tr.t);
        assert!((tr.t[4] - 1.0).abs() < 1e-12);
        // the sampling interval does not change the solution
        let fine = integrate(&f, x0, 1.0, 0.001, 1e-13, 1e-13).unwrap();
        assert!((fine.x.last().unwrap() - tr.x[4]).norm() < 1e-9);
        // fourth order once asymptotic (on [0, 1] the ratio is still 28 at h = 0.01)
        let e1 = (rk4(&f, x0, 0.0, 1.0, 1600).unwrap() - tr.x[4]).norm();
        let e2 = (rk4(&f, x0, 0.0, 1.0, 3200).unwrap() - tr.x[4]).norm();
        assert!((e1 / e2 - 16.0).abs() < 1.0, "{e1} {e2}");
    }

    #[test]
    fn divergence_and_bad_inputs_are_errors() {
        let f = Lorenz63::default();
        assert!(matches!(
            integrate(&f, V3::new(1.0, 1.0, 1.0), 1.0, 0.0, 1e-9, 1e-9),
            Err(DynamicsError::Invalid { .. })
        ));
        assert!(matches!(
            integrate(&f, V3::new(f64::NAN, 1.0, 1.0), 1.0, 0.1, 1e-9, 1e-9),
            Err(DynamicsError::Invalid { .. })
        ));
        assert!(matches!(
            integrate(&f, V3::new(1.0, 1.0, 1.0), 1.0, 0.1, -1.0, 1e-9),
            Err(DynamicsError::Invalid { .. })
        ));
        // a time-dependent flow is refused (Dop853's wrong nodes), the autonomous one is not
        let drifting = crate::dynamics::Langford {
            drift: 0.5,
            ..crate::dynamics::Langford::default()
        };
        let e = integrate(&drifting, V3::new(1.0, 1.0, 1.0), 1.0, 0.1, 1e-9, 1e-9)
            .unwrap_err()
            .to_string();
        assert!(e.contains("time-dependent") && e.contains("rk4"), "{e}");
        assert!(integrate(
            &crate::dynamics::Langford::default(),
            V3::new(0.1, 0.0, 0.0),
            1.0,
            0.1,
            1e-9,
            1e-9
        )
        .is_ok());
        // an exploding system: the error names the time it gave up
        let g = Lorenz63 {
            sigma: -50.0,
            ..Lorenz63::default()
        };
        match integrate(&g, V3::new(1.0, 1.0, 1.0), 100.0, 0.1, 1e-9, 1e-9) {
            Err(e @ (DynamicsError::Diverged { .. } | DynamicsError::Integration(_))) => {
                assert!(
                    e.to_string().contains("t = ") || e.to_string().contains("x = "),
                    "{e}"
                )
            }
            other => panic!("expected divergence, got {other:?}"),
        }
    }
}

/// States every `dt` (RK4 with `substeps` steps per sample) from x0 at t0: `n` samples.
pub fn sample_rk4<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    t0: f64,
    dt: f64,
    n: usize,
    substeps: usize,
) -> Result<Trajectory, DynamicsError> {
    if !(dt > 0.0) || substeps == 0 {
        return Err(invalid(
            "sampling",
            format!("dt = {dt}, substeps = {substeps}"),
        ));
    }
    let h = dt / substeps as f64;
    let mut x = x0;
    let mut t = t0;
    let mut out = Trajectory::default();
    for _ in 0..n {
        out.t.push(t);
        out.x.push(x);
        for _ in 0..substeps {
            x = rk4_step(f, t, &x, h);
            t += h;
        }
        check(&x, t)?;
    }
    Ok(out)
}
