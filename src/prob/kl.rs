//! Divergences between Gaussians and mixtures: Kullback-Leibler, chi-square.
use super::{Gmm, ProbError};
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::stats::{student_t, Interval};
use ndarray::{Array1, Array2, ArrayView1};

/// KL(N(m1, S1) || N(m2, S2)) = (1/2)[tr(S2^{-1} S1) + (m2-m1)^T S2^{-1} (m2-m1) - d + ln det S2 - ln det S1].
pub fn kl_gaussian(
    m1: ArrayView1<f64>,
    s1: &Spd,
    m2: ArrayView1<f64>,
    s2: &Spd,
) -> Result<f64, ProbError> {
    let d = m1.len();
    let tr = s2.solve(s1.matrix())?.diag().sum();
    let dm = &m2 - &m1;
    let q = s2.quad(dm.view())?;
    Ok(0.5 * (tr + q - d as f64 + s2.log_det() - s1.log_det()))
}

/// E_{x ~ N(m, C)} KL(N(a1 + B1 x, S1) || N(a2 + B2 x, S2)): the mean difference
/// e(x) = (a1 - a2) + (B1 - B2) x is affine, so E e^T S2^{-1} e = e(m)^T S2^{-1} e(m)
/// + tr(S2^{-1} (B1 - B2) C (B1 - B2)^T).
pub fn expected_conditional_kl_gaussian(
    (a1, b1, s1): (&Array1<f64>, &Array2<f64>, &Spd),
    (a2, b2, s2): (&Array1<f64>, &Array2<f64>, &Spd),
    m: &Array1<f64>,
    c: &Array2<f64>,
) -> Result<f64, ProbError> {
    let k = a1.len() as f64;
    let tr = s2.solve(s1.matrix())?.diag().sum();
    let e = (a1 - a2) + (b1 - b2).dot(m);
    let db = b1 - b2;
    let spread = s2.solve(&db.dot(c).dot(&db.t()))?.diag().sum();
    Ok(0.5 * (tr - k + s2.log_det() - s1.log_det() + s2.quad(e.view())? + spread))
}

/// log(1 + chi^2(N(m1, S1) || N(m2, S2))), chi^2(P || Q) = int (dP/dQ)^2 dQ - 1: with
/// M = 2 S1^{-1} - S2^{-1} and a = m1 - m2,
/// 1 + chi^2 = |S2|^{1/2} |S1|^{-1} |M|^{-1/2} exp(2 a^T S1^{-1} M^{-1} S1^{-1} a - a^T S1^{-1} a)
/// (complete the square in int N(x; m1, S1)^2 / N(x; m2, S2) dx, centred at m2). Infinite when M
/// is not positive definite (the ratio's square is not integrable). For S1 = S2 = S it is
/// exp(a^T S^{-1} a) (REFERENCES.md). theory/isoperimetry.md section 8 derives it.
pub fn log1p_chi_square_gaussian(
    m1: ArrayView1<f64>,
    s1: &Spd,
    m2: ArrayView1<f64>,
    s2: &Spd,
) -> Result<f64, ProbError> {
    let p1 = s1.inverse()?;
    let p2 = s2.inverse()?;
    let mut m = &p1 * 2.0 - &p2;
    // symmetrise the rounding of the two inverses before factorising
    let mt = m.t().to_owned();
    m = (&m + &mt) * 0.5;
    if crate::linalg::min_eigenvalue(m.view())? <= 0.0 {
        return Ok(f64::INFINITY);
    }
    let m = Spd::new(m, "2 S1^-1 - S2^-1")?;
    let a = &m1 - &m2;
    let h = p1.dot(&a);
    let exponent = 2.0 * m.quad(h.view())? - a.dot(&h);
    Ok(0.5 * s2.log_det() - s1.log_det() - 0.5 * m.log_det() + exponent)
}

/// chi^2(N(m1, S1) || N(m2, S2)) (`log1p_chi_square_gaussian`, then expm1; +inf past f64).
pub fn chi_square_gaussian(
    m1: ArrayView1<f64>,
    s1: &Spd,
    m2: ArrayView1<f64>,
    s2: &Spd,
) -> Result<f64, ProbError> {
    Ok(log1p_chi_square_gaussian(m1, s1, m2, s2)?.exp_m1())
}

/// KL(p || q) between mixtures by Monte Carlo: n samples of log p - log q from p,
/// with a Student-t interval at `level`.
pub fn kl_gmm_monte_carlo(
    p: &Gmm,
    q: &Gmm,
    n: usize,
    level: f64,
    rng: &mut Rng,
) -> Result<Interval, ProbError> {
    let (x, _) = p.sample(n, rng);
    let lp = p.log_density(x.view())?;
    let lq = q.log_density(x.view())?;
    let z: Vec<f64> = (&lp - &lq).to_vec();
    Ok(student_t(&z, level))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn gaussian_kl_closed_form_matches_monte_carlo() {
        let m1 = array![0.0, 1.0];
        let m2 = array![0.5, -0.5];
        let s1 = array![[1.0, 0.3], [0.3, 0.8]];
        let s2 = array![[1.5, -0.2], [-0.2, 1.0]];
        let kl = kl_gaussian(
            m1.view(),
            &Spd::new(s1.clone(), "s1").unwrap(),
            m2.view(),
            &Spd::new(s2.clone(), "s2").unwrap(),
        )
        .unwrap();
        let p = Gmm::gaussian(m1, s1).unwrap();
        let q = Gmm::gaussian(m2, s2).unwrap();
        let iv =
            kl_gmm_monte_carlo(&p, &q, 200_000, 0.999, &mut crate::mc::stream(1, 0, 0)).unwrap();
        assert!(iv.contains(kl), "{kl} not in {iv:?}");
        // 1-D check: KL(N(0,1) || N(1,4)) = ln 2 + (1 + 1)/8 - 1/2
        let a = kl_gaussian(
            array![0.0].view(),
            &Spd::new(array![[1.0]], "a").unwrap(),
            array![1.0].view(),
            &Spd::new(array![[4.0]], "b").unwrap(),
        )
        .unwrap();
        assert!((a - (2f64.ln() + 0.25 - 0.5)).abs() < 1e-12);
    }
}
