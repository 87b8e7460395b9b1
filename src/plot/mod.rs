//! Figures: the one style every figure uses, and the chart kinds the figures need
//! (curves with confidence bands, markers with error bars, dashed bound curves).
//! Every chart is written twice, as PNG and as SVG.
use crate::Error;
use plotters::coord::Shift;
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

mod chart;
mod heatmap;
mod pyramid;
mod scatter;

pub use chart::{Chart, ChartKind, Series};
pub use heatmap::Heatmap;
pub use pyramid::Pyramid;
pub use scatter::Scatter;

/// Something drawn the same way on any plotters backend.
trait Figure {
    fn size(&self) -> (u32, u32) {
        style::SIZE
    }
    fn render_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
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
    fn ticks_are_short() {
        assert_eq!(fmt_tick(1000.0), "1000");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(fmt_tick(1e6), "1e6");
    }
}
