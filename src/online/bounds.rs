//! The online family's bounds as named formulas: each is used by its catalogue check and by
//! every figure that draws it (theory/online.md states and sources each).

/// RS13 corollary at a fixed step size: Reg_T <= R^2/eta + (eta/2) S.
pub fn fixed_eta_bound(r_max_sq: f64, eta: f64, s: f64) -> f64 {
    r_max_sq / eta + 0.5 * eta * s
}

/// The corollary at the tuned step size eta = R sqrt(2/S): Reg_T <= R sqrt(2 S).
pub fn tuned_bound(r_max_sq: f64, s: f64) -> f64 {
    (2.0 * r_max_sq * s).sqrt()
}

/// The constant of the adaptive step size's bound as the notes quote it, with R_max the
/// range of R (unverified: the entry `online.adaptive.range` is a conjecture).
pub const ADAPTIVE_CONSTANT: f64 = 3.5;

/// The conjectured range-of-R form: Reg_T <= 3.5 R_max (sqrt(S) + 1).
pub fn adaptive_range_bound(r_max_sq: f64, s: f64) -> f64 {
    ADAPTIVE_CONSTANT * r_max_sq.sqrt() * (s.sqrt() + 1.0)
}

/// A bound on ||x_t - M_t||_* when losses and hints lie in the dual unit ball.
pub const HINT_ERROR_MAX: f64 = 2.0;

/// The derived adaptive bound (theory/online.md section 8): with eta_t = D min{1,
/// 1/(sqrt(S_{t-1}) + sqrt(S_{t-2}))}, D^2 = sup D_R and ||x_t - M_t||_* <= B,
/// Reg_T <= D (3 sqrt(S_T) + 1.5 + 1.5 B^2).
pub fn adaptive_bound(divergence_sq: f64, s: f64) -> f64 {
    let b2 = HINT_ERROR_MAX * HINT_ERROR_MAX;
    divergence_sq.sqrt() * (3.0 * s.sqrt() + 1.5 + 1.5 * b2)
}

/// Hedge with eta = sqrt(8 ln N / T), losses in [0, 1]: Reg_T <= sqrt((T/2) ln N).
pub fn hedge_bound(t: f64, n: f64) -> f64 {
    (t / 2.0 * n.ln()).sqrt()
}

/// Two experts with fair-coin losses: every algorithm's E[Reg_T] = E|N - T/2|,
/// N ~ Binomial(T, 1/2), summed exactly in the log domain.
pub fn two_experts_expected_regret(t: usize) -> f64 {
    use statrs::function::gamma::ln_gamma;
    let tf = t as f64;
    let lt = ln_gamma(tf + 1.0) - tf * std::f64::consts::LN_2;
    (0..=t)
        .map(|k| {
            let kf = k as f64;
            (lt - ln_gamma(kf + 1.0) - ln_gamma(tf - kf + 1.0)).exp() * (kf - tf / 2.0).abs()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_experts_exact_value_against_brute_force() {
        // enumerate all 2^T outcomes for small T
        for t in 1..=12usize {
            let mut total = 0.0;
            for mask in 0u32..(1 << t) {
                let n = mask.count_ones() as f64;
                total += (n - t as f64 / 2.0).abs();
            }
            let brute = total / (1u64 << t) as f64;
            assert!(
                (two_experts_expected_regret(t) - brute).abs() < 1e-12,
                "T = {t}"
            );
        }
        // and the asymptotic sqrt(T / (2 pi))
        let t = 10_000;
        let r = two_experts_expected_regret(t) / (t as f64 / std::f64::consts::TAU).sqrt();
        assert!((r - 1.0).abs() < 1e-3);
    }

    #[test]
    fn tuned_step_minimises_the_fixed_step_bound() {
        // eta* = R sqrt(2/S) makes R^2/eta + (eta/2) S equal to R sqrt(2S), its minimum
        let (r2, s) = (2.5_f64, 37.0_f64);
        let eta = (r2 * 2.0 / s).sqrt();
        assert!((fixed_eta_bound(r2, eta, s) - tuned_bound(r2, s)).abs() < 1e-12);
        for f in [0.5, 0.9, 1.1, 2.0] {
            assert!(fixed_eta_bound(r2, f * eta, s) > tuned_bound(r2, s));
        }
    }
}
