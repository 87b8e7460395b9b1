//! Several charts side by side on one double-column figure (the Lorenz exponents, one panel
//! per exponent, each against its own reference value), each panel captioned by its chart's
//! title and checked by the battery on its own.
use super::layout::Layout;
use super::{save_both, style, Chart, Figure};
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

pub struct Panels {
    pub charts: Vec<Chart>,
}

impl Panels {
    /// Write `<stem>.png` and `<stem>.svg`; returns each panel's layout.
    pub fn save(&self, stem: &Path) -> Result<Vec<Layout>, Error> {
        save_both(self, stem)
    }
}

impl Figure for Panels {
    fn size(&self) -> (u32, u32) {
        // 7 in wide (double column); a little taller than 2.6 in for the panel captions
        (style::WIDE.0, style::WIDE.1 + style::LABEL_SIZE)
    }
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<Layout>, String> {
        if self.charts.is_empty() {
            return Err("a multi-panel figure with no panel".into());
        }
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let areas = root.split_evenly((1, self.charts.len()));
        let mut out = Vec::new();
        for (k, (area, chart)) in areas.iter().zip(&self.charts).enumerate() {
            let name = if chart.title.is_empty() {
                format!("{}", k + 1)
            } else {
                chart.title.clone()
            };
            // an axis title the panel on its left already shows is not repeated
            let mut chart = chart.clone();
            if k > 0 && chart.ylabel == self.charts[k - 1].ylabel {
                chart.ylabel.clear();
            }
            out.push(chart.draw(area, &name)?);
        }
        root.present().map_err(|e| e.to_string())?;
        Ok(out)
    }
}
