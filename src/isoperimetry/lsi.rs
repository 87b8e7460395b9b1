//! A lower end for the log-Sobolev constant on the line: every f gives
//! C_LS >= Ent_p(f^2) / (2 E_p f'^2), so the largest ratio found over a family of test functions
//! is a lower bound (up to quadrature). Two families, each for u the finite-element second
//! eigenvector (the slowest mode) and for u = x: the tilts f^2 = e^{theta u}, and the affine
//! f = 1 + theta u. As theta -> 0 both ratios tend to Var u / E u'^2, the Poincaré quotient, so
//! the result is never below the finite-element C_P. The affine family is the one that finds
//! the two-well optimum: across a barrier the mode is affine in int 1/p, which is also the
//! profile of least energy between two levels, while a tilt e^{theta u / 2} puts its weight
//! on the heavy side (at w = 1e-4, separation 8: 1.71 C_P from the tilts). The optimiser: 40
//! values of |theta| log-spaced over [1e-2, 1e2] / range(u) for each sign, family and u (320
//! starts), then golden-section search on log |theta| around the best (60 steps).
use super::fem::FemPoincare;
use super::IsoError;

#[derive(Debug, Clone)]
pub struct LsiLower {
    /// max over the families of Ent(f^2) / (2 E f'^2).
    pub c_ls_lower: f64,
    /// The maximiser: which family ("tilt" or "affine"), which u ("mode" or "linear"), theta.
    pub family: &'static str,
    pub u: &'static str,
    pub theta: f64,
}

/// Expectations on the finest finite-element mesh: (u, u') at every Gauss point and the
/// normalised quadrature weights.
struct Sample {
    u: Vec<f64>,
    du: Vec<f64>,
    w: Vec<f64>,
}

fn sample(fem: &FemPoincare, nodal: &[f64]) -> Sample {
    let m = &fem.mesh;
    let c = m.log_scale();
    let q = m.xi.len();
    let (mut u, mut du, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for e in 0..m.elements {
        let slope = (nodal[e + 1] - nodal[e]) / m.h;
        for j in 0..q {
            u.push(nodal[e] * (1.0 - m.xi[j]) + nodal[e + 1] * m.xi[j]);
            du.push(slope);
            w.push((m.log_p[e * q + j] - c).exp() * m.wq[j] * m.h);
        }
    }
    let total: f64 = w.iter().sum();
    for v in w.iter_mut() {
        *v /= total;
    }
    Sample { u, du, w }
}

/// Ent(e^{theta u}) / (2 E (theta^2 / 4) u'^2 e^{theta u}), scaled by e^{-max theta u} (both
/// sides are homogeneous of degree one in f^2).
fn ratio(s: &Sample, theta: f64) -> f64 {
    let c =
        s.u.iter()
            .map(|u| theta * u)
            .fold(f64::NEG_INFINITY, f64::max);
    let (mut eg, mut eglog, mut edu) = (0.0, 0.0, 0.0);
    for i in 0..s.u.len() {
        let t = theta * s.u[i] - c;
        let g = t.exp();
        eg += s.w[i] * g;
        eglog += s.w[i] * g * t;
        edu += s.w[i] * g * s.du[i] * s.du[i];
    }
    let ent = eglog - eg * eg.ln();
    2.0 * ent / (theta * theta * edu)
}

/// Ent((1 + theta u)^2) / (2 theta^2 E u'^2).
fn affine_ratio(s: &Sample, theta: f64) -> f64 {
    let (mut e2, mut e2log, mut edu) = (0.0, 0.0, 0.0);
    for i in 0..s.u.len() {
        let f2 = (1.0 + theta * s.u[i]).powi(2);
        e2 += s.w[i] * f2;
        if f2 > 0.0 {
            e2log += s.w[i] * f2 * f2.ln();
        }
        edu += s.w[i] * s.du[i] * s.du[i];
    }
    (e2log - e2 * e2.ln()) / (2.0 * theta * theta * edu)
}

/// The Poincaré quotient Var u / E u'^2 (the theta -> 0 limit).
fn quotient(s: &Sample) -> f64 {
    let mean: f64 = s.u.iter().zip(&s.w).map(|(u, w)| u * w).sum();
    let var: f64 =
        s.u.iter()
            .zip(&s.w)
            .map(|(u, w)| w * (u - mean).powi(2))
            .sum();
    let d2: f64 = s.du.iter().zip(&s.w).map(|(d, w)| w * d * d).sum();
    var / d2
}

/// The lower end of C_LS from the family above, on `fem`'s mesh.
pub fn lsi_lower_bound(fem: &FemPoincare) -> Result<LsiLower, IsoError> {
    let linear: Vec<f64> = (0..fem.mesh.nodes()).map(|i| fem.mesh.node(i)).collect();
    let mut best = LsiLower {
        c_ls_lower: f64::NEG_INFINITY,
        family: "tilt",
        u: "mode",
        theta: 0.0,
    };
    for (name, nodal) in [("mode", &fem.mode), ("linear", &linear)] {
        let s = sample(fem, nodal);
        let q = quotient(&s);
        if q > best.c_ls_lower {
            best = LsiLower {
                c_ls_lower: q,
                family: "tilt",
                u: name,
                theta: 0.0,
            };
        }
        let (lo, hi) =
            s.u.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(*v), b.max(*v))
                });
        let range = (hi - lo).max(1e-300);
        for (family, sign) in [
            ("tilt", 1.0),
            ("tilt", -1.0),
            ("affine", 1.0),
            ("affine", -1.0),
        ] {
            let eval = |lt: f64| {
                let th = sign * lt.exp() / range;
                let r = if family == "tilt" {
                    ratio(&s, th)
                } else {
                    affine_ratio(&s, th)
                };
                if r.is_finite() {
                    r
                } else {
                    f64::NEG_INFINITY
                }
            };
            let grid: Vec<f64> = (0..40)
                .map(|k| (1e-2f64).ln() + k as f64 / 39.0 * (1e4f64).ln())
                .collect();
            let (mut kb, mut vb) = (0, f64::NEG_INFINITY);
            for (k, lt) in grid.iter().enumerate() {
                let v = eval(*lt);
                if v > vb {
                    (kb, vb) = (k, v);
                }
            }
            // golden section on [grid[kb - 1], grid[kb + 1]]
            let (mut a, mut b) = (grid[kb.saturating_sub(1)], grid[(kb + 1).min(39)]);
            let g = (5f64.sqrt() - 1.0) / 2.0;
            let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
            let (mut fc, mut fd) = (eval(c), eval(d));
            for _ in 0..60 {
                if fc > fd {
                    b = d;
                    d = c;
                    fd = fc;
                    c = b - g * (b - a);
                    fc = eval(c);
                } else {
                    a = c;
                    c = d;
                    fc = fd;
                    d = a + g * (b - a);
                    fd = eval(d);
                }
            }
            for (lt, v) in [(grid[kb], vb), (c, fc), (d, fd)] {
                if v > best.c_ls_lower {
                    best = LsiLower {
                        c_ls_lower: v,
                        family,
                        u: name,
                        theta: sign * lt.exp() / range,
                    };
                }
            }
        }
    }
    if !best.c_ls_lower.is_finite() {
        return Err(IsoError::Input(
            "the log-Sobolev test functions gave no finite ratio".into(),
        ));
    }
    Ok(best)
}
