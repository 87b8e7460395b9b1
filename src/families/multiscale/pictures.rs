//! What the multiscale family draws from a config's parameters.
use crate::experiment::{Drawing, Picture};
use crate::multiscale::ModelSpec;
use crate::params::Params;
use crate::plot::Pyramid;
use crate::Error;

pub static PICTURES: &[Picture] = &[Picture {
    name: "levels",
    description: "one sample of the 1-D (L levels) and the 2-D (L2d levels) mixture, projected to every level",
    prepare: pyramid,
}];

/// The sample-pyramid figure: one sample of each geometry's mixture at every level.
fn pyramid(p: &Params) -> Result<Drawing, Error> {
    let mut specs = Vec::new();
    for (geom, levels) in [
        ("1d", p.usize_at_least("L", 1)?),
        ("2d", p.usize_at_least("L2d", 1)?),
    ] {
        let mut q = p.clone().with("geom", geom).with("L", levels);
        if geom == "2d" {
            // a 2-D level has 4x the coefficients of a 1-D one: a steeper exponent keeps
            // the field's energy concentrated at coarse scales
            q.set("alpha", p.f64_or("alpha2d", p.f64_or("alpha", 1.0)?)?);
        }
        specs.push((geom, ModelSpec::from_params(&q)?));
    }
    Ok(Box::new(move |seed, title, stem| {
        let mut out = Pyramid::new(title);
        for (geom, spec) in &specs {
            let mut rng = crate::mc::stream(seed, 0, 0);
            let (hier, g, _) = spec.build(&mut rng)?;
            let (x, _) = g.sample(1, &mut rng);
            for r in 0..=hier.levels() {
                let v = hier.project(x.row(0), r)?.to_vec();
                if *geom == "1d" {
                    out.signals.push(v);
                } else {
                    out.fields.push(v);
                }
            }
        }
        out.save(stem)
    }))
}
