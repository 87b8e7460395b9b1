//! The particle filter's parts: normalised weights from log-weights, the effective sample
//! size, the four resamplers (multinomial, stratified, systematic, residual), and the
//! closed-form variance tau^2 of the observation log-likelihood under the prior
//! (theory/assimilation.md sections 4 and 5).
use super::{invalid, AssimilationError, LinearObservation};
use crate::linalg::{eigenvalues, Spd};
use crate::mc::Rng;
use ndarray::Array2;
use rand::Rng as _;

/// w_i = exp(l_i) / sum_j exp(l_j), through the crate's one log-sum-exp.
///
/// Log-weights of size 1e7 (a collapsed filter in thousands of dimensions with accurate
/// observations) carry absolute errors near 1e-9, and so do the weights' sum: a sum that
/// misses 1 by more than the resamplers' tolerance 1e-9 is divided out (below it the weights
/// are left as they are, bit for bit).
pub fn normalised_weights(log_w: &[f64]) -> Vec<f64> {
    let mut w: Vec<f64> = crate::prob::normalise_log_weights(log_w)
        .into_iter()
        .map(f64::exp)
        .collect();
    let total: f64 = w.iter().sum();
    if (total - 1.0).abs() > WEIGHT_SUM_TOLERANCE && total.is_finite() && total > 0.0 {
        w.iter_mut().for_each(|v| *v /= total);
    }
    w
}

/// How far normalised weights may sum from 1.
const WEIGHT_SUM_TOLERANCE: f64 = 1e-9;

/// 1 / sum_i w_i^2 for normalised weights.
pub fn effective_sample_size(w: &[f64]) -> f64 {
    1.0 / w.iter().map(|v| v * v).sum::<f64>()
}

/// How N offspring are drawn from N weighted particles; every scheme gives particle i
/// N w_i offspring on average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resampler {
    /// N independent draws from the weights.
    Multinomial,
    /// One uniform in each of the N strata [k/N, (k+1)/N).
    Stratified,
    /// One uniform U, the points (k + U)/N.
    Systematic,
    /// floor(N w_i) copies of each, the rest multinomial on the residual weights.
    Residual,
}

/// The resamplers' names, as configs write them.
pub const RESAMPLERS: &[&str] = &["multinomial", "stratified", "systematic", "residual"];

impl Resampler {
    pub fn from_name(s: &str) -> Result<Resampler, crate::params::ParamError> {
        Ok(match s {
            "multinomial" => Resampler::Multinomial,
            "stratified" => Resampler::Stratified,
            "systematic" => Resampler::Systematic,
            "residual" => Resampler::Residual,
            other => {
                return Err(crate::params::unknown_choice(
                    "resampler",
                    other,
                    RESAMPLERS,
                ))
            }
        })
    }
}

/// A deliberate fault of a resampler: the catalogue's mutation control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResamplerFault {
    None,
    /// The last particle is never selected: its offspring go to the one before it.
    DropLast,
}

/// The index selected by each of the sorted points u_k in [0, 1): the first i with
/// cumulative weight > u_k (one merge pass).
fn invert_sorted(w: &[f64], u: &[f64], out: &mut Vec<usize>) {
    let n = w.len();
    let mut cum = w[0];
    let mut i = 0;
    for &uk in u {
        while uk >= cum && i + 1 < n {
            i += 1;
            cum += w[i];
        }
        out.push(i);
    }
}

/// N indices (sorted) drawn from normalised weights `w` by `scheme`.
pub fn resample(
    w: &[f64],
    scheme: Resampler,
    fault: ResamplerFault,
    rng: &mut Rng,
) -> Result<Vec<usize>, AssimilationError> {
    let n = w.len();
    let total: f64 = w.iter().sum();
    if n == 0
        || w.iter().any(|v| !(*v >= 0.0) || !v.is_finite())
        || (total - 1.0).abs() > WEIGHT_SUM_TOLERANCE
    {
        return Err(invalid(
            "weights",
            format!("need N >= 1 finite non-negative weights summing to 1 (sum {total})"),
        ));
    }
    let nf = n as f64;
    let mut out = Vec::with_capacity(n);
    match scheme {
        Resampler::Multinomial => {
            let mut u: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
            u.sort_by(|a, b| a.total_cmp(b));
            invert_sorted(w, &u, &mut out);
        }
        Resampler::Stratified => {
            let u: Vec<f64> = (0..n)
                .map(|k| (k as f64 + rng.random::<f64>()) / nf)
                .collect();
            invert_sorted(w, &u, &mut out);
        }
        Resampler::Systematic => {
            let s: f64 = rng.random();
            let u: Vec<f64> = (0..n).map(|k| (k as f64 + s) / nf).collect();
            invert_sorted(w, &u, &mut out);
        }
        Resampler::Residual => {
            let copies: Vec<usize> = w.iter().map(|v| (v * nf).floor() as usize).collect();
            for (i, &c) in copies.iter().enumerate() {
                out.extend(std::iter::repeat_n(i, c));
            }
            let rest = n - out.len();
            if rest > 0 {
                let resid: Vec<f64> = w
                    .iter()
                    .zip(&copies)
                    .map(|(v, &c)| v * nf - c as f64)
                    .collect();
                let z: f64 = resid.iter().sum();
                let resid: Vec<f64> = resid.iter().map(|v| v / z).collect();
                let mut u: Vec<f64> = (0..rest).map(|_| rng.random::<f64>()).collect();
                u.sort_by(|a, b| a.total_cmp(b));
                invert_sorted(&resid, &u, &mut out);
                out.sort_unstable();
            }
        }
    }
    if fault == ResamplerFault::DropLast && n > 1 {
        for i in out.iter_mut() {
            if *i == n - 1 {
                *i = n - 2;
            }
        }
    }
    Ok(out)
}

/// tau^2 = E_y Var_x[log p(y | x)] for x ~ N(m, P) and y = H x + e, e ~ N(0, R), y drawn
/// from its marginal: sum_j lambda_j (3/2 lambda_j + 1), lambda_j the eigenvalues of
/// R^{-1/2} H P H^T R^{-1/2} (computed as those of L^{-1} H P H^T L^{-T}, L L^T = R: the same
/// matrix up to an orthogonal similarity). Derived in theory/assimilation.md section 5.
pub fn log_likelihood_variance_closed(
    obs: &LinearObservation,
    p: &Array2<f64>,
) -> Result<f64, AssimilationError> {
    let d = obs.h().ncols();
    if p.dim() != (d, d) {
        return Err(invalid(
            "prior covariance",
            format!("P is {:?}; the state has dimension {d}", p.dim()),
        ));
    }
    Spd::new(p.clone(), "prior covariance P")?;
    let hph = obs.h().dot(p).dot(&obs.h().t());
    let w = obs.r().whiten(&hph)?; // L^{-1} H P H^T
    let s = obs.r().whiten(&w.t().to_owned())?; // L^{-1} (L^{-1} H P H^T)^T = L^{-1} HPH^T L^{-T}
    let s = (&s + &s.t()) * 0.5;
    let lam = eigenvalues(s.view())?;
    Ok(lam
        .iter()
        .map(|l| l.max(0.0) * (1.5 * l.max(0.0) + 1.0))
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log-weights near -1e7 whose normalised sum misses 1 by more than 1e-9 are divided out;
    /// ordinary ones are untouched.
    #[test]
    fn weights_from_huge_log_weights_still_sum_to_one() {
        let huge: Vec<f64> = (0..40).map(|i| -1e9 - 0.3 * i as f64).collect();
        let raw: f64 = crate::prob::normalise_log_weights(&huge)
            .into_iter()
            .map(f64::exp)
            .sum();
        assert!((raw - 1.0).abs() > WEIGHT_SUM_TOLERANCE, "the case: {raw}");
        let w = normalised_weights(&huge);
        assert!((w.iter().sum::<f64>() - 1.0).abs() <= 1e-12);
        let ordinary = [-1.0, -2.5, 0.3];
        let direct: Vec<f64> = crate::prob::normalise_log_weights(&ordinary)
            .into_iter()
            .map(f64::exp)
            .collect();
        assert_eq!(normalised_weights(&ordinary), direct);
    }
    use ndarray::array;

    #[test]
    fn every_resampler_gives_n_w_offspring_on_average() {
        let w = [0.05, 0.4, 0.15, 0.1, 0.3];
        for scheme in [
            Resampler::Multinomial,
            Resampler::Stratified,
            Resampler::Systematic,
            Resampler::Residual,
        ] {
            let mut rng = crate::mc::stream(11, 0, 0);
            let mut counts = [0usize; 5];
            let reps = 20_000;
            for _ in 0..reps {
                let idx = resample(&w, scheme, ResamplerFault::None, &mut rng).unwrap();
                assert_eq!(idx.len(), 5);
                for i in idx {
                    counts[i] += 1;
                }
            }
            for (i, c) in counts.iter().enumerate() {
                let mean = *c as f64 / reps as f64;
                // multinomial's sd of the mean is sqrt(5 w (1 - w) / reps) <= 0.008
                assert!((mean - 5.0 * w[i]).abs() < 0.04, "{scheme:?} {i}: {mean}");
            }
        }
        let mut rng = crate::mc::stream(11, 1, 0);
        let idx = resample(
            &w,
            Resampler::Systematic,
            ResamplerFault::DropLast,
            &mut rng,
        )
        .unwrap();
        assert!(idx.iter().all(|&i| i != 4));
        assert!(resample(
            &[0.5, 0.6],
            Resampler::Systematic,
            ResamplerFault::None,
            &mut rng
        )
        .is_err());
    }

    #[test]
    fn particle_filter_settings_refuse_bad_sizes_and_thresholds_by_name() {
        let s = Resampler::Systematic;
        for t in [0.0, -0.5, 1.5, f64::NAN] {
            let e = PfSettings::new(100, s, t).unwrap_err().to_string();
            assert!(e.contains("resampling threshold"), "{e}");
        }
        assert!(PfSettings::new(1, s, 0.5)
            .unwrap_err()
            .to_string()
            .contains("2 particles"));
        assert!(PfSettings::new(100, s, 1.0).is_ok());
    }

    #[test]
    fn tau2_is_the_whitened_formula_for_identity_and_scaled_cases() {
        // H = I, P = I, R = I in d: lambda = 1 each, tau^2 = 2.5 d (Snyder et al.'s case)
        let obs = LinearObservation::identity(4, 1.0).unwrap();
        let t = log_likelihood_variance_closed(&obs, &Array2::eye(4)).unwrap();
        assert!((t - 10.0).abs() < 1e-12);
        // R = 4 I, P = diag(1, 2): lambda = 1/4, 1/2
        let obs = LinearObservation::new(Array2::eye(2), Array2::eye(2) * 4.0, 2).unwrap();
        let t = log_likelihood_variance_closed(&obs, &array![[1.0, 0.0], [0.0, 2.0]]).unwrap();
        let want = 0.25 * (1.5 * 0.25 + 1.0) + 0.5 * (1.5 * 0.5 + 1.0);
        assert!((t - want).abs() < 1e-12);
        assert!(log_likelihood_variance_closed(&obs, &Array2::eye(3)).is_err());
    }
}

/// The bootstrap particle filter's settings: N particles, the resampler, and the threshold:
/// resample when the effective sample size falls below `threshold` N (threshold in (0, 1];
/// 1 resamples at every step where the weights are not uniform).
#[derive(Debug, Clone, Copy)]
pub struct PfSettings {
    pub particles: usize,
    pub resampler: Resampler,
    pub threshold: f64,
    pub fault: PfFault,
}

/// Deliberate faults of the particle filter, the mutation controls of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PfFault {
    None,
    /// The posterior mean taken over the particles without their weights.
    WeightsIgnored,
    /// The resampler never selects the last particle.
    DropLast,
}

impl PfSettings {
    pub fn new(
        particles: usize,
        resampler: Resampler,
        threshold: f64,
    ) -> Result<PfSettings, AssimilationError> {
        if particles < 2 {
            return Err(invalid(
                "particle filter",
                format!("needs at least 2 particles, got {particles}"),
            ));
        }
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(invalid(
                "resampling threshold",
                format!("must lie in (0, 1], got {threshold}"),
            ));
        }
        Ok(PfSettings {
            particles,
            resampler,
            threshold,
            fault: PfFault::None,
        })
    }
}

/// log p(y | x_i) up to a constant for every row x_i of X: -|L^{-1}(y - H x_i)|^2 / 2.
pub fn log_likelihoods(
    obs: &LinearObservation,
    x: &Array2<f64>,
    y: &ndarray::Array1<f64>,
) -> Result<Vec<f64>, AssimilationError> {
    let innov = -obs.apply_rows(x) + y; // N x m
    let w = obs.whiten_rows(innov)?;
    Ok(w.rows().into_iter().map(|r| -0.5 * r.dot(&r)).collect())
}

/// The bootstrap particle filter on the linear-Gaussian state-space model
/// x_{s+1} = A x_s + b + e, y_s = O x_s + n: particles from N(m0, P0) (P0 = L0 L0^T), moved
/// by the dynamics with their noise, weighted by the likelihood, resampled when the effective
/// sample size falls below the threshold. Returns the weighted mean after each observation.
pub fn bootstrap_filter_linear(
    model: &crate::filter::StateSpaceModel,
    m0: &ndarray::Array1<f64>,
    l0: &Array2<f64>,
    ys: &[ndarray::Array1<f64>],
    settings: PfSettings,
    rng: &mut Rng,
) -> Result<Vec<ndarray::Array1<f64>>, AssimilationError> {
    use rand_distr::{Distribution, StandardNormal};
    let d = m0.len();
    let n = settings.particles;
    let obs = LinearObservation::new(model.o().clone(), model.r().clone(), d)?;
    let lq = Spd::new(model.q().clone(), "process noise Q")?;
    fn gauss(rows: usize, d: usize, rng: &mut Rng) -> Array2<f64> {
        Array2::from_shape_fn((rows, d), |_| StandardNormal.sample(rng))
    }
    let mut x = gauss(n, d, rng).dot(&l0.t()) + m0;
    let mut log_w = vec![0.0; n];
    let mut means = Vec::with_capacity(ys.len());
    let fault = match settings.fault {
        PfFault::DropLast => ResamplerFault::DropLast,
        _ => ResamplerFault::None,
    };
    for (s, y) in ys.iter().enumerate() {
        if s > 0 {
            x = x.dot(&model.a().t()) + model.b() + gauss(n, d, rng).dot(&lq.chol().t());
        }
        for (lw, l) in log_w.iter_mut().zip(log_likelihoods(&obs, &x, y)?) {
            *lw += l;
        }
        let w = normalised_weights(&log_w);
        let mean = if settings.fault == PfFault::WeightsIgnored {
            x.mean_axis(ndarray::Axis(0)).expect("n >= 2")
        } else {
            ndarray::Array1::from(w.clone()).dot(&x)
        };
        means.push(mean);
        if effective_sample_size(&w) < settings.threshold * n as f64 {
            let idx = resample(&w, settings.resampler, fault, rng)?;
            x = x.select(ndarray::Axis(0), &idx);
            log_w.iter_mut().for_each(|v| *v = 0.0);
        }
    }
    Ok(means)
}
