//! Family `score`, topic `lsi_kl`: a log-Sobolev inequality for q turns a score error into a
//! KL bound, KL(p || q) <= (C_LS(q) / 2) E_p ||grad log p - grad log q||^2 (theory/score.md
//! section 7); for Gaussians both sides are closed forms.
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Status, Variant};
use crate::linalg::Spd;
use ndarray::{Array1, ArrayView1};

/// The relative Fisher information taken under q instead of p.
pub const FISHER_UNDER_Q: Control = Control::mutation(
    "fisher_under_q",
    "the score error E ||grad log p - grad log q||^2 averaged under q instead of p",
);

fn grid(s: Scale) -> Vec<Params> {
    let mut out: Vec<Params> = ["translation", "wider", "narrower", "d3"]
        .iter()
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
            return Err(crate::params::unknown_choice(
                "pair",
                other,
                &["translation", "wider", "narrower", "d3", "d8"],
            )
            .into())
        }
    })
}

/// E_r ||A x + b||^2 for x ~ N(m, S): tr(A S A^T) + |A m + b|^2.
fn quadratic_mean(a: &Array2<f64>, b: ArrayView1<f64>, m: ArrayView1<f64>, s: &Array2<f64>) -> f64 {
    let tr = a.dot(s).dot(&a.t()).diag().sum();
    let v = a.dot(&m) + &b;
    tr + v.dot(&v)
}

fn check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let (mp, sp, mq, sq) = pair(p.str("pair")?)?;
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

pub static ENTRIES: &[Entry] = &[Entry {
    id: "score.lsi_kl",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "for Gaussians p, q: KL(p || q) <= (C_LS(q) / 2) E_p ||grad log p - grad log q||^2 with C_LS(q) = lambda_max(Sigma_q), both sides in closed form (equality for translates with covariance sigma^2 I)",
    source: "derived from q's log-Sobolev inequality with f^2 = p / q (theory/score.md section 7); C_LS of a Gaussian: Bakry, Gentil, Ledoux 2014 via ../shared/REFERENCES.md",
    replicates: 1,
    grid,
    check,
    controls: &[FISHER_UNDER_Q],
}];
