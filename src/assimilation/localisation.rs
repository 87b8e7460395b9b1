//! The LETKF (Hunt, Kostelich & Szunyogh 2007) on a periodic one-dimensional grid, as DAPPER
//! writes it for Lorenz96: the state split into batches of neighbouring grid points, each
//! batch analysed by the ETKF's ensemble-space transform from the observations near it, their
//! whitened anomalies and innovations scaled by the square root of a taper of their distance
//! to the batch (theory/assimilation.md section 9).
use super::analysis::etkf_transform;
use super::{invalid, AssimilationError, Ensemble, EtkfFault, LinearObservation};
use ndarray::{Array1, Array2, Axis};

/// Tapering coefficients of a distance, as DAPPER's `dist2coeff` scales them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Taper {
    /// Gaspari & Cohn (1999) eq. (4.10), compactly supported on [0, 2c] with
    /// c = 1.82 times the localisation radius (so the coefficient at the radius is near
    /// exp(-1/2), as a Gaussian's would be).
    GaspariCohn,
    /// 1 within the radius, 0 beyond: with a radius of half the grid or more, every batch sees
    /// every observation at full weight and the LETKF is the ETKF.
    Step,
}

/// DAPPER's cut-off: observations whose coefficient is at most this are left out.
const TAPER_CUTOFF: f64 = 1e-3;

impl Taper {
    /// The coefficient at distance `dist` for localisation radius `radius`.
    pub fn coefficient(self, dist: f64, radius: f64) -> f64 {
        match self {
            Taper::Step => {
                if dist <= radius {
                    1.0
                } else {
                    0.0
                }
            }
            Taper::GaspariCohn => {
                let c = radius * 1.82;
                let r = dist / c;
                let (r2, r3) = (r * r, r * r * r);
                if r <= 1.0 {
                    1.0 + r2 * (-r3 / 4.0 + r2 / 2.0) + r3 * (5.0 / 8.0) - r2 * (5.0 / 3.0)
                } else if r <= 2.0 {
                    r2 * (r3 / 12.0 - r2 / 2.0) + r3 * (5.0 / 8.0) + r2 * (5.0 / 3.0) - r * 5.0
                        + 4.0
                        - (2.0 / 3.0) / r
                } else {
                    0.0
                }
            }
        }
    }
}

/// For each batch of state indices, the observations it assimilates and the square roots of
/// their taper coefficients. Observations sit at the grid points (H = I).
#[derive(Debug, Clone, PartialEq)]
pub struct Localisation {
    batches: Vec<Vec<usize>>,
    local: Vec<(Vec<usize>, Vec<f64>)>,
}

impl Localisation {
    /// A periodic grid of `d` points observed at every point, batches of about `batch`
    /// neighbouring points (numpy's `array_split` of 0..d into round(d / batch) parts, as
    /// DAPPER's `rectangular_partitioning`), each batch's distance to an observation the mean
    /// over the batch of the periodic distances.
    pub fn periodic(
        d: usize,
        batch: usize,
        radius: f64,
        taper: Taper,
    ) -> Result<Localisation, AssimilationError> {
        if d < 2 || batch == 0 || batch > d {
            return Err(invalid(
                "localisation",
                format!("need a grid of at least 2 points and batches of 1 to d points (d = {d}, batch = {batch})"),
            ));
        }
        if !(radius > 0.0) || !radius.is_finite() {
            return Err(invalid(
                "localisation radius",
                format!("must be positive and finite, got {radius}"),
            ));
        }
        // Python's round: half to even
        let parts = ((d as f64 / batch as f64).round_ties_even() as usize).max(1);
        let (base, extra) = (d / parts, d % parts);
        let mut batches = Vec::with_capacity(parts);
        let mut start = 0;
        for k in 0..parts {
            let len = base + usize::from(k < extra);
            batches.push((start..start + len).collect::<Vec<_>>());
            start += len;
        }
        let periodic = |i: usize, j: usize| {
            let a = i.abs_diff(j);
            a.min(d - a) as f64
        };
        let local = batches
            .iter()
            .map(|ii| {
                let mut idx = Vec::new();
                let mut root = Vec::new();
                for j in 0..d {
                    let dist = ii.iter().map(|&i| periodic(i, j)).sum::<f64>() / ii.len() as f64;
                    let c = taper.coefficient(dist, radius);
                    if c > TAPER_CUTOFF {
                        idx.push(j);
                        root.push(c.sqrt());
                    }
                }
                (idx, root)
            })
            .collect();
        Ok(Localisation { batches, local })
    }

    pub fn dim(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
    pub fn batches(&self) -> &[Vec<usize>] {
        &self.batches
    }
    /// The observations batch `k` assimilates.
    pub fn observations(&self, k: usize) -> &[usize] {
        &self.local[k].0
    }
    /// The square roots of their taper coefficients.
    pub fn roots(&self, k: usize) -> &[f64] {
        &self.local[k].1
    }
}

/// The LETKF analysis of ensemble `e` by y = x + e, e ~ N(0, R) with R diagonal: the
/// anomalies Y and the innovation dy whitened by R^{-1/2}; for each batch, the local rows of Y
/// and dy scaled by the taper's square roots, the ETKF's ensemble-space transform
/// (`etkf_transform`) from them, applied to the batch's own anomalies.
pub fn letkf(
    e: &Ensemble,
    obs: &LinearObservation,
    y: &Array1<f64>,
    loc: &Localisation,
    fault: EtkfFault,
) -> Result<Ensemble, AssimilationError> {
    let d = e.dim();
    if loc.dim() != d || obs.len() != d || y.len() != d {
        return Err(invalid(
            "LETKF",
            format!(
                "the localisation covers {} points, the state has {d}, H gives {} observations and y has {}",
                loc.dim(),
                obs.len(),
                y.len()
            ),
        ));
    }
    if obs.h() != Array2::<f64>::eye(d) {
        return Err(invalid(
            "LETKF",
            "localisation places observation j at grid point j: H must be the identity",
        ));
    }
    let r = obs.r().matrix();
    if (0..d).any(|i| (0..d).any(|j| i != j && r[[i, j]] != 0.0)) {
        return Err(invalid(
            "LETKF",
            "the observation errors must be independent (R diagonal) to be tapered one by one",
        ));
    }
    let n1 = e.size() as f64 - 1.0;
    let mean = e.mean();
    let a = e.anomalies();
    let inv_sd = r.diag().mapv(|v| 1.0 / v.sqrt());
    let s = &a * &inv_sd; // N x d: Y R^{-1/2} with Y = A
    let ds = (y - &mean) * &inv_sd;
    let mut x = e.members().clone();
    for (ii, (oi, root)) in loc.batches.iter().zip(&loc.local) {
        if oi.is_empty() {
            continue;
        }
        let root = Array1::from(root.clone());
        let sl = &s.select(Axis(1), oi) * &root; // N x m_l
        let dl = &ds.select(Axis(0), oi) * &root;
        let (w, t) = etkf_transform(sl.dot(&sl.t()), &sl.dot(&dl), n1, fault)?;
        let al = a.select(Axis(1), ii);
        let xl = t.dot(&al) + &(w.dot(&al) + &mean.select(Axis(0), ii));
        for (c, &i) in ii.iter().enumerate() {
            x.column_mut(i).assign(&xl.column(c));
        }
    }
    Ensemble::new(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assimilation::etkf;

    #[test]
    fn gaspari_cohn_is_one_at_zero_continuous_and_zero_past_twice_its_scale() {
        let g = |x: f64| Taper::GaspariCohn.coefficient(x, 1.0);
        assert!((g(0.0) - 1.0).abs() < 1e-15);
        // continuous at c = 1.82 and vanishing at 2c
        assert!((g(1.82 - 1e-9) - g(1.82 + 1e-9)).abs() < 1e-7);
        assert!(g(2.0 * 1.82 - 1e-9).abs() < 1e-7);
        assert_eq!(g(2.0 * 1.82 + 1e-9), 0.0);
        // near exp(-1/2) at the radius, decreasing
        assert!((g(1.0) - (-0.5f64).exp()).abs() < 0.03);
        let v: Vec<f64> = (0..40).map(|k| g(k as f64 * 0.1)).collect();
        assert!(v.windows(2).all(|p| p[1] <= p[0]));
    }

    #[test]
    fn batches_split_as_numpy_array_split_and_distances_are_periodic() {
        let loc = Localisation::periodic(40, 2, 4.0, Taper::GaspariCohn).unwrap();
        assert_eq!(loc.batches().len(), 20);
        assert_eq!(loc.batches()[0], vec![0, 1]);
        assert_eq!(loc.batches()[19], vec![38, 39]);
        // batch {0, 1}: the observations and coefficients DAPPER's `nd_Id_localization`
        // and `dist2coeff` give (computed with numpy from its formulas)
        let want: Vec<usize> = (0..14).chain(28..40).collect();
        assert_eq!(loc.observations(0), &want[..]);
        let c = |k: usize| loc.roots(0)[k].powi(2);
        assert!((c(0) - 0.9924).abs() < 5e-5 && (c(4) - 0.7045).abs() < 5e-5);
        assert!((c(13) - 0.0018).abs() < 5e-5 && (c(14) - 0.0018).abs() < 5e-5);
        let odd = Localisation::periodic(7, 2, 1.0, Taper::Step).unwrap();
        let lens: Vec<usize> = odd.batches().iter().map(Vec::len).collect();
        assert_eq!(lens, vec![2, 2, 2, 1]); // round(3.5) = 4 parts, the first d % 4 one longer
    }

    #[test]
    fn with_a_step_taper_over_the_whole_grid_the_letkf_is_the_etkf() {
        let d = 10;
        let mut rng = crate::mc::stream(11, 0, 0);
        let members = Array2::from_shape_fn((6, d), |(i, j)| {
            use rand_distr::{Distribution, StandardNormal};
            (i + j) as f64 * 0.1
                + <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
        });
        let e = Ensemble::new(members).unwrap();
        let obs = LinearObservation::identity(d, 0.7).unwrap();
        let y = Array1::from_shape_fn(d, |j| (j as f64).sin());
        let loc = Localisation::periodic(d, 2, d as f64, Taper::Step).unwrap();
        let local = letkf(&e, &obs, &y, &loc, EtkfFault::None).unwrap();
        let global = etkf(&e, &obs, &y, EtkfFault::None).unwrap();
        let gap = (local.members() - global.members()).mapv(f64::abs);
        assert!(gap.iter().all(|v| *v < 1e-12), "{gap}");
        // a radius of one grid point changes it
        let narrow = Localisation::periodic(d, 2, 1.0, Taper::Step).unwrap();
        let other = letkf(&e, &obs, &y, &narrow, EtkfFault::None).unwrap();
        assert!((other.members() - global.members())
            .iter()
            .any(|v| v.abs() > 1e-3));
        // shapes refused
        let wrong = Localisation::periodic(d + 2, 2, 1.0, Taper::Step).unwrap();
        assert!(letkf(&e, &obs, &y, &wrong, EtkfFault::None).is_err());
        assert!(Localisation::periodic(d, 2, 0.0, Taper::Step).is_err());
    }
}
