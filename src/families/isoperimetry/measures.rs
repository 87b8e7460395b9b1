//! What the isoperimetry family hands the experiment engine.
use super::*;
use crate::experiment::{Measure, Metrics, Replicate};
use crate::isoperimetry::linear_lower_bound;

pub static MEASURES: &[Measure] = &[Measure {
    name: "isoperimetry.line",
    description: "a two-component mixture w N(m, s1^2) + (1 - w) N(-m, s2^2) on the line: C_P by finite elements (Richardson estimate and its Courant-Fischer lower end), the log-Sobolev lower end from e^{theta u} test functions, the variance (linear test functions' lower bound), Muckenhoupt's bracket B/2, 4B, and the two-point law's ratio log((1-w)/w) / (2(1-2w)) (deterministic: every replicate is the same)",
    metrics: &[
        "c_p", "fem_lower", "lsi_lower", "variance", "muck_lo", "muck_hi", "lsi_over_cp",
        "two_point",
    ],
    indicators: &[],
    prepare: line,
    closed_form: Some(line_closed),
}];

fn line(p: &Params) -> Result<Replicate, Error> {
    let m = p.f64("m")?;
    let q = p
        .clone()
        .with("m1", m)
        .with("m2", -m)
        .with("w", p.f64_or("w", 0.5)?);
    let g = line_law(&q)?;
    // read the optional keys once here, so the tracked parameters see them
    p.positive_or("s1", 1.0)?;
    p.positive_or("s2", 1.0)?;
    let closed = line_closed(p)?;
    Ok(Box::new(move |_rng, _common| {
        let fem = poincare_fem(&g, TAIL, TOL, FemFault::None)?;
        let lsi = lsi_lower_bound(&fem)?.c_ls_lower;
        let mut out: Metrics = vec![
            ("c_p".into(), fem.c_p),
            ("fem_lower".into(), fem.lower),
            ("lsi_lower".into(), lsi),
            ("variance".into(), linear_lower_bound(&g)?),
            ("lsi_over_cp".into(), lsi / fem.c_p),
        ];
        out.extend(closed.iter().cloned());
        Ok(out)
    }))
}

/// Muckenhoupt's bracket and the two-point ratio, from the parameters alone (what `line`
/// reports, evaluated the same way).
fn line_closed(p: &Params) -> Result<Metrics, Error> {
    let m = p.f64("m")?;
    let w = p.f64_or("w", 0.5)?;
    let q = p.clone().with("m1", m).with("m2", -m).with("w", w);
    let g = line_law(&q)?;
    let b = muckenhoupt_b(&g, TAIL, MUCK_ELEMENTS, MuckFault::None)?.b;
    Ok(vec![
        ("muck_lo".into(), 0.5 * b),
        ("muck_hi".into(), 4.0 * b),
        // the two-point law's ratio C_LS / C_P = log((1 - w)/w) / (2 (1 - 2w)), the limit
        // of well-separated modes (1 at w = 1/2)
        ("two_point".into(), two_point_ratio(w)),
    ])
}

/// log((1 - w)/w) / (2 (1 - 2w)), continued by 1 at w = 1/2.
fn two_point_ratio(w: f64) -> f64 {
    if (w - 0.5).abs() < 1e-6 {
        1.0
    } else {
        ((1.0 - w) / w).ln() / (2.0 * (1.0 - 2.0 * w))
    }
}
