//! What the assimilation family draws from a config's parameters.
use super::*;
use crate::experiment::{Drawing, Picture};
use crate::plot::{Chart, ChartKind, Series};

pub static PICTURES: &[Picture] = &[Picture {
    name: "rmse_series",
    description: "one twin experiment of a benchmark `setting` (and of a second one, `compare`, on the same truth and observations): the analysis RMSE at each observation time after the burn-in (a marker per observation time; `shown` of them), the ensemble spread where there is an ensemble, and the observation error's standard deviation as the reference line",
    prepare: rmse_series,
}];

fn rmse_series(p: &Params) -> Result<Drawing, Error> {
    let first = super::benchmark::setting(p.str("setting")?)?;
    let second = match p.has("compare") {
        true => Some(super::benchmark::setting(p.str("compare")?)?),
        false => None,
    };
    if let Some(s) = second {
        if s.system != first.system {
            return Err(crate::params::out_of_range(
                "compare",
                p.get("compare").expect("asked for"),
                &format!("a setting on the same system as `{}`", first.name),
            )
            .into());
        }
    }
    let t = super::benchmark::twin(first, p)?;
    let shown = p
        .usize_at_least_or("shown", 2, 100)?
        .min(t.cycles - t.burn_in);
    Ok(Box::new(move |seed, title, stem| {
        let mut rng = crate::mc::stream(seed, 0, 0);
        let (xs, ys) = t.truth(&mut rng)?;
        // the observation time of the k-th score after the burn-in
        let time = |k: usize| ((t.burn_in + k + 1) * t.dko) as f64 * t.dt;
        let mut series = Vec::new();
        for (color, s) in std::iter::once(first).chain(second).enumerate() {
            let mut own = crate::mc::stream(seed, 1 + color as u64, 0);
            let run = t.run(s.method, &xs, &ys, &mut own)?;
            let xs: Vec<f64> = (0..shown).map(time).collect();
            let name = label(s);
            series.push(Series {
                label: format!("{name}: analysis RMSE"),
                x: xs.clone(),
                y: run.rmse[..shown].to_vec(),
                lo: Vec::new(),
                hi: Vec::new(),
                dashed: false,
                color: 2 * color,
            });
            if run.spread[..shown].iter().all(|v| v.is_finite()) {
                series.push(Series {
                    label: format!("{name}: ensemble spread"),
                    x: xs,
                    y: run.spread[..shown].to_vec(),
                    lo: Vec::new(),
                    hi: Vec::new(),
                    dashed: false,
                    color: 2 * color + 1,
                });
            }
        }
        Chart {
            kind: ChartKind::Lines,
            title: title.into(),
            xlabel: "time (a marker per observation)".into(),
            ylabel: "RMSE, spread".into(),
            logx: false,
            logy: false,
            series,
            x_categories: None,
            hline: Some(t.obs_var.sqrt()),
            hline_label: Some("observation error (standard deviation)".into()),
            ymin: None,
            integer_x: false,
            slopes: Vec::new(),
        }
        .save(stem)?;
        Ok(())
    }))
}

/// What a reader calls a setting's method.
fn label(s: &super::benchmark::Setting) -> String {
    use crate::assimilation::Method;
    match s.method {
        Method::Climatology => "climatology".into(),
        Method::OptimalInterpolation => "OI".into(),
        Method::Var3d { .. } => "3D-Var".into(),
        Method::Ekf { .. } => "EKF".into(),
        Method::Etkf { n, .. } => format!("ETKF (N = {n})"),
        Method::Letkf { n, .. } => format!("LETKF (N = {n})"),
        Method::Enkf { n, .. } => format!("EnKF (N = {n})"),
        Method::Ensf { n, .. } => format!("EnSF (N = {n})"),
        Method::Pf { n, .. } => format!("particle filter (N = {n})"),
    }
}
