//! Family `multiscale`, topic `kl_chain`.
use super::*;

pub const DROP_DETAILS: Control =
    Control::new("drop_details", "KL(p||q) = KL of the coarsest level alone");
pub const REVERSED: Control = Control::new("reversed", "the coarse KL exceeds the full one");
/// Each level's detail conditioned on the previous level's details only (a Markov-in-levels
/// shortcut), not on the whole coarser signal.
pub const MARKOV_SHORTCUT: Control = Control::mutation(
    "markov_shortcut",
    "each level's details conditioned on the previous level's details only, not on all of x^r",
);
/// The Monte Carlo draws x from q instead of p.
pub const SAMPLES_FROM_Q: Control = Control::mutation(
    "samples_from_q",
    "the Monte Carlo draws x from q instead of p (the wrong law sampled)",
);

/// The conditioning set of level r's details: all of x^r (the chain rule), or under the
/// shortcut only w^r (x^0 at r = 0).
fn conditioning_set(hier: &Hierarchy, r: usize, shortcut: bool) -> Result<Vec<usize>, Error> {
    Ok(if shortcut && r > 0 {
        hier.detail_indices(r)?.collect()
    } else {
        (0..hier.coarse_dim(r)).collect()
    })
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
    shortcut: bool,
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
            let u = conditioning_set(hier, r, shortcut)?;
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

fn chain_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let runs = realisations(ctx, |rng| {
        let (hier, pg, q) = perturbed_pair(p, rng)?;
        if pg.components() > 1 {
            return mixture_chain_pairs(
                &hier,
                &pg,
                &q,
                v.is(DROP_DETAILS),
                v.is(MARKOV_SHORTCUT),
                rng,
            );
        }
        let full = kl_gaussian(pg.mean_of(0), pg.cov_of(0), q.mean_of(0), q.cov_of(0))?;
        // KL of x^0, then the expected KL of each level's detail given the coarser signal
        let head = vec![0usize];
        let p0 = pg.marginal(&head)?;
        let q0 = q.marginal(&head)?;
        let mut chain = kl_gaussian(p0.mean_of(0), p0.cov_of(0), q0.mean_of(0), q0.cov_of(0))?;
        let mut pairs = Vec::new();
        for r in 0..hier.levels() {
            let u = conditioning_set(&hier, r, v.is(MARKOV_SHORTCUT))?;
            let w: Vec<usize> = hier.detail_indices(r + 1)?.collect();
            let pc = pg.conditioner(&u, &w)?;
            let qc = q.conditioner(&u, &w)?;
            let (a1, b1) = pc.affine_mean(0);
            let (a2, b2) = qc.affine_mean(0);
            let pu = pg.marginal(&u)?;
            let term = crate::prob::expected_conditional_kl_gaussian(
                (&a1, &b1, pc.schur(0)),
                (&a2, &b2, qc.schur(0)),
                &pu.mean_of(0).to_owned(),
                pu.cov_of(0).matrix(),
            )?;
            if !v.is(DROP_DETAILS) {
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
            let law = if v.is(SAMPLES_FROM_Q) { &q } else { &pg };
            let (z, _) = law.sample(chunk, rng);
            let zu = z.select(Axis(1), &u);
            let full = pg.log_density(z.view())? - q.log_density(z.view())?;
            let coarse = pu.log_density(zu.view())? - qu.log_density(zu.view())?;
            Ok((coarse - full).to_vec())
        },
    )?;
    let sign = if v.is(REVERSED) { -1.0 } else { 1.0 };
    Ok(Evidence::Mean {
        samples: parts.into_iter().flatten().map(|z| sign * z).collect(),
        target: Target::AtMost(0.0),
        support: Support::Unbounded,
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "multiscale.kl_chain",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "KL(p(x^R) || q(x^R)) = KL(p(x^0) || q(x^0)) + sum_r E_p KL(p(w^{r+1} | x^r) || q(w^{r+1} | x^r)), and KL at any coarser level is at most that",
        source: "KL chain rule over the Haar bijection x^R <-> (x^0, w^1..w^R); data processing",
        replicates: 2,
        grid: chain_grid,
        check: chain_check,
        controls: &[DROP_DETAILS, MARKOV_SHORTCUT],
    },
    Entry {
        id: "multiscale.kl_chain.mixture",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "mixtures: KL(p(x^r) || q(x^r)) <= KL(p(x^R) || q(x^R)) for every r, by Monte Carlo of the log-density ratios",
        source: "data processing inequality (the chain rule's terms are non-negative)",
        replicates: 20000,
        grid: mixture_dp_grid,
        check: mixture_dp_check,
        controls: &[REVERSED, SAMPLES_FROM_Q],
    },
];
