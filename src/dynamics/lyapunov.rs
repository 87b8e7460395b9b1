//! Lyapunov spectra by the Benettin / QR method on the tangent dynamics.
use super::{integrate::rk4_step, invalid, DynamicsError, Flow, M3, V3};

/// Exponents and their running estimates.
#[derive(Debug, Clone)]
pub struct LyapunovRun {
    /// lambda_1 >= lambda_2 >= lambda_3 (per unit time).
    pub exponents: [f64; 3],
    /// Time average of div f = tr J along the same trajectory (RK4 stage quadrature).
    pub mean_divergence: f64,
    /// (time, running exponents) at each checkpoint.
    pub running: Vec<(f64, [f64; 3])>,
}

/// Integrate x and the tangent matrix Y (Y' = J(t, x) Y) with RK4 step h for `t_total`
/// after a transient of `t_transient`, re-orthonormalising Y by QR every step and summing
/// ln |R_ii|. `checkpoints` running estimates are recorded, evenly spaced.
pub fn lyapunov_spectrum<F: Flow + ?Sized>(
    f: &F,
    x0: V3,
    h: f64,
    t_transient: f64,
    t_total: f64,
    checkpoints: usize,
) -> Result<LyapunovRun, DynamicsError> {
    if !(h > 0.0) || !(t_total > 0.0) || !(t_transient >= 0.0) {
        return Err(invalid(
            "Lyapunov run",
            format!("h = {h}, T = {t_total}, transient = {t_transient}"),
        ));
    }
    let mut x = x0;
    let mut t = 0.0;
    let n_tr = (t_transient / h).round() as usize;
    for _ in 0..n_tr {
        x = rk4_step(f, t, &x, h);
        t += h;
    }
    if !(x.norm() < 1e8) {
        return Err(DynamicsError::Diverged {
            time: t,
            norm: x.norm(),
        });
    }
    let n = (t_total / h).round().max(1.0) as usize;
    let every = (n / checkpoints.max(1)).max(1);
    let mut q = M3::identity();
    let mut sums = [0.0f64; 3];
    let mut div = 0.0;
    let mut running = Vec::new();
    let t_start = t;
    for i in 0..n {
        // RK4 on the coupled system (x, Y); the same stages give the divergence quadrature
        let (t2, t3) = (t + 0.5 * h, t + h);
        let k1 = f.rhs(t, &x);
        let j1 = f.jacobian(t, &x);
        let x2 = x + 0.5 * h * k1;
        let k2 = f.rhs(t2, &x2);
        let j2 = f.jacobian(t2, &x2);
        let x3 = x + 0.5 * h * k2;
        let k3 = f.rhs(t2, &x3);
        let j3 = f.jacobian(t2, &x3);
        let x4 = x + h * k3;
        let k4 = f.rhs(t3, &x4);
        let j4 = f.jacobian(t3, &x4);
        let l1 = j1 * q;
        let l2 = j2 * (q + 0.5 * h * l1);
        let l3 = j3 * (q + 0.5 * h * l2);
        let l4 = j4 * (q + h * l3);
        let y = q + (h / 6.0) * (l1 + 2.0 * l2 + 2.0 * l3 + l4);
        div += (h / 6.0) * (j1.trace() + 2.0 * j2.trace() + 2.0 * j3.trace() + j4.trace());
        x += (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        t = t3;
        let qr = y.qr();
        let r = qr.r();
        let mut qn = qr.q();
        for c in 0..3 {
            sums[c] += r[(c, c)].abs().ln();
            if r[(c, c)] < 0.0 {
                // keep a consistent orientation (irrelevant to |R_ii|)
                let col = -qn.column(c);
                qn.set_column(c, &col);
            }
        }
        q = qn;
        if !(x.norm() < 1e8) {
            return Err(DynamicsError::Diverged {
                time: t,
                norm: x.norm(),
            });
        }
        if (i + 1) % every == 0 || i + 1 == n {
            let el = t - t_start;
            running.push((el, [sums[0] / el, sums[1] / el, sums[2] / el]));
        }
    }
    let el = t - t_start;
    let mut ex = [sums[0] / el, sums[1] / el, sums[2] / el];
    ex.sort_by(|a, b| b.total_cmp(a));
    Ok(LyapunovRun {
        exponents: ex,
        mean_divergence: div / el,
        running,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::{Langford, Lorenz63};

    #[test]
    fn lorenz_spectrum_is_close_to_the_literature() {
        let f = Lorenz63::default();
        let run = lyapunov_spectrum(&f, V3::new(1.0, 1.0, 20.0), 0.01, 20.0, 500.0, 10).unwrap();
        let [l1, l2, l3] = run.exponents;
        eprintln!("lorenz {l1} {l2} {l3} div {}", run.mean_divergence);
        assert!((l1 - 0.9056).abs() < 0.05 && l2.abs() < 0.02 && (l3 + 14.5723).abs() < 0.05);
        // RK4 on the tangent flow is not exactly volume-consistent: the gap is O(h^4) per unit time
        assert!((l1 + l2 + l3 - run.mean_divergence).abs() < 1e-3);
        let g = Langford::default();
        let run = lyapunov_spectrum(&g, V3::new(0.1, 0.0, 0.0), 0.01, 50.0, 500.0, 10).unwrap();
        eprintln!("langford {:?} div {}", run.exponents, run.mean_divergence);
    }
}
