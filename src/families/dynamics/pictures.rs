//! What the dynamics family draws from a config's parameters.
use crate::dynamics::{integrate, simulate_switching, Lorenz63, SystemSpec, V3};
use crate::experiment::{Drawing, Picture};
use crate::params::Params;
use crate::plot::Scatter;
use crate::Error;

pub static PICTURES: &[Picture] = &[
    Picture {
        name: "attractor",
        description: "a system's attractor projected on (x, z), coloured by the phase atan2(y, x)",
        prepare: attractor,
    },
    Picture {
        name: "switching",
        description:
            "switching Lorenz63 with K forcings along y: x(t) coloured by the active regime",
        prepare: switching,
    },
];

fn attractor(p: &Params) -> Result<Drawing, Error> {
    let spec = SystemSpec::from_params(p)?;
    let t = p.positive_or("T", 200.0)?;
    let transient = p.f64_or("transient", 50.0)?;
    Ok(Box::new(move |_seed, title, stem| {
        let tr = integrate(spec.flow(), spec.initial_state(), t, 0.01, 1e-9, 1e-9)?;
        let skip = tr.t.iter().position(|&s| s >= transient).unwrap_or(0);
        let pts = &tr.x[skip..];
        Scatter {
            title: title.into(),
            xlabel: "x".into(),
            ylabel: "z".into(),
            x: pts.iter().map(|s| s[0]).collect(),
            y: pts.iter().map(|s| s[2]).collect(),
            c: pts.iter().map(|s| s[1].atan2(s[0])).collect(),
            categorical: false,
            category_label: String::new(),
            category_names: Vec::new(),
        }
        .save(stem)
    }))
}

fn switching(p: &Params) -> Result<Drawing, Error> {
    let k = p.usize_at_least("K", 1)?;
    let strength = p.f64_or("forcing", 20.0)?;
    let t = p.positive_or("T", 40.0)?;
    let dwell = p.positive_or("dwell", 5.0)?;
    let noise = p.f64_or("noise", 0.0)?;
    Ok(Box::new(move |seed, title, stem| {
        let systems = Lorenz63::switching_family(k, strength);
        let h = 0.005;
        let mut rng = crate::mc::stream(seed, 0, 0);
        let tr = simulate_switching(
            &systems,
            dwell,
            V3::new(1.0, 1.0, 20.0),
            h,
            (t / h) as usize,
            4,
            noise,
            &mut rng,
        )?;
        Scatter {
            title: title.into(),
            xlabel: "time t".into(),
            ylabel: "x(t)".into(),
            x: tr.t.clone(),
            y: tr.x.iter().map(|s| s[0]).collect(),
            c: tr.regime.iter().map(|&r| r as f64).collect(),
            categorical: true,
            category_label: "regime".into(),
            // regimes named by their forcing along y, as the text names them
            category_names: systems
                .iter()
                .map(|s| format!("forcing {}", crate::plot::fmt_tick(s.forcing[1])))
                .collect(),
        }
        .save(stem)
    }))
}
