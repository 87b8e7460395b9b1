//! A Kalman filter per mixture component, with log-weight updates by each
//! component's predictive likelihood; and the brute-force stacked conditioning it
//! must agree with.
use super::{FilterError, StateSpaceModel};
use crate::linalg::Spd;
use crate::prob::{Gmm, LN_2PI};
use ndarray::{s, Array1, Array2};

/// The posterior of x_t given y_0..y_t (t = ys.len() - 1), for x_0 ~ `prior`.
/// Per component: predict (m <- A m + b, P <- A P A^T + Q), update with the Joseph form,
/// and add log N(y_s; O m, O P O^T + R) to the component's log-weight. Cost O(K t d^3).
pub fn gaussian_sum_filter(
    prior: &Gmm,
    model: &StateSpaceModel,
    ys: &[Array1<f64>],
) -> Result<Gmm, FilterError> {
    GaussianSumPlan::new(prior, model, ys.len())?.posterior(ys)
}

/// The Gaussian-sum filter split in two: the covariances, gains and innovation covariances
/// do not depend on the observations (linear-Gaussian dynamics per component), so they are
/// computed once, O(K t d^3); each observation sequence then costs O(K t d^2) for the means
/// and log-weights. Many replicates of one model share one plan.
pub struct GaussianSumPlan {
    model: StateSpaceModel,
    prior_log_w: Array1<f64>,
    prior_means: Array2<f64>,
    /// per component, per step: the innovation covariance O P O^T + R and the gain P O^T S^-1
    innovations: Vec<Vec<(Spd, Array2<f64>)>>,
    /// per component: the filtered covariance after the last step
    covs: Vec<Spd>,
}

impl GaussianSumPlan {
    /// The observation-free part of the filter for `steps` observations y_0..y_{steps-1}.
    pub fn new(
        prior: &Gmm,
        model: &StateSpaceModel,
        steps: usize,
    ) -> Result<GaussianSumPlan, FilterError> {
        let d = prior.dim();
        model.check_shapes(d)?;
        if steps == 0 {
            return Err(FilterError::Dimension("no observations".into()));
        }
        let kk = prior.components();
        let eye = Array2::<f64>::eye(d);
        let mut innovations = Vec::with_capacity(kk);
        let mut covs = Vec::with_capacity(kk);
        for k in 0..kk {
            let mut p = prior.cov_of(k).matrix().clone();
            let mut per_step = Vec::with_capacity(steps);
            for s in 0..steps {
                if s > 0 {
                    p = model.a.dot(&p).dot(&model.a.t()) + &model.q;
                }
                let sm = Spd::new(
                    model.o.dot(&p).dot(&model.o.t()) + &model.r,
                    &format!("innovation covariance, component {k}, step {s}"),
                )?;
                let gain = sm.solve(&model.o.dot(&p))?.reversed_axes(); // P O^T S^{-1}
                let ikh = &eye - &gain.dot(&model.o);
                p = ikh.dot(&p).dot(&ikh.t()) + gain.dot(&model.r).dot(&gain.t());
                p = (&p + &p.t()) * 0.5;
                per_step.push((sm, gain));
            }
            innovations.push(per_step);
            covs.push(Spd::new(
                p,
                &format!("filtered covariance, component {k}, step {}", steps - 1),
            )?);
        }
        Ok(GaussianSumPlan {
            model: model.clone(),
            prior_log_w: prior.log_weights().to_owned(),
            prior_means: prior.means().to_owned(),
            innovations,
            covs,
        })
    }

    /// The posterior given y_0..y_{steps-1} (exactly as many observations as planned).
    pub fn posterior(&self, ys: &[Array1<f64>]) -> Result<Gmm, FilterError> {
        let d = self.prior_means.ncols();
        self.model.check(d, ys)?;
        let steps = self.innovations.first().map_or(0, |c| c.len());
        if ys.len() != steps {
            return Err(FilterError::Dimension(format!(
                "{} observations, the plan was made for {steps}",
                ys.len()
            )));
        }
        let kk = self.prior_log_w.len();
        let mut log_w = self.prior_log_w.clone();
        let mut means = Array2::zeros((kk, d));
        for k in 0..kk {
            let mut m = self.prior_means.row(k).to_owned();
            for (s, (y, (sm, gain))) in ys.iter().zip(&self.innovations[k]).enumerate() {
                if s > 0 {
                    m = self.model.a.dot(&m) + &self.model.b;
                }
                let e = y - &self.model.o.dot(&m);
                log_w[k] += -0.5 * (e.len() as f64 * LN_2PI + sm.log_det() + sm.quad(e.view())?);
                m = m + gain.dot(&e);
            }
            means.row_mut(k).assign(&m);
        }
        let z = crate::prob::log_sum_exp(log_w.iter());
        if !z.is_finite() || means.iter().any(|v| !v.is_finite()) {
            return Err(crate::prob::ProbError::Weights(
                "the observations have no finite likelihood under any component".into(),
            )
            .into());
        }
        log_w.mapv_inplace(|l| l - z);
        Ok(Gmm::from_parts(log_w, means, self.covs.clone()))
    }
}

/// The posterior of x_target (target <= t) given y_0..y_t by brute force: per component,
/// the joint Gaussian of (x_target, y_0, ..., y_t) written out block by block and
/// conditioned on the y's at once (an independent route: no recursion, one Schur complement).
/// With target = t it is the filter's posterior, with target < t the smoother's.
pub fn stacked_posterior(
    prior: &Gmm,
    model: &StateSpaceModel,
    ys: &[Array1<f64>],
    target: usize,
) -> Result<Gmm, FilterError> {
    let d = prior.dim();
    model.check(d, ys)?;
    let t = ys.len() - 1;
    if target > t {
        return Err(FilterError::Dimension(format!(
            "target step {target} beyond the last observation {t}"
        )));
    }
    let m = model.o.nrows();
    let n = d + (t + 1) * m;
    let kk = prior.components();
    let mut means = Array2::zeros((kk, n));
    let mut covs = Vec::with_capacity(kk);
    for k in 0..kk {
        // state means and covariances at each step, and A powers
        let mut mu = vec![prior.mean_of(k).to_owned()];
        let mut cx = vec![prior.cov_of(k).matrix().clone()];
        for s in 1..=t {
            mu.push(model.a.dot(&mu[s - 1]) + &model.b);
            cx.push(model.a.dot(&cx[s - 1]).dot(&model.a.t()) + &model.q);
        }
        // Cov(x_j, x_i) = A^{j-i} Cov(x_i) for j >= i
        let cross = |i: usize, j: usize| -> Array2<f64> {
            let (lo, hi) = if i <= j { (i, j) } else { (j, i) };
            let mut c = cx[lo].clone();
            for _ in lo..hi {
                c = model.a.dot(&c);
            }
            if i <= j {
                c // Cov(x_hi, x_lo)
            } else {
                c.reversed_axes()
            }
        };
        let mut mean = Array1::zeros(n);
        mean.slice_mut(s![0..d]).assign(&mu[target]);
        let mut cov = Array2::zeros((n, n));
        cov.slice_mut(s![0..d, 0..d]).assign(&cx[target]);
        for i in 0..=t {
            let oi = d + i * m;
            mean.slice_mut(s![oi..oi + m]).assign(&model.o.dot(&mu[i]));
            // Cov(x_target, y_i) = Cov(x_target, x_i) O^T
            let cxy = cross(i, target).dot(&model.o.t());
            cov.slice_mut(s![0..d, oi..oi + m]).assign(&cxy);
            cov.slice_mut(s![oi..oi + m, 0..d]).assign(&cxy.t());
            for j in 0..=t {
                let oj = d + j * m;
                let mut c = model.o.dot(&cross(j, i)).dot(&model.o.t());
                if i == j {
                    c += &model.r;
                }
                cov.slice_mut(s![oi..oi + m, oj..oj + m]).assign(&c);
            }
        }
        means.row_mut(k).assign(&mean);
        covs.push(cov);
    }
    let joint = Gmm::new(&prior.weights().to_vec(), means, covs)?;
    let u: Vec<usize> = (d..n).collect();
    let v: Vec<usize> = (0..d).collect();
    let cond = joint.conditioner(&u, &v)?;
    let mut y = Array1::zeros(n - d);
    for (i, yi) in ys.iter().enumerate() {
        y.slice_mut(s![i * m..(i + 1) * m]).assign(yi);
    }
    Ok(cond.at(y.view())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multiscale::{AffineDynamics, Hierarchy, MultiscaleGmmSpec};

    #[test]
    fn filter_equals_stacked_conditioning() {
        let hier = Hierarchy::one_d(8).unwrap();
        let spec = MultiscaleGmmSpec {
            components: 3,
            alpha: 1.0,
            h: 0.5,
            sep: 4.0,
            hetero: true,
        };
        let mut rng = crate::mc::stream(4, 0, 0);
        let prior = spec.build(&hier, &mut rng).unwrap();
        let dynm = AffineDynamics::smoothing_shift(&hier, 0.9, 0.2, 1, 0.1, 0.3).unwrap();
        let model = StateSpaceModel::new(
            dynm.a.clone(),
            dynm.b.clone(),
            dynm.q.clone(),
            hier.projection_matrix(1).unwrap(),
            Array2::eye(2) * 0.05,
        )
        .unwrap();
        let ys: Vec<Array1<f64>> = (0..4)
            .map(|s| Array1::from(vec![0.3 * s as f64, -0.2]))
            .collect();
        let a = gaussian_sum_filter(&prior, &model, &ys).unwrap();
        let b = stacked_posterior(&prior, &model, &ys, 3).unwrap();
        // one plan, reused: a second observation sequence agrees with the brute force too, and
        // a sequence of another length is refused
        let plan = GaussianSumPlan::new(&prior, &model, 4).unwrap();
        let ys2: Vec<Array1<f64>> = ys.iter().map(|y| y.mapv(|v| 0.5 - v)).collect();
        let a2 = plan.posterior(&ys2).unwrap();
        let b2 = stacked_posterior(&prior, &model, &ys2, 3).unwrap();
        for k in 0..3 {
            assert!((a2.log_weights()[k] - b2.log_weights()[k]).abs() < 1e-9);
            assert!((&a2.mean_of(k) - &b2.mean_of(k))
                .iter()
                .all(|v| v.abs() < 1e-9));
        }
        let err = plan.posterior(&ys[..3]).unwrap_err().to_string();
        assert!(err.contains("plan was made for 4"), "{err}");
        for k in 0..3 {
            assert!((a.log_weights()[k] - b.log_weights()[k]).abs() < 1e-9);
            assert!((&a.mean_of(k) - &b.mean_of(k))
                .iter()
                .all(|v| v.abs() < 1e-9));
            assert!((a.cov_of(k).matrix() - b.cov_of(k).matrix())
                .iter()
                .all(|v| v.abs() < 1e-9));
        }
    }
}
