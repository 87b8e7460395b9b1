//! What the moe family draws from a config's parameters.
use crate::experiment::{Drawing, Picture};
use crate::moe::{routing_scores, MoeOptions, SwitchingSpec};
use crate::params::Params;
use crate::plot::Heatmap;
use crate::stats::{contingency, nmi_of_table};
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
                // the title's NMI is that of the counts drawn (rows normalised for display):
                // one test run, not the mean over runs of the NMI figure
                (
                    format!("λ = {}: NMI {:.2}", s.lambda, nmi_of_table(&n)),
                    rows,
                )
            })
            .collect();
        Heatmap {
            title: title.into(),
            xlabel: "routed expert".into(),
            ylabel: "regime (forcing)".into(),
            panels,
            // regimes named by their forcing along y, as the data figure names them
            row_names: crate::dynamics::Lorenz63::switching_family(spec.k, spec.forcing)
                .iter()
                .map(|s| crate::plot::fmt_tick(s.forcing[1]))
                .collect(),
        }
        .save(stem)
    }))
}
