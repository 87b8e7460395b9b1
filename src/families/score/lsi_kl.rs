//! Family `score`, topic `lsi_kl`: a log-Sobolev inequality for q turns a score error into a
//! KL bound, KL(p || q) <= (C_LS(q) / 2) E_p ||grad log p - grad log q||^2 (theory/score.md
//! section 7); for Gaussians both sides are closed forms; for two-component mixtures on the line
//! both sides are Gauss-Hermite quadratures and C_LS(q) is the isoperimetry family's upper end
//! (theory/isoperimetry.md section 16).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::linalg::Spd;
use ndarray::{Array1, ArrayView1};

/// The relative Fisher information taken under q instead of p.
pub const FISHER_UNDER_Q: Control = Control::mutation(
    "fisher_under_q",
    "the score error E ||grad log p - grad log q||^2 averaged under q instead of p",
);

/// The mixture's log-Sobolev constant taken as its components' own.
pub const COMPONENT_CONSTANT: Control = Control::mutation(
    "component_constant",
    "C_LS(q) of a mixture q taken as its components' constant max_k lambda_max(Sigma_k) (the label's entropy and the between-mode variance ignored)",
);

/// The mixture pairs (p, q) on the line.
const MIXTURE_PAIRS: &[&str] = &[
    "mix_reweighted",
    "mix_reweighted_far",
    "mix_shifted",
    "mix_narrower",
];

fn grid(s: Scale) -> Vec<Params> {
    let mut out: Vec<Params> = ["translation", "wider", "narrower", "d3"]
        .iter()
        .chain(MIXTURE_PAIRS)
        .map(|c| Params::new().with("pair", *c))
        .collect();
    if s == Scale::Full {
        out.push(Params::new().with("pair", "d8"));
    }
    out
}

/// (mu_p, Sigma_p, mu_q, Sigma_q) of a named pair; `d3`, `d8`: correlated covariances of
/// different shapes and means apart.
fn pair(name: &str) -> Result<(Array1<f64>, Array2<f64>, Array1<f64>, Array2<f64>), Error> {
    let corr = |d: usize, r: f64, scale: f64| {
        Array2::from_shape_fn((d, d), |(i, j)| scale * r.powi((i as i32 - j as i32).abs()))
    };
    Ok(match name {
        "translation" => (array![1.0], array![[1.0]], array![0.0], array![[1.0]]),
        "wider" => (array![0.0], array![[4.0]], array![0.0], array![[1.0]]),
        "narrower" => (array![0.5], array![[0.25]], array![0.0], array![[1.0]]),
        "d3" | "d8" => {
            let d = if name == "d3" { 3 } else { 8 };
            let mp = Array1::from_shape_fn(d, |i| 0.3 * i as f64);
            let mq = Array1::from_shape_fn(d, |i| if i % 2 == 0 { 0.5 } else { -0.2 });
            (mp, corr(d, 0.5, 1.5), mq, corr(d, -0.3, 0.8))
        }
        other => {
            let mut names = vec!["translation", "wider", "narrower", "d3", "d8"];
            names.extend(MIXTURE_PAIRS);
            return Err(crate::params::unknown_choice("pair", other, &names).into());
        }
    })
}

/// E_r ||A x + b||^2 for x ~ N(m, S): tr(A S A^T) + |A m + b|^2.
fn quadratic_mean(a: &Array2<f64>, b: ArrayView1<f64>, m: ArrayView1<f64>, s: &Array2<f64>) -> f64 {
    let tr = a.dot(s).dot(&a.t()).diag().sum();
    let v = a.dot(&m) + &b;
    tr + v.dot(&v)
}

/// (p, q) of a named mixture pair: q = 1/2 N(-m, 1) + 1/2 N(m, 1) and p the same modes
/// reweighted to 0.3 / 0.7 (m = 2, and m = 3: `_far`), shifted by 1/2, or narrowed to sd 0.7.
fn mixture_pair(name: &str) -> Result<(Gmm, Gmm), Error> {
    let two = |w: f64, m: f64, shift: f64, sd: f64| {
        Gmm::new(
            &[w, 1.0 - w],
            array![[shift - m], [shift + m]],
            vec![array![[sd * sd]], array![[sd * sd]]],
        )
    };
    let (p, m) = match name {
        "mix_reweighted" => (two(0.3, 2.0, 0.0, 1.0)?, 2.0),
        "mix_reweighted_far" => (two(0.3, 3.0, 0.0, 1.0)?, 3.0),
        "mix_shifted" => (two(0.5, 2.0, 0.5, 1.0)?, 2.0),
        "mix_narrower" => (two(0.5, 2.0, 0.0, 0.7)?, 2.0),
        _ => return Err(crate::params::unknown_choice("pair", name, MIXTURE_PAIRS).into()),
    };
    Ok((p, two(0.5, m, 0.0, 1.0)?))
}

/// KL(p || q) and E_r ||grad log p - grad log q||^2 (r = p, or q under the control) for
/// laws on the line, by the trapezoid rule with step sd_min / 40 over the means +- 14 sd: for
/// integrands analytic in a strip and decaying like a Gaussian its error falls like
/// exp(-2 pi width / step), far below rounding here. (Gauss-Hermite per component converges
/// slowly on the score difference, a bump between the modes: 1e-6 relative at 160 nodes; it is
/// the test's independent route, at 600 nodes.)
pub(crate) fn kl_and_fisher_1d(p: &Gmm, q: &Gmm, fisher_under: &Gmm) -> Result<(f64, f64), Error> {
    kl_and_fisher_steps(p, q, fisher_under, 40.0)
}

/// `kl_and_fisher_1d` with step sd_min / `per_sd`.
fn kl_and_fisher_steps(
    p: &Gmm,
    q: &Gmm,
    fisher_under: &Gmm,
    per_sd: f64,
) -> Result<(f64, f64), Error> {
    let laws = [p, q];
    let sd = |g: &Gmm, k: usize| g.cov_of(k).matrix()[[0, 0]].sqrt();
    let (mut lo, mut hi, mut sd_min) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY);
    for g in laws {
        for k in 0..g.components() {
            let (m, s) = (g.mean_of(k)[0], sd(g, k));
            lo = lo.min(m - 14.0 * s);
            hi = hi.max(m + 14.0 * s);
            sd_min = sd_min.min(s);
        }
    }
    let n = ((hi - lo) / (sd_min / per_sd)).ceil() as usize;
    let h = (hi - lo) / n as f64;
    let x = Array2::from_shape_fn((n + 1, 1), |(i, _)| lo + i as f64 * h);
    let (lp, sp) = p.log_density_and_score(x.view())?;
    let (lq, sq) = q.log_density_and_score(x.view())?;
    let lr = fisher_under.log_density(x.view())?;
    let (mut kl, mut fisher) = (0.0, 0.0);
    for i in 0..=n {
        let end = if i == 0 || i == n { 0.5 } else { 1.0 };
        kl += end * lp[i].exp() * (lp[i] - lq[i]);
        fisher += end * lr[i].exp() * (sp[[i, 0]] - sq[[i, 0]]).powi(2);
    }
    Ok((kl * h, fisher * h))
}

fn check_mixture(name: &str, v: Variant) -> Result<Evidence, Error> {
    let (p, q) = mixture_pair(name)?;
    let under = if v.is(FISHER_UNDER_Q) { &q } else { &p };
    let (kl, fisher) = kl_and_fisher_1d(&p, &q, under)?;
    let c_ls = if v.is(COMPONENT_CONSTANT) {
        crate::isoperimetry::gaussian_constant(q.cov_of(0).matrix().view())?.max(
            crate::isoperimetry::gaussian_constant(q.cov_of(1).matrix().view())?,
        )
    } else {
        crate::isoperimetry::line_lsi_upper(&q, 1e-8)?
    };
    Ok(Evidence::Exact {
        lhs: kl,
        rhs: 0.5 * c_ls * fisher,
    })
}

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let name = p.str("pair")?;
    if name.starts_with("mix_") {
        return check_mixture(name, v);
    }
    let (mp, sp, mq, sq) = pair(name)?;
    let (sp, sq) = (Spd::new(sp, "Sigma_p")?, Spd::new(sq, "Sigma_q")?);
    let kl = crate::prob::kl_gaussian(mp.view(), &sp, mq.view(), &sq)?;
    let (pp, pq) = (sp.inverse()?, sq.inverse()?);
    // grad log p - grad log q = A x + b, A = P_q - P_p, b = P_p mu_p - P_q mu_q
    let a = &pq - &pp;
    let b = pp.dot(&mp) - pq.dot(&mq);
    let fisher = if v.is(FISHER_UNDER_Q) {
        quadratic_mean(&a, b.view(), mq.view(), sq.matrix())
    } else {
        quadratic_mean(&a, b.view(), mp.view(), sp.matrix())
    };
    let c_ls = crate::isoperimetry::gaussian_constant(sq.matrix().view())?;
    Ok(Evidence::Exact {
        lhs: kl,
        rhs: 0.5 * c_ls * fisher,
    })
}

/// Draws of p per replicate of the Monte Carlo entry.
const MC_DRAWS: usize = 2000;

/// Mixture pairs in d dimensions: q = 1/2 N(-a/2, S) + 1/2 N(a/2, S), S with correlations
/// 0.5^|i-j|, a along S's top eigenvector scaled to Mahalanobis length `delta`; p the same
/// modes reweighted to 0.3 / 0.7, shifted by half a standard deviation along the first axis, or
/// with covariance S / 2.
fn mixture_pair_d(d: usize, delta: f64, kind: &str) -> Result<(Gmm, Gmm), Error> {
    let s = Array2::from_shape_fn((d, d), |(i, j)| 0.5f64.powi((i as i32 - j as i32).abs()));
    let (ev, vecs) = crate::linalg::eigh(s.view())?;
    // along the top eigenvector u: Mahalanobis length |a| / sqrt(lambda_max)
    let u = vecs.column(d - 1).to_owned();
    let a = &u * (delta * ev[d - 1].sqrt());
    let half = &a * 0.5;
    let means = |shift: f64| {
        let mut m = Array2::zeros((2, d));
        m.row_mut(0).assign(&(-&half));
        m.row_mut(1).assign(&half);
        m.column_mut(0).mapv_inplace(|v| v + shift);
        m
    };
    let q = Gmm::new(&[0.5, 0.5], means(0.0), vec![s.clone(), s.clone()])?;
    let p = match kind {
        "reweighted" => Gmm::new(&[0.3, 0.7], means(0.0), vec![s.clone(), s.clone()])?,
        "shifted" => Gmm::new(&[0.5, 0.5], means(0.5), vec![s.clone(), s.clone()])?,
        "narrower" => Gmm::new(&[0.5, 0.5], means(0.0), vec![&s * 0.5, &s * 0.5])?,
        other => {
            return Err(crate::params::unknown_choice(
                "p",
                other,
                &["reweighted", "shifted", "narrower"],
            )
            .into())
        }
    };
    Ok((p, q))
}

/// Per draw x ~ p: (log p(x) - log q(x), ||grad log p(x) - grad log q(x)||^2), averaged over
/// `n` draws.
fn kl_and_fisher_mc(
    p: &Gmm,
    q: &Gmm,
    n: usize,
    rng: &mut crate::mc::Rng,
) -> Result<(f64, f64), Error> {
    let (x, _) = p.sample(n, rng);
    let (lp, sp) = p.log_density_and_score(x.view())?;
    let (lq, sq) = q.log_density_and_score(x.view())?;
    let kl = (&lp - &lq).mean().unwrap_or(0.0);
    let diff = &sp - &sq;
    let fisher = diff.mapv(|v| v * v).sum() / n as f64;
    Ok((kl, fisher))
}

/// d = 3 (full: also 8), Mahalanobis separation 2 and 4, the three kinds of p.
fn mc_grid(s: Scale) -> Vec<Params> {
    let dims: &[usize] = match s {
        Scale::Quick => &[3],
        Scale::Full => &[3, 8],
    };
    let mut out = Vec::new();
    for &d in dims {
        for delta in [2.0, 4.0] {
            for kind in ["reweighted", "shifted", "narrower"] {
                out.push(
                    Params::new()
                        .with("d", d)
                        .with("delta", delta)
                        .with("p", kind),
                );
            }
        }
    }
    out
}

fn mc_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let d = p.usize_at_least("d", 1)?;
    let delta = p.positive("delta")?;
    let (pl, ql) = mixture_pair_d(d, delta, p.str("p")?)?;
    let c_ls = if v.is(COMPONENT_CONSTANT) {
        crate::isoperimetry::gaussian_constant(ql.cov_of(0).matrix().view())?
    } else {
        crate::isoperimetry::lsi_band(&ql, 1e-8)?.1.upper
    };
    let z = ctx.replicate("lsi_kl_mc", |_, rng| {
        let (kl, fisher) = kl_and_fisher_mc(&pl, &ql, MC_DRAWS, rng)?;
        Ok::<f64, Error>(kl - 0.5 * c_ls * fisher)
    })?;
    Ok(Evidence::Mean {
        samples: z,
        target: crate::stats::Target::AtMost(0.0),
        support: crate::bounds::Support::Gaussian {
            why: "each replicate is an average over 2000 independent draws of p",
        },
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.lsi_kl.mixtures",
    kind: Kind::Expectation,
    status: Status::Claim,
    statement: "KL(p || q) <= (C_LS(q) / 2) E_p ||grad log p - grad log q||^2 for two-mode Gaussian mixtures q in d dimensions (d = 3, full also 8; Mahalanobis separation 2 and 4; p reweighted, shifted or narrowed), C_LS(q) the isoperimetry family's log-Sobolev band's upper end, both sides by Monte Carlo under p (E_p[log p/q - (C/2)||score difference||^2] <= 0)",
    source: "derived from q's log-Sobolev inequality with f^2 = p / q (theory/score.md section 7); the band's upper end: theory/isoperimetry.md sections 16 to 18",
    replicates: 8,
    grid: mc_grid,
    check: mc_check,
    controls: &[COMPONENT_CONSTANT],
}, Entry {
    id: "score.lsi_kl",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "KL(p || q) <= (C_LS(q) / 2) E_p ||grad log p - grad log q||^2: for Gaussians with C_LS(q) = lambda_max(Sigma_q), both sides in closed form (equality for translates with covariance sigma^2 I); for two-mode mixtures on the line (modes reweighted, shifted, narrowed) with C_LS(q) the derived two-component upper end, both sides by quadrature",
    source: "derived from q's log-Sobolev inequality with f^2 = p / q (theory/score.md section 7); C_LS of a Gaussian: Bakry, Gentil, Ledoux 2014 via ../shared/REFERENCES.md; of a two-component mixture: derived, theory/isoperimetry.md section 16",
    replicates: 1,
    grid,
    check,
    controls: &[FISHER_UNDER_Q, COMPONENT_CONSTANT],
}];

#[cfg(test)]
mod tests {
    use super::*;

    /// The Monte Carlo route against quadrature: a pair on the line times a standard Gaussian
    /// in two more coordinates (shared by p and q) has the line's KL and Fisher divergence;
    /// 200000 draws land within 5 standard errors of the trapezoid values.
    #[test]
    fn monte_carlo_matches_quadrature_on_an_embedded_pair() {
        use rand::SeedableRng;
        for name in MIXTURE_PAIRS {
            let (p1, q1) = mixture_pair(name).unwrap();
            let (kl1, f1) = kl_and_fisher_1d(&p1, &q1, &p1).unwrap();
            let embed = |g: &Gmm| {
                let k = g.components();
                let mut means = Array2::zeros((k, 3));
                let mut covs = Vec::new();
                for j in 0..k {
                    means[[j, 0]] = g.mean_of(j)[0];
                    let mut c = Array2::eye(3);
                    c[[0, 0]] = g.cov_of(j).matrix()[[0, 0]];
                    covs.push(c);
                }
                Gmm::new(g.weights().as_slice().unwrap(), means, covs).unwrap()
            };
            let (p3, q3) = (embed(&p1), embed(&q1));
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            let n = 200_000;
            let (x, _) = p3.sample(n, &mut rng);
            let (lp, sp) = p3.log_density_and_score(x.view()).unwrap();
            let (lq, sq) = q3.log_density_and_score(x.view()).unwrap();
            let kl: Vec<f64> = (0..n).map(|i| lp[i] - lq[i]).collect();
            let fi: Vec<f64> = (0..n)
                .map(|i| (0..3).map(|j| (sp[[i, j]] - sq[[i, j]]).powi(2)).sum())
                .collect();
            for (vals, exact, what) in [(&kl, kl1, "KL"), (&fi, f1, "Fisher")] {
                let m = vals.iter().sum::<f64>() / n as f64;
                let var = vals.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64;
                let se = (var / n as f64).sqrt();
                assert!(
                    (m - exact).abs() <= 5.0 * se,
                    "{name} {what}: Monte Carlo {m} +- {se}, quadrature {exact}"
                );
            }
        }
    }

    /// The trapezoid rule's KL and Fisher divergence: stable under halving the step (to 1e-12),
    /// and against Gauss-Hermite per component at 600 nodes (an independent route: other
    /// nodes, expectations taken component by component). Gauss-Hermite converges slowly on
    /// the score difference, a sigmoid step between the modes that is sharpest for the narrow
    /// pair under q: there it is 2e-7 off at 600 nodes (1e-6 at 160), hence 1e-6 against it.
    #[test]
    fn mixture_quadrature_matches_gauss_hermite() {
        use crate::prob::quad::mixture_expectation_1d;
        for name in MIXTURE_PAIRS {
            let (p, q) = mixture_pair(name).unwrap();
            let (kl, fisher) = kl_and_fisher_1d(&p, &q, &p).unwrap();
            let diff = |x: ndarray::ArrayView2<f64>| {
                let (lp, sp) = p.log_density_and_score(x).unwrap();
                let (lq, sq) = q.log_density_and_score(x).unwrap();
                (&lp - &lq, (&sp - &sq).column(0).mapv(|d| d * d))
            };
            let k = mixture_expectation_1d(&p, 600, |x| Ok::<_, Error>(diff(x).0)).unwrap();
            let f = mixture_expectation_1d(&p, 600, |x| Ok::<_, Error>(diff(x).1)).unwrap();
            assert!((kl - k).abs() <= 1e-6 * k, "{name}: KL {kl} vs {k}");
            assert!(
                (fisher - f).abs() <= 1e-6 * f,
                "{name}: Fisher {fisher} vs {f}"
            );
            let (kl2, fisher2) = kl_and_fisher_steps(&p, &q, &p, 80.0).unwrap();
            assert!((kl - kl2).abs() <= 1e-12 * kl && (fisher - fisher2).abs() <= 1e-12 * fisher);
            // under q (the control's average) too
            let (_, fq) = kl_and_fisher_1d(&p, &q, &q).unwrap();
            let f = mixture_expectation_1d(&q, 600, |x| Ok::<_, Error>(diff(x).1)).unwrap();
            assert!(
                (fq - f).abs() <= 1e-6 * f,
                "{name}: Fisher under q {fq} vs {f}"
            );
        }
    }
}
