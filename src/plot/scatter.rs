//! Point clouds coloured by a value or a category (attractors, regime-coloured series).
use super::legend::{legend_strip, LegendEntry, Sample};
use super::{fmt_tick, save_both, style, Figure};
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

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
    /// Names of the categories where a reader needs more than an index (e.g. "forcing −20");
    /// a category without one is "<category_label> k".
    pub category_names: Vec<String>,
}

impl Scatter {
    pub fn save(&self, stem: &Path) -> Result<(), Error> {
        save_both(self, stem).map(|_| ())
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
        // a categorical series gets a regime strip between the legend and the plot
        const STRIP: i32 = 26;
        root.fill(&WHITE).map_err(e)?;
        let kmax = if self.categorical {
            ok.iter()
                .map(|&i| self.c[i].max(0.0) as usize)
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let present = |k: usize| ok.iter().any(|&i| self.c[i] as usize == k);
        // the legend above the plot: one entry per category present (no figure title: the
        // caption carries it)
        let entries: Vec<LegendEntry> = if self.categorical {
            (0..=kmax)
                .filter(|&k| present(k))
                .map(|k| LegendEntry {
                    label: self
                        .category_names
                        .get(k)
                        .cloned()
                        .unwrap_or_else(|| format!("{} {k}", self.category_label)),
                    color: style::color(k),
                    sample: Sample::Swatch,
                })
                .collect()
        } else {
            Vec::new()
        };
        let (body, _, _) = legend_strip(root, &entries, 150)?;
        // a continuous colour gets its scale at the right
        let (body, bar) = if self.categorical {
            (body, None)
        } else {
            let (w, _) = body.dim_in_pixel();
            let (left, right) = body.split_horizontally(w.saturating_sub(200));
            (left, Some(right))
        };
        let mut chart = ChartBuilder::on(&body)
            .margin(14)
            .margin_top(if self.categorical {
                14 + STRIP + 12
            } else {
                14
            })
            .margin_right(30)
            .x_label_area_size(style::TICK_SIZE + style::LABEL_SIZE + 40)
            .y_label_area_size(150)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))
            .map_err(e)?;
        let base = root.get_base_pixel();
        let top = chart.plotting_area().get_pixel_range().1.start - base.1;
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
                for run in runs {
                    // the strip: which regime is active when, readable where lines cross
                    if let (Some(first), Some(last)) = (run.first(), run.last()) {
                        let (a, b) = (
                            chart.backend_coord(first).0 - base.0,
                            chart.backend_coord(last).0 - base.0,
                        );
                        root.draw(&Rectangle::new(
                            [(a, top - 12 - STRIP), (b.max(a + 1), top - 12)],
                            color.filled(),
                        ))
                        .map_err(e)?;
                    }
                    chart
                        .draw_series(LineSeries::new(run, color.stroke_width(3)))
                        .map_err(e)?;
                }
            }
        } else {
            chart
                .draw_series(ok.iter().map(|&i| {
                    Circle::new((self.x[i], self.y[i]), 1, phase_color(self.c[i]).filled())
                }))
                .map_err(e)?;
        }
        if let Some(bar) = bar {
            phase_bar(&bar)?;
        }
        root.present().map_err(e)?;
        Ok(())
    }
}

/// The colour of a phase in radians (a cyclic hue).
fn phase_color(phase: f64) -> HSLColor {
    let tau = std::f64::consts::TAU;
    HSLColor(phase.rem_euclid(tau) / tau, 0.75, 0.45)
}

/// The colour bar of the cyclic phase colouring, labelled −π, 0, π.
fn phase_bar<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Result<(), String> {
    let pi = std::f64::consts::PI;
    let labels = [(-pi, "−π".to_string()), (0.0, "0".into()), (pi, "π".into())];
    super::colorbar::color_bar(area, (-pi, pi), &labels, "phase", phase_color)
}

impl Figure for Scatter {
    fn render_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<Vec<super::Layout>, String> {
        self.draw(root).map(|()| Vec::new())
    }
}
