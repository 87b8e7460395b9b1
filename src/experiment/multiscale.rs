//! Measurements for the multi-scale experiments (one replicate = one random mixture).
use super::measures::Metrics;
use crate::bounds::multiscale::{model, observation_model, resolution_and_rank_tails, simulate};
use crate::filter::gaussian_sum_filter;
use crate::linalg::Spd;
use crate::mc::Rng;
use crate::multiscale::IrModel;
use crate::params::Params;
use crate::prob::kl_gaussian;
use crate::Error;
use ndarray::{Array1, Axis};

/// Samples per replicate for the Monte Carlo inside one replicate.
const INNER: usize = 400;

pub fn separation(p: &Params, _rng: &mut Rng, common: &mut Rng) -> Result<Metrics, Error> {
    let r = p.usize_at_least("r", 0)?;
    let (hier, g, _) = model(p, common)?;
    let a = hier.projection_matrix(r)?;
    let through = |k: usize| -> Result<(Array1<f64>, Spd), Error> {
        Ok((
            a.dot(&g.mean_of(k)),
            Spd::new(
                a.dot(g.cov_of(k).matrix()).dot(&a.t()),
                "projected covariance",
            )?,
        ))
    };
    let (m0, s0) = through(0)?;
    let (m1, s1) = through(1)?;
    let delta = &m0 - &m1;
    Ok(vec![
        ("mahalanobis".into(), s0.quad(delta.view())?.sqrt()),
        ("kl".into(), kl_gaussian(m0.view(), &s0, m1.view(), &s1)?),
    ])
}

pub fn conditioning(p: &Params, rng: &mut Rng, common: &mut Rng) -> Result<Metrics, Error> {
    let r = p.usize_at_least("r", 0)?;
    let (hier, g, dynm) = model(p, common)?;
    let ir = IrModel::new(hier, &g, &dynm)?;
    let (z, _) = ir.joint.sample(INNER, rng);
    let (u, w, prev, _) = ir.sets(r)?;
    let mut u2 = u.clone();
    u2.extend(prev);
    let (xu, xu2, xw) = (
        z.select(Axis(1), &u),
        z.select(Axis(1), &u2),
        z.select(Axis(1), &w),
    );
    let marg = ir.detail_marginal(r)?;
    let coarse = ir.detail_given_coarse(r)?;
    let both = ir.detail_given_coarse_and_previous(r)?;
    let mean = |a: Array1<f64>| a.mean().unwrap_or(f64::NAN);
    Ok(vec![
        ("tv_none".into(), marg.total_variance()),
        ("tv_coarse".into(), mean(coarse.total_variance(xu.view())?)),
        ("tv_both".into(), mean(both.total_variance(xu2.view())?)),
        ("h_none".into(), -mean(marg.log_density(xw.view())?)),
        (
            "h_coarse".into(),
            -mean(coarse.log_density(xu.view(), xw.view())?),
        ),
        (
            "h_both".into(),
            -mean(both.log_density(xu2.view(), xw.view())?),
        ),
    ])
}

pub fn spectrum(p: &Params, _rng: &mut Rng, common: &mut Rng) -> Result<Metrics, Error> {
    let r = p.usize_at_least("r", 0)?;
    let (hier, g, _) = model(p, common)?;
    let (tail, rank) = resolution_and_rank_tails(&hier, &g, r)?;
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
    Ok(vec![
        ("res_tail".into(), tail),
        ("rank_tail".into(), rank),
        ("structure_index".into(), rank / tail),
        ("level_energy".into(), energy),
    ])
}

pub fn reconstruction(p: &Params, rng: &mut Rng, common: &mut Rng) -> Result<Metrics, Error> {
    let steps = p.usize_at_least("steps", 1)?;
    let (hier, g, dynm) = model(p, common)?;
    let lg = observation_model(p, &hier, &dynm)?;
    let d = hier.dim();
    let (xs, ys) = simulate(&g, &lg, steps, rng)?;
    let x = &xs[steps - 1];
    let post = gaussian_sum_filter(&g, &lg, &ys)?;
    let err = &post.mean() - x;
    // the prior of x_t (the mixture pushed through the dynamics): its total variance is
    // what an estimator that ignores the observations would leave
    let mut prior_t = g.clone();
    for _ in 1..steps {
        prior_t = prior_t.affine(&lg.a, Some(&lg.b), Some(&lg.q))?;
    }
    let mse = err.dot(&err) / d as f64;
    Ok(vec![
        ("mse".into(), mse),
        (
            "relative_mse".into(),
            mse * d as f64 / prior_t.total_variance(),
        ),
        ("posterior_var".into(), post.total_variance() / d as f64),
    ])
}

/// One sample of the 1-D (L levels) and of the 2-D (L2d levels) mixture of `p`, projected
/// to every level: the data of the sample-pyramid figure.
pub fn pyramid(p: &Params, seed: u64, title: &str) -> Result<crate::plot::Pyramid, Error> {
    let mut out = crate::plot::Pyramid {
        title: title.to_string(),
        signals: Vec::new(),
        fields: Vec::new(),
    };
    for (geom, levels) in [
        ("1d", p.usize_at_least("L", 1)?),
        ("2d", p.usize_at_least("L2d", 1)?),
    ] {
        let mut q = p.clone().with("geom", geom).with("L", levels);
        if geom == "2d" {
            // a 2-D level has 4x the coefficients of a 1-D one: a steeper exponent keeps
            // the field's energy concentrated at coarse scales
            q.set("alpha", p.f64_or("alpha2d", p.f64_or("alpha", 1.0)?)?);
        }
        let mut rng = crate::mc::stream(seed, 0, 0);
        let (hier, g, _) = model(&q, &mut rng)?;
        let (x, _) = g.sample(1, &mut rng);
        for r in 0..=hier.levels() {
            let v = hier.project(x.row(0), r)?.to_vec();
            if geom == "1d" {
                out.signals.push(v);
            } else {
                out.fields.push(v);
            }
        }
    }
    Ok(out)
}
