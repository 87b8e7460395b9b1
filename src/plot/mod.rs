//! Figures: the one style every figure uses, and the chart kinds the figures need
//! (curves with confidence bands, markers with error bars, dashed bound curves).
//! Every chart is written twice, as PNG (300 dpi) and as SVG (the paper artefact).
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// The style, fixed once: print size, fonts in points, a colour-blind-safe palette with a
/// marker shape per series.
pub mod style {
    use plotters::style::RGBColor;
    /// Figures are drawn at print resolution: a font of p points is p * 300 / 72 pixels.
    pub const DPI: u32 = 300;
    /// Pixels of a length in points at `DPI`.
    pub const fn pt(points: u32) -> u32 {
        (points * DPI + 36) / 72
    }
    /// Single-column size, 3.4 x 2.3 in.
    pub const SIZE: (u32, u32) = (1020, 690);
    /// Double-column size, 7 x 2.6 in.
    pub const WIDE: (u32, u32) = (2100, 780);
    pub const FONT: &str = "sans-serif";
    /// plotters' font size for text of `points` pt: its size is 1.24 em (the SVG backend
    /// writes font-size = size / 1.24), so size = points * 300/72 * 1.24.
    pub const fn font(points: u32) -> u32 {
        (points * DPI * 124 + 3600) / 7200
    }
    /// Axis titles and panel captions: 9 pt.
    pub const LABEL_SIZE: u32 = font(9);
    /// Figure titles where a figure draws one (most do not: the caption carries the message).
    pub const TITLE_SIZE: u32 = font(9);
    /// Tick labels and legend text: 8 pt.
    pub const TICK_SIZE: u32 = font(8);
    pub const LEGEND_SIZE: u32 = font(8);
    /// The smallest SVG font-size (user units at 300 per inch) of 8 pt text.
    pub const MIN_SVG_FONT: f64 = 8.0 * DPI as f64 / 72.0;
    /// Lines about 1 pt, bounds a little thinner and dashed.
    pub const LINE_WIDTH: u32 = 4;
    pub const BOUND_WIDTH: u32 = 3;
    /// Marker half-size in pixels (about 1.6 pt).
    pub const MARKER: i32 = 9;
    pub const BAND_ALPHA: f64 = 0.22;
    /// Okabe & Ito's palette (Color Universal Design, 2008), distinguishable under the
    /// common colour-vision deficiencies; yellow last (weak on white).
    pub const PALETTE: [RGBColor; 8] = [
        RGBColor(0, 114, 178),   // blue
        RGBColor(213, 94, 0),    // vermillion
        RGBColor(0, 158, 115),   // bluish green
        RGBColor(230, 159, 0),   // orange
        RGBColor(204, 121, 167), // reddish purple
        RGBColor(86, 180, 233),  // sky blue
        RGBColor(0, 0, 0),       // black
        RGBColor(240, 228, 66),  // yellow
    ];
    pub fn color(i: usize) -> RGBColor {
        PALETTE[i % PALETTE.len()]
    }
    /// Marker shapes: a series keeps its shape with its colour, so colour is never the only
    /// thing that tells two series apart.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Marker {
        Circle,
        Square,
        Triangle,
        Diamond,
        Cross,
        TriangleDown,
        Plus,
        Ring,
    }
    /// One shape per palette colour, so a series' shape alone tells it apart too.
    pub fn marker(i: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Square,
            Marker::Triangle,
            Marker::Diamond,
            Marker::Cross,
            Marker::TriangleDown,
            Marker::Plus,
            Marker::Ring,
        ][i % PALETTE.len()]
    }
    /// The neutral ink of the shared "bound" legend entry and reference lines.
    pub const INK: RGBColor = RGBColor(60, 60, 60);
}

pub mod audit;
mod chart;
mod colorbar;
mod heatmap;
pub mod layout;
mod legend;
mod panels;
mod pyramid;
mod scatter;
mod ticks;

pub use chart::{slope_label, Chart, ChartKind, Series};
pub use heatmap::Heatmap;
pub use layout::Layout;
pub use legend::{draw_marker, LegendEntry, Sample};
pub use panels::Panels;
pub use pyramid::Pyramid;
pub use scatter::Scatter;
pub use ticks::{bracket_log_range, fmt_axis, log_ticks};

/// Something drawn the same way on any plotters backend; a chart returns its layout as drawn
/// (for the figure battery, `plot::layout`), other figures none.
trait Figure {
    fn size(&self) -> (u32, u32) {
        style::SIZE
    }
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<Layout>, String>;
}

/// Write a figure as `<stem>.png` and `<stem>.svg`; errors name the file. Returns the
/// layouts of the PNG pass (both passes draw the same pixels).
fn save_both<F: Figure>(fig: &F, stem: &Path) -> Result<Vec<Layout>, Error> {
    let png = stem.with_extension("png");
    let svg = stem.with_extension("svg");
    let err = |p: &Path, m: String| Error::Plot {
        path: p.display().to_string(),
        message: m,
    };
    let layouts = {
        let root = BitMapBackend::new(&png, fig.size()).into_drawing_area();
        fig.render_on(&root).map_err(|m| err(&png, m))?
    };
    {
        let root = SVGBackend::new(&svg, fig.size()).into_drawing_area();
        fig.render_on(&root).map_err(|m| err(&svg, m))?;
    }
    Ok(layouts)
}

/// Tick labels: short, no trailing zeros, scientific notation for extremes (one value; an
/// axis uses `fmt_axis` so all its labels share one format).
pub fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        ticks::scientific(v)
    } else {
        ticks::fmt_axis(&[v]).remove(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(fmt_tick(1000.0), "1000");
        assert_eq!(fmt_tick(0.25), "0.25");
        assert_eq!(fmt_tick(-0.5), "−0.5");
        assert_eq!(fmt_tick(1e6), "10⁶");
        assert_eq!(fmt_tick(-2e-4), "−2×10⁻⁴");
    }

    #[test]
    fn fonts_are_at_least_eight_points_at_print_size() {
        assert_eq!(style::pt(8), 33);
        // plotters writes size / 1.24 into the SVG: that is the em the reader sees
        for size in [style::TICK_SIZE, style::LEGEND_SIZE, style::LABEL_SIZE] {
            assert!(size as f64 / 1.24 >= style::MIN_SVG_FONT - 0.5, "{size}");
        }
        // the single-column figure is 3.4 in wide at 300 dpi
        assert_eq!(style::SIZE.0, 1020);
    }
}
