//! A vertical colour bar: the scale of a figure whose values are colours (a phase, a field),
//! labelled at given values, drawn in its own area at the right of the figure.
use super::style;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Draw the colours of [lo, hi] (bottom to top) with `labels` at their values and `caption`
/// above; `color` maps a value to its colour.
pub(crate) fn color_bar<DB: DrawingBackend, C: Color>(
    area: &DrawingArea<DB, Shift>,
    (lo, hi): (f64, f64),
    labels: &[(f64, String)],
    caption: &str,
    color: impl Fn(f64) -> C,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    // the same bottom as the figure's plot (its x axis area), room above for the caption
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .margin_top(80)
        .margin_right(40)
        .x_label_area_size(style::TICK_SIZE + style::LABEL_SIZE + 40)
        .y_label_area_size(120)
        .build_cartesian_2d(0.0..1.0, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|_| String::new())
        .draw()
        .map_err(e)?;
    let n = 120;
    chart
        .draw_series((0..n).map(|i| {
            let a = lo + (hi - lo) * i as f64 / n as f64;
            let b = lo + (hi - lo) * (i + 1) as f64 / n as f64;
            Rectangle::new([(0.0, a), (1.0, b)], color(0.5 * (a + b)).filled())
        }))
        .map_err(e)?;
    // labels exactly at their values (plotters' key points need not fall on them)
    let font = (style::FONT, style::TICK_SIZE)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    let base = area.get_base_pixel();
    let (x, y) = chart.backend_coord(&(0.5, hi));
    area.draw(&Text::new(
        caption.to_string(),
        (x - base.0, y - base.1 - 36),
        (style::FONT, style::TICK_SIZE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
    .map_err(e)?;
    for (v, label) in labels {
        let (x, y) = chart.backend_coord(&(0.0, *v));
        area.draw(&Text::new(
            label.clone(),
            (x - base.0 - 14, y - base.1),
            font.clone(),
        ))
        .map_err(e)?;
    }
    Ok(())
}
