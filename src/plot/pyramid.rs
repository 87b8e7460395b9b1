//! One sample at every resolution level: 1-D signals as steps above 2-D fields as heatmaps.
use super::{fmt_tick, save_both, style, Figure};
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One sample seen at every resolution level: a row of 1-D signals (block averages drawn
/// as steps on [0, 1]) above a row of 2-D fields (heatmaps on one diverging colour scale).
pub struct Pyramid {
    pub title: String,
    /// Level r's signal (length 2^r), r = 0..=L.
    pub signals: Vec<Vec<f64>>,
    /// Level r's field, row-major (side 2^r), r = 0..=L.
    pub fields: Vec<Vec<f64>>,
    /// Panel captions, one per signal and one per field; empty: "r = {r}" and "{side}×{side}".
    pub signal_captions: Vec<String>,
    pub field_captions: Vec<String>,
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
    /// An empty drawing with its title; the caller pushes signals and fields.
    pub fn new(title: &str) -> Pyramid {
        Pyramid {
            title: title.to_string(),
            signals: Vec::new(),
            fields: Vec::new(),
            signal_captions: Vec::new(),
            field_captions: Vec::new(),
        }
    }

    /// Write `<stem>.png` and `<stem>.svg`.
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem).map(|_| ())
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
        // no figure title: the caption carries it (`title` stays for the contact sheet)
        let (top, bottom) = root.split_vertically(380);
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
                    self.signal_captions
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| format!("r = {r}")),
                    (style::FONT, style::TICK_SIZE),
                )
                .margin(8)
                .margin_right(34)
                .x_label_area_size(style::TICK_SIZE + 12)
                .y_label_area_size(if r == 0 {
                    4 * style::TICK_SIZE / 2 + 20
                } else {
                    8
                })
                .build_cartesian_2d(0.0..1.0, (lo - pad)..(hi + pad))
                .map_err(e)?;
            let fmt = |v: &f64| fmt_tick(*v);
            let mut mesh = chart.configure_mesh();
            mesh.x_labels(3)
                .y_labels(5)
                .light_line_style(WHITE.mix(0.0))
                .bold_line_style(BLACK.mix(0.08))
                .label_style((style::FONT, style::TICK_SIZE))
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
                .draw_series(LineSeries::new(
                    pts,
                    style::color(0).stroke_width(style::LINE_WIDTH),
                ))
                .map_err(e)?;
        }
        let scale = self
            .fields
            .iter()
            .flatten()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-12);
        let cols = self.fields.len().max(1);
        // the fields' shared colour scale at the right of their row
        let (w, _) = bottom.dim_in_pixel();
        let (fields_row, bar) = bottom.split_horizontally(w.saturating_sub(190));
        colour_bar(&bar, scale)?;
        for (k, (panel, f)) in fields_row
            .split_evenly((1, cols))
            .iter()
            .zip(&self.fields)
            .enumerate()
        {
            let side = (f.len() as f64).sqrt().round() as usize;
            let caption = self
                .field_captions
                .get(k)
                .cloned()
                .unwrap_or_else(|| format!("{side}×{side}"));
            let mut chart = ChartBuilder::on(panel)
                .caption(caption, (style::FONT, style::TICK_SIZE))
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

/// The diverging scale of the fields: -scale (blue) to +scale (red), labelled at both ends
/// and at 0.
fn colour_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, scale: f64) -> Result<(), String> {
    let ends = [-scale, 0.0, scale];
    let labels: Vec<(f64, String)> = ends
        .iter()
        .copied()
        .zip(super::ticks::fmt_axis(&ends))
        .collect();
    super::colorbar::color_bar(area, (-scale, scale), &labels, "value", |v| {
        diverging(v / scale)
    })
}

impl Figure for Pyramid {
    fn size(&self) -> (u32, u32) {
        // double-column width; one panel per level
        let _ = self.signals.len().max(self.fields.len());
        (style::WIDE.0, 900)
    }
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<super::Layout>, String> {
        self.draw(root).map(|()| Vec::new())
    }
}
