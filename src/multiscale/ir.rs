//! The iterative-refinement conditionals in closed form.
//!
//! The joint law of (x_{t-1}, x_t) under x_t = A x_{t-1} + b + e is a mixture in R^{2d};
//! in Haar coordinates (c_{t-1}, c_t) every IR conditional is a coordinate split:
//! x_t^r <-> c_t[0..n_r], w_t^{r+1} <-> c_t[n_r..n_{r+1}], x_{t-1}^{r+1} <-> c_{t-1}[0..n_{r+1}].
use super::{AffineDynamics, Hierarchy, MultiscaleError};
use crate::prob::{ComponentWeights, Conditioner, Gmm};

/// A slip injected into the IR conditionals by mutation controls; normal use passes `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IrFault {
    #[default]
    None,
    /// The posterior component weights without the Gaussian's normalising constant
    /// (`ComponentWeights::WithoutLogDet`).
    WeightsWithoutLogDet,
    /// Every Schur complement adds the gain term instead of subtracting it
    /// (`Conditioner::gain_sign_slipped`).
    GainSign,
}

impl IrFault {
    fn weights(self) -> ComponentWeights {
        if self == IrFault::WeightsWithoutLogDet {
            ComponentWeights::WithoutLogDet
        } else {
            ComponentWeights::Posterior
        }
    }

    /// The conditioner as this fault computes it.
    fn apply(self, c: Conditioner) -> Result<Conditioner, MultiscaleError> {
        Ok(if self == IrFault::GainSign {
            c.gain_sign_slipped()?
        } else {
            c
        })
    }
}
use ndarray::{concatenate, s, Array1, Array2, ArrayView2, Axis};

/// The joint of consecutive states in Haar coordinates, and its conditionals.
pub struct IrModel {
    pub hier: Hierarchy,
    /// Law of (c_{t-1}, c_t) in R^{2d}: previous coefficients first.
    pub joint: Gmm,
}

/// The details' spread under the IR conditioning sets, per conditioning draw (see
/// `IrModel::detail_spread`).
#[derive(Debug, Clone)]
pub struct DetailSpread {
    pub tv_none: f64,
    pub tv_coarse: Array1<f64>,
    pub tv_both: Array1<f64>,
    pub nll_none: Array1<f64>,
    pub nll_coarse: Array1<f64>,
    pub nll_both: Array1<f64>,
}

impl IrModel {
    /// x_{t-1} ~ `prior` (signal coordinates), x_t = A x_{t-1} + b + e.
    pub fn new(
        hier: Hierarchy,
        prior: &Gmm,
        dynamics: &AffineDynamics,
    ) -> Result<Self, MultiscaleError> {
        let d = hier.dim();
        let h = hier.matrix();
        let map = concatenate(Axis(0), &[h.view(), h.dot(&dynamics.a).view()]).map_err(|e| {
            MultiscaleError::Invalid {
                what: "IR joint map",
                reason: e.to_string(),
            }
        })?;
        let mut shift = Array1::zeros(2 * d);
        shift.slice_mut(s![d..]).assign(&h.dot(&dynamics.b));
        let mut q = Array2::zeros((2 * d, 2 * d));
        q.slice_mut(s![d.., d..])
            .assign(&h.dot(&dynamics.q).dot(&h.t()));
        let joint = prior.affine(&map, Some(&shift), Some(&q))?;
        Ok(IrModel { hier, joint })
    }

    /// The IR models of each step of a trajectory whose dynamics may change with the step:
    /// x_0 ~ `prior`, x_t = A_t x_{t-1} + b_t + e_t with `steps[t - 1]`; model t (from 1) is the
    /// joint of (x_{t-1}, x_t), the law of x_{t-1} being the prior pushed through the earlier
    /// steps (a mixture stays a mixture under affine maps with Gaussian noise).
    pub fn sequence(
        hier: &Hierarchy,
        prior: &Gmm,
        steps: &[AffineDynamics],
    ) -> Result<Vec<IrModel>, MultiscaleError> {
        let mut law = prior.clone();
        let mut out = Vec::with_capacity(steps.len());
        for st in steps {
            out.push(IrModel::new(hier.clone(), &law, st)?);
            law = law.affine(&st.a, Some(&st.b), Some(&st.q))?;
        }
        Ok(out)
    }

    /// Rows of the joint's coordinates (c_{t-1}, c_t) from states x_{t-1}, x_t (N x d each,
    /// signal coordinates): the Haar transform of each, side by side.
    pub fn pair_rows(
        &self,
        previous: &Array2<f64>,
        current: &Array2<f64>,
    ) -> Result<Array2<f64>, MultiscaleError> {
        let (h0, h1) = (
            self.hier.forward_rows(previous),
            self.hier.forward_rows(current),
        );
        concatenate(Axis(1), &[h0.view(), h1.view()]).map_err(|e| MultiscaleError::Invalid {
            what: "IR pair rows",
            reason: e.to_string(),
        })
    }

    pub fn dim(&self) -> usize {
        self.hier.dim()
    }

    fn current(&self, a: usize, b: usize) -> Vec<usize> {
        let d = self.dim();
        (d + a..d + b).collect()
    }
    fn previous(&self, a: usize, b: usize) -> Vec<usize> {
        (a..b).collect()
    }
    fn details(&self, r: usize) -> Result<Vec<usize>, MultiscaleError> {
        let range = self.hier.detail_indices(r + 1)?;
        Ok(self.current(range.start, range.end))
    }

    /// Indices of x_t^r, w_t^{r+1}, x_{t-1}^{r+1} and x_{t-1}^R in the joint.
    pub fn sets(
        &self,
        r: usize,
    ) -> Result<(Vec<usize>, Vec<usize>, Vec<usize>, Vec<usize>), MultiscaleError> {
        let w = self.details(r)?;
        Ok((
            self.current(0, self.hier.coarse_dim(r)),
            w,
            self.previous(0, self.hier.coarse_dim(r + 1)),
            self.previous(0, self.dim()),
        ))
    }

    /// p(w_t^{r+1}).
    pub fn detail_marginal(&self, r: usize) -> Result<Gmm, MultiscaleError> {
        Ok(self.joint.marginal(&self.details(r)?)?)
    }

    /// p(w_t^{r+1} | x_t^r).
    pub fn detail_given_coarse(&self, r: usize) -> Result<Conditioner, MultiscaleError> {
        let (u, w, _, _) = self.sets(r)?;
        Ok(self.joint.conditioner(&u, &w)?)
    }

    /// p(w_t^{r+1} | x_t^r, x_{t-1}^{r+1}): the IR conditional.
    pub fn detail_given_coarse_and_previous(
        &self,
        r: usize,
    ) -> Result<Conditioner, MultiscaleError> {
        let (mut u, w, p, _) = self.sets(r)?;
        u.extend(p);
        Ok(self.joint.conditioner(&u, &w)?)
    }

    /// p(w_t^{r+1} | x_t^r, x_{t-1}^R).
    pub fn detail_given_coarse_and_full_previous(
        &self,
        r: usize,
    ) -> Result<Conditioner, MultiscaleError> {
        let (mut u, w, _, full) = self.sets(r)?;
        u.extend(full);
        Ok(self.joint.conditioner(&u, &w)?)
    }

    /// Indices of one-shot's sets in the joint: x_t^{r0}, x_{t-1}^R, and every current detail
    /// above level r0 (the block one-shot samples).
    pub fn one_shot_sets(
        &self,
        r0: usize,
    ) -> Result<(Vec<usize>, Vec<usize>, Vec<usize>), MultiscaleError> {
        self.hier.check_level(r0)?;
        let (d, k) = (self.dim(), self.hier.coarse_dim(r0));
        Ok((self.current(0, k), self.previous(0, d), self.current(k, d)))
    }

    /// One-shot p(x_t^R | x_t^{r0}, x_{t-1}^R): all current details above level r0.
    pub fn one_shot(&self, r0: usize) -> Result<Conditioner, MultiscaleError> {
        let (mut u, past, v) = self.one_shot_sets(r0)?;
        u.extend(past);
        Ok(self.joint.conditioner(&u, &v)?)
    }

    /// What the level-(r+1) details w_t keep under the three IR conditioning sets, at each
    /// row of `z` (draws of the joint): the total variance tr Cov(w_t | .) and -log p(w_t | .)
    /// (whose mean estimates the conditional entropy), given nothing, x_t^r, and
    /// (x_t^r, x_{t-1}^{r+1}).
    pub fn detail_spread(
        &self,
        r: usize,
        z: ArrayView2<f64>,
    ) -> Result<DetailSpread, MultiscaleError> {
        let (mut u2, _, prev, _) = self.sets(r)?;
        u2.extend(prev);
        self.detail_spread_given(r, &u2, z, IrFault::None)
    }

    /// E tr Cov(w_t^{r+1} | x_t^r) when x_t^r is one coordinate (r = 0): a one-dimensional
    /// integral against the mixture law of x_t^r, by the `nodes`-point Gauss-Hermite rule per
    /// component (`prob::quad`). `None` when x_t^r has more than one coordinate.
    pub fn expected_coarse_spread(
        &self,
        r: usize,
        nodes: usize,
        fault: IrFault,
    ) -> Result<Option<f64>, MultiscaleError> {
        self.coarse_expectation(r, nodes, fault, |coarse, x| {
            Ok(coarse.total_variance_with(x, fault.weights())?)
        })
    }

    /// E ||E[w_t^{r+1} | x_t^r] - E w_t^{r+1}||^2 = tr Cov(E[w | x^r]) when x_t^r is one
    /// coordinate, by the same quadrature as `expected_coarse_spread`: the between-part of the
    /// law of total variance, tr Cov(w) = E tr Cov(w | x) + tr Cov(E[w | x]), which holds for
    /// the conditional of the joint law and for no other (an independent route to the
    /// conditional's correctness: the premise of `multiscale.conditioning.total_variance_coarsest`).
    pub fn expected_coarse_between(
        &self,
        r: usize,
        nodes: usize,
        fault: IrFault,
    ) -> Result<Option<f64>, MultiscaleError> {
        let mean = self.detail_marginal(r)?.mean();
        self.coarse_expectation(r, nodes, fault, |coarse, x| {
            let m = coarse.mean_with(x, fault.weights())? - &mean;
            Ok(m.mapv(|v| v * v).sum_axis(Axis(1)))
        })
    }

    /// E f(p(w_t^{r+1} | x_t^r), x_t^r) over the scalar x_t^r's mixture law by quadrature, with
    /// the conditioner as `fault` computes it; `None` when x_t^r has more than one coordinate.
    fn coarse_expectation(
        &self,
        r: usize,
        nodes: usize,
        fault: IrFault,
        f: impl Fn(&Conditioner, ArrayView2<f64>) -> Result<Array1<f64>, MultiscaleError>,
    ) -> Result<Option<f64>, MultiscaleError> {
        let (u, _, _, _) = self.sets(r)?;
        if u.len() != 1 {
            return Ok(None);
        }
        let coarse = fault.apply(self.detail_given_coarse(r)?)?;
        let law = self.joint.marginal(&u)?;
        let e = crate::prob::quad::mixture_expectation_1d(&law, nodes, |x| f(&coarse, x))?;
        Ok(Some(e))
    }

    /// Per draw (rows of `z`, (c_{t-1}, c_t) from the joint) and per level r = r0..L-1, the
    /// log-ratio log p(w_t^{r+1} | x_t^r, x_{t-1}) - log p(w_t^{r+1} | x_t^r, x_{t-1}^{k(r)}),
    /// k(r) = r + 1 (IR's set) or r with `past_one_level_coarser` (a mutation: the past read
    /// one resolution too coarse). Column r - r0's mean is the conditional mutual information
    /// IR's conditioning set loses at level r; the row sum's mean is
    /// KL(p(x_t | x_t^{r0}, x_{t-1}) || prod_r p(w_t^{r+1} | x_t^r, x_{t-1}^{r+1})), IR's error
    /// with exact conditionals sampled exactly (the chain rule; theory/diffusion.md section 10).
    pub fn truncation_log_ratios(
        &self,
        r0: usize,
        z: ArrayView2<f64>,
        past_one_level_coarser: bool,
    ) -> Result<Array2<f64>, MultiscaleError> {
        let levels = self.hier.levels();
        if r0 >= levels {
            return Err(MultiscaleError::Invalid {
                what: "r0",
                reason: format!("{r0}: must be a level below L = {levels}"),
            });
        }
        let mut out = Array2::zeros((z.nrows(), levels - r0));
        for r in r0..levels {
            let (u, w, _, full) = self.sets(r)?;
            let k = if past_one_level_coarser { r } else { r + 1 };
            let mut ir = u.clone();
            ir.extend(self.previous(0, self.hier.coarse_dim(k)));
            let mut all = u;
            all.extend(full);
            let xw = z.select(Axis(1), &w);
            let truth = self
                .joint
                .conditioner(&all, &w)?
                .log_density(z.select(Axis(1), &all).view(), xw.view())?;
            let kept = self
                .joint
                .conditioner(&ir, &w)?
                .log_density(z.select(Axis(1), &ir).view(), xw.view())?;
            out.column_mut(r - r0).assign(&(truth - kept));
        }
        Ok(out)
    }

    /// log p(x_t's details above r0 | x_t^{r0}, x_{t-1}) per draw, in one conditioning: the
    /// chain rule's other side (the row sums of the levels' log p(w_t^{r+1} | x_t^r, x_{t-1})).
    pub fn details_log_density(
        &self,
        r0: usize,
        z: ArrayView2<f64>,
    ) -> Result<Array1<f64>, MultiscaleError> {
        let (mut u, full, w) = self.one_shot_sets(r0)?;
        u.extend(full);
        Ok(self
            .joint
            .conditioner(&u, &w)?
            .log_density(z.select(Axis(1), &u).view(), z.select(Axis(1), &w).view())?)
    }

    /// log p(w_t^{r+1} | x_t^r, x_{t-1}) per draw and level r = r0..L-1 (the chain rule's
    /// terms, each its own conditioning).
    pub fn level_log_densities(
        &self,
        r0: usize,
        z: ArrayView2<f64>,
    ) -> Result<Array2<f64>, MultiscaleError> {
        let levels = self.hier.levels();
        let mut out = Array2::zeros((z.nrows(), levels.saturating_sub(r0)));
        for r in r0..levels {
            let (mut u, w, _, full) = self.sets(r)?;
            u.extend(full);
            out.column_mut(r - r0).assign(
                &self
                    .joint
                    .conditioner(&u, &w)?
                    .log_density(z.select(Axis(1), &u).view(), z.select(Axis(1), &w).view())?,
            );
        }
        Ok(out)
    }

    /// `detail_spread` with the largest conditioning set `u2` given explicitly (indices into
    /// the joint): the IR set (x_t^r, x_{t-1}^{r+1}) or any other, e.g. a negative control's.
    pub fn detail_spread_given(
        &self,
        r: usize,
        u2: &[usize],
        z: ArrayView2<f64>,
        fault: IrFault,
    ) -> Result<DetailSpread, MultiscaleError> {
        let (u, w, _, _) = self.sets(r)?;
        let (xu, xu2, xw) = (
            z.select(Axis(1), &u),
            z.select(Axis(1), u2),
            z.select(Axis(1), &w),
        );
        let marg = self.detail_marginal(r)?;
        let coarse = fault.apply(self.detail_given_coarse(r)?)?;
        let both = fault.apply(self.joint.conditioner(u2, &w)?)?;
        let weights = fault.weights();
        Ok(DetailSpread {
            tv_none: marg.total_variance(),
            tv_coarse: coarse.total_variance_with(xu.view(), weights)?,
            tv_both: both.total_variance_with(xu2.view(), weights)?,
            nll_none: -marg.log_density(xw.view())?,
            nll_coarse: -coarse.log_density(xu.view(), xw.view())?,
            nll_both: -both.log_density(xu2.view(), xw.view())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multiscale::ModelSpec;
    use crate::params::Params;

    /// The two-mode model's parts (d = 8, modes 8 apart, fine-scale share h; stream 1).
    fn two_mode_parts(h: f64) -> (Hierarchy, Gmm, AffineDynamics) {
        let p = Params::new()
            .with("geom", "1d")
            .with("L", 3usize)
            .with("K", 2usize)
            .with("sep", 8.0)
            .with("h", h);
        let spec = ModelSpec::from_params(&p).unwrap();
        spec.build(&mut crate::mc::stream(1, 0, 0)).unwrap()
    }

    fn two_mode(h: f64) -> IrModel {
        let (hier, g, dynm) = two_mode_parts(h);
        IrModel::new(hier, &g, &dynm).unwrap()
    }

    /// Two routes to the law of each step's pair under drifting forcing: simulated
    /// trajectories against the prior pushed through the steps in closed form. Every
    /// coordinate's mean within 5 standard errors and its variance within 5 standard errors
    /// of a normal sample variance (times 2, a mixture's kurtosis allowance); and the drift is
    /// visible: step 2's draws are more than 5 standard errors from step 1's model somewhere.
    #[test]
    fn simulated_trajectories_follow_the_sequence_of_models() {
        let (hier, g, dynm) = two_mode_parts(0.5);
        let steps: Vec<AffineDynamics> = (1..=3)
            .map(|t| dynm.with_forcing(&hier, 1.0, std::f64::consts::FRAC_PI_2 * t as f64))
            .collect();
        let models = IrModel::sequence(&hier, &g, &steps).unwrap();
        let n = 20_000;
        let xs =
            AffineDynamics::trajectories(&g, &steps, n, &mut crate::mc::stream(2, 0, 0)).unwrap();
        assert_eq!(xs.len(), 4);
        let worst = |m: &IrModel, z: &Array2<f64>| {
            let (mu, cov) = (m.joint.mean(), m.joint.covariance());
            let mut out = (0.0f64, 0.0f64);
            for j in 0..z.ncols() {
                let col = z.column(j);
                let se = (cov[[j, j]] / n as f64).sqrt();
                let mean = col.mean().unwrap();
                let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
                out.0 = out.0.max((mean - mu[j]).abs() / se);
                let var_se = 2.0 * cov[[j, j]] * (2.0 / n as f64).sqrt();
                out.1 = out.1.max((var - cov[[j, j]]).abs() / var_se);
            }
            out
        };
        for (t, m) in models.iter().enumerate() {
            let z = m.pair_rows(&xs[t], &xs[t + 1]).unwrap();
            let (dm, dv) = worst(m, &z);
            assert!(dm < 5.0 && dv < 5.0, "step {}: {dm} {dv}", t + 1);
        }
        let z2 = models[1].pair_rows(&xs[1], &xs[2]).unwrap();
        assert!(worst(&models[0], &z2).0 > 5.0);
    }

    /// The chain rule of the true conditional, draw by draw: the details above r0 given
    /// (x_t^{r0}, x_{t-1}) in one conditioning equal the levels' conditionals given
    /// (x_t^r, x_{t-1}) summed; and IR's top level, whose past is the whole x_{t-1}, loses
    /// nothing.
    #[test]
    fn the_levels_chain_to_the_whole_conditional_on_a_mixture() {
        for h in [0.0, 0.9] {
            let ir = two_mode(h);
            let (z, _) = ir.joint.sample(200, &mut crate::mc::stream(5, 0, 0));
            for r0 in 0..3 {
                let whole = ir.details_log_density(r0, z.view()).unwrap();
                let parts = ir
                    .level_log_densities(r0, z.view())
                    .unwrap()
                    .sum_axis(Axis(1));
                let worst = (&whole - &parts).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(worst < 1e-9, "h = {h}, r0 = {r0}: {worst}");
                let lr = ir.truncation_log_ratios(r0, z.view(), false).unwrap();
                let top = lr.column(lr.ncols() - 1);
                assert!(top.iter().all(|v| v.abs() < 1e-9), "{top}");
            }
            // a conditional mutual information is not negative: the level-0 mean over the draws
            let lr = ir.truncation_log_ratios(0, z.view(), false).unwrap();
            assert!(lr.column(0).mean().unwrap() > 0.0);
            assert!(ir.truncation_log_ratios(3, z.view(), false).is_err());
        }
    }
}
