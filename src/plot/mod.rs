//! Figures: the one style every figure uses, and the chart kinds the figures need
//! (curves with confidence bands, markers with error bars, dashed bound curves).
//! Every chart is written twice, as PNG and as SVG.
use crate::Error;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::path::Path;

/// The style: sizes in pixels, fonts, palette (Tableau 10).
pub mod style {
    use plotters::style::RGBColor;
    pub const SIZE: (u32, u32) = (1000, 650);
    pub const FONT: &str = "sans-serif";
    pub const TITLE_SIZE: u32 = 26;
    pub const LABEL_SIZE: u32 = 21;
    pub const TICK_SIZE: u32 = 17;
    pub const LEGEND_SIZE: u32 = 17;
    pub const LINE_WIDTH: u32 = 3;
    pub const BAND_ALPHA: f64 = 0.18;
    pub const PALETTE: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    pub fn color(i: usize) -> RGBColor {
        PALETTE[i % PALETTE.len()]
    }
}

/// One curve: points with a confidence interval each.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Lower and upper confidence limits (same length as y), or empty for none.
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    /// Dashed, no band: a bound drawn beside a measurement.
    pub dashed: bool,
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
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    pub logx: bool,
    pub logy: bool,
    pub series: Vec<Series>,
    /// Names for x = 0, 1, 2, ... when x is categorical.
    pub x_categories: Option<Vec<String>>,
    pub hline: Option<f64>,
    /// x takes a few integer values (levels): one tick per integer, no fractions.
    pub integer_x: bool,
    /// Where the legend goes: upper_left (default), upper_right, lower_left, lower_right.
    pub legend: String,
}

fn legend_position(name: &str) -> SeriesLabelPosition {
    match name {
        "upper_right" => SeriesLabelPosition::UpperRight,
        "lower_left" => SeriesLabelPosition::LowerLeft,
        "lower_right" => SeriesLabelPosition::LowerRight,
        "middle_right" => SeriesLabelPosition::MiddleRight,
        _ => SeriesLabelPosition::UpperLeft,
    }
}

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
        if !(x0.is_finite() && y0.is_finite()) {
            return Err("no finite data to draw".into());
        }
        let pad = |a: f64, b: f64, log: bool| -> (f64, f64) {
            if log {
                let (la, lb) = (a.ln(), b.ln());
                let m = ((lb - la) * 0.06).max(0.05);
                ((la - m).exp(), (lb + m).exp())
            } else {
                let m = ((b - a) * 0.06).max(1e-9 * a.abs().max(1.0));
                (a - m, b + m)
            }
        };
        let (mut xr, yr) = (pad(x0, x1, self.logx), pad(y0, y1, self.logy));
        if self.x_categories.is_some() {
            xr = (-0.5, x1 + 0.5);
        }
        Ok((xr, yr))
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
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (style::FONT, style::TITLE_SIZE))
            .margin(18)
            .x_label_area_size(62)
            .y_label_area_size(92)
            .build_cartesian_2d(xr, yr)
            .map_err(e)?;
        let cats = self.x_categories.clone().unwrap_or_default();
        let cat_fmt = |v: &f64| -> String {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
                cats[i as usize].clone()
            } else {
                String::new()
            }
        };
        let plain_fmt = |v: &f64| -> String { fmt_tick(*v) };
        // on log axes label only 1, 2, 5 times a power of ten, so ticks never crowd
        let log_fmt = |v: &f64| -> String {
            if *v <= 0.0 {
                return String::new();
            }
            let m = v / 10f64.powf(v.log10().floor());
            if [1.0, 2.0, 5.0, 10.0]
                .iter()
                .any(|k| (m - k).abs() < 1e-6 * k)
            {
                fmt_tick(*v)
            } else {
                String::new()
            }
        };
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
            .y_label_formatter(&plain_fmt);
        if self.x_categories.is_some() {
            mesh.x_labels(cats.len() + 2).x_label_formatter(&cat_fmt);
        } else if self.integer_x && !self.logx {
            let span = self
                .series
                .iter()
                .flat_map(|s| s.x.iter())
                .fold(0.0f64, |m, v| m.max(*v));
            mesh.x_labels(span as usize + 2).x_label_formatter(&int_fmt);
        } else if self.logx {
            mesh.x_labels(20).x_label_formatter(&log_fmt);
        } else {
            mesh.x_label_formatter(&plain_fmt);
        }
        if self.logy {
            mesh.y_labels(20).y_label_formatter(&log_fmt);
        }
        mesh.draw().map_err(e)?;

        if let Some(h) = self.hline {
            let (xa, xb) = (chart.x_range().start, chart.x_range().end);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(xa, h), (xb, h)],
                    BLACK.mix(0.5).stroke_width(1),
                )))
                .map_err(e)?;
        }
        let valid = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        // on a categorical axis, spread the series side by side so markers do not hide each other
        let solid = self.series.iter().filter(|s| !s.dashed).count().max(1);
        let mut solid_index = 0usize;
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
                .collect();
            if pts.is_empty() {
                continue;
            }
            let line = color.stroke_width(style::LINE_WIDTH);
            if s.dashed {
                let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
                chart
                    .draw_series(DashedLineSeries::new(xy, 10, 6, color.stroke_width(2)))
                    .map_err(e)?
                    .label(&s.label)
                    .legend(move |(x, y)| {
                        DashedPathElement::new(
                            vec![(x, y), (x + 24, y)],
                            5,
                            3,
                            color.stroke_width(2),
                        )
                    });
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
                    chart
                        .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), line))
                        .map_err(e)?
                        .label(&s.label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], line));
                    chart
                        .draw_series(
                            pts.iter()
                                .map(|p| Circle::new((p.0, p.1), 4, color.filled())),
                        )
                        .map_err(e)?;
                    if !s.lo.is_empty() {
                        chart
                            .draw_series(pts.iter().map(|p| {
                                ErrorBar::new_vertical(p.0, p.2, p.1, p.3, color.stroke_width(2), 8)
                            }))
                            .map_err(e)?;
                    }
                }
                ChartKind::Points => {
                    chart
                        .draw_series(pts.iter().map(|p| {
                            ErrorBar::new_vertical(p.0, p.2, p.1, p.3, color.stroke_width(2), 10)
                        }))
                        .map_err(e)?;
                    chart
                        .draw_series(
                            pts.iter()
                                .map(|p| Circle::new((p.0, p.1), 6, color.filled())),
                        )
                        .map_err(e)?
                        .label(&s.label)
                        .legend(move |(x, y)| Circle::new((x + 12, y), 6, color.filled()));
                }
            }
        }
        chart
            .configure_series_labels()
            .label_font((style::FONT, style::LEGEND_SIZE))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .position(legend_position(&self.legend))
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
        Ok(())
    }
}

/// Something drawn the same way on any plotters backend.
trait Figure {
    fn size(&self) -> (u32, u32) {
        style::SIZE
    }
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

impl Figure for Chart {
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
    }
}

impl Figure for Pyramid {
    fn size(&self) -> (u32, u32) {
        let cols = self.signals.len().max(self.fields.len()).max(1) as u32;
        (260 * cols, 620)
    }
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
    }
}

/// Write a figure as `<stem>.png` and `<stem>.svg`; errors name the file.
fn save_both<F: Figure>(fig: &F, stem: &Path) -> Result<(), Error> {
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    let err = |p: &Path, m: String| Error::Plot {
        path: p.display().to_string(),
        message: m,
    };
    {
        let root = BitMapBackend::new(&png, fig.size()).into_drawing_area();
        fig.render_on(&root).map_err(|m| err(&png, m))?;
    }
    {
        let root = SVGBackend::new(&svg, fig.size()).into_drawing_area();
        fig.render_on(&root).map_err(|m| err(&svg, m))?;
    }
    Ok(())
}

/// Tick labels: short, no trailing zeros, scientific notation for extremes.
pub fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_nan_data_is_an_error_not_a_figure() {
        let c = Chart {
            kind: ChartKind::Lines,
            title: "t".into(),
            xlabel: "x".into(),
            ylabel: "y".into(),
            logx: true,
            logy: true,
            series: vec![Series {
                label: "s".into(),
                x: vec![1.0, 2.0],
                y: vec![f64::NAN, -1.0],
                lo: vec![],
                hi: vec![],
                dashed: false,
                color: 0,
            }],
            x_categories: None,
            hline: None,
            integer_x: false,
            legend: String::new(),
        };
        assert!(c.ranges().is_err());
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(fmt_tick(1000.0), "1000");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(fmt_tick(1e6), "1e6");
    }
}

/// One sample seen at every resolution level: a row of 1-D signals (block averages drawn
/// as steps on [0, 1]) above a row of 2-D fields (heatmaps on one diverging colour scale).
pub struct Pyramid {
    pub title: String,
    /// Level r's signal (length 2^r), r = 0..=L.
    pub signals: Vec<Vec<f64>>,
    /// Level r's field, row-major (side 2^r), r = 0..=L.
    pub fields: Vec<Vec<f64>>,
}

/// Diverging blue-white-red colour for v in [-1, 1].
fn diverging(v: f64) -> RGBColor {
    let t = v.clamp(-1.0, 1.0);
    let mix = |a: f64, b: f64, s: f64| (a + (b - a) * s).round() as u8;
    if t < 0.0 {
        let s = -t;
        RGBColor(
            mix(255.0, 33.0, s),
            mix(255.0, 102.0, s),
            mix(255.0, 172.0, s),
        )
    } else {
        RGBColor(
            mix(255.0, 178.0, t),
            mix(255.0, 24.0, t),
            mix(255.0, 43.0, t),
        )
    }
}

impl Pyramid {
    /// Write `<stem>.png` and `<stem>.svg`.
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let all: Vec<f64> = self
            .signals
            .iter()
            .chain(&self.fields)
            .flatten()
            .cloned()
            .collect();
        if all.is_empty() || all.iter().any(|v| !v.is_finite()) {
            return Err("no finite data to draw".into());
        }
        root.fill(&WHITE).map_err(e)?;
        let root = root
            .titled(&self.title, (style::FONT, style::TITLE_SIZE))
            .map_err(e)?;
        let (top, bottom) = root.split_vertically(300);
        let lo = self
            .signals
            .iter()
            .flatten()
            .cloned()
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .signals
            .iter()
            .flatten()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max);
        let pad = 0.08 * (hi - lo).max(1e-9);
        let cols = self.signals.len().max(1);
        for (r, (panel, sig)) in top
            .split_evenly((1, cols))
            .iter()
            .zip(&self.signals)
            .enumerate()
        {
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("1-D, level {r} ({} values)", sig.len()),
                    (style::FONT, style::TICK_SIZE),
                )
                .margin(8)
                .x_label_area_size(28)
                .y_label_area_size(if r == 0 { 48 } else { 8 })
                .build_cartesian_2d(0.0..1.0, (lo - pad)..(hi + pad))
                .map_err(e)?;
            let fmt = |v: &f64| fmt_tick(*v);
            let mut mesh = chart.configure_mesh();
            mesh.x_labels(3)
                .y_labels(5)
                .label_style((style::FONT, 13))
                .x_label_formatter(&fmt)
                .y_label_formatter(&fmt);
            if r > 0 {
                mesh.y_label_formatter(&|_| String::new());
            }
            mesh.draw().map_err(e)?;
            let n = sig.len() as f64;
            let mut pts = Vec::with_capacity(2 * sig.len());
            for (i, v) in sig.iter().enumerate() {
                pts.push((i as f64 / n, *v));
                pts.push(((i + 1) as f64 / n, *v));
            }
            chart
                .draw_series(LineSeries::new(pts, style::color(0).stroke_width(2)))
                .map_err(e)?;
        }
        let scale = self
            .fields
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-12);
        let cols = self.fields.len().max(1);
        for (r, (panel, f)) in bottom
            .split_evenly((1, cols))
            .iter()
            .zip(&self.fields)
            .enumerate()
        {
            let side = (f.len() as f64).sqrt().round() as usize;
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("2-D, level {r} ({side} x {side})"),
                    (style::FONT, style::TICK_SIZE),
                )
                .margin(10)
                .build_cartesian_2d(0.0..side as f64, 0.0..side as f64)
                .map_err(e)?;
            chart
                .draw_series((0..f.len()).map(|p| {
                    let (i, j) = ((p / side) as f64, (p % side) as f64);
                    Rectangle::new(
                        [(j, side as f64 - i - 1.0), (j + 1.0, side as f64 - i)],
                        diverging(f[p] / scale).filled(),
                    )
                }))
                .map_err(e)?;
        }
        root.present().map_err(e)?;
        Ok(())
    }
}

/// Points coloured by a third value: a trajectory's projection coloured by phase (cyclic
/// colour map), or a time series coloured by regime (categorical palette, one legend entry
/// per regime, consecutive points joined).
pub struct Scatter {
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Colour value: a phase in radians (cyclic) or a category index (categorical).
    pub c: Vec<f64>,
    pub categorical: bool,
    /// Label prefix of the categories ("regime" gives "regime 0", "regime 1", ...).
    pub category_label: String,
}

impl Scatter {
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let ok: Vec<usize> = (0..self.x.len())
            .filter(|&i| self.x[i].is_finite() && self.y[i].is_finite())
            .collect();
        if ok.is_empty() {
            return Err("no finite data to draw".into());
        }
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for &i in &ok {
            x0 = x0.min(self.x[i]);
            x1 = x1.max(self.x[i]);
            y0 = y0.min(self.y[i]);
            y1 = y1.max(self.y[i]);
        }
        let (px, py) = (0.04 * (x1 - x0).max(1e-9), 0.06 * (y1 - y0).max(1e-9));
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, (style::FONT, style::TITLE_SIZE))
            .margin(18)
            .x_label_area_size(62)
            .y_label_area_size(80)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
            .map_err(e)?;
        let fmt = |v: &f64| fmt_tick(*v);
        chart
            .configure_mesh()
            .x_desc(&self.xlabel)
            .y_desc(&self.ylabel)
            .axis_desc_style((style::FONT, style::LABEL_SIZE))
            .label_style((style::FONT, style::TICK_SIZE))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .draw()
            .map_err(e)?;
        if self.categorical {
            let kmax = ok
                .iter()
                .map(|&i| self.c[i].max(0.0) as usize)
                .max()
                .unwrap_or(0);
            for k in 0..=kmax {
                let color = style::color(k);
                // runs of consecutive points in category k, drawn as lines
                let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
                let mut prev_in = false;
                for &i in &ok {
                    let inside = self.c[i] as usize == k;
                    if inside {
                        if !prev_in {
                            runs.push(Vec::new());
                        }
                        runs.last_mut().map(|r| r.push((self.x[i], self.y[i])));
                    }
                    prev_in = inside;
                }
                if runs.is_empty() {
                    continue;
                }
                let mut first = true;
                for run in runs {
                    let s = chart
                        .draw_series(LineSeries::new(run, color.stroke_width(2)))
                        .map_err(e)?;
                    if first {
                        s.label(format!("{} {k}", self.category_label))
                            .legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                            });
                        first = false;
                    }
                }
            }
            chart
                .configure_series_labels()
                .label_font((style::FONT, style::LEGEND_SIZE))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.4))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .map_err(e)?;
        } else {
            chart
                .draw_series(ok.iter().map(|&i| {
                    let hue = (self.c[i].rem_euclid(std::f64::consts::TAU)) / std::f64::consts::TAU;
                    Circle::new(
                        (self.x[i], self.y[i]),
                        1,
                        HSLColor(hue, 0.75, 0.45).filled(),
                    )
                }))
                .map_err(e)?;
        }
        root.present().map_err(e)?;
        Ok(())
    }
}

impl Figure for Scatter {
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
    }
}

/// Matrices drawn as coloured cells with their values, one panel per matrix, side by side:
/// a confusion matrix (rows: true class, columns: assigned class), values in [0, 1].
pub struct Heatmap {
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    /// (panel title, rows of values in [0, 1]).
    pub panels: Vec<(String, Vec<Vec<f64>>)>,
}

impl Heatmap {
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        if self.panels.is_empty() || self.panels.iter().any(|(_, m)| m.is_empty()) {
            return Err("no matrix to draw".into());
        }
        root.fill(&WHITE).map_err(e)?;
        let body = root
            .titled(&self.title, (style::FONT, style::TITLE_SIZE))
            .map_err(e)?;
        let areas = body.split_evenly((1, self.panels.len()));
        let base = style::color(0);
        for (area, (name, m)) in areas.iter().zip(&self.panels) {
            let rows = m.len();
            let cols = m.iter().map(|r| r.len()).max().unwrap_or(1);
            let mut chart = ChartBuilder::on(area)
                .caption(name, (style::FONT, style::LABEL_SIZE))
                .margin(16)
                .x_label_area_size(56)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.5..(cols as f64 - 0.5), (rows as f64 - 0.5)..-0.5)
                .map_err(e)?;
            let int = |v: &f64| {
                if (v - v.round()).abs() < 1e-9 && *v >= 0.0 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(&self.xlabel)
                .y_desc(&self.ylabel)
                .x_labels(cols * 2 + 1)
                .y_labels(rows * 2 + 1)
                .x_label_formatter(&int)
                .y_label_formatter(&int)
                .axis_desc_style((style::FONT, style::LABEL_SIZE))
                .label_style((style::FONT, style::TICK_SIZE))
                .draw()
                .map_err(e)?;
            for (i, row) in m.iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    let v = if v.is_finite() {
                        v.clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    let mix = |c: u8| (255.0 - v * (255.0 - c as f64)).round() as u8;
                    let fill = RGBColor(mix(base.0), mix(base.1), mix(base.2));
                    let (x, y) = (j as f64, i as f64);
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                            fill.filled(),
                        )))
                        .map_err(e)?;
                    let ink = if v > 0.55 { WHITE } else { BLACK };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!("{v:.2}"),
                            (x - 0.17, y - 0.06),
                            (style::FONT, style::LABEL_SIZE).into_font().color(&ink),
                        )))
                        .map_err(e)?;
                }
            }
        }
        root.present().map_err(e)?;
        Ok(())
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        (520 * self.panels.len().max(1) as u32, 560)
    }
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
    }
}
