//! Family `multiscale`: multi-scale Gaussian mixtures under affine dynamics, the exact
//! core of iterative refinement (theory/multiscale.md states and derives every entry).
use super::{Control, Ctx, Entry, Evidence, Kind, Scale, Variant};
use crate::filter::{gaussian_sum_filter, stacked_posterior, LinearGaussianModel};
use crate::linalg::{eigenvalues, min_eigenvalue, Spd};
use crate::mc::{self, Rng};
use crate::multiscale::{AffineDynamics, Hierarchy, IrModel, MultiscaleGmmSpec};
use crate::params::{Params, Value};
use crate::prob::{kl_gaussian, Gmm};
use crate::Error;
use ndarray::{s, Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ContinuousCDF, Normal};

const THEORY: &str = "theory/multiscale.md";

/// The resolution hierarchy of `geom` ("1d" | "2d") with `L` levels.
pub fn hierarchy(p: &Params) -> Result<Hierarchy, Error> {
    let l = p.usize_at_least("L", 1)?;
    if l > 12 {
        return Err(crate::params::out_of_range("L", &Value::from(l), "at most 12 levels").into());
    }
    Ok(match p.str_or("geom", "1d")? {
        "1d" => Hierarchy::one_d(1 << l)?,
        "2d" => Hierarchy::two_d(1 << l)?,
        other => return Err(Error::Unknown(format!("geometry `{other}`: use 1d or 2d"))),
    })
}

/// Hierarchy, mixture prior (signal coordinates) and dynamics of a parameter set.
pub fn model(p: &Params, rng: &mut Rng) -> Result<(Hierarchy, Gmm, AffineDynamics), Error> {
    let hier = hierarchy(p)?;
    let spec = MultiscaleGmmSpec::from_params(p)?;
    let prior = spec.build(&hier, rng)?;
    let dynm = AffineDynamics::from_params(&hier, p)?;
    Ok((hier, prior, dynm))
}

fn geometries() -> Vec<Params> {
    vec![
        Params::new().with("geom", "1d").with("L", 4usize),
        Params::new().with("geom", "1d").with("L", 6usize),
        Params::new().with("geom", "2d").with("L", 2usize),
        Params::new().with("geom", "2d").with("L", 3usize),
    ]
}

fn over_h(base: &Params) -> Vec<Params> {
    [0.0, 0.5, 0.9]
        .iter()
        .map(|h| base.clone().with("h", *h))
        .collect()
}

fn standard_grid(s: Scale, k: usize, hetero: bool) -> Vec<Params> {
    let geoms = match s {
        Scale::Quick => geometries()
            .into_iter()
            .filter(|g| g.f64("L").unwrap_or(9.0) <= 4.0)
            .collect(),
        Scale::Full => geometries(),
    };
    geoms
        .iter()
        .flat_map(|g| {
            over_h(
                &g.clone()
                    .with("K", k)
                    .with("hetero", if hetero { 1.0 } else { 0.0 })
                    .with("sep", 4.0),
            )
        })
        .collect()
}

fn realisations<T: Send>(
    ctx: &Ctx,
    f: impl Fn(&mut Rng) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<T>, Error> {
    mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| f(rng))
}

/// Gaussian law of component k pushed through the linear map A.
fn component_through(g: &Gmm, k: usize, a: &Array2<f64>) -> Result<(Array1<f64>, Spd), Error> {
    let m = a.dot(&g.mean_of(k));
    let c = Spd::new(
        a.dot(g.cov_of(k).matrix()).dot(&a.t()),
        "projected covariance",
    )?;
    Ok((m, c))
}

// ------------------------------------------------- 1. Mahalanobis separation

fn mahalanobis_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = v.pick("constant_halved", 1.0, 0.5);
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let d = hier.dim();
        let sigma = g.cov_of(0);
        let delta = &g.mean_of(0) - &g.mean_of(1);
        let full = sigma.quad(delta.view())?;
        let sep = |a: &Array2<f64>, dl: &Array1<f64>| -> Result<f64, Error> {
            let s = Spd::new(a.dot(sigma.matrix()).dot(&a.t()), "A Sigma A^T")?;
            Ok(s.quad(a.dot(dl).view())?)
        };
        let mut pairs = Vec::new();
        let mut prev = 0.0;
        for r in 0..=hier.levels() {
            let pr = hier.projection_matrix(r)?;
            let dr = sep(&pr, &delta)?;
            pairs.push((dr, c * full)); // Delta_r^2 <= delta^T Sigma^{-1} delta
            pairs.push((prev, c * dr)); // non-decreasing in r
            prev = dr;
        }
        // a random linear map A (d/2 x d) and the equality case delta = Sigma A^T z
        let m = (d / 2).max(1);
        let a = Array2::from_shape_fn((m, d), |_| StandardNormal.sample(rng));
        pairs.push((sep(&a, &delta)?, c * full));
        let z = Array1::from_shape_fn(m, |_| StandardNormal.sample(rng));
        let de = sigma.matrix().dot(&a.t()).dot(&z);
        let fe = sigma.quad(de.view())?;
        let ae = sep(&a, &de)?;
        pairs.push((ae, c * fe));
        pairs.push((fe, ae)); // equality: delta^T Sigma^{-1} delta <= Delta_A^2 too
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// ----------------------------------------------------------- 2. KL separation

fn kl_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let c = v.pick("kl_halved", 1.0, 0.5);
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let mut pairs = Vec::new();
        let mut prev = 0.0;
        for r in 0..=hier.levels() {
            let pr = hier.projection_matrix(r)?;
            let (m0, s0) = component_through(&g, 0, &pr)?;
            let (m1, s1) = component_through(&g, 1, &pr)?;
            let kl = kl_gaussian(m0.view(), &s0, m1.view(), &s1)?;
            pairs.push((prev, c * kl));
            prev = kl;
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// ------------------------------------------- 3. Loewner order of conditioning

fn levels_grid(s: Scale, k: usize) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, k, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r in 0..l {
            out.push(base.clone().with("r", r));
        }
    }
    out
}

fn loewner_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let reversed = v.is("reversed_order");
    let runs = realisations(ctx, |rng| {
        let (hier, g, dynm) = model(p, rng)?;
        let ir = IrModel::new(hier, &g, &dynm)?;
        let both = ir.detail_given_coarse_and_previous(r)?;
        let coarse = ir.detail_given_coarse(r)?;
        let marg = ir.detail_marginal(r)?;
        let mut pairs = Vec::new();
        for k in 0..g.components() {
            let cb = both.schur(k).matrix();
            let cc = coarse.schur(k).matrix();
            let cm = marg.cov_of(k).matrix();
            let scale = cm.iter().fold(0.0f64, |a, x| a.max(x.abs())).max(1e-300);
            let (d1, d2) = if reversed {
                (cb - cc, cc - cm)
            } else {
                (cc - cb, cm - cc)
            };
            pairs.push((-min_eigenvalue(d1.view())? / scale, 0.0));
            pairs.push((-min_eigenvalue(d2.view())? / scale, 0.0));
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// ------------------------------- 4-5. total variance and entropy (mixtures)

/// Samples of the joint (c_{t-1}, c_t) drawn in chunks (one stream per chunk, in order).
fn joint_samples(ir: &IrModel, n: usize, ctx: &Ctx) -> Array2<f64> {
    let chunk = 256;
    let chunks = n.div_ceil(chunk);
    let parts = mc::replicate(chunks, ctx.seed ^ 0x5eed, ctx.cell, |i, rng| {
        let m = chunk.min(n - i as usize * chunk);
        ir.joint.sample(m, rng).0
    });
    let views: Vec<_> = parts.iter().map(|a| a.view()).collect();
    ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, ir.joint.dim())))
}

fn mixture_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r in [0, l / 2, l - 1] {
            for which in ["previous_vs_coarse", "coarse_vs_none"] {
                out.push(base.clone().with("r", r).with("which", which));
            }
        }
    }
    out.dedup();
    out
}

fn conditioning_evidence(
    p: &Params,
    v: Variant,
    ctx: &Ctx,
    entropy: bool,
) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let which = p.str("which")?.to_string();
    let mut rng = mc::stream(ctx.seed, ctx.cell, u64::MAX >> 8);
    let (hier, g, dynm) = model(p, &mut rng)?;
    let ir = IrModel::new(hier, &g, &dynm)?;
    let z = joint_samples(&ir, ctx.replicates, ctx);
    let (u, w, prev, _) = ir.sets(r)?;
    let mut u2 = u.clone();
    u2.extend(prev);
    let xu = z.select(Axis(1), &u);
    let xu2 = z.select(Axis(1), &u2);
    let xw = z.select(Axis(1), &w);
    // Z = (less conditioning) - (more conditioning) for E[tr Cov] ... and its entropy analogue
    let (more, less): (Array1<f64>, Array1<f64>) = if entropy {
        // -log p(w | .) estimates the conditional entropy
        let coarse = ir
            .detail_given_coarse(r)?
            .log_density(xu.view(), xw.view())?;
        if which == "previous_vs_coarse" {
            let both = ir
                .detail_given_coarse_and_previous(r)?
                .log_density(xu2.view(), xw.view())?;
            (-both, -coarse)
        } else {
            let marg = ir.detail_marginal(r)?.log_density(xw.view())?;
            (-coarse, -marg)
        }
    } else {
        let coarse = ir.detail_given_coarse(r)?.total_variance(xu.view())?;
        if which == "previous_vs_coarse" {
            let both = ir
                .detail_given_coarse_and_previous(r)?
                .total_variance(xu2.view())?;
            (both, coarse)
        } else {
            let tv = ir.detail_marginal(r)?.total_variance();
            (coarse, Array1::from_elem(z.nrows(), tv))
        }
    };
    let sign = if v.is("reversed_order") { -1.0 } else { 1.0 };
    Ok(Evidence::Mean {
        samples: (&more - &less).mapv(|x| sign * x).to_vec(),
        bound: 0.0,
        two_sided: false,
    })
}

fn total_variance_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    conditioning_evidence(p, v, ctx, false)
}
fn entropy_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    conditioning_evidence(p, v, ctx, true)
}

// ------------------------------------------------------------ 6. KL chain rule

fn chain_grid(s: Scale) -> Vec<Params> {
    // K = 1: the closed-form expected conditional KLs; K = 3: the pointwise chain rule
    // of the mixtures' log-density ratios at samples of p
    [1usize, 3]
        .iter()
        .flat_map(|&k| standard_grid(s, k, true))
        .flat_map(|p| [0.05, 0.3].map(|e| p.clone().with("eps", e)))
        .collect()
}

/// p (Haar coordinates, from the generator) and q = law of (I + eps E) c + eps s.
fn perturbed_pair(p: &Params, rng: &mut Rng) -> Result<(Hierarchy, Gmm, Gmm), Error> {
    let eps = p.positive("eps")?;
    let hier = hierarchy(p)?;
    let spec = MultiscaleGmmSpec::from_params(p)?;
    let pg = spec.build_haar(&hier, rng)?;
    let d = hier.dim();
    let e = Array2::<f64>::from_shape_fn((d, d), |_| StandardNormal.sample(rng))
        * (eps / (d as f64).sqrt());
    let t = Array2::<f64>::eye(d) + &e;
    let shift = Array1::<f64>::from_shape_fn(d, |_| StandardNormal.sample(rng)) * eps;
    let q = pg.affine(&t, Some(&shift), None)?;
    Ok((hier, pg, q))
}

/// Per sample of p: log p(c) - log q(c) against the chain
/// [log p(c_0) - log q(c_0)] + sum_r [log p(w^{r+1} | c[0..n_r]) - log q(w^{r+1} | c[0..n_r])].
fn mixture_chain_pairs(
    hier: &Hierarchy,
    pg: &Gmm,
    q: &Gmm,
    drop: bool,
    rng: &mut Rng,
) -> Result<Vec<(f64, f64)>, Error> {
    let (z, _) = pg.sample(64, rng);
    let full = pg.log_density(z.view())? - q.log_density(z.view())?;
    let head = vec![0usize];
    let z0 = z.select(Axis(1), &head);
    let mut chain =
        pg.marginal(&head)?.log_density(z0.view())? - q.marginal(&head)?.log_density(z0.view())?;
    if !drop {
        for r in 0..hier.levels() {
            let u: Vec<usize> = (0..hier.coarse_dim(r)).collect();
            let w: Vec<usize> = hier.detail_indices(r + 1)?.collect();
            let (zu, zw) = (z.select(Axis(1), &u), z.select(Axis(1), &w));
            chain = chain + pg.conditioner(&u, &w)?.log_density(zu.view(), zw.view())?
                - q.conditioner(&u, &w)?.log_density(zu.view(), zw.view())?;
        }
    }
    Ok(full
        .iter()
        .zip(chain.iter())
        .map(|(a, b)| ((a - b).abs() / a.abs().max(1.0), 0.0))
        .collect())
}

/// E_{x ~ N(m, C)} KL(N(a1 + B1 x, S1) || N(a2 + B2 x, S2)).
fn expected_conditional_kl(
    (a1, b1, s1): (&Array1<f64>, &Array2<f64>, &Spd),
    (a2, b2, s2): (&Array1<f64>, &Array2<f64>, &Spd),
    m: &Array1<f64>,
    c: &Array2<f64>,
) -> Result<f64, Error> {
    let k = a1.len() as f64;
    let tr = s2.solve(s1.matrix())?.diag().sum();
    let e = (a1 - a2) + (b1 - b2).dot(m);
    let db = b1 - b2;
    let spread = s2.solve(&db.dot(c).dot(&db.t()))?.diag().sum();
    Ok(0.5 * (tr - k + s2.log_det() - s1.log_det() + s2.quad(e.view())? + spread))
}

fn chain_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let runs = realisations(ctx, |rng| {
        let (hier, pg, q) = perturbed_pair(p, rng)?;
        if pg.components() > 1 {
            return mixture_chain_pairs(&hier, &pg, &q, v.is("drop_details"), rng);
        }
        let full = kl_gaussian(pg.mean_of(0), pg.cov_of(0), q.mean_of(0), q.cov_of(0))?;
        // KL of x^0, then the expected KL of each level's detail given the coarser signal
        let head = vec![0usize];
        let p0 = pg.marginal(&head)?;
        let q0 = q.marginal(&head)?;
        let mut chain = kl_gaussian(p0.mean_of(0), p0.cov_of(0), q0.mean_of(0), q0.cov_of(0))?;
        let mut pairs = Vec::new();
        for r in 0..hier.levels() {
            let u: Vec<usize> = (0..hier.coarse_dim(r)).collect();
            let w: Vec<usize> = hier.detail_indices(r + 1)?.collect();
            let pc = pg.conditioner(&u, &w)?;
            let qc = q.conditioner(&u, &w)?;
            let (a1, b1) = pc.affine_mean(0);
            let (a2, b2) = qc.affine_mean(0);
            let pu = pg.marginal(&u)?;
            let term = expected_conditional_kl(
                (&a1, &b1, pc.schur(0)),
                (&a2, &b2, qc.schur(0)),
                &pu.mean_of(0).to_owned(),
                pu.cov_of(0).matrix(),
            )?;
            if !v.is("drop_details") {
                chain += term;
            }
            // data processing: the KL of x^{r+1} (first n_{r+1} coefficients) is at most the full KL
            let nxt: Vec<usize> = (0..hier.coarse_dim(r + 1)).collect();
            let (pm, qm) = (pg.marginal(&nxt)?, q.marginal(&nxt)?);
            pairs.push((
                kl_gaussian(pm.mean_of(0), pm.cov_of(0), qm.mean_of(0), qm.cov_of(0))?,
                full,
            ));
        }
        // the identity, both ways
        pairs.push((full, chain));
        pairs.push((chain, full));
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

fn mixture_dp_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r in [0, l / 2, l - 1] {
            out.push(base.clone().with("r", r).with("eps", 0.3));
        }
    }
    out
}

/// Mixtures: KL(p(x^r) || q(x^r)) <= KL(p || q), by Monte Carlo of
/// Z = [log p(x^r) - log q(x^r)] - [log p(x) - log q(x)], x ~ p (E Z <= 0).
fn mixture_dp_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let mut mrng = mc::stream(ctx.seed, ctx.cell, u64::MAX >> 8);
    let (hier, pg, q) = perturbed_pair(p, &mut mrng)?;
    let u: Vec<usize> = (0..hier.coarse_dim(r)).collect();
    let (pu, qu) = (pg.marginal(&u)?, q.marginal(&u)?);
    let chunk = 500;
    let parts = mc::try_replicate(
        ctx.replicates.div_ceil(chunk),
        ctx.seed,
        ctx.cell,
        |_, rng| -> Result<Vec<f64>, Error> {
            let (z, _) = pg.sample(chunk, rng);
            let zu = z.select(Axis(1), &u);
            let full = pg.log_density(z.view())? - q.log_density(z.view())?;
            let coarse = pu.log_density(zu.view())? - qu.log_density(zu.view())?;
            Ok((coarse - full).to_vec())
        },
    )?;
    let sign = if v.is("reversed") { -1.0 } else { 1.0 };
    Ok(Evidence::Mean {
        samples: parts.into_iter().flatten().map(|z| sign * z).collect(),
        bound: 0.0,
        two_sided: false,
    })
}

// --------------------------------------------------------- 7. Eckart-Young

fn eckart_young_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r in 0..l {
            out.push(base.clone().with("r", r));
        }
    }
    out
}

/// (resolution tail E||x - P^{r+} P^r x||^2, best rank-n_r tail) from the exact second moment.
pub fn resolution_and_rank_tails(hier: &Hierarchy, g: &Gmm, r: usize) -> Result<(f64, f64), Error> {
    let m = g.mean();
    let m2 = g.covariance()
        + m.view()
            .insert_axis(Axis(1))
            .dot(&m.view().insert_axis(Axis(0)));
    let pi = hier.upsample_matrix(r)?.dot(&hier.projection_matrix(r)?);
    let res = &Array2::<f64>::eye(hier.dim()) - &pi;
    let tail = res.dot(&m2).dot(&res.t()).diag().sum();
    let ev = eigenvalues(m2.view())?; // ascending
    let rank_tail: f64 = ev.slice(s![..hier.dim() - hier.coarse_dim(r)]).sum();
    Ok((tail, rank_tail))
}

fn eckart_young_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let r = p.usize_at_least("r", 0)?;
    let runs = realisations(ctx, |rng| {
        let (hier, g, _) = model(p, rng)?;
        let (tail, rank) = resolution_and_rank_tails(&hier, &g, r)?;
        Ok(if v.is("reversed") {
            (tail, rank)
        } else {
            (rank, tail)
        })
    })?;
    Ok(Evidence::worst_exact(runs))
}

// --------------------------------------------- 8. exact filter and IR chain

fn filter_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        let l = base.f64("L").unwrap_or(1.0) as usize;
        for r_obs in [0, l / 2] {
            out.push(
                base.clone()
                    .with("r_obs", r_obs)
                    .with("steps", 3usize)
                    .with("obs_noise", 0.2),
            );
        }
    }
    out
}

/// A trajectory x_0..x_{steps-1} from the model and its observations.
pub fn simulate(
    g: &Gmm,
    m: &LinearGaussianModel,
    steps: usize,
    rng: &mut Rng,
) -> Result<(Vec<Array1<f64>>, Vec<Array1<f64>>), Error> {
    let d = g.dim();
    let (x0, _) = g.sample(1, rng);
    let mut x = x0.row(0).to_owned();
    let lq = Spd::new(m.q.clone(), "process noise")?;
    let lr = Spd::new(m.r.clone(), "observation noise")?;
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for s in 0..steps {
        if s > 0 {
            let e = lq
                .chol()
                .dot(&Array1::from_shape_fn(d, |_| StandardNormal.sample(rng)));
            x = m.a.dot(&x) + &m.b + e;
        }
        let n = lr.chol().dot(&Array1::from_shape_fn(m.o.nrows(), |_| {
            StandardNormal.sample(rng)
        }));
        ys.push(m.o.dot(&x) + n);
        xs.push(x.clone());
    }
    Ok((xs, ys))
}

/// The observation model of a parameter set: y = P^{r_obs} x + N(0, obs_noise^2 I).
pub fn observation_model(
    p: &Params,
    hier: &Hierarchy,
    dynm: &AffineDynamics,
) -> Result<LinearGaussianModel, Error> {
    let r_obs = p.usize_at_least("r_obs", 0)?;
    let o = hier.projection_matrix(r_obs)?;
    let s = p.positive("obs_noise")?;
    let m = o.nrows();
    Ok(LinearGaussianModel {
        a: dynm.a.clone(),
        b: dynm.b.clone(),
        q: dynm.q.clone(),
        o,
        r: Array2::eye(m) * (s * s),
    })
}

fn max_rel_diff(a: &Gmm, b: &Gmm) -> f64 {
    let mut m = 0.0f64;
    for k in 0..a.components() {
        m = m.max((a.log_weights()[k].exp() - b.log_weights()[k].exp()).abs());
        for (x, y) in a.mean_of(k).iter().zip(b.mean_of(k).iter()) {
            m = m.max((x - y).abs() / x.abs().max(1.0));
        }
        for (x, y) in a.cov_of(k).matrix().iter().zip(b.cov_of(k).matrix().iter()) {
            m = m.max((x - y).abs() / x.abs().max(1.0));
        }
    }
    m
}

fn filter_exact_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let steps = p.usize_at_least("steps", 1)?;
    let runs = realisations(ctx, |rng| {
        let (hier, g, dynm) = model(p, rng)?;
        let lg = observation_model(p, &hier, &dynm)?;
        let (_, ys) = simulate(&g, &lg, steps, rng)?;
        let a = gaussian_sum_filter(&g, &lg, &ys)?;
        let b = stacked_posterior(&g, &lg, &ys, ys.len() - 1)?;
        let mut pairs = vec![(max_rel_diff(&a, &b), 0.0)];
        // chain rule over levels: log p(x_t^R | x_t^{r0}, x_{t-1}^R) = sum_r log p(w^{r+1} | x_t^r, prev)
        let r0 = p.usize_at_least("r_obs", 0)?;
        let ir = IrModel::new(hier.clone(), &g, &dynm)?;
        let z = ir.joint.sample(8, rng).0;
        let d = hier.dim();
        let one = ir.one_shot(r0)?;
        let mut u: Vec<usize> = (d..d + hier.coarse_dim(r0)).collect();
        u.extend(0..d);
        let vv: Vec<usize> = (d + hier.coarse_dim(r0)..2 * d).collect();
        let lhs = one.log_density(z.select(Axis(1), &u).view(), z.select(Axis(1), &vv).view())?;
        let mut rhs = Array1::<f64>::zeros(z.nrows());
        for r in r0..hier.levels() {
            let (uc, w, prev, full) = ir.sets(r)?;
            let mut cond = uc.clone();
            // the control keeps only x_{t-1}^{r+1}: the IR approximation, not an identity
            cond.extend(if v.is("previous_at_level_only") {
                prev
            } else {
                full
            });
            let c = ir.joint.conditioner(&cond, &w)?;
            rhs = rhs
                + c.log_density(
                    z.select(Axis(1), &cond).view(),
                    z.select(Axis(1), &w).view(),
                )?;
        }
        for (a, b) in lhs.iter().zip(rhs.iter()) {
            let (a, b): (f64, f64) = (*a, *b);
            pairs.push(((a - b).abs() / a.abs().max(1.0), 0.0));
        }
        Ok(pairs)
    })?;
    Ok(Evidence::worst_exact(runs.into_iter().flatten()))
}

// --------------------------------------------------------- 9. calibration

fn calibration_grid(s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for base in standard_grid(s, 3, true) {
        if base.get("h") != Some(&Value::Float(0.5)) {
            continue;
        }
        for r_obs in [0usize, 1] {
            out.push(
                base.clone()
                    .with("r_obs", r_obs)
                    .with("steps", 3usize)
                    .with("obs_noise", 0.2)
                    .with("delta", 0.1),
            );
        }
    }
    out
}

fn calibration_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let steps = p.usize_at_least("steps", 1)?;
    let delta = p.positive("delta")?;
    let shrink = v.pick("overconfident", 1.0, 0.25);
    // one model per grid point; replicates are fresh truths and observations
    let mut mrng = mc::stream(ctx.seed, ctx.cell, u64::MAX >> 8);
    let (hier, g, dynm) = model(p, &mut mrng)?;
    let lg = observation_model(p, &hier, &dynm)?;
    let d = hier.dim();
    let phi = Array1::from_elem(d, 1.0 / d as f64); // the field's mean value
    let std_normal = Normal::new(0.0, 1.0).map_err(|e| Error::Unknown(e.to_string()))?;
    let outside = mc::try_replicate(
        ctx.replicates,
        ctx.seed,
        ctx.cell,
        |_, rng| -> Result<bool, Error> {
            let (xs, ys) = simulate(&g, &lg, steps, rng)?;
            let post = gaussian_sum_filter(&g, &lg, &ys)?;
            let truth = phi.dot(&xs[steps - 1]);
            let pit: f64 = (0..post.components())
                .map(|k| {
                    let m = phi.dot(&post.mean_of(k));
                    let s = (shrink * phi.dot(&post.cov_of(k).matrix().dot(&phi))).sqrt();
                    post.log_weights()[k].exp() * std_normal.cdf((truth - m) / s)
                })
                .sum();
            Ok(pit < delta / 2.0 || pit > 1.0 - delta / 2.0)
        },
    )?;
    Ok(Evidence::Tail {
        violations: outside.iter().filter(|o| **o).count() as u64,
        n: outside.len() as u64,
        delta,
        two_sided: true,
    })
}

/// The family's entries.
pub static ENTRIES: [Entry; 10] = [
    Entry {
        id: "multiscale.separation.mahalanobis",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "equal covariances: delta^T A^T (A Sigma A^T)^{-1} A delta <= delta^T Sigma^{-1} delta for every A, equality iff Sigma^{-1} delta in range(A^T); so separation is non-decreasing in resolution r",
        source: "derived (an orthogonal projection in the Sigma^{-1} inner product)",
        theory: THEORY,
        replicates: 3,
        grid: |s| standard_grid(s, 2, false),
        check: mahalanobis_check,
        controls: &[Control { name: "constant_halved", description: "Delta_A^2 <= (1/2) delta^T Sigma^{-1} delta" }],
        expected: None,
    },
    Entry {
        id: "multiscale.separation.kl",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "KL(N_i^r || N_j^r) is non-decreasing in r for general covariances (data processing)",
        source: "data processing inequality for KL",
        theory: THEORY,
        replicates: 3,
        grid: |s| standard_grid(s, 2, true),
        check: kl_check,
        controls: &[Control { name: "kl_halved", description: "KL^r <= (1/2) KL^{r+1}" }],
        expected: None,
    },
    Entry {
        id: "multiscale.conditioning.gaussian",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "per component: Cov(w^{r+1} | x^r, x_{t-1}^{r+1}) <= Cov(w^{r+1} | x^r) <= Cov(w^{r+1}) in Loewner order",
        source: "derived (Schur complements of nested conditioning sets)",
        theory: THEORY,
        replicates: 2,
        grid: |s| levels_grid(s, 3),
        check: loewner_check,
        controls: &[Control { name: "reversed_order", description: "conditioning on more enlarges the covariance" }],
        expected: None,
    },
    Entry {
        id: "multiscale.conditioning.total_variance",
        family: "multiscale",
        kind: Kind::Expectation,
        statement: "mixtures: E tr Cov(w | x^r, x_{t-1}^{r+1}) <= E tr Cov(w | x^r) <= tr Cov(w)",
        source: "derived (law of total variance, conditionally)",
        theory: THEORY,
        replicates: 20000,
        grid: mixture_grid,
        check: total_variance_check,
        controls: &[Control { name: "reversed_order", description: "conditioning on more raises the expected total variance" }],
        expected: None,
    },
    Entry {
        id: "multiscale.conditioning.entropy",
        family: "multiscale",
        kind: Kind::Expectation,
        statement: "mixtures: h(w | x^r, x_{t-1}^{r+1}) <= h(w | x^r) <= h(w) (Monte Carlo of -log p)",
        source: "derived (conditional mutual information >= 0)",
        theory: THEORY,
        replicates: 20000,
        grid: mixture_grid,
        check: entropy_check,
        controls: &[Control { name: "reversed_order", description: "conditioning on more raises the entropy" }],
        expected: None,
    },
    Entry {
        id: "multiscale.kl_chain",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "KL(p(x^R) || q(x^R)) = KL(p(x^0) || q(x^0)) + sum_r E_p KL(p(w^{r+1} | x^r) || q(w^{r+1} | x^r)), and KL at any coarser level is at most that",
        source: "KL chain rule over the Haar bijection x^R <-> (x^0, w^1..w^R); data processing",
        theory: THEORY,
        replicates: 2,
        grid: chain_grid,
        check: chain_check,
        controls: &[Control { name: "drop_details", description: "KL(p||q) = KL of the coarsest level alone" }],
        expected: None,
    },
    Entry {
        id: "multiscale.kl_chain.mixture",
        family: "multiscale",
        kind: Kind::Expectation,
        statement: "mixtures: KL(p(x^r) || q(x^r)) <= KL(p(x^R) || q(x^R)) for every r, by Monte Carlo of the log-density ratios",
        source: "data processing inequality (the chain rule's terms are non-negative)",
        theory: THEORY,
        replicates: 20000,
        grid: mixture_dp_grid,
        check: mixture_dp_check,
        controls: &[Control { name: "reversed", description: "the coarse KL exceeds the full one" }],
        expected: None,
    },
    Entry {
        id: "multiscale.eckart_young",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "E||x - P^{r+} P^r x||^2 >= sum of the d - n_r smallest eigenvalues of E[x x^T]; the ratio is a multi-scale structure index",
        source: "Eckart-Young / Ky Fan",
        theory: THEORY,
        replicates: 2,
        grid: eckart_young_grid,
        check: eckart_young_check,
        controls: &[Control { name: "reversed", description: "the resolution projection is the best rank-n_r projection" }],
        expected: None,
    },
    Entry {
        id: "multiscale.filter.exact",
        family: "multiscale",
        kind: Kind::Exact,
        statement: "the Gaussian-sum filter equals brute-force stacked conditioning (1e-9), and the level-by-level IR conditionals given x_{t-1}^R multiply to the one-shot p(x_t^R | x_t^{r0}, x_{t-1}^R)",
        source: "Bayes' rule per component; chain rule over the Haar bijection",
        theory: THEORY,
        replicates: 2,
        grid: filter_grid,
        check: filter_exact_check,
        controls: &[Control {
            name: "previous_at_level_only",
            description: "chain the IR conditionals given x_{t-1}^{r+1} only (the IR approximation)",
        }],
        expected: None,
    },
    Entry {
        id: "multiscale.filter.calibration",
        family: "multiscale",
        kind: Kind::HighProbability,
        statement: "the posterior's central (1 - delta) credible interval of the field mean misses the truth with probability exactly delta",
        source: "exact Bayesian posterior (probability integral transform of the mixture CDF)",
        theory: THEORY,
        replicates: 4000,
        grid: calibration_grid,
        check: calibration_check,
        controls: &[Control { name: "overconfident", description: "posterior variances divided by 4" }],
        expected: None,
    },
];
