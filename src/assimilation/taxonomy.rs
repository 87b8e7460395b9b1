//! What learned analyses target (issue #16's taxonomy), in closed form for a linear-Gaussian
//! (or Gaussian-mixture prior) state-space model, and by brute force (theory/assimilation.md
//! section 10).
//!
//! With y_s = O x_s + v_s observed at s = 0..t and x_0 from `prior`:
//! - *cycle-trained* analysis samples p(x_t | y_{0:t-1}) p(y_t | x_t): the filtering posterior
//!   p(x_t | y_{0:t}) itself;
//! - *hybrid* analysis samples p_model(x_t | y_{0:t-1}) p(y_t | x_t), the forecast from a model
//!   (A_m, b_m, Q_m) that may differ from the truth's, cycled on its own analyses: the filtering
//!   posterior under that model (the likelihood is shared);
//! - *climatology-trained* analysis samples p_clim(x_t) p(y_t | x_t), the climatological law
//!   of x_t (the truth's marginal at t) analysed by y_t alone.
use super::AssimilationError;
use crate::filter::{gaussian_sum_filter, stacked_posterior, StateSpaceModel};
use crate::prob::Gmm;
use ndarray::{Array1, Array2};

/// A mistake in the closed forms (mutation controls).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaxonomyFault {
    #[default]
    None,
    /// The climatological law propagated without the process noise (P <- A P A^T): the
    /// forecast step's Q dropped.
    ClimatologyWithoutProcessNoise,
}

/// The three targets at one time.
#[derive(Debug, Clone)]
pub struct Targets {
    pub cycle: Gmm,
    pub hybrid: Gmm,
    pub climatology: Gmm,
}

/// A truth, the hybrid's forecast model and the law of x_0.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub truth: StateSpaceModel,
    pub model: StateSpaceModel,
    pub prior: Gmm,
}

impl Taxonomy {
    /// The model must share the truth's state dimension, observation operator and observation
    /// noise (the hybrid changes the forecast, not the likelihood).
    pub fn new(
        truth: StateSpaceModel,
        model: StateSpaceModel,
        prior: Gmm,
    ) -> Result<Taxonomy, AssimilationError> {
        let d = prior.dim();
        truth
            .check_shapes(d)
            .map_err(|e| invalid(format!("the truth: {e}")))?;
        model
            .check_shapes(d)
            .map_err(|e| invalid(format!("the hybrid's model: {e}")))?;
        if model.o() != truth.o() || model.r() != truth.r() {
            return Err(invalid(
                "the hybrid's model must observe as the truth does (same O and R)".into(),
            ));
        }
        Ok(Taxonomy {
            truth,
            model,
            prior,
        })
    }

    /// The climatological law of x_t: the prior pushed t steps through the truth's dynamics
    /// (per component m <- A m + b, P <- A P A^T + Q).
    pub fn climatology(&self, t: usize, fault: TaxonomyFault) -> Result<Gmm, AssimilationError> {
        let (a, b, q) = (self.truth.a(), self.truth.b(), self.truth.q());
        let k = self.prior.components();
        let mut means = self.prior.means().to_owned();
        let mut covs: Vec<Array2<f64>> = (0..k)
            .map(|j| self.prior.cov_of(j).matrix().clone())
            .collect();
        for _ in 0..t {
            for j in 0..k {
                let m = a.dot(&means.row(j)) + b;
                means.row_mut(j).assign(&m);
                let mut p = a.dot(&covs[j]).dot(&a.t());
                if fault != TaxonomyFault::ClimatologyWithoutProcessNoise {
                    p = p + q;
                }
                covs[j] = (&p + &p.t()) * 0.5;
            }
        }
        Ok(Gmm::new(&self.prior.weights().to_vec(), means, covs)?)
    }

    /// The targets at t = ys.len() - 1 by the recursions: the Gaussian-sum (Kalman) filter under
    /// the truth and under the model, and one analysis of the climatological law by y_t.
    pub fn targets(
        &self,
        ys: &[Array1<f64>],
        fault: TaxonomyFault,
    ) -> Result<Targets, AssimilationError> {
        let t = last(ys)?;
        Ok(Targets {
            cycle: gaussian_sum_filter(&self.prior, &self.truth, ys)?,
            hybrid: gaussian_sum_filter(&self.prior, &self.model, ys)?,
            climatology: gaussian_sum_filter(&self.climatology(t, fault)?, &self.truth, &ys[t..])?,
        })
    }

    /// The same targets by brute force: the stacked joint of (x_t, y_0..y_t) conditioned at once
    /// for the cycle and the hybrid (`filter::stacked_posterior`), and for the climatology the
    /// joint of (x_t, y_t) written as sums, x_t = A^t x_0 + sum_s A^{t-s} (b + w_s), conditioned
    /// on y_t by `prob::Conditioner` (no recursion shared with `targets`).
    pub fn targets_stacked(&self, ys: &[Array1<f64>]) -> Result<Targets, AssimilationError> {
        let t = last(ys)?;
        let (a, b, q, o, r) = (
            self.truth.a(),
            self.truth.b(),
            self.truth.q(),
            self.truth.o(),
            self.truth.r(),
        );
        let d = self.prior.dim();
        let m = o.nrows();
        // powers A^0..A^t
        let mut pow = vec![Array2::<f64>::eye(d)];
        for s in 1..=t {
            pow.push(a.dot(&pow[s - 1]));
        }
        let mut drift = Array1::<f64>::zeros(d);
        let mut noise = Array2::<f64>::zeros((d, d));
        for s in 1..=t {
            drift = drift + pow[t - s].dot(b);
            noise = noise + pow[t - s].dot(q).dot(&pow[t - s].t());
        }
        let k = self.prior.components();
        let mut means = Array2::<f64>::zeros((k, d + m));
        let mut covs = Vec::with_capacity(k);
        for j in 0..k {
            let mx = pow[t].dot(&self.prior.mean_of(j)) + &drift;
            let px = pow[t].dot(self.prior.cov_of(j).matrix()).dot(&pow[t].t()) + &noise;
            let pxy = px.dot(&o.t());
            let py = o.dot(&pxy) + r;
            let mut c = Array2::<f64>::zeros((d + m, d + m));
            c.slice_mut(ndarray::s![..d, ..d]).assign(&px);
            c.slice_mut(ndarray::s![..d, d..]).assign(&pxy);
            c.slice_mut(ndarray::s![d.., ..d]).assign(&pxy.t());
            c.slice_mut(ndarray::s![d.., d..]).assign(&py);
            let c = (&c + &c.t()) * 0.5;
            means.row_mut(j).slice_mut(ndarray::s![..d]).assign(&mx);
            means
                .row_mut(j)
                .slice_mut(ndarray::s![d..])
                .assign(&o.dot(&mx));
            covs.push(c);
        }
        let joint = Gmm::new(&self.prior.weights().to_vec(), means, covs)?;
        let y_idx: Vec<usize> = (d..d + m).collect();
        let x_idx: Vec<usize> = (0..d).collect();
        let climatology = joint.conditioner(&y_idx, &x_idx)?.at(ys[t].view())?;
        Ok(Targets {
            cycle: stacked_posterior(&self.prior, &self.truth, ys, t)?,
            hybrid: stacked_posterior(&self.prior, &self.model, ys, t)?,
            climatology,
        })
    }
}

fn last(ys: &[Array1<f64>]) -> Result<usize, AssimilationError> {
    ys.len()
        .checked_sub(1)
        .ok_or_else(|| invalid("no observations".into()))
}

fn invalid(reason: String) -> AssimilationError {
    AssimilationError::Invalid {
        what: "analysis target",
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(eps: f64) -> Taxonomy {
        let a = ndarray::array![[0.9, 0.2], [-0.1, 0.8]];
        let e = ndarray::array![[0.0, 1.0], [-1.0, 0.0]];
        let q = Array2::<f64>::eye(2) * 0.3;
        let o = ndarray::array![[1.0, 0.0]];
        let r = ndarray::array![[0.5]];
        let b = ndarray::array![0.1, 0.0];
        let truth =
            StateSpaceModel::new(a.clone(), b.clone(), q.clone(), o.clone(), r.clone()).unwrap();
        let model = StateSpaceModel::new(a + &(e * eps), b, q, o, r).unwrap();
        let prior = Gmm::new(
            &[0.3, 0.7],
            ndarray::array![[-2.0, 0.0], [2.0, 1.0]],
            vec![Array2::eye(2), Array2::eye(2) * 0.5],
        )
        .unwrap();
        Taxonomy::new(truth, model, prior).unwrap()
    }

    /// Without model error the hybrid is the cycle; at t = 0 all three are the same analysis;
    /// a model observing differently is refused.
    #[test]
    fn the_hybrid_without_model_error_is_the_cycle_and_t0_is_one_analysis() {
        let c = case(0.0);
        let mut rng = crate::mc::stream(5, 0, 0);
        let (_, ys) = c.truth.simulate(&c.prior, 6, &mut rng).unwrap();
        let g = c.targets(&ys, TaxonomyFault::None).unwrap();
        assert!((&g.cycle.mean() - &g.hybrid.mean())
            .iter()
            .all(|v| v.abs() < 1e-12));
        let g0 = c.targets(&ys[..1], TaxonomyFault::None).unwrap();
        for other in [&g0.hybrid, &g0.climatology] {
            assert!((&g0.cycle.mean() - &other.mean())
                .iter()
                .all(|v| v.abs() < 1e-12));
        }
        let bad = StateSpaceModel::new(
            c.truth.a().clone(),
            c.truth.b().clone(),
            c.truth.q().clone(),
            ndarray::array![[0.0, 1.0]],
            c.truth.r().clone(),
        )
        .unwrap();
        assert!(Taxonomy::new(c.truth.clone(), bad, c.prior.clone()).is_err());
    }
}
