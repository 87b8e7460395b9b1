//! An upper bound on the Poincaré constant of a Gaussian mixture through the chi-square
//! divergences between its components (theory/isoperimetry.md section 8 derives it; the
//! two-component case is the mechanism of Schlichting, Entropy 21:89, 2019).
//!
//! For mu = sum_k w_k mu_k, the variance splits into the within and the between parts,
//! Var_mu f = sum_k w_k Var_k f + sum_{j<k} w_j w_k (E_j f - E_k f)^2, and for each pair
//! (E_j f - E_k f)^2 = (E_k[(f - E_k f)(d mu_j / d mu_k - 1)])^2 <= chi^2(mu_j || mu_k) Var_k f
//! (Cauchy-Schwarz). Spending a fraction lambda of the pair on component k's variance and
//! 1 - lambda on j's, and C_k E_k |grad f|^2 for each Var_k f:
//! C_P(mu) <= max_k C_k (1 + sum_{j != k} lambda_{jk} w_j chi^2(mu_j || mu_k)),
//! valid for every choice of the fractions. Two components: the best lambda in closed form
//! (for equal covariances C (1 + w_0 w_1 chi^2), which tends to C as either weight -> 0: the
//! Poincaré constant stays bounded in the weights). More: lambda = 1/2, or all of a pair on the
//! side whose chi-square is finite.
use super::IsoError;
use crate::prob::{kl_gaussian, log1p_chi_square_gaussian, Gmm};

/// A defect injected into the bound (a mutation control), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChiFault {
    None,
    /// The between-component part of the variance dropped: max_k C_k.
    BetweenTermDropped,
    /// KL(mu_j || mu_k) where chi^2(mu_j || mu_k) belongs (for equal covariances Delta^2 / 2
    /// for e^{Delta^2} - 1).
    KlForChiSquare,
}

/// The bound and what it is made of.
#[derive(Debug, Clone)]
pub struct ChiSquareBound {
    /// max_k C_k (1 + ...) (+inf when no finite split exists).
    pub bound: f64,
    /// The components' own constants lambda_max(Sigma_k).
    pub component: Vec<f64>,
    /// chi^2(mu_j || mu_k) at [j][k] (+inf where not integrable or past f64).
    pub chi2: Vec<Vec<f64>>,
}

/// The chi-square bound on C_P of `g`; `fault` for the mutation controls.
pub fn chi_square_bound(g: &Gmm, fault: ChiFault) -> Result<ChiSquareBound, IsoError> {
    let k = g.components();
    let w = g.weights();
    let mut component = Vec::with_capacity(k);
    for i in 0..k {
        component.push(super::gaussian_constant(g.cov_of(i).matrix().view())?);
    }
    let mut chi2 = vec![vec![0.0; k]; k];
    for j in 0..k {
        for i in 0..k {
            if i != j {
                chi2[j][i] = match fault {
                    ChiFault::KlForChiSquare => {
                        kl_gaussian(g.mean_of(j), g.cov_of(j), g.mean_of(i), g.cov_of(i))?
                    }
                    _ => log1p_chi_square_gaussian(
                        g.mean_of(j),
                        g.cov_of(j),
                        g.mean_of(i),
                        g.cov_of(i),
                    )?
                    .exp_m1(),
                };
            }
        }
    }
    let bound = if fault == ChiFault::BetweenTermDropped {
        component.iter().cloned().fold(0.0, f64::max)
    } else if k == 2 {
        two_components(
            component[0],
            component[1],
            w[0],
            w[1],
            chi2[1][0],
            chi2[0][1],
        )
    } else {
        // lambda = 1/2 per pair, or the whole pair on the side with a finite chi-square
        let mut coef = vec![0.0; k];
        for j in 0..k {
            for i in (j + 1)..k {
                let (to_i, to_j) = (w[j] * chi2[j][i], w[i] * chi2[i][j]);
                match (to_i.is_finite(), to_j.is_finite()) {
                    (true, true) => {
                        coef[i] += 0.5 * to_i;
                        coef[j] += 0.5 * to_j;
                    }
                    (true, false) => coef[i] += to_i,
                    (false, true) => coef[j] += to_j,
                    (false, false) => {
                        coef[i] = f64::INFINITY;
                        coef[j] = f64::INFINITY;
                    }
                }
            }
        }
        (0..k)
            .map(|i| component[i] * (1.0 + coef[i]))
            .fold(0.0, f64::max)
    };
    Ok(ChiSquareBound {
        bound,
        component,
        chi2,
    })
}

/// min over lambda in [0, 1] of max(c0 (1 + lambda w1 x10), c1 (1 + (1 - lambda) w0 x01)),
/// x10 = chi^2(mu_1 || mu_0) (the pair spent on Var_0), x01 = chi^2(mu_0 || mu_1).
fn two_components(c0: f64, c1: f64, w0: f64, w1: f64, x10: f64, x01: f64) -> f64 {
    let (a0, a1) = (c0 * w1 * x10, c1 * w0 * x01);
    match (a0.is_finite(), a1.is_finite()) {
        (false, false) => f64::INFINITY,
        (false, true) => c0.max(c1 + a1),
        (true, false) => (c0 + a0).max(c1),
        (true, true) => {
            if c0 >= c1 + a1 {
                c0
            } else if c1 >= c0 + a0 {
                c1
            } else {
                // f0 increasing, f1 decreasing in lambda: they cross inside (0, 1)
                let lambda = (c1 + a1 - c0) / (a0 + a1);
                c0 + lambda * a0
            }
        }
    }
}

/// A Poincaré interval [lower, upper] for a Gaussian mixture in d dimensions, each end honest
/// (theory/isoperimetry.md section 11).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub lower: f64,
    pub upper: f64,
}

/// The relative margin added to a one-dimensional finite-element estimate used as an upper end
/// (its refinement tolerance is 1e-8; a hundred times that, as the agreement entries demand).
pub(super) const ESTIMATE_MARGIN: f64 = 1e-6;

/// Whether every component has the first one's covariance (to 1e-12 relative).
fn shared_covariance(g: &Gmm) -> bool {
    let c0 = g.cov_of(0).matrix();
    let scale = c0.iter().fold(0.0f64, |a, x| a.max(x.abs())).max(1e-300);
    (1..g.components()).all(|k| {
        (g.cov_of(k).matrix() - c0)
            .iter()
            .all(|x| x.abs() <= 1e-12 * scale)
    })
}

/// C_P of w0 N(0, 1) + w1 N(Delta, 1) for two components N(m0, S), N(m1, S) sharing S,
/// Delta^2 = (m1 - m0)^T S^{-1} (m1 - m0): whitened, the mixture is this law along
/// S^{-1/2}(m1 - m0) times a standard Gaussian across it.
fn whitened_line(g: &Gmm, tol: f64) -> Result<f64, IsoError> {
    let (line, _) = whitened_pair(g)?;
    Ok(super::poincare_fem(&line, 1e-14, tol, super::FemFault::None)?.c_p)
}

/// The whitened line law nu = w0 N(0, 1) + w1 N(Delta, 1) of two components sharing S, and
/// Delta (the Mahalanobis separation). `g` must have two components sharing a covariance.
pub(super) fn whitened_pair(g: &Gmm) -> Result<(Gmm, f64), IsoError> {
    let delta = &g.mean_of(1) - &g.mean_of(0);
    let d = g.cov_of(0).quad(delta.view())?.sqrt();
    let w = g.weights();
    let line = Gmm::new(
        &[w[0], w[1]],
        ndarray::array![[0.0], [d]],
        vec![ndarray::array![[1.0]], ndarray::array![[1.0]]],
    )?;
    Ok((line, d))
}

/// Whether `g` has two components sharing a covariance, neither weight below 1e-12 (where the
/// whitened product bounds apply).
pub(super) fn whitened_applies(g: &Gmm) -> bool {
    g.components() == 2 && shared_covariance(g) && g.weights().iter().all(|w| *w >= 1e-12)
}

/// A defect injected into the band (a mutation control), or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BandFault {
    None,
    /// The chi-square bound's own fault.
    Chi(ChiFault),
    /// The linear lower end from lambda_max(E[X X^T]): the second moment not centred.
    UncentredSecondMoment,
}

/// The directions whose projections give the band's lower end: the covariance's top
/// eigenvector, the first (up to three) mean differences and, when the components share a
/// covariance S, S^{-1} times each.
pub fn band_directions(g: &Gmm) -> Result<Vec<ndarray::Array1<f64>>, IsoError> {
    let d = g.dim();
    let (_, q) = crate::linalg::eigh(g.covariance().view())?;
    let mut dirs = vec![q.column(d - 1).to_owned()];
    let shared = shared_covariance(g);
    for j in 1..g.components().min(4) {
        let diff = &g.mean_of(j) - &g.mean_of(0);
        if diff.dot(&diff) > 0.0 {
            if shared {
                let col = diff.clone().insert_axis(ndarray::Axis(1));
                dirs.push(g.cov_of(0).solve(&col)?.column(0).to_owned());
            }
            dirs.push(diff);
        }
    }
    Ok(dirs)
}

/// The Poincaré band of `g`: lower, the linear test functions and the exact 1-D constants of
/// the projections on `band_directions`; upper, the chi-square bound (section 8) and, for two
/// components sharing S, lambda_max(S) max(1, C_P(w0 N(0, 1) + w1 N(Delta, 1))) (tensorisation
/// and the push-forward by S^{1/2}, section 11), the 1-D value with a margin of 1e-6 for its
/// refinement.
pub fn poincare_band(g: &Gmm, tol: f64) -> Result<Band, IsoError> {
    poincare_band_with(g, tol, BandFault::None)
}

/// `poincare_band` with a fault injected (mutation controls).
pub fn poincare_band_with(g: &Gmm, tol: f64, fault: BandFault) -> Result<Band, IsoError> {
    Ok(band_and_lsi_lower(g, tol, fault, false)?.0)
}

/// The Poincaré band and, when `lsi` is asked for, the log-Sobolev lower end of the projection
/// on the band direction with the largest Poincaré lower end (otherwise, and for a Gaussian,
/// whose two constants are equal, negative infinity).
pub(super) fn band_and_lsi_lower(
    g: &Gmm,
    tol: f64,
    fault: BandFault,
    lsi: bool,
) -> Result<(Band, f64), IsoError> {
    let mut lsi_lower = f64::NEG_INFINITY;
    let mut lower = if fault == BandFault::UncentredSecondMoment {
        let m = g.mean();
        let second = g.covariance()
            + &m.clone()
                .insert_axis(ndarray::Axis(1))
                .dot(&m.insert_axis(ndarray::Axis(0)));
        super::gaussian_constant(second.view())?
    } else {
        super::linear_lower_bound(g)?
    };
    let dirs = band_directions(g)?;
    let (mut best, mut best_dir) = (f64::NEG_INFINITY, 0);
    for (j, dir) in dirs.iter().enumerate() {
        let p = super::projection_lower_bound(g, dir, tol)?;
        if p > best {
            (best, best_dir) = (p, j);
        }
    }
    lower = lower.max(best);
    if lsi && g.components() > 1 {
        // the log-Sobolev test functions (costlier than the Poincaré solves) on the direction whose
        // projection has the largest Poincaré constant only: any direction gives a lower end
        lsi_lower = super::projection_lower_ends(g, &dirs[best_dir], tol)?.1;
    }
    let chi_fault = match fault {
        BandFault::Chi(f) => f,
        _ => ChiFault::None,
    };
    let mut upper = chi_square_bound(g, chi_fault)?.bound;
    if chi_fault == ChiFault::None && whitened_applies(g) {
        // (a weight below 1e-12 would sit near the truncated domain's tail mass, 1e-14: the
        // chi-square bound alone is used there)
        let c = super::gaussian_constant(g.cov_of(0).matrix().view())?;
        upper = upper.min(c * whitened_line(g, tol)?.max(1.0) * (1.0 + ESTIMATE_MARGIN));
    }
    Ok((Band { lower, upper }, lsi_lower))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::Spd;
    use ndarray::{array, Array1};

    /// int N(x; m1, s1^2)^2 / N(x; m2, s2^2) dx - 1 by the trapezoid rule on a wide grid.
    fn chi2_by_quadrature(m1: f64, s1: f64, m2: f64, s2: f64) -> f64 {
        let n = 400_000;
        let (a, b) = (-40.0, 40.0);
        let h = (b - a) / n as f64;
        let ln = |x: f64, m: f64, s: f64| {
            -0.5 * ((x - m) / s).powi(2) - s.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln()
        };
        let mut sum = 0.0;
        for i in 0..=n {
            let x = a + i as f64 * h;
            let v = (2.0 * ln(x, m1, s1) - ln(x, m2, s2)).exp();
            sum += if i == 0 || i == n { 0.5 * v } else { v };
        }
        sum * h - 1.0
    }

    #[test]
    fn gaussian_chi_square_matches_quadrature() {
        for &(m1, s1, m2, s2) in &[
            (1.0, 1.0, -1.0, 1.0),
            (0.5, 0.7, 0.0, 1.0),
            (-2.0, 0.5, 2.0, 2.0),
            (0.3, 1.2, -0.4, 1.0),
        ] {
            let got = crate::prob::chi_square_gaussian(
                array![m1].view(),
                &Spd::new(array![[s1 * s1]], "s1").unwrap(),
                array![m2].view(),
                &Spd::new(array![[s2 * s2]], "s2").unwrap(),
            )
            .unwrap();
            let want = chi2_by_quadrature(m1, s1, m2, s2);
            assert!(
                (got - want).abs() <= 1e-8 * want.abs().max(1.0),
                "({m1}, {s1}) || ({m2}, {s2}): closed form {got}, quadrature {want}"
            );
        }
        // equal covariances: exp(Delta^2) - 1 in d = 3 (Mahalanobis Delta)
        let s = array![[2.0, 0.3, 0.0], [0.3, 1.0, 0.2], [0.0, 0.2, 0.5]];
        let spd = Spd::new(s, "S").unwrap();
        let (a, b): (Array1<f64>, Array1<f64>) = (array![1.0, -0.5, 0.2], array![0.0, 0.3, -0.1]);
        let delta2 = spd.quad((&a - &b).view()).unwrap();
        let got = crate::prob::chi_square_gaussian(a.view(), &spd, b.view(), &spd).unwrap();
        assert!((got - delta2.exp_m1()).abs() <= 1e-12 * got);
        // a wider law against a narrower one: not square-integrable
        let inf = crate::prob::chi_square_gaussian(
            array![0.0].view(),
            &Spd::new(array![[4.0]], "a").unwrap(),
            array![0.0].view(),
            &Spd::new(array![[1.0]], "b").unwrap(),
        )
        .unwrap();
        assert!(inf.is_infinite());
    }

    #[test]
    fn two_component_split_is_optimal_and_valid() {
        // equal constants and symmetric chi-square: C (1 + w0 w1 chi^2)
        let v = two_components(1.0, 1.0, 0.9, 0.1, 100.0, 100.0);
        assert!((v - (1.0 + 0.09 * 100.0)).abs() < 1e-12);
        // a brute-force minimum over lambda is never below the closed form, and reaches it
        for &(c0, c1, w0, x10, x01) in &[(1.0, 3.0, 0.3, 5.0, 40.0), (2.0, 0.5, 0.8, 0.1, 7.0)] {
            let w1 = 1.0 - w0;
            let best = (0..=100_000)
                .map(|i| {
                    let l = i as f64 / 100_000.0;
                    (c0 * (1.0 + l * w1 * x10)).max(c1 * (1.0 + (1.0 - l) * w0 * x01))
                })
                .fold(f64::INFINITY, f64::min);
            let v = two_components(c0, c1, w0, w1, x10, x01);
            assert!(
                v <= best + 1e-12 && v >= best - 1e-4 * best,
                "{v} vs {best}"
            );
        }
        // one direction infinite: the whole pair on the other side
        assert_eq!(two_components(1.0, 1.0, 0.5, 0.5, f64::INFINITY, 2.0), 2.0);
    }
}
