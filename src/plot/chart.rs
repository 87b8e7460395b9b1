//! Charts from results: curves with confidence bands or markers with error bars, dashed
//! bound curves, log axes with readable ticks, categorical x. One interval encoding per kind
//! (a band for curves, error bars for points), the legend above the plot, markers by shape.
use super::legend::{dashed_pixels, draw_marker, legend_strip, LegendEntry, Sample};
use super::ticks::{fmt_axis, log_ticks};
use super::{fmt_tick, save_both, style, Figure};
use crate::Error;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

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
    /// Not drawn (the caption carries the message): kept for the contact sheet.
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
}

/// Reserved pixels: the x axis's ticks and title below the plot, the y axis's at its left.
const X_AREA: u32 = style::TICK_SIZE + style::LABEL_SIZE + 40;
const Y_AREA: u32 = 170;
const MARGIN: u32 = 14;

impl Chart {
    /// Axis ranges over the finite (and, on log axes, positive) values, with margins.
    fn ranges(&self) -> Result<((f64, f64), (f64, f64)), String> {
        let ok = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for s in &self.series {
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
        if let Some(h) = self.hline.filter(|h| ok(*h, self.logy)) {
            y0 = y0.min(h);
            y1 = y1.max(h);
        }
        if let Some(f) = self.ymin.filter(|f| ok(*f, self.logy)) {
            y0 = y0.max(f);
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
        let (mut xr, yr) = (pad(x0, x1, self.logx, 1.0), pad(y0, y1, self.logy, below));
        if self.x_categories.is_some() {
            xr = (-0.5, x1 + 0.5);
        }
        Ok((xr, yr))
    }

    /// The legend: one entry per measured series, one neutral dashed entry per distinct bound
    /// label, and the reference line's.
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
        // a single measured series with no bound needs no legend: the axis title names it
        if out.len() == 1 && matches!(out[0].sample, Sample::Line(_) | Sample::Point(_)) {
            out.clear();
        }
        out
    }

    /// Write `<stem>.png` and `<stem>.svg`.
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let ((x0, x1), (y0, y1)) = self.ranges()?;
        match (self.logx, self.logy) {
            (true, true) => self.render(root, (x0..x1).log_scale(), (y0..y1).log_scale()),
            (true, false) => self.render(root, (x0..x1).log_scale(), y0..y1),
            (false, true) => self.render(root, x0..x1, (y0..y1).log_scale()),
            (false, false) => self.render(root, x0..x1, y0..y1),
        }
    }

    fn render<DB, X, Y>(&self, root: &DrawingArea<DB, Shift>, xr: X, yr: Y) -> Result<(), String>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(e)?;
        let body = legend_strip(root, &self.legend_entries(), (Y_AREA + MARGIN) as i32)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(MARGIN)
            .margin_right(36)
            .x_label_area_size(X_AREA)
            .y_label_area_size(Y_AREA)
            .build_cartesian_2d(xr, yr)
            .map_err(e)?;
        let ((xa, xb), (ya, yb)) = self.ranges()?;
        let cats = self.x_categories.clone().unwrap_or_default();
        let cat_fmt = |v: &f64| -> String {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
                cats[i as usize].clone()
            } else {
                String::new()
            }
        };
        // one format per linear axis, with as many decimals as its span needs
        let linear_fmt = |lo: f64, hi: f64| {
            let big = lo.abs().max(hi.abs());
            let sci = big >= 1e5 || big < 1e-3;
            let decimals = (-((hi - lo) / 5.0).log10().floor()).clamp(0.0, 6.0) as usize + 1;
            move |v: &f64| -> String {
                if v.abs() < 1e-12 * big.max(1e-300) {
                    "0".into()
                } else if sci {
                    fmt_tick(*v)
                } else {
                    let s = format!("{:.*}", decimals, v.abs());
                    let s = s.trim_end_matches('0').trim_end_matches('.');
                    if *v < 0.0 {
                        format!("−{s}")
                    } else {
                        s.to_string()
                    }
                }
            }
        };
        let x_fmt = linear_fmt(xa, xb);
        let y_fmt = linear_fmt(ya, yb);
        let int_fmt = |v: &f64| -> String {
            if (v - v.round()).abs() < 1e-9 {
                format!("{}", v.round())
            } else {
                String::new()
            }
        };
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&self.xlabel)
            .y_desc(&self.ylabel)
            .axis_desc_style((style::FONT, style::LABEL_SIZE))
            .label_style((style::FONT, style::TICK_SIZE))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_labels(7)
            .y_labels(6);
        if self.x_categories.is_some() {
            mesh.x_labels(cats.len() + 2).x_label_formatter(&cat_fmt);
        } else if self.integer_x && !self.logx {
            let span = self
                .series
                .iter()
                .flat_map(|s| s.x.iter())
                .fold(0.0f64, |m, v| m.max(*v));
            mesh.x_labels(span as usize + 2).x_label_formatter(&int_fmt);
        }
        // log axes: plotters' own key points (labels, tick marks, grid lines) are replaced by
        // ours, drawn below
        let blank = |_: &f64| String::new();
        if self.logx {
            mesh.x_label_formatter(&blank)
                .disable_x_mesh()
                .set_tick_mark_size(LabelAreaPosition::Bottom, 0);
        }
        if self.logy {
            mesh.y_label_formatter(&blank)
                .disable_y_mesh()
                .set_tick_mark_size(LabelAreaPosition::Left, 0);
        }
        mesh.draw().map_err(e)?;

        // reference line first, then bands, then lines, then markers on top
        if let Some(h) = self.hline {
            let (xa, xb) = (chart.x_range().start, chart.x_range().end);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(xa, h), (xb, h)],
                    style::INK.stroke_width(2),
                )))
                .map_err(e)?;
        }
        let valid = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        // on a categorical axis, spread the series side by side so markers do not hide each other
        let solid = self.series.iter().filter(|s| !s.dashed).count().max(1);
        let mut solid_index = 0usize;
        let mut markers: Vec<((f64, f64), usize)> = Vec::new();
        let mut bars: Vec<(f64, f64, f64, usize)> = Vec::new();
        let mut lines: Vec<(Vec<(f64, f64)>, usize, bool)> = Vec::new();
        let mut clamped: Vec<(f64, f64)> = Vec::new();
        for s in &self.series {
            let dodge = if self.x_categories.is_some() && !s.dashed {
                let w = 0.6 / solid as f64;
                solid_index += 1;
                (solid_index as f64 - 0.5 - solid as f64 / 2.0) * w
            } else {
                0.0
            };
            let color = style::color(s.color);
            let pts: Vec<(f64, f64, f64, f64)> = (0..s.x.len())
                .filter(|&i| valid(s.x[i], self.logx) && valid(s.y[i], self.logy))
                .map(|i| {
                    let lo =
                        s.lo.get(i)
                            .copied()
                            .filter(|v| valid(*v, self.logy))
                            .unwrap_or(s.y[i]);
                    let hi =
                        s.hi.get(i)
                            .copied()
                            .filter(|v| valid(*v, self.logy))
                            .unwrap_or(s.y[i]);
                    (s.x[i] + dodge, s.y[i], lo, hi)
                })
                .map(|(x, y, lo, hi)| match self.ymin {
                    // below the axis: drawn at its lower end, marked by an arrow
                    Some(f) if y < f => {
                        clamped.push((x, f));
                        (x, f, lo.max(f), hi.max(f))
                    }
                    Some(f) => (x, y, lo.max(f), hi.max(f)),
                    None => (x, y, lo, hi),
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
            if s.dashed {
                lines.push((xy, s.color, true));
                continue;
            }
            match self.kind {
                ChartKind::Lines => {
                    if !s.lo.is_empty() && pts.len() > 1 {
                        let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
                        poly.extend(pts.iter().rev().map(|p| (p.0, p.2)));
                        chart
                            .draw_series(std::iter::once(Polygon::new(
                                poly,
                                color.mix(style::BAND_ALPHA).filled(),
                            )))
                            .map_err(e)?;
                    }
                    lines.push((xy.clone(), s.color, false));
                }
                ChartKind::Points if !s.lo.is_empty() => {
                    bars.extend(pts.iter().map(|p| (p.0, p.2, p.3, s.color)));
                }
                ChartKind::Points => {}
            }
            markers.extend(xy.into_iter().map(|p| (p, s.color)));
        }
        for (xy, c, dashed) in &lines {
            let px: Vec<(i32, i32)> = xy.iter().map(|p| chart.backend_coord(p)).collect();
            for w in px.windows(2) {
                if *dashed {
                    dashed_pixels(root, w[0], w[1], style::color(*c), style::BOUND_WIDTH)?;
                } else {
                    root.draw(&PathElement::new(
                        vec![w[0], w[1]],
                        style::color(*c).stroke_width(style::LINE_WIDTH),
                    ))
                    .map_err(e)?;
                }
            }
        }
        for (x, lo, hi, c) in &bars {
            let (a, b) = (
                chart.backend_coord(&(*x, *lo)),
                chart.backend_coord(&(*x, *hi)),
            );
            let st = style::color(*c).stroke_width(3);
            root.draw(&PathElement::new(vec![a, b], st)).map_err(e)?;
            for end in [a, b] {
                root.draw(&PathElement::new(
                    vec![(end.0 - 10, end.1), (end.0 + 10, end.1)],
                    st,
                ))
                .map_err(e)?;
            }
        }
        for (p, c) in &markers {
            draw_marker(
                root,
                chart.backend_coord(p),
                style::marker(*c),
                style::color(*c),
            )?;
        }
        for p in &clamped {
            let (x, y) = chart.backend_coord(p);
            let st = style::INK.stroke_width(3);
            root.draw(&PathElement::new(vec![(x, y + 11), (x, y + 22)], st))
                .map_err(e)?;
            root.draw(&Polygon::new(
                vec![(x - 7, y + 21), (x + 7, y + 21), (x, y + 30)],
                style::INK.filled(),
            ))
            .map_err(e)?;
        }

        // our ticks on log axes: decades, the plotted grid values, then 2 and 5 x decades
        let tick_font = (style::FONT, style::TICK_SIZE).into_font().color(&BLACK);
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        if self.logx {
            let data: Vec<f64> = self
                .series
                .iter()
                .flat_map(|s| s.x.iter().copied())
                .collect();
            // a label is at most about 6 characters of 0.55 em
            let gap = (6.0 * 0.55 * style::TICK_SIZE as f64 + 20.0) / pw.max(1) as f64;
            let ticks = log_ticks(xa, xb, &data, gap);
            for (v, label) in ticks.iter().zip(fmt_axis(&ticks)) {
                let (px, py) = chart.backend_coord(&(*v, ya));
                root.draw(&PathElement::new(
                    vec![(px, py), (px, py + 10)],
                    BLACK.stroke_width(1),
                ))
                .map_err(e)?;
                root.draw(&Text::new(
                    label,
                    (px, py + 14),
                    tick_font.pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .map_err(e)?;
            }
        }
        if self.logy {
            let gap = (1.7 * style::TICK_SIZE as f64) / ph.max(1) as f64;
            let ticks = log_ticks(ya, yb, &[], gap);
            for (v, label) in ticks.iter().zip(fmt_axis(&ticks)) {
                let (px, py) = chart.backend_coord(&(xa, *v));
                root.draw(&PathElement::new(
                    vec![(px - 10, py), (px, py)],
                    BLACK.stroke_width(1),
                ))
                .map_err(e)?;
                // a faint grid line at each labelled tick
                let (qx, _) = chart.backend_coord(&(xb, *v));
                root.draw(&PathElement::new(vec![(px, py), (qx, py)], BLACK.mix(0.08)))
                    .map_err(e)?;
                root.draw(&Text::new(
                    label,
                    (px - 14, py),
                    tick_font.pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(e)?;
            }
        }
        root.present().map_err(e)?;
        Ok(())
    }
}

impl Figure for Chart {
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(series: Vec<Series>) -> Chart {
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
        }
    }

    fn series(label: &str, dashed: bool, color: usize) -> Series {
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
}
