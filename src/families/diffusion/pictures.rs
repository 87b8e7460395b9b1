//! What the diffusion family draws from a config's parameters.
use super::*;
use crate::diffusion::reconstruct::{posterior_mean, Reconstructor};
use crate::experiment::{Drawing, Picture};
use crate::plot::Pyramid;

pub static PICTURES: &[Picture] = &[Picture {
    name: "reconstructions",
    description: "one reconstruction of x_t from its coarse version x_t^{r0} and the previous state, on the 1-D (L levels) and the 2-D (L2d levels) mixture: the truth, what is observed, an IR sample, a one-shot sample (Euler-Maruyama with `levels` noise levels per run, exact conditional scores) and the exact posterior mean",
    prepare: reconstructions,
}];

/// The panels' captions, in order.
const CAPTIONS: [&str; 5] = [
    "truth",
    "observed (coarse)",
    "IR sample",
    "one-shot sample",
    "posterior mean",
];

fn reconstructions(p: &Params) -> Result<Drawing, Error> {
    let mut specs = Vec::new();
    for (geom, levels, r0_name) in [
        ("1d", p.usize_at_least("L", 1)?, "r0"),
        ("2d", p.usize_at_least("L2d", 1)?, "r0_2d"),
    ] {
        let q = p.clone().with("geom", geom).with("L", levels);
        let spec = ModelSpec::from_params(&q)?;
        let r0 = spec.level_below_l(p, r0_name, 2)?;
        specs.push((geom, spec, r0));
    }
    let grid = grid_from_params(p)?;
    let params = p.clone();
    Ok(Box::new(move |seed, title, stem| {
        let mut out = Pyramid::new(title);
        for (geom, spec, r0) in &specs {
            let (hier, g, dynm) = spec.build_seeded(&params)?;
            let model = IrModel::new(hier.clone(), &g, &dynm)?;
            let (z, _) = model.joint.sample(1, &mut crate::mc::stream(seed, 1, 0));
            let z = z.row(0);
            let d = model.dim();
            let rc = Reconstructor {
                sampler: Sampler::EulerMaruyama,
                grid: grid.clone(),
                seed,
                stream: 2,
            };
            let truth = z.slice(ndarray::s![d..]).to_owned();
            let mut observed = truth.clone();
            observed
                .slice_mut(ndarray::s![hier.coarse_dim(*r0)..])
                .fill(0.0);
            let panels = [
                truth,
                observed,
                rc.ir(&model, z, *r0)?,
                rc.one_shot(&model, z, *r0)?,
                posterior_mean(&model, z, *r0)?,
            ];
            for c in panels.iter() {
                let x = hier.inverse(c.as_slice().expect("a contiguous vector"));
                if *geom == "1d" {
                    out.signals.push(x);
                } else {
                    out.fields.push(x);
                }
            }
        }
        out.signal_captions = CAPTIONS.iter().map(|s| s.to_string()).collect();
        out.field_captions = out.signal_captions.clone();
        out.save(stem)
    }))
}
