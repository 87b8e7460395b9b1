//! Family `assimilation`, topic `enkf`: the ensemble Kalman analyses against the Kalman
//! analysis (theory/assimilation.md sections 2 and 3).
use super::*;
use crate::assimilation::{
    enkf_perturbed, ensemble_with_moments, etkf, EnkfFault, Ensemble, EtkfFault, RotationFault,
};
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Variant};

/// The ETKF's transform without its square root.
pub const SQUARE_ROOT_DROPPED: Control = Control::mutation(
    "square_root_dropped",
    "the ETKF's transform T = sqrt(N - 1) C^{-1/2} written (N - 1) C^{-1}: the analysis anomalies shrink by the square root's square",
);

/// The stochastic EnKF's observations not perturbed.
pub const OBSERVATIONS_UNPERTURBED: Control = Control::mutation(
    "observations_unperturbed",
    "the stochastic EnKF's members all assimilate the same observation y instead of y - d_i, d_i ~ N(0, R): the analysis spread collapses to (I - KH) P (I - KH)^T, missing K R K^T",
);

fn exact_grid(s: Scale) -> Vec<Params> {
    let cases: &[(usize, usize, usize)] = match s {
        Scale::Quick => &[(2, 1, 3), (5, 3, 8), (5, 3, 40)],
        Scale::Full => &[
            (2, 1, 3),
            (5, 3, 8),
            (5, 3, 40),
            (20, 10, 21),
            (20, 10, 100),
        ],
    };
    cases
        .iter()
        .map(|&(d, m, n)| Params::new().with("d", d).with("m", m).with("N", n))
        .collect()
}

/// The ensemble with the prior's exact moments and a draw of y from the problem's marginal.
fn setup(p: &Params, ctx: &Ctx) -> Result<(Problem, Ensemble, Array1<f64>, crate::mc::Rng), Error> {
    let (d, m) = dims(p)?;
    let n = p.usize_at_least("N", 2)?;
    let pr = problem(d, m, ctx.seed)?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let e = ensemble_with_moments(&pr.m0, &pr.l, n, &mut rng)?;
    let x = &pr.m0
        + &pr.l.dot(&Array1::from_shape_fn(d, |_| {
            <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
        }));
    let y = pr.obs.observe(&x, &mut rng);
    Ok((pr, e, y, rng))
}

fn check_etkf(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let (pr, e, y, _) = setup(p, ctx)?;
    let (ma, pa) = kalman_analysis(&pr.m0, &pr.p, &pr.obs, &y)?;
    let fault = if v.is(SQUARE_ROOT_DROPPED) {
        EtkfFault::SquareRootDropped
    } else {
        EtkfFault::None
    };
    let out = etkf(&e, &pr.obs, &y, fault)?;
    let scale = pa.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let pairs = (out.mean() - &ma)
        .iter()
        .map(|v| {
            (
                v.abs(),
                1e-9 * (1.0 + ma.iter().fold(0.0f64, |a, w| a.max(w.abs()))),
            )
        })
        .chain(
            (out.covariance() - &pa)
                .iter()
                .map(|v| (v.abs(), 1e-9 * scale))
                .collect::<Vec<_>>(),
        )
        .collect::<Vec<_>>();
    Ok(Evidence::worst_exact(pairs))
}

/// The rotation that turns the ones vector too.
pub const NOT_MEAN_PRESERVING: Control = Control::mutation(
    "not_mean_preserving",
    "the ETKF's random rotation drawn uniformly from all N x N orthogonal matrices instead of those that fix the ones vector: the ensemble mean moves",
);

fn rotation_grid(_s: Scale) -> Vec<Params> {
    [(3usize, 2usize), (10, 5), (40, 20)]
        .iter()
        .map(|&(n, d)| Params::new().with("N", n).with("d", d))
        .collect()
}

/// The rotation keeps the ensemble's mean and covariance (an exact claim) and moves its
/// members (a premise: a rotation that did nothing would pass the claim vacuously).
fn check_rotation(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let n = p.usize_at_least("N", 2)?;
    let d = p.usize_at_least("d", 1)?;
    let pr = problem(d, d, ctx.seed)?;
    let mut rng = crate::mc::stream(ctx.seed, ctx.cell, 0);
    let mut e = ensemble_with_moments(&pr.m0, &pr.l, n.max(d + 1), &mut rng)?;
    let before = e.clone();
    let fault = if v.is(NOT_MEAN_PRESERVING) {
        RotationFault::NotMeanPreserving
    } else {
        RotationFault::None
    };
    e.rotate_with(fault, &mut rng)?;
    let scale = pr.p.iter().fold(1.0f64, |a, v| a.max(v.abs()));
    let pairs: Vec<(f64, f64)> = (e.mean() - before.mean())
        .iter()
        .chain((e.covariance() - before.covariance()).iter())
        .map(|v| (v.abs(), 1e-10 * scale))
        .collect();
    let moved = (e.members() - before.members())
        .iter()
        .fold(0.0f64, |a, v| a.max(v.abs()));
    Ok(
        Evidence::worst_exact(pairs).with_premises(vec![crate::bounds::Premise {
            name: "the rotation moves the members (largest change at least 1e-3)",
            lhs: 1e-3,
            rhs: moved,
        }]),
    )
}

/// The band: the mean ratio of the analysis spread tr P_a^ens / tr P_a within 0.02 of 1.
const MARGIN: f64 = 0.02;

fn stochastic_grid(s: Scale) -> Vec<Params> {
    let cases: &[(usize, usize, usize)] = match s {
        Scale::Quick => &[(2, 1, 5), (5, 3, 10)],
        Scale::Full => &[(2, 1, 5), (5, 3, 10), (5, 3, 40), (20, 10, 30)],
    };
    cases
        .iter()
        .map(|&(d, m, n)| Params::new().with("d", d).with("m", m).with("N", n))
        .collect()
}

fn check_stochastic(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let (pr, e, y, _) = setup(p, ctx)?;
    let (_, pa) = kalman_analysis(&pr.m0, &pr.p, &pr.obs, &y)?;
    let tr = pa.diag().sum();
    let unperturbed = v.is(OBSERVATIONS_UNPERTURBED);
    let samples = ctx.replicate("perturbed_covariance", |_, rng| -> Result<f64, Error> {
        let fault = if unperturbed {
            EnkfFault::Unperturbed
        } else {
            EnkfFault::None
        };
        let out = enkf_perturbed(&e, &pr.obs, &y, fault, rng)?;
        Ok(out.covariance().diag().sum() / tr)
    })?;
    Ok(ratio_near_one(samples, MARGIN))
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "assimilation.enkf.gaussian_limit",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "the ETKF (symmetric square root) analysis of an ensemble of N >= d + 1 members whose sample mean and covariance are the prior's m and P, by y = H x + e, e ~ N(0, R), has the Kalman analysis's mean and covariance: every entry within 1e-9 of the largest (plus 1 for the mean)",
        source: "derived in theory/assimilation.md section 2 (Bishop, Etherton & Majumdar 2001; Sakov & Oke 2008's symmetric form; DAPPER's EnKF_analysis 'Sqrt', read here)",
        replicates: 1,
        grid: exact_grid,
        check: check_etkf,
        controls: &[SQUARE_ROOT_DROPPED],
    },
    Entry {
        id: "assimilation.enkf.perturbed_covariance",
        kind: Kind::Expectation,
        status: Status::Claim,
        statement: "the stochastic EnKF (perturbed observations, centred over the members) from an ensemble with the prior's exact moments: the expected trace of its analysis covariance is the Kalman analysis's, E tr P_a^ens / tr P_a within 0.02 of 1",
        source: "derived in theory/assimilation.md section 3 (Burgers, van Leeuwen & Evensen 1998: without perturbations the analysis covariance is too small; recalled, not read here)",
        replicates: 400,
        grid: stochastic_grid,
        check: check_stochastic,
        controls: &[OBSERVATIONS_UNPERTURBED],
    },
    Entry {
        id: "assimilation.enkf.rotation",
        kind: Kind::Exact,
        status: Status::Claim,
        statement: "the ETKF's random rotation X -> mean + Q A, Q = 1 1^T / N + V W^T with V, W independent uniform orthonormal bases of the complement of the ones vector, keeps the ensemble's mean and covariance: every entry within 1e-10 of the prior covariance's largest entry (premise: it moves the members by at least 1e-3)",
        source: "derived in theory/assimilation.md section 2b (Q 1 = Q^T 1 = 1 and Q^T Q = I); DAPPER's genOG_1 and post_process (read here) apply such a rotation after the analysis",
        replicates: 1,
        grid: rotation_grid,
        check: check_rotation,
        controls: &[NOT_MEAN_PRESERVING],
    },
];
