//! Charts from results: curves with confidence bands or markers with error bars, dashed
//! bound curves, log axes with readable ticks (x = 0 shown past an axis break), slope guides,
//! categorical x. One interval encoding per kind (a band for curves, error bars for points),
//! the legend above the plot, markers by shape. `render` draws and records the layout the
//! figure battery reads (`plot::layout`).
use super::layout::Layout;
use super::legend::{LegendEntry, Sample};
use super::{save_both, style, Figure};
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

mod render;

/// One curve: points with a confidence interval each.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Lower and upper confidence limits (same length as y), or empty for none.
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// Dashed, no band: a bound drawn beside a measurement, in its measurement's colour.
    /// The legend shows one neutral dashed entry per distinct bound label.
    pub dashed: bool,
    /// Index into the palette and the marker shapes.
    pub color: usize,
}

/// How points are drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartKind {
    /// Lines with shaded confidence bands.
    Lines,
    /// Markers with error bars (x may be categorical).
    Points,
}

/// A chart: series plus axes.
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    /// Not drawn (the caption carries the message): kept for the contact sheet; a panel of
    /// a multi-panel figure draws it as its caption.
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    pub logx: bool,
    pub logy: bool,
    pub series: Vec<Series>,
    /// Names for x = 0, 1, 2, ... when x is categorical.
    pub x_categories: Option<Vec<String>>,
    /// A horizontal reference line, and its legend text.
    pub hline: Option<f64>,
    pub hline_label: Option<String>,
    /// The y axis's lower end: a value below it is drawn at it, with a downward arrow.
    pub ymin: Option<f64>,
    /// x takes a few integer values (levels): one tick per integer, no fractions.
    pub integer_x: bool,
    /// Slope guides on a log-log chart: a dotted line of each slope (n^-1/2 is -0.5) under
    /// the first measured curve, in the legend as "slope −1/2".
    pub slopes: Vec<f64>,
}

/// A guide's text: a fraction with a denominator up to 8 (the minimax rates -2/(d+4)) as one.
pub fn slope_label(k: f64) -> String {
    let sign = if k < 0.0 { "−" } else { "" };
    let a = k.abs();
    for q in 1u32..=8 {
        let p = a * q as f64;
        if (p - p.round()).abs() < 1e-9 {
            let p = p.round() as u32;
            return if q == 1 {
                format!("slope {sign}{p}")
            } else {
                format!("slope {sign}{p}/{q}")
            };
        }
    }
    format!("slope {sign}{a}")
}

/// Where x = 0 goes on a log x axis: one grid step left of the smallest positive value
/// (v1^2 / v2), past an axis break at the geometric mean of the two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ZeroSlot {
    pub at: f64,
    pub gap: f64,
    /// The smallest positive value: log ticks start there, right of the break.
    pub first: f64,
}

impl Chart {
    pub(crate) fn zero_slot(&self) -> Option<ZeroSlot> {
        if !self.logx || self.x_categories.is_some() {
            return None;
        }
        let xs = self.series.iter().flat_map(|s| s.x.iter().copied());
        if !xs.clone().any(|v| v == 0.0) {
            return None;
        }
        let mut pos: Vec<f64> = xs.filter(|v| v.is_finite() && *v > 0.0).collect();
        pos.sort_by(f64::total_cmp);
        pos.dedup();
        let v1 = *pos.first()?;
        let v2 = pos.get(1).copied().unwrap_or(10.0 * v1);
        let at = v1 * v1 / v2;
        Some(ZeroSlot {
            at,
            gap: (at * v1).sqrt(),
            first: v1,
        })
    }

    /// The series as placed on the axes: x = 0 moved to the zero slot of a log axis.
    pub(crate) fn placed(&self) -> Vec<Series> {
        let slot = self.zero_slot();
        self.series
            .iter()
            .map(|s| {
                let mut s = s.clone();
                if let Some(z) = slot {
                    for x in s.x.iter_mut().filter(|x| **x == 0.0) {
                        *x = z.at;
                    }
                }
                s
            })
            .collect()
    }

    /// Each slope guide's two end points (x at the ends of the first measured curve, y a
    /// factor 2 under it at its middle point), on log-log charts only.
    pub(crate) fn guides(&self, placed: &[Series]) -> Vec<(f64, [(f64, f64); 2])> {
        if !(self.logx && self.logy) || self.slopes.is_empty() {
            return Vec::new();
        }
        let Some(s) = placed.iter().find(|s| !s.dashed) else {
            return Vec::new();
        };
        let pts: Vec<(f64, f64)> = (0..s.x.len())
            .map(|i| (s.x[i], s.y[i]))
            .filter(|(x, y)| x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0)
            .filter(|(x, _)| self.zero_slot().is_none_or(|z| *x > z.gap))
            .collect();
        if pts.len() < 2 {
            return Vec::new();
        }
        let (xa, ya) = pts[pts.len() / 2];
        let (x0, x1) = (pts[0].0, pts[pts.len() - 1].0);
        self.slopes
            .iter()
            .map(|&k| {
                let y = |x: f64| 0.5 * ya * (x / xa).powf(k);
                (k, [(x0, y(x0)), (x1, y(x1))])
            })
            .collect()
    }

    /// The x spacing over which markers sharing an x value are spread (a categorical axis, or
    /// points on a linear axis with several series); 0 when they are not spread.
    pub(crate) fn dodge_spacing(&self, placed: &[Series]) -> f64 {
        let solid = placed.iter().filter(|s| !s.dashed).count();
        if self.x_categories.is_some() {
            return 1.0;
        }
        if !(self.kind == ChartKind::Points && !self.logx && solid > 1) {
            return 0.0;
        }
        let mut xs: Vec<f64> = placed
            .iter()
            .flat_map(|s| s.x.iter().copied())
            .filter(|v| v.is_finite())
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let gap = xs
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f64::INFINITY, f64::min);
        if gap.is_finite() {
            gap
        } else {
            1.0
        }
    }

    /// Axis ranges over the finite (and, on log axes, positive) values, with margins.
    pub(crate) fn ranges(&self) -> Result<((f64, f64), (f64, f64)), String> {
        let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        let placed = self.placed();
        for s in &placed {
            for i in 0..s.x.len() {
                if !ok(s.x[i], self.logx) || !ok(s.y[i], self.logy) {
                    continue;
                }
                x0 = x0.min(s.x[i]);
                x1 = x1.max(s.x[i]);
                let lo =
                    s.lo.get(i)
                        .copied()
                        .filter(|v| ok(*v, self.logy))
                        .unwrap_or(s.y[i]);
                let hi =
                    s.hi.get(i)
                        .copied()
                        .filter(|v| ok(*v, self.logy))
                        .unwrap_or(s.y[i]);
                y0 = y0.min(lo.min(s.y[i]));
                y1 = y1.max(hi.max(s.y[i]));
            }
        }
        for (_, ends) in self.guides(&placed) {
            for (_, y) in ends {
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
        if let Some(h) = self.hline.filter(|h| ok(*h, self.logy)) {
            y0 = y0.min(h);
            y1 = y1.max(h);
        }
        if let Some(f) = self.ymin.filter(|f| ok(*f, self.logy)) {
            // the floor is the axis's lower end when a value lies under it (0 included on a
            // log axis), else the data's
            let under = placed
                .iter()
                .flat_map(|s| s.y.iter())
                .any(|y| y.is_finite() && *y < f);
            y0 = if under { f } else { y0.max(f) };
            y1 = y1.max(f);
        }
        if !(x0.is_finite() && y0.is_finite()) {
            return Err("no finite data to draw".into());
        }
        let pad = |a: f64, b: f64, log: bool, below: f64| -> (f64, f64) {
            if log {
                let (la, lb) = (a.ln(), b.ln());
                let m = ((lb - la) * 0.06).max(0.05);
                ((la - m * below).exp(), (lb + m).exp())
            } else {
                let m = ((b - a) * 0.06).max(1e-9 * a.abs().max(1.0));
                (a - m * below, b + m)
            }
        };
        // room under a floored axis for the arrows of the values below it
        let below = if self.ymin.is_some() { 2.5 } else { 1.0 };
        let (mut xr, mut yr) = (pad(x0, x1, self.logx, 1.0), pad(y0, y1, self.logy, below));
        if self.logy && self.ymin.is_none() {
            // a labelled tick at or beyond each end of the data
            yr = crate::plot::bracket_log_range(yr.0, yr.1, y0, y1);
        }
        if self.x_categories.is_some() {
            xr = (-0.5, x1 + 0.5);
        } else if self.kind == ChartKind::Points && !self.logx {
            // room for markers spread around the first and last x
            let w = 0.5 * self.dodge_spacing(&placed);
            xr = (xr.0.min(x0 - w), xr.1.max(x1 + w));
        }
        Ok((xr, yr))
    }

    /// The legend: one entry per measured series, one neutral dashed entry per distinct bound
    /// label, the reference line's and the slope guides'.
    pub fn legend_entries(&self) -> Vec<LegendEntry> {
        let mut out: Vec<LegendEntry> = Vec::new();
        for s in self.series.iter().filter(|s| !s.dashed) {
            out.push(LegendEntry {
                label: s.label.clone(),
                color: style::color(s.color),
                sample: match (self.kind, s.lo.is_empty()) {
                    (ChartKind::Lines, _) => Sample::Line(style::marker(s.color)),
                    (ChartKind::Points, false) => Sample::Point(style::marker(s.color)),
                    (ChartKind::Points, true) => Sample::Marker(style::marker(s.color)),
                },
            });
        }
        let mut bounds: Vec<&str> = Vec::new();
        for s in self.series.iter().filter(|s| s.dashed) {
            if !bounds.contains(&s.label.as_str()) {
                bounds.push(&s.label);
            }
        }
        for b in bounds {
            out.push(LegendEntry {
                label: b.to_string(),
                color: style::INK,
                sample: Sample::Dashed,
            });
        }
        if let (Some(_), Some(l)) = (self.hline, &self.hline_label) {
            out.push(LegendEntry {
                label: l.clone(),
                color: style::INK,
                sample: Sample::Reference,
            });
        }
        for (k, _) in self.guides(&self.placed()) {
            out.push(LegendEntry {
                label: slope_label(k),
                color: style::INK,
                sample: Sample::Guide,
            });
        }
        // a single measured series with no bound needs no legend: the axis title names it
        if out.len() == 1 && matches!(out[0].sample, Sample::Line(_) | Sample::Point(_)) {
            out.clear();
        }
        out
    }

    /// Write `<stem>.png` and `<stem>.svg`; returns the layout as drawn, for the battery.
    pub fn save(&self, stem: &Path) -> Result<Vec<Layout>, Error> {
        save_both(self, stem)
    }
}

impl Figure for Chart {
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<Layout>, String> {
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let layout = self.draw(root, "")?;
        root.present().map_err(|e| e.to_string())?;
        Ok(vec![layout])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn chart(series: Vec<Series>) -> Chart {
        Chart {
            kind: ChartKind::Lines,
            title: "t".into(),
            xlabel: "x".into(),
            ylabel: "y".into(),
            logx: true,
            logy: true,
            series,
            x_categories: None,
            hline: None,
            hline_label: None,
            ymin: None,
            integer_x: false,
            slopes: Vec::new(),
        }
    }

    pub(super) fn series(label: &str, dashed: bool, color: usize) -> Series {
        Series {
            label: label.into(),
            x: vec![1.0, 2.0],
            y: vec![1.0, 2.0],
            lo: vec![],
            hi: vec![],
            dashed,
            color,
        }
    }

    #[test]
    fn empty_or_nan_data_is_an_error_not_a_figure() {
        let mut s = series("s", false, 0);
        s.y = vec![f64::NAN, -1.0];
        assert!(chart(vec![s]).ranges().is_err());
    }

    #[test]
    fn the_legend_has_one_bound_entry_however_many_bounds_are_drawn() {
        let c = chart(vec![
            series("a", false, 0),
            series("bound", true, 0),
            series("b", false, 1),
            series("bound", true, 1),
        ]);
        let l = c.legend_entries();
        assert_eq!(l.len(), 3);
        assert_eq!(l.iter().filter(|e| e.sample == Sample::Dashed).count(), 1);
        // a lone curve needs no legend
        assert!(chart(vec![series("a", false, 0)])
            .legend_entries()
            .is_empty());
    }

    #[test]
    fn zero_on_a_log_axis_sits_one_grid_step_left_past_a_break() {
        let mut s = series("a", false, 0);
        s.x = vec![0.0, 0.5, 1.0, 2.0];
        s.y = vec![1.0, 2.0, 3.0, 4.0];
        let c = chart(vec![s]);
        let z = c.zero_slot().expect("a zero slot");
        assert!((z.at - 0.25).abs() < 1e-12 && z.gap > 0.25 && z.gap < 0.5);
        assert_eq!(c.placed()[0].x[0], 0.25);
        // a linear axis draws 0 where it is
        let mut lin = c.clone();
        lin.logx = false;
        assert!(lin.zero_slot().is_none());
    }

    #[test]
    fn slope_guides_have_the_stated_slope_and_a_legend_entry() {
        let mut s = series("a", false, 0);
        s.x = vec![10.0, 100.0, 1000.0];
        s.y = vec![1.0, 0.3, 0.1];
        let mut c = chart(vec![s]);
        c.slopes = vec![-0.5];
        let g = c.guides(&c.placed());
        let [(x0, y0), (x1, y1)] = g[0].1;
        assert!(((y1 / y0).ln() / (x1 / x0).ln() + 0.5).abs() < 1e-12);
        assert_eq!(slope_label(-0.5), "slope −1/2");
        assert_eq!(slope_label(-1.0), "slope −1");
        assert_eq!(slope_label(-0.4), "slope −2/5");
        assert_eq!(slope_label(-2.0 / 7.0), "slope −2/7");
        assert_eq!(slope_label(0.123), "slope 0.123");
        assert!(c.legend_entries().iter().any(|e| e.sample == Sample::Guide));
    }

    /// Draw a chart to a temporary file and return what the battery says of its layout.
    fn battery(c: &Chart) -> (Vec<Layout>, Vec<String>) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let layouts = c.save(&dir.path().join("fig")).expect("the chart draws");
        let problems = layouts.iter().flat_map(|l| l.problems()).collect();
        (layouts, problems)
    }

    #[test]
    fn the_battery_passes_a_rate_plot_and_labels_its_lowest_grid_value() {
        // the regression: T = 50 below the first full decade went unlabelled
        let mut s = series("regret", false, 0);
        s.x = vec![50.0, 100.0, 300.0, 1000.0, 3000.0];
        s.y = vec![5.0, 7.0, 12.0, 22.0, 38.0];
        s.lo = s.y.iter().map(|v| v * 0.9).collect();
        s.hi = s.y.iter().map(|v| v * 1.1).collect();
        let mut b = series("bound", true, 0);
        b.x = s.x.clone();
        b.y = s.y.iter().map(|v| v * 2.0).collect();
        let mut c = chart(vec![s, b]);
        c.slopes = vec![0.5];
        let (layouts, problems) = battery(&c);
        assert!(problems.is_empty(), "{problems:?}");
        let l = &layouts[0];
        assert!(l.x.ticks.iter().any(|(_, t)| t == "50"), "{:?}", l.x.ticks);
        // the legend is a strip above the plot: it cannot cover a point
        let legend = l.legend.expect("a legend");
        assert!(legend.3 <= l.plot.1, "legend {legend:?}, plot {:?}", l.plot);
    }

    #[test]
    fn the_battery_names_a_title_longer_than_the_figure() {
        let mut c = chart(vec![series("a", false, 0)]);
        c.ylabel = "a very long axis title that no single column figure has room for".into();
        let (_, problems) = battery(&c);
        assert!(
            problems.iter().any(|p| p.contains("shorten")),
            "{problems:?}"
        );
    }

    #[test]
    fn zero_on_a_log_axis_is_labelled_and_the_chart_passes() {
        let mut s = series("gain", false, 0);
        s.x = vec![0.0, 0.5, 1.0, 2.0, 4.0, 8.0];
        s.y = vec![1.0, 1.2, 1.4, 1.9, 2.5, 3.0];
        let mut c = chart(vec![s]);
        c.logy = false;
        let (layouts, problems) = battery(&c);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(layouts[0].x.ticks.iter().any(|(_, t)| t == "0"));
    }
}
