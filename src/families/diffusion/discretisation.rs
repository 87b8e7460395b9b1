//! Family `diffusion`, topic `discretisation`: each sampler's order, read off the exact KL of
//! its output against the number of noise levels (theory/diffusion.md section 2).
use super::*;
use crate::bounds::{Control, Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
use crate::params::Params;

pub const ORDER_TWO_FOR_ALL: Control = Control::new(
    "order_two_for_all",
    "every sampler claimed of order 2 (KL slope -4 +- 1/2)",
);

/// The numbers of noise levels the slope is fitted over.
const LEVELS: [usize; 3] = [32, 64, 128];

/// Every sampler at condition numbers 1 and 100 (d = 4). kappa = 1000 is left out: there the
/// final Euler step's fixed error is as large as the discretisation error at these N and of
/// opposite sign, and the measured slope (Heun: -4.77) is not the order (theory section 2).
fn grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for sampler in Sampler::NAMES {
        for kappa in [1.0, 100.0] {
            out.push(
                Params::new()
                    .with("sampler", *sampler)
                    .with("d", 4usize)
                    .with("kappa", kappa),
            );
        }
    }
    out
}

fn rates_check(p: &Params, v: Variant, _ctx: &Ctx) -> Result<Evidence, Error> {
    let sampler = Sampler::from_name(p.str("sampler")?)?;
    let d = p.usize_at_least("d", 1)?;
    let kappa = p.positive("kappa")?;
    let target = gaussian_target(d, kappa)?;
    let fault = sampler_fault(v);
    let order = if v.is(ORDER_TWO_FOR_ALL) {
        2.0
    } else {
        sampler.order() as f64
    };
    let kl: Vec<f64> = LEVELS
        .iter()
        .map(|&n| {
            exact_kl(
                sampler,
                fault,
                &SigmaGrid::karras(n, SIGMA_MIN, SIGMA_MAX, RHO)?,
                &target,
            )
        })
        .collect::<Result<_, _>>()?;
    // exact values: no standard errors, the slope is the least-squares line's
    Ok(Evidence::Slope {
        x: LEVELS.iter().map(|&n| n as f64).collect(),
        mean: kl,
        se: vec![0.0; LEVELS.len()],
        replicates: 1,
        lo: -2.0 * order - 0.5,
        hi: -2.0 * order + 0.5,
    })
}

pub static ENTRIES: &[Entry] = &[Entry {
    id: "diffusion.discretisation.rates",
    kind: Kind::Scaling,
    status: Status::Claim,
    statement: "VE sampling of a Gaussian target (d = 4, condition number 1 or 100) on Karras's grid with N levels, started from the exact law at sigma_max: the exact KL of the output falls as N^{-2p}, p the sampler's order (Euler 1, Heun 2, Euler-Maruyama 1, DPM-Solver++(2M) 2, the SDE's exponential integrator 1): the log-log slope over N = 32, 64, 128 lies within 1/2 of -2p",
    source: "grid and Heun's method with an Euler last step: Karras, Aittala, Aila, Laine (NeurIPS 2022, arXiv 2206.00364), read through public implementations and a reading note; DPM-Solver++(2M): Lu, Zhou, Bao, Chen, Li, Zhu (arXiv 2211.01095), its VE form read through public implementations; the exponential integrator: derived (theory/diffusion.md section 2), the step of Ho, Jain, Abbeel's ancestral sampler (arXiv 2006.11239) in VE form; the orders: derived (theory/diffusion.md section 2)",
    replicates: 1,
    grid,
    check: rates_check,
    controls: &[
        HEUN_OLD_LEVEL.only_where(is_heun),
        NOISE_SCALED_BY_STEP.only_where(is_sde),
        DPM_STALE_MEMORY.only_where(is_dpm),
        EI_ODE_DECAY.only_where(is_ei),
        ORDER_TWO_FOR_ALL,
    ],
}];
