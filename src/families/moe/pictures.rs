//! What the moe family draws from a config's parameters.
use crate::experiment::{Drawing, Picture};
use crate::moe::{routing_scores, MoeOptions, SwitchingSpec};
use crate::params::Params;
use crate::plot::Heatmap;
use crate::stats::contingency;
use crate::Error;

pub static PICTURES: &[Picture] = &[Picture {
    name: "confusion",
    description: "row-normalised confusion matrices (generating regime x routed expert) of one test trajectory, without the regulariser and at lambda_shown",
    prepare: confusion,
}];

fn confusion(p: &Params) -> Result<Drawing, Error> {
    let spec = SwitchingSpec::from_params(p)?;
    let opts = MoeOptions::from_params(p)?;
    let lambda = p.f64_or("lambda_shown", 2.0)?;
    Ok(Box::new(move |seed, title, stem| {
        let mut rng = crate::mc::stream(seed, 0, 0);
        let scores = routing_scores(&spec, &opts, &[0.0, lambda], false, &mut rng)?;
        let panels = scores
            .iter()
            .map(|s| {
                let n = contingency(&s.regime, &s.routed, spec.k, opts.k);
                let rows: Vec<Vec<f64>> = n
                    .iter()
                    .map(|r| {
                        let tot = r.iter().sum::<u64>().max(1) as f64;
                        r.iter().map(|&c| c as f64 / tot).collect()
                    })
                    .collect();
                (format!("λ = {}  (NMI {:.2})", s.lambda, s.nmi), rows)
            })
            .collect();
        Heatmap {
            title: title.into(),
            xlabel: "routed expert".into(),
            ylabel: "generating regime".into(),
            panels,
        }
        .save(stem)
    }))
}
