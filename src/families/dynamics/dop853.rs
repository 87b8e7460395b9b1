//! Family `dynamics`, topic `dop853`.
use super::*;
use crate::dynamics::integrate_counted;

/// The local criterion read as a global one: ||x(t) - x_ref(t)|| <= tol (1 + ||x_ref||), no
/// step count and no amplification (the first form of this entry; false beyond short horizons).
pub const NO_AMPLIFICATION: Control = Control::new(
    "no_amplification",
    "global error <= tol (1 + ||x||) at every horizon (the local criterion read as a global one)",
);
pub const RHO_TYPO: Control = Control::mutation(
    "rho_typo",
    "the integrated Lorenz63 has rho = 28.001 (a parameter typo); the reference keeps 28",
);

/// Horizons at which the global error is compared with its bound.
const HORIZONS: [f64; 4] = [0.1, 0.25, 0.5, 1.0];
/// Spacing of the reference trajectory on which the logarithmic norm is integrated.
const REFERENCE_DT: f64 = 1e-3;
const REFERENCE_TOL: f64 = 1e-14;

/// mu_2(J) = the largest eigenvalue of (J + J^T)/2: the logarithmic norm of J in the
/// Euclidean norm, the growth rate of ||e|| under e' = J e.
fn log_norm_2(j: &M3) -> f64 {
    let sym = (j + j.transpose()) * 0.5;
    sym.symmetric_eigenvalues().max()
}

/// ||x_tol(t) - x_ref(t)||_inf <= sqrt(3) e^{int_0^t mu_2^+} (N_tol tol + N_ref tol_ref)
/// (1 + max_{s <= t} ||x_ref(s)||_inf) at t in HORIZONS, for tol in 1e-4..1e-10.
fn dop853_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let spec = SystemSpec::from_params(p)?;
    let f = spec.flow();
    let x0 = spec.initial_state();
    let typo = Lorenz63 {
        rho: 28.001,
        ..Lorenz63::default()
    };
    let run_flow: &dyn Flow = if v.is(RHO_TYPO) { &typo } else { f };
    let t_max = HORIZONS.iter().cloned().fold(0.0, f64::max);
    // the reference trajectory, dense: int_0^t max(mu_2(J), 0) ds by the trapezoid rule and
    // the running maximum of ||x_ref||_inf
    let dense = integrate(f, x0, t_max, REFERENCE_DT, REFERENCE_TOL, REFERENCE_TOL)?;
    let mu: Vec<f64> = dense
        .t
        .iter()
        .zip(&dense.x)
        .map(|(t, x)| log_norm_2(&f.jacobian(*t, x)).max(0.0))
        .collect();
    let mut growth = vec![0.0; mu.len()];
    let mut size = vec![x0.amax(); mu.len()];
    for i in 1..mu.len() {
        growth[i] = growth[i - 1] + 0.5 * (mu[i] + mu[i - 1]) * (dense.t[i] - dense.t[i - 1]);
        size[i] = size[i - 1].max(dense.x[i].amax());
    }
    let at = |t: f64| ((t / REFERENCE_DT).round() as usize).min(mu.len() - 1);
    let end = |flow: &dyn Flow, t: f64, tol: f64| -> Result<(V3, u32), Error> {
        let (traj, steps) = integrate_counted(flow, x0, t, t, tol, tol)?;
        let last = traj
            .x
            .last()
            .copied()
            .ok_or_else(|| Error::Internal("empty trajectory".into()))?;
        Ok((last, steps))
    };
    let mut pairs = Vec::new();
    for &t in &HORIZONS {
        let (reference, ref_steps) = end(f, t, REFERENCE_TOL)?;
        let i = at(t);
        for tol in [1e-4, 1e-6, 1e-8, 1e-10] {
            let (x, steps) = end(run_flow, t, tol)?;
            let bound = if v.is(NO_AMPLIFICATION) {
                tol * (1.0 + reference.amax())
            } else {
                3f64.sqrt()
                    * growth[i].exp()
                    * (steps as f64 * tol + ref_steps as f64 * REFERENCE_TOL)
                    * (1.0 + size[i])
            };
            pairs.push(((x - reference).amax(), bound));
        }
    }
    Ok(Evidence::worst_exact(pairs))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.dop853.tolerance",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "Dop853 (ode_solvers) at rtol = atol = tol in {1e-4, ..., 1e-10} on Lorenz63: at t in {0.1, 0.25, 0.5, 1}, ||x - x_ref||_inf <= sqrt(3) exp(int_0^t mu_2(J)^+) (N tol + N_ref tol_ref) (1 + max ||x_ref||_inf), N the accepted steps (local error control propagated by the logarithmic norm; x_ref at tol 1e-14)",
        source: "Hairer, Norsett, Wanner I, Sec. I.10 (estimates using one-sided Lipschitz conditions: the logarithmic norm) and the fan argument of its convergence proofs; derived in theory/dynamics.md",
        replicates: 1,
        grid: |_| vec![Params::new().with("system", "lorenz63")],
        check: dop853_check,
        controls: &[NO_AMPLIFICATION, RHO_TYPO],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// mu_2 of a symmetric matrix is its largest eigenvalue, of a skew one 0, and it bounds
    /// d/dt ||e|| / ||e|| for e' = J e at every e (checked on 200 random directions).
    #[test]
    fn log_norm_is_the_largest_growth_rate() {
        let s = M3::new(2.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0, -1.0);
        assert!((log_norm_2(&s) - 3.0).abs() < 1e-12);
        let k = M3::new(0.0, 1.0, -2.0, -1.0, 0.0, 3.0, 2.0, -3.0, 0.0);
        assert!(log_norm_2(&k).abs() < 1e-12);
        let j = Lorenz63::default().jacobian(0.0, &V3::new(1.0, 1.0, 20.0));
        let mu = log_norm_2(&j);
        let mut rng = crate::mc::stream(5, 0, 0);
        let mut best = f64::NEG_INFINITY;
        for _ in 0..200 {
            let e = V3::from_fn(|_, _| rng.random::<f64>() - 0.5);
            best = best.max(e.dot(&(j * e)) / e.dot(&e));
        }
        assert!(best <= mu + 1e-12 && best > mu - 0.5, "{best} vs {mu}");
    }
}
