//! Charts from results: curves with confidence bands or markers with error bars, dashed
//! bound curves, log axes, categorical x.
use super::{fmt_tick, save_both, style, Figure};
use crate::Error;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
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

impl Figure for Chart {
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        self.draw(root)
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
}
