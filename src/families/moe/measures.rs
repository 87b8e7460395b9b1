//! What the moe family measures for experiments.
use crate::experiment::{Measure, Metrics, Replicate};
use crate::moe::{
    check_prior, routing_scores, EpsNetErm, ExpertNet, MirrorAveraging, MoeOptions, Srm,
    SwitchingSpec,
};
use crate::params::Params;
use crate::Error;

pub static MEASURES: &[Measure] = &[
    Measure {
        name: "moe.routing",
        description: "switching Lorenz63, gated mixture of K affine experts fitted by EM: NMI between the routed expert and the generating regime on a test trajectory, with the routing regulariser lambda and without it (same data and initialisation), the one-step MSEs, and the objective gap (EM started at the true regimes minus EM from random blocks, per observation)",
        metrics: &["nmi", "nmi_unregularised", "nmi_gain", "mse", "mse_unregularised", "objective_gap"],
        indicators: &[],
        prepare: routing,
        closed_form: None,
    },
    Measure {
        name: "moe.srm",
        description: "penalised selection over nets of p = 1..pmax parameter experts: chosen p (and indicators chose_pK of choosing K = 1..4, whose means are the fractions of runs), its exact risk and excess over the best class, the oracle bound and its allowance over the best",
        metrics: &[
            "chosen_p", "risk", "oracle_bound", "best", "excess", "allowance", "chose_p1",
            "chose_p2", "chose_p3", "chose_p4",
        ],
        indicators: &["chose_p1", "chose_p2", "chose_p3", "chose_p4"],
        prepare: srm,
        closed_form: None,
    },
    Measure {
        name: "moe.ewa",
        description: "mirror averaging over the lattice eps-net of the polynomial experts (temperature beta = 2c (Y + B)^2): exact excess over inf R, the bound of moe.ewa.mirror_averaging as an excess over inf R, its generic form L eps + beta p log(1 + 2B/eps) / n, the tightness excess / generic bound, the net's approximation error min over members of R - inf R, and the bound's allowance L eps for it",
        metrics: &[
            "excess", "oracle_bound", "generic_bound", "tightness", "net_size", "approximation",
            "lipschitz_term",
        ],
        indicators: &[],
        prepare: ewa,
        closed_form: Some(ewa_closed),
    },
    Measure {
        name: "moe.epsnet",
        description: "ERM over the lattice eps-net of the polynomial experts' ball: exact excess risk and the bound of moe.erm.epsnet",
        metrics: &["excess", "bound"],
        indicators: &[],
        prepare: epsnet,
        closed_form: Some(epsnet_closed),
    },
];

/// One replicate: fresh train/test trajectories, the mixture fitted with lambda and without
/// the regulariser from the same initialisation; NMI of each on the test trajectory.
fn routing(p: &Params) -> Result<Replicate, Error> {
    let spec = SwitchingSpec::from_params(p)?;
    let opts = MoeOptions::from_params(p)?;
    Ok(Box::new(move |rng, _common| {
        // at lambda = 0 the unregularised fit is the fit itself (same data and initialisation)
        let lambdas: &[f64] = if opts.lambda == 0.0 {
            &[0.0]
        } else {
            &[opts.lambda, 0.0]
        };
        let s = routing_scores(&spec, &opts, lambdas, true, rng)?;
        let base = &s[s.len() - 1];
        Ok(vec![
            ("nmi".into(), s[0].nmi),
            ("nmi_unregularised".into(), base.nmi),
            ("nmi_gain".into(), s[0].nmi - base.nmi),
            ("mse".into(), s[0].mse),
            ("mse_unregularised".into(), base.mse),
            ("objective_gap".into(), s[0].objective_gap),
        ])
    }))
}

fn srm(p: &Params) -> Result<Replicate, Error> {
    let srm = Srm::new(p)?;
    Ok(Box::new(move |rng, _common| {
        let o = srm.select(rng);
        let mut m: Metrics = vec![
            ("chosen_p".into(), o.chosen_p as f64),
            ("risk".into(), o.risk),
            ("oracle_bound".into(), o.oracle_bound),
            ("best".into(), o.best),
            ("excess".into(), o.risk - o.best),
            ("allowance".into(), o.oracle_bound - o.best),
        ];
        // 1 when K was chosen; NaN (left out of the summary) for K beyond the largest class
        for k in 1..=4 {
            let v = if k <= srm.classes() {
                (o.chosen_p == k) as u8 as f64
            } else {
                f64::NAN
            };
            m.push((format!("chose_p{k}"), v));
        }
        Ok(m)
    }))
}

fn ewa(p: &Params) -> Result<Replicate, Error> {
    check_prior(p.str_or("prior", "uniform")?)?;
    let ma = MirrorAveraging::new(p)?;
    Ok(Box::new(move |rng, _common| {
        let excess = ma.risk(rng) - ma.net.best;
        Ok(vec![
            ("excess".into(), excess),
            ("tightness".into(), excess / ma.generic_bound),
            ("oracle_bound".into(), ma.oracle - ma.net.best),
            ("generic_bound".into(), ma.generic_bound),
            ("net_size".into(), ma.net.net.nrows() as f64),
            // the net's own approximation error: min over members of R - inf over the ball
            ("approximation".into(), ma.net.best_member - ma.net.best),
            // the bound's allowance for it, L eps
            (
                "lipschitz_term".into(),
                ma.net.experts.lipschitz(ma.net.b) * ma.net.eps,
            ),
        ])
    }))
}

/// The generic bound and the allowance L eps, from the parameters alone.
fn ewa_closed(p: &Params) -> Result<Metrics, Error> {
    let (experts, b, eps) = ExpertNet::experts_from_params(p)?;
    Ok(vec![
        (
            "generic_bound".into(),
            MirrorAveraging::generic_bound_of(p)?,
        ),
        ("lipschitz_term".into(), experts.lipschitz(b) * eps),
    ])
}

fn epsnet_closed(p: &Params) -> Result<Metrics, Error> {
    Ok(vec![("bound".into(), EpsNetErm::bound_of(p)?)])
}

fn epsnet(p: &Params) -> Result<Replicate, Error> {
    let erm = EpsNetErm::new(p)?;
    Ok(Box::new(move |rng, _common| {
        Ok(vec![
            ("excess".into(), erm.excess(rng)),
            ("bound".into(), erm.bound),
        ])
    }))
}
