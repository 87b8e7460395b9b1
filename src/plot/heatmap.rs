//! Panels of matrices with their values written in (confusion matrices).
use super::{save_both, style, Figure};
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// Matrices drawn as coloured cells with their values, one panel per matrix, side by side:
/// a confusion matrix (rows: true class, columns: assigned class), values in [0, 1].
pub struct Heatmap {
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    /// (panel title, rows of values in [0, 1]).
    pub panels: Vec<(String, Vec<Vec<f64>>)>,
    /// Names of the rows (empty: their indices).
    pub row_names: Vec<String>,
}

impl Heatmap {
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem).map(|_| ())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        if self.panels.is_empty() || self.panels.iter().any(|(_, m)| m.is_empty()) {
            return Err("no matrix to draw".into());
        }
        root.fill(&WHITE).map_err(e)?;
        // no figure title: the caption carries it (`title` stays for the contact sheet)
        let areas = root.split_evenly((1, self.panels.len()));
        let base = style::color(0);
        for (area, (name, m)) in areas.iter().zip(&self.panels) {
            let rows = m.len();
            let cols = m.iter().map(|r| r.len()).max().unwrap_or(1);
            let mut chart = ChartBuilder::on(area)
                .caption(name, (style::FONT, style::LABEL_SIZE))
                .margin(16)
                .x_label_area_size(style::TICK_SIZE + style::LABEL_SIZE + 30)
                .y_label_area_size(style::TICK_SIZE + style::LABEL_SIZE + 40)
                .build_cartesian_2d(-0.5..(cols as f64 - 0.5), (rows as f64 - 0.5)..-0.5)
                .map_err(e)?;
            let int = |v: &f64| {
                if (v - v.round()).abs() < 1e-9 && *v >= 0.0 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            };
            let row = |v: &f64| {
                let i = v.round();
                match self.row_names.get(i as usize) {
                    Some(name) if (v - i).abs() < 1e-9 && i >= 0.0 => name.clone(),
                    _ => int(v),
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
                .y_label_formatter(&row)
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
                            (x, y),
                            (style::FONT, style::LABEL_SIZE)
                                .into_font()
                                .color(&ink)
                                .pos(Pos::new(HPos::Center, VPos::Center)),
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
        // 520 px (1.7 in at 300 dpi) per panel: two panels fill a single column
        (520 * self.panels.len().max(1) as u32, 600)
    }
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<super::Layout>, String> {
        self.draw(root).map(|()| Vec::new())
    }
}
