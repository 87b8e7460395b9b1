//! Charts drawn from results as a figure spec says (lines with bands, or points with
//! error bars), and the figure specs' checks against the grid and the measure.
use super::config::{Config, FigureSpec, NStarSpec, SeriesColors};
use super::measure::{ClosedForm, Measure};
use super::results::{CellResult, MetricStats, Results, DISPLAY_LEVEL};
use crate::params::{Params, Value};
use crate::plot::{Chart, ChartKind, Panels, Series};
use crate::stats::{n_star, ErrorCurve, Interval};
use std::collections::BTreeMap;

/// The chart kinds the engine draws itself; any other kind names a family's picture.
pub const CHART_KINDS: &[&str] = &["lines", "points"];

/// Check the figures against the grid and the measure's metrics before any work. Picture
/// kinds are checked by the runner against the registry.
pub(crate) fn validate_figures(cfg: &Config, m: &Measure) -> Result<(), String> {
    for (k, f) in cfg.figure.to_vec().iter().enumerate() {
        let at = format!("figure {}", k + 1);
        if !CHART_KINDS.contains(&f.kind.as_str()) {
            continue;
        }
        if !cfg.grid.contains_key(&f.x) {
            return Err(format!("{at}: x = `{}` is not a grid parameter", f.x));
        }
        if let Some(s) = &f.series {
            if !cfg.grid.contains_key(s) {
                return Err(format!("{at}: series = `{s}` is not a grid parameter"));
            }
        }
        if !["mean", "max", "min"].contains(&f.stat.as_str()) {
            return Err(format!(
                "{at}: stat = `{}`: expected \"mean\", \"max\" or \"min\"",
                f.stat
            ));
        }
        let n = if f.panels { f.y.to_vec().len() } else { 1 };
        for (field, len) in [
            ("hline", f.hline.as_ref().map(|h| h.to_vec().len())),
            (
                "hline_label",
                f.hline_label.as_ref().map(|h| h.to_vec().len()),
            ),
        ] {
            if let Some(len) = len.filter(|&l| l != n && l != 1) {
                return Err(format!(
                    "{at}: {field} has {len} values; give one, or one per panel ({n})"
                ));
            }
        }
        if let Some(ns) = &f.n_star {
            if !cfg.grid.contains_key(&ns.over) || ns.over == f.x {
                return Err(format!(
                    "{at}: n_star.over = `{}` must be a grid parameter other than x",
                    ns.over
                ));
            }
            if !(ns.eps > 0.0 && ns.eps.is_finite()) {
                return Err(format!(
                    "{at}: n_star.eps = {}: must be positive and finite",
                    ns.eps
                ));
            }
        }
        if f.fit && (f.stat != "mean" || f.n_star.is_some()) {
            return Err(format!(
                "{at}: fit draws a line through means: it needs stat = \"mean\" and no n_star"
            ));
        }
        if !f.slopes.is_empty() && !(f.logx && f.logy) {
            return Err(format!(
                "{at}: slopes are guides on a log-log figure: set logx = true and logy = true"
            ));
        }
        let bounds = f.bound.as_ref().map(|b| b.to_vec()).unwrap_or_default();
        for y in f.y.to_vec().iter().chain(bounds.iter()) {
            if !m.metrics.contains(&y.as_str()) {
                return Err(format!(
                    "{at}: metric `{y}` is not reported by `{}`{} (it reports {})",
                    m.name,
                    crate::registry::did_you_mean(y, m.metrics.iter().copied()),
                    m.metrics.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn value_key(v: &Value) -> String {
    v.to_string()
}

/// Turn results into a chart as a figure spec says; `labels` maps internal names to what a
/// reader sees (the config's `labels`).
pub fn build_chart(
    results: &Results,
    spec: &FigureSpec,
    labels: &BTreeMap<String, String>,
    colors: &SeriesColors,
    closed: Option<ClosedForm>,
) -> Result<Chart, String> {
    if let Some(ns) = &spec.n_star {
        let derived = n_star_results(results, &spec.y.to_vec(), ns);
        let plain = FigureSpec {
            n_star: None,
            ..spec.clone()
        };
        return build_chart(&derived, &plain, labels, colors, None);
    }
    let show = |name: &str| -> String { labels.get(name).cloned().unwrap_or_else(|| name.into()) };
    let cells: Vec<&CellResult> = results
        .cells
        .iter()
        .filter(|c| {
            spec.select
                .iter()
                .all(|(k, v)| c.params.get(k).is_some_and(|p| v.to_vec().contains(p)))
        })
        .collect();
    if cells.is_empty() {
        return Err("no cells match the figure's select".into());
    }
    let categorical = cells
        .iter()
        .any(|c| matches!(c.params.get(&spec.x), Some(Value::Str(_))));
    let mut categories: Vec<String> = Vec::new();
    if categorical {
        for c in &cells {
            let k = c.params.get(&spec.x).map(value_key).unwrap_or_default();
            if !categories.contains(&k) {
                categories.push(k);
            }
        }
    }
    let xval = |c: &CellResult| -> f64 {
        match c.params.get(&spec.x) {
            Some(v) if categorical => categories
                .iter()
                .position(|k| *k == value_key(v))
                .map_or(f64::NAN, |i| i as f64),
            Some(v) => v.as_f64().unwrap_or(f64::NAN),
            None => f64::NAN,
        }
    };
    let mut groups: Vec<(String, Vec<&CellResult>)> = Vec::new();
    for c in &cells {
        let key = spec
            .series
            .as_ref()
            .and_then(|s| c.params.get(s))
            .map(value_key)
            .unwrap_or_default();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    let ys = spec.y.to_vec();
    let mut series = Vec::new();
    let mut color = 0;
    // a value with a fixed colour (series_colors.toml) keeps it in every figure
    let fixed = spec.series.as_ref().and_then(|s| colors.get(s));
    for (key, mut group) in groups {
        group.sort_by(|a, b| xval(a).total_cmp(&xval(b)));
        if let Some(c) = fixed.and_then(|f| f.get(&key)) {
            color = *c;
        }
        for y in &ys {
            // "parameter = value", both through the label map; a parameter mapped to "" shows
            // its values alone
            let named = |s: &str| match show(s).as_str() {
                "" => show(&key),
                p if p.contains("{}") => p.replace("{}", &show(&key)),
                p => format!("{p} = {}", show(&key)),
            };
            let label = match (&spec.series, ys.len()) {
                (Some(s), 1) => named(s),
                (Some(s), _) => format!("{}, {}", named(s), show(y)),
                (None, _) => show(y),
            };
            let get =
                |c: &CellResult, f: fn(&MetricStats) -> f64| c.metrics.get(y).map_or(f64::NAN, f);
            let (value, interval): (fn(&MetricStats) -> f64, bool) = match spec.stat.as_str() {
                "max" => (|m| m.max, false),
                "min" => (|m| m.min, false),
                _ => (|m| m.mean, true),
            };
            let y_values: Vec<f64> = group.iter().map(|c| get(c, value)).collect();
            // (a value that is there but not finite, such as an n* beyond the grid, is drawn)
            if group.iter().all(|c| !c.metrics.contains_key(y.as_str())) {
                // a metric this group never reports (a published value only some settings
                // have): no legend entry for a curve that is not there, no colour spent
                continue;
            }
            series.push(Series {
                label,
                x: group.iter().map(|c| xval(c)).collect(),
                y: y_values,
                lo: if interval {
                    group.iter().map(|c| get(c, |m| m.lo)).collect()
                } else {
                    Vec::new()
                },
                hi: if interval {
                    group.iter().map(|c| get(c, |m| m.hi)).collect()
                } else {
                    Vec::new()
                },
                dashed: false,
                color,
            });
            if spec.fit && !categorical {
                let last = &series[series.len() - 1];
                if let Some(line) = fitted_line(last, spec.logx, spec.logy) {
                    series.push(line);
                }
            }
            // the bound belongs to the group, not to each metric: draw it once, in the group's
            // colour; the legend shows one dashed entry for all of them
            if Some(y) == ys.first() {
                for b in spec.bound.as_ref().map(|b| b.to_vec()).unwrap_or_default() {
                    let smooth = match closed {
                        Some(f) if !categorical => smooth_curve(f, &group, &spec.x, &b, spec.logx)?,
                        _ => None,
                    };
                    let (bx, by) = smooth.unwrap_or_else(|| {
                        (
                            group.iter().map(|c| xval(c)).collect(),
                            group
                                .iter()
                                .map(|c| c.metrics.get(&b).map_or(f64::NAN, |m| m.mean))
                                .collect(),
                        )
                    });
                    series.push(Series {
                        label: spec.bound_label.as_deref().unwrap_or("bound").to_string(),
                        x: bx,
                        y: by,
                        lo: vec![],
                        hi: vec![],
                        dashed: true,
                        color,
                    });
                }
            }
            color += 1;
        }
    }
    Ok(Chart {
        kind: if spec.kind == "points" {
            ChartKind::Points
        } else {
            ChartKind::Lines
        },
        title: spec.title.clone(),
        xlabel: spec.xlabel.clone(),
        ylabel: spec.ylabel.clone(),
        logx: spec.logx,
        logy: spec.logy,
        series,
        integer_x: !categorical
            && cells.iter().all(|c| {
                c.params
                    .get(&spec.x)
                    .and_then(|v| v.as_f64())
                    .is_some_and(|v| v.fract() == 0.0 && (0.0..=20.0).contains(&v))
            }),
        x_categories: categorical.then(|| categories.iter().map(|k| show(k)).collect()),
        hline: spec.hline.as_ref().map(|h| h.to_vec()[0]),
        hline_label: spec.hline_label.as_ref().map(|h| h.to_vec()[0].clone()),
        ymin: spec.ymin,
        slopes: spec.slopes.clone(),
    })
}

/// The least-squares line through a curve's means in the axes' coordinates (ln of a log
/// axis), as a dashed series over the curve's x range in its colour, labelled with the curve
/// and the slope; None with fewer than two drawable points.
fn fitted_line(s: &Series, logx: bool, logy: bool) -> Option<Series> {
    let t = |v: f64, log: bool| if log { v.ln() } else { v };
    let pts: Vec<(f64, f64)> =
        s.x.iter()
            .zip(&s.y)
            .filter(|(x, y)| {
                x.is_finite() && y.is_finite() && (!logx || **x > 0.0) && (!logy || **y > 0.0)
            })
            .map(|(x, y)| (t(*x, logx), t(*y, logy)))
            .collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
    let (slope, intercept) = crate::stats::least_squares_line(&xs, &ys)?;
    let (x0, x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let back = |v: f64, log: bool| if log { v.exp() } else { v };
    let n = 24;
    let grid: Vec<f64> = (0..=n)
        .map(|i| x0 + (x1 - x0) * i as f64 / n as f64)
        .collect();
    Some(Series {
        // on a log y axis over a linear x the slope reads best as a factor per unit of x
        label: if logy && !logx {
            format!("{}, fitted: ×{:.2} per unit of x", s.label, slope.exp())
        } else {
            format!("{}, fitted: slope {}", s.label, fmt_slope(slope))
        },
        x: grid.iter().map(|&u| back(u, logx)).collect(),
        y: grid
            .iter()
            .map(|&u| back(intercept + slope * u, logy))
            .collect(),
        lo: vec![],
        hi: vec![],
        dashed: true,
        color: s.color,
    })
}

/// A fitted slope to two significant digits.
fn fmt_slope(b: f64) -> String {
    if b == 0.0 || !b.is_finite() {
        return format!("{b}");
    }
    let digits = (1 - b.abs().log10().floor() as i32).max(0) as usize;
    format!("{b:.digits$}").replace('-', "−")
}

/// The results read as sample complexities: one cell per setting of the parameters other
/// than `over`, whose metrics in `ys` are n*(eps) of that metric's curve over `over` (mean:
/// the interpolated crossing; lo, hi: the confidence bracket, NaN where an end is off the
/// grid).
fn n_star_results(results: &Results, ys: &[String], ns: &NStarSpec) -> Results {
    let mut groups: Vec<(Params, Vec<&CellResult>)> = Vec::new();
    for c in &results.cells {
        let rest = Params::from_map(
            c.params
                .iter()
                .filter(|(k, _)| **k != ns.over)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        match groups.iter_mut().find(|g| g.0 == rest) {
            Some(g) => g.1.push(c),
            None => groups.push((rest, vec![c])),
        }
    }
    let size = |c: &CellResult| c.params.get(&ns.over).and_then(|v| v.as_f64());
    let cells = groups
        .into_iter()
        .enumerate()
        .map(|(index, (params, mut group))| {
            group.sort_by(|a, b| {
                size(a)
                    .unwrap_or(f64::NAN)
                    .total_cmp(&size(b).unwrap_or(f64::NAN))
            });
            let metrics = ys
                .iter()
                .map(|y| {
                    let mut curve = ErrorCurve {
                        ns: Vec::new(),
                        intervals: Vec::new(),
                    };
                    for c in &group {
                        if let (Some(n), Some(m)) = (size(c), c.metrics.get(y)) {
                            curve.ns.push(n as usize);
                            curve.intervals.push(Interval {
                                estimate: m.mean,
                                lo: m.lo,
                                hi: m.hi,
                                level: DISPLAY_LEVEL,
                                n: m.n,
                            });
                        }
                    }
                    let found = n_star(&curve, ns.eps);
                    let at = |n: Option<usize>| n.map_or(f64::NAN, |n| n as f64);
                    let stats = MetricStats {
                        mean: found.interpolated,
                        sd: f64::NAN,
                        se: f64::NAN,
                        lo: at(found.lower),
                        hi: at(found.upper),
                        n: group.len(),
                        min: f64::NAN,
                        max: f64::NAN,
                    };
                    (y.clone(), stats)
                })
                .collect();
            CellResult {
                index,
                params,
                seed: results.seed,
                replicates: 0,
                metrics,
            }
        })
        .collect();
    Results {
        cells,
        ..results.clone()
    }
}

/// Points of the fine grid a closed-form bound is drawn on: the group's own grid values
/// and `FINE` more between its ends (geometric on a log axis), whole numbers only when the
/// parameter is an integer.
const FINE: usize = 96;

fn fine_grid(xs: &[f64], log: bool, integer: bool) -> Vec<f64> {
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let mut out: Vec<f64> = xs.to_vec();
    if lo < hi {
        let geometric = log && lo > 0.0;
        for k in 0..=FINE {
            let t = k as f64 / FINE as f64;
            let x = if geometric {
                lo * (hi / lo).powf(t)
            } else {
                lo + t * (hi - lo)
            };
            out.push(if integer { x.round() } else { x });
        }
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    out
}

/// A bound drawn as the smooth curve its closed form gives along `x`, with every other
/// parameter as in the group's cells: None when the closed form does not give `bound` or
/// the group's cells differ in another parameter (then the grid values are drawn).
fn smooth_curve(
    f: ClosedForm,
    group: &[&CellResult],
    x: &str,
    bound: &str,
    logx: bool,
) -> Result<Option<(Vec<f64>, Vec<f64>)>, String> {
    let Some(first) = group.first() else {
        return Ok(None);
    };
    let others = |c: &CellResult| c.params.clone().with(x, Value::Int(0));
    if group.len() < 2 || group.iter().any(|c| others(c) != others(first)) {
        return Ok(None);
    }
    let integer = group
        .iter()
        .all(|c| matches!(c.params.get(x), Some(Value::Int(_))));
    let xs: Vec<f64> = group
        .iter()
        .filter_map(|c| c.params.get(x).and_then(|v| v.as_f64()))
        .collect();
    if xs.len() != group.len() {
        return Ok(None);
    }
    let at = |v: f64| -> Result<Option<f64>, String> {
        let value = if integer {
            Value::Int(v as i64)
        } else {
            Value::Float(v)
        };
        let m = f(&first.params.clone().with(x, value))
            .map_err(|e| format!("the closed form of `{bound}` at {x} = {v}: {e}"))?;
        Ok(m.iter().find(|(k, _)| k == bound).map(|(_, y)| *y))
    };
    if at(xs[0])?.is_none() {
        return Ok(None);
    }
    let grid = fine_grid(&xs, logx, integer);
    let mut ys = Vec::with_capacity(grid.len());
    for &v in &grid {
        ys.push(at(v)?.unwrap_or(f64::NAN));
    }
    Ok(Some((grid, ys)))
}

/// One panel per metric of `y` (a `panels = true` figure): each panel a chart of that metric
/// alone, captioned by its label, with its own reference line.
pub fn build_panels(
    results: &Results,
    spec: &FigureSpec,
    labels: &BTreeMap<String, String>,
    colors: &SeriesColors,
    closed: Option<ClosedForm>,
) -> Result<Panels, String> {
    let ys = spec.y.to_vec();
    fn pick<T: Clone>(v: Option<Vec<T>>, k: usize) -> Option<T> {
        v.and_then(|v| v.get(k).or(v.first()).cloned())
    }
    let mut charts = Vec::new();
    for (k, y) in ys.iter().enumerate() {
        let mut one = spec.clone();
        one.y = super::config::OneOrMany::One(y.clone());
        one.hline =
            pick(spec.hline.as_ref().map(|h| h.to_vec()), k).map(super::config::OneOrMany::One);
        one.hline_label = pick(spec.hline_label.as_ref().map(|h| h.to_vec()), k)
            .map(super::config::OneOrMany::One);
        let mut chart = build_chart(results, &one, labels, colors, closed)?;
        chart.title = labels.get(y).cloned().unwrap_or_else(|| y.clone());
        // the metric is the panel's caption; with no series parameter its one curve keeps
        // the colour of its metric
        if spec.series.is_none() {
            for s in chart.series.iter_mut() {
                s.color = k;
            }
        }
        charts.push(chart);
    }
    Ok(Panels { charts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::config::Config;

    fn cell(h: f64, n: usize, mean: f64, half: f64) -> CellResult {
        let s = MetricStats {
            mean,
            sd: f64::NAN,
            se: f64::NAN,
            lo: mean - half,
            hi: mean + half,
            n: 8,
            min: f64::NAN,
            max: f64::NAN,
        };
        CellResult {
            index: 0,
            params: Params::new().with("h", h).with("N", n),
            seed: 1,
            replicates: 8,
            metrics: [("err".to_string(), s)].into_iter().collect(),
        }
    }

    #[test]
    fn n_star_cells_cross_where_the_curve_meets_eps_and_bracket_it() {
        // err = c / sqrt(N), c = 1 at h = 0 and 2 at h = 1: eps = 0.05 is met at N = 400 and
        // N = 1600, bracketed by (300, 1000] and (1000, 3000]
        let ns = [100, 300, 1000, 3000];
        let mut cells = Vec::new();
        for (h, c) in [(0.0, 1.0), (1.0, 2.0)] {
            for n in ns {
                let m = c / (n as f64).sqrt();
                cells.push(cell(h, n, m, 0.05 * m));
            }
        }
        let cfg: Config = toml::from_str(
            "name = \"t\"\ndescription = \"\"\nmeasure = \"m\"\nseed = 1\nreplicates = 8\n[grid]\nh = [0.0, 1.0]\nN = [100]\n[[figure]]\nx = \"h\"\ny = \"err\"\ntitle = \"t\"\nxlabel = \"h\"\nylabel = \"n\"\n",
        )
        .unwrap();
        let results = Results {
            name: "t".into(),
            description: String::new(),
            crate_version: String::new(),
            git_revision: None,
            scale: "full".into(),
            seed: 1,
            config: cfg,
            cells,
        };
        let spec = NStarSpec {
            over: "N".into(),
            eps: 0.05,
        };
        let out = n_star_results(&results, &["err".to_string()], &spec);
        assert_eq!(out.cells.len(), 2);
        for (c, (want, lo, hi)) in out
            .cells
            .iter()
            .zip([(400.0, 300.0, 1000.0), (1600.0, 1000.0, 3000.0)])
        {
            let m = &c.metrics["err"];
            assert!((m.mean - want).abs() < 1e-6 * want, "{m:?}");
            assert_eq!((m.lo, m.hi), (lo, hi), "{m:?}");
            assert!(c.params.get("N").is_none());
        }
        // the bracket reads the intervals, not the means: with wider upper limits the
        // crossing stays where it was and the upper ends move out (off the grid for h = 1)
        let wide: Vec<CellResult> = results
            .cells
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let m = c.metrics.get_mut("err").unwrap();
                m.hi = m.mean * 1.7;
                c
            })
            .collect();
        let out = n_star_results(
            &Results {
                cells: wide,
                ..results.clone()
            },
            &["err".to_string()],
            &spec,
        );
        assert_eq!(out.cells[0].metrics["err"].hi, 3000.0);
        assert!(out.cells[1].metrics["err"].hi.is_nan()); // beyond the grid
    }
}
