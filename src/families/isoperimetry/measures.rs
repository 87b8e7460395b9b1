//! What the isoperimetry family hands the experiment engine.
use super::*;
use crate::experiment::{Measure, Metrics, Replicate};
use crate::isoperimetry::{chi_square_bound, linear_lower_bound, ChiFault};

pub static MEASURES: &[Measure] = &[
    Measure {
    name: "isoperimetry.line",
    description: "a two-component mixture w N(m, s1^2) + (1 - w) N(-m, s2^2) on the line: C_P by finite elements (Richardson estimate and its Courant-Fischer lower end), the log-Sobolev lower end from e^{theta u} test functions, the variance (linear test functions' lower bound), Muckenhoupt's bracket B/2, 4B, the chi-square bound (isoperimetry.schlichting), Bobkov and Götze's functional D, the two-point law's ratio log((1-w)/w) / (2(1-2w)), and the log-Sobolev upper end max_k s_k^2 + that ratio times C_P (isoperimetry.lsi_mixture), also over C_P (deterministic: every replicate is the same)",
    metrics: &[
        "c_p", "fem_lower", "lsi_lower", "variance", "muck_lo", "muck_hi", "chi_bound",
        "bobkov_gotze", "lsi_over_cp", "two_point", "lsi_upper", "lsi_upper_over_cp",
    ],
    indicators: &[],
    prepare: line,
    closed_form: Some(line_closed),
},
    Measure {
    name: "isoperimetry.ir_band",
    description: "the structured multi-scale mixture (multiscale parameters: geom, L, K, h, sep, hetero, dynamics) at level r: the Poincaré band [lower, upper] of the details w^{r+1} alone and of the IR conditional w^{r+1} | x_t^r, x_{t-1}^{r+1} at one conditioning value drawn from the model per replicate (theory/isoperimetry.md section 11), or with given = coarse the conditional w^{r+1} | x_t^r; `below` is 1 when the conditional band lies wholly below the marginal one, `above` when wholly above (a certain counterexample to the conditioning conjecture); with lsi = 1 the same for the log-Sobolev band (lower: the test functions of one projection; upper: the label-entropy bound, whitened, sections 16 and 17), metrics marg_lsi_*, cond_lsi_*, lsi_below, lsi_above",
    metrics: &[
        "marg_lower", "marg_upper", "cond_lower", "cond_upper", "cond_upper_over_marg_lower",
        "cond_lower_over_marg_upper", "below", "above", "marg_lsi_lower", "marg_lsi_upper",
        "cond_lsi_lower", "cond_lsi_upper", "lsi_cond_upper_over_marg_lower", "lsi_below",
        "lsi_above",
    ],
    indicators: &["below", "above", "lsi_below", "lsi_above"],
    prepare: ir_band,
    closed_form: None,
},
    Measure {
    name: "isoperimetry.level_band",
    description: "the structured multi-scale mixture (multiscale parameters: geom, L, K, h, sep, hetero) in orthonormal Haar coordinates: the Poincaré band [lower, upper] of the coarse state x^r (theory/isoperimetry.md sections 11 and 12), one draw of the mixture per replicate",
    metrics: &["lower", "upper"],
    indicators: &[],
    prepare: level_band,
    closed_form: None,
},
    Measure {
    name: "isoperimetry.galerkin",
    description: "two components sharing a random covariance S in d dimensions, means about `sep` apart in S's metric (parameters d, K, sep): the Galerkin lower end on C_P over the monomials of degree <= `degree` and (with bumps = 1, the default) a bump per component, n draws per sample (default 1e5), each lower end exceeding C_P with probability at most 1e-5 (theory/isoperimetry.md section 15), beside the same law's Poincaré band (section 11); one draw of the law per replicate, common to every cell of the grid",
    metrics: &[
        "galerkin_lower", "galerkin_estimate", "band_lower", "band_upper", "basis_size",
        "galerkin_over_band_lower", "galerkin_over_band_upper",
    ],
    indicators: &[],
    prepare: galerkin,
    closed_form: None,
}];

fn galerkin(p: &Params) -> Result<Replicate, Error> {
    let d = p.usize_at_least("d", 1)?;
    let k = p.usize_at_least("K", 1)?;
    let sep = p.positive("sep")?;
    let degree = p.usize_at_least("degree", 0)?;
    let bumps = p.usize_at_least_or("bumps", 0, 1)? != 0;
    let n = p.usize_at_least_or("n", 2, super::galerkin::DRAWS)?;
    let spec = crate::isoperimetry::GalerkinBasis { degree, bumps };
    // the basis and the draws checked before any replicate runs
    crate::isoperimetry::validate_basis(d, k, spec, n)?;
    Ok(Box::new(move |rng, common| {
        // the law from the replicate's common stream: every degree sees the same laws
        let g = super::galerkin::shared_mixture(d, k, sep, common)?;
        let r = crate::isoperimetry::galerkin_lower(
            &g,
            spec,
            n,
            super::galerkin::ERR,
            crate::isoperimetry::GalerkinFault::None,
            rng,
        )?;
        let band = crate::isoperimetry::poincare_band(&g, TOL)?;
        Ok(vec![
            ("galerkin_lower".into(), r.lower),
            ("galerkin_estimate".into(), r.estimate),
            ("band_lower".into(), band.lower),
            ("band_upper".into(), band.upper),
            ("basis_size".into(), r.m as f64),
            ("galerkin_over_band_lower".into(), r.lower / band.lower),
            ("galerkin_over_band_upper".into(), r.lower / band.upper),
        ])
    }))
}

fn level_band(p: &Params) -> Result<Replicate, Error> {
    let hier = crate::multiscale::hierarchy(p)?;
    crate::multiscale::MultiscaleGmmSpec::from_params(p)?;
    let r = p.usize_at_least("r", 0)?;
    if r > hier.levels() {
        return Err(out_of_range("r", &r.into(), &format!("a level 0..={}", hier.levels())).into());
    }
    let p = p.clone();
    Ok(Box::new(move |rng, _common| {
        let b = super::coarsening::level_bands(&p, false, rng)?[r];
        Ok(vec![("lower".into(), b.lower), ("upper".into(), b.upper)])
    }))
}

fn ir_band(p: &Params) -> Result<Replicate, Error> {
    // parse once, so that a bad key is an error before any replicate runs
    crate::multiscale::ModelSpec::from_params(p)?;
    let levels = crate::multiscale::hierarchy(p)?.levels();
    let r = p.usize_at_least("r", 0)?;
    if r + 1 > levels {
        return Err(out_of_range("r", &r.into(), &format!("a level below L = {levels}")).into());
    }
    super::conjecture::with_previous(p)?;
    // the log-Sobolev bands too (the test functions of one projection: several times the
    // Poincaré band's cost)
    let lsi = match p.usize_at_least_or("lsi", 0, 0)? {
        0 => false,
        1 => true,
        other => return Err(out_of_range("lsi", &other.into(), "0 or 1").into()),
    };
    let p = p.clone();
    Ok(Box::new(move |rng, _common| {
        if lsi {
            let ((m, ml), bands) = super::conjecture::ir_lsi_bands(&p, false, 1, rng)?;
            let (c, cl) = bands[0];
            let mut out = poincare_metrics(m, c);
            out.extend([
                ("marg_lsi_lower".into(), ml.lower),
                ("marg_lsi_upper".into(), ml.upper),
                ("cond_lsi_lower".into(), cl.lower),
                ("cond_lsi_upper".into(), cl.upper),
                ("lsi_cond_upper_over_marg_lower".into(), cl.upper / ml.lower),
                (
                    "lsi_below".into(),
                    if cl.upper < ml.lower { 1.0 } else { 0.0 },
                ),
                (
                    "lsi_above".into(),
                    if cl.lower > ml.upper { 1.0 } else { 0.0 },
                ),
            ]);
            return Ok(out);
        }
        let (m, bands) = super::conjecture::ir_bands(&p, false, 1, rng)?;
        Ok(poincare_metrics(m, bands[0]))
    }))
}

/// The Poincaré metrics of `isoperimetry.ir_band`: the marginal band `m`, the conditional `c`.
fn poincare_metrics(
    m: crate::isoperimetry::Band,
    c: crate::isoperimetry::Band,
) -> Vec<(String, f64)> {
    vec![
        ("marg_lower".into(), m.lower),
        ("marg_upper".into(), m.upper),
        ("cond_lower".into(), c.lower),
        ("cond_upper".into(), c.upper),
        ("cond_upper_over_marg_lower".into(), c.upper / m.lower),
        ("cond_lower_over_marg_upper".into(), c.lower / m.upper),
        ("below".into(), if c.upper < m.lower { 1.0 } else { 0.0 }),
        ("above".into(), if c.lower > m.upper { 1.0 } else { 0.0 }),
    ]
}

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
        let upper = crate::isoperimetry::mixture_lsi_upper(
            &g,
            fem.c_p * (1.0 + AGREE),
            crate::isoperimetry::LsiFault::None,
        )?;
        let mut out: Metrics = vec![
            ("c_p".into(), fem.c_p),
            ("fem_lower".into(), fem.lower),
            ("lsi_lower".into(), lsi),
            ("variance".into(), linear_lower_bound(&g)?),
            ("lsi_over_cp".into(), lsi / fem.c_p),
            ("lsi_upper".into(), upper),
            ("lsi_upper_over_cp".into(), upper / fem.c_p),
        ];
        out.extend(closed.iter().cloned());
        Ok(out)
    }))
}

/// Muckenhoupt's bracket, the chi-square bound and the two-point ratio, from the parameters alone (what `line`
/// reports, evaluated the same way).
fn line_closed(p: &Params) -> Result<Metrics, Error> {
    let m = p.f64("m")?;
    let w = p.f64_or("w", 0.5)?;
    let q = p.clone().with("m1", m).with("m2", -m).with("w", w);
    let g = line_law(&q)?;
    let muck = muckenhoupt_b(&g, TAIL, MUCK_ELEMENTS, MuckFault::None)?;
    let b = muck.b;
    Ok(vec![
        ("bobkov_gotze".into(), muck.d_bg),
        ("muck_lo".into(), 0.5 * b),
        ("muck_hi".into(), 4.0 * b),
        (
            "chi_bound".into(),
            chi_square_bound(&g, ChiFault::None)?.bound,
        ),
        // the two-point law's ratio C_LS / C_P = log((1 - w)/w) / (2 (1 - 2w)), the limit
        // of well-separated modes (1 at w = 1/2)
        (
            "two_point".into(),
            0.5 * crate::isoperimetry::two_point_lsi(w),
        ),
    ])
}
