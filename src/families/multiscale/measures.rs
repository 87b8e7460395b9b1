//! What the multiscale family measures for experiments (one replicate = one random mixture,
//! drawn from the replicate's common stream so every cell of a sweep sees the same one).
use crate::experiment::{Measure, Replicate};
use crate::filter::gaussian_sum_filter;
use crate::multiscale::{
    component_through, mode_separation, observation_model, IrModel, ModelSpec,
};
use crate::params::Params;
use crate::prob::kl_gaussian;
use crate::Error;
use ndarray::Array1;

/// Samples per replicate for the Monte Carlo inside one replicate.
const INNER: usize = 400;

pub static MEASURES: &[Measure] = &[
    Measure {
        name: "multiscale.separation",
        description: "a random multi-scale mixture (K >= 2): separation of components 0 and 1 seen at resolution r",
        metrics: &["mahalanobis", "kl"],
        indicators: &[],
        prepare: separation,
        closed_form: None,
    },
    Measure {
        name: "multiscale.conditioning",
        description: "the level r+1 details w_t given nothing, x_t^r, and (x_t^r, x_{t-1}^{r+1}): expected total variance and entropy",
        metrics: &["tv_none", "tv_coarse", "tv_both", "h_none", "h_coarse", "h_both"],
        indicators: &[],
        prepare: conditioning,
        closed_form: None,
    },
    Measure {
        name: "multiscale.spectrum",
        description: "energy beyond resolution r: the resolution tail E||x - P^{r+}P^r x||^2, the best rank-n_r tail, their ratio",
        metrics: &["res_tail", "rank_tail", "structure_index", "level_energy"],
        indicators: &[],
        prepare: spectrum,
        closed_form: None,
    },
    Measure {
        name: "multiscale.reconstruction",
        description: "exact posterior mean of x_t from the last `observed` (default: all) of `steps` observations y_s = P^{r_obs} x_s + noise: mean squared error per coordinate",
        metrics: &["mse", "relative_mse", "posterior_var"],
        indicators: &[],
        prepare: reconstruction,
        closed_form: None,
    },
];

fn separation(p: &Params) -> Result<Replicate, Error> {
    let spec = ModelSpec::from_params(p)?;
    let r = spec.level(p, "r", 0)?;
    Ok(Box::new(move |_rng, common| {
        let (hier, g, _) = spec.build(common)?;
        let a = hier.projection_matrix(r)?;
        let (m0, s0) = component_through(&g, 0, &a)?;
        let (m1, s1) = component_through(&g, 1, &a)?;
        Ok(vec![
            ("mahalanobis".into(), mode_separation(&g, &a, 0, 1)?.sqrt()),
            ("kl".into(), kl_gaussian(m0.view(), &s0, m1.view(), &s1)?),
        ])
    }))
}

fn conditioning(p: &Params) -> Result<Replicate, Error> {
    let spec = ModelSpec::from_params(p)?;
    let r = spec.level(p, "r", 1)?;
    Ok(Box::new(move |rng, common| {
        let (hier, g, dynm) = spec.build(common)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let (z, _) = ir.joint.sample(INNER, rng);
        let s = ir.detail_spread(r, z.view())?;
        let mean = |a: &Array1<f64>| a.mean().unwrap_or(f64::NAN);
        Ok(vec![
            ("tv_none".into(), s.tv_none),
            ("tv_coarse".into(), mean(&s.tv_coarse)),
            ("tv_both".into(), mean(&s.tv_both)),
            ("h_none".into(), mean(&s.nll_none)),
            ("h_coarse".into(), mean(&s.nll_coarse)),
            ("h_both".into(), mean(&s.nll_both)),
        ])
    }))
}

fn spectrum(p: &Params) -> Result<Replicate, Error> {
    let spec = ModelSpec::from_params(p)?;
    let r = spec.level(p, "r", 0)?;
    Ok(Box::new(move |_rng, common| {
        let (hier, g, _) = spec.build(common)?;
        // energy of the level-r coefficients (r >= 1: details; r = 0: the coarse coefficient)
        let h = hier.matrix();
        let m = g.mean();
        let c = h.dot(&g.covariance()).dot(&h.t());
        let hm = h.dot(&m);
        let idx: Vec<usize> = if r == 0 {
            vec![0]
        } else {
            hier.detail_indices(r)?.collect()
        };
        let energy: f64 = idx.iter().map(|&i| c[[i, i]] + hm[i] * hm[i]).sum();
        let mut out = vec![("level_energy".to_string(), energy)];
        // at the finest level the projection is the identity: both tails are zero and their
        // ratio is not defined, so only the level's energy is reported
        if r < hier.levels() {
            let (tail, rank) = crate::multiscale::resolution_and_rank_tails(&hier, &g, r)?;
            out.extend([
                ("res_tail".into(), tail),
                ("rank_tail".into(), rank),
                ("structure_index".into(), rank / tail),
            ]);
        }
        Ok(out)
    }))
}

fn reconstruction(p: &Params) -> Result<Replicate, Error> {
    let spec = ModelSpec::from_params(p)?;
    spec.level(p, "r_obs", 0)?;
    let steps = p.usize_at_least("steps", 1)?;
    // the number of most recent steps observed (default: all): the target x_t stays the same
    // while the information grows, so the error falls with it
    let observed = match p.get("observed") {
        Some(_) => p.usize_at_least("observed", 1)?,
        None => steps,
    };
    if observed > steps {
        return Err(crate::params::out_of_range(
            "observed",
            &observed.into(),
            &format!("at most `steps` = {steps}"),
        )
        .into());
    }
    let lg = observation_model(p, &spec.hier, &spec.dynamics)?;
    Ok(Box::new(move |_rng, common| {
        // the model and the truth from the stream every cell shares: cells differ only in
        // what is observed (common random numbers)
        let (hier, g, _) = spec.build(common)?;
        let d = hier.dim();
        let (xs, ys) = lg.simulate(&g, steps, common)?;
        let x = &xs[steps - 1];
        // the prior of x_s is the mixture pushed through s steps of the dynamics
        let pushed = |s: usize| -> Result<crate::prob::Gmm, Error> {
            let mut q = g.clone();
            for _ in 0..s {
                q = q.affine(lg.a(), Some(lg.b()), Some(lg.q()))?;
            }
            Ok(q)
        };
        let first = steps - observed;
        let post = gaussian_sum_filter(&pushed(first)?, &lg, &ys[first..])?;
        let err = &post.mean() - x;
        // the total variance of x_t's prior is what an estimator that ignores the
        // observations would leave
        let prior_t = pushed(steps - 1)?;
        let mse = err.dot(&err) / d as f64;
        Ok(vec![
            ("mse".into(), mse),
            (
                "relative_mse".into(),
                mse * d as f64 / prior_t.total_variance(),
            ),
            ("posterior_var".into(), post.total_variance() / d as f64),
        ])
    }))
}
