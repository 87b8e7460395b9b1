//! The legend, drawn once for every chart kind: a strip above the plotting area, entries
//! flowing left to right and wrapping, so it can never cover a point or a band. Markers are
//! drawn in pixels by `draw_marker`, the same in the legend and in the data.
use super::style::{self, Marker};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What an entry's sample shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sample {
    /// A solid line with the series' marker (a measured curve).
    Line(Marker),
    /// A marker with an error bar (a measured point).
    Point(Marker),
    /// A marker alone (a point with no interval, such as a maximum over replicates).
    Marker(Marker),
    /// A dashed line (a bound).
    Dashed,
    /// A thin solid line (a reference value).
    Reference,
    /// A dotted line (a slope guide).
    Guide,
    /// A filled swatch (a category drawn as a coloured strip).
    Swatch,
}

#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    pub sample: Sample,
}

const SAMPLE_W: i32 = 70;
const GAP: i32 = 14;
const SPACING: i32 = 40;

/// A marker of `shape` centred at pixel `at`.
pub fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    shape: Marker,
    color: RGBColor,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let s = style::MARKER;
    let (x, y) = at;
    let fill = color.filled();
    match shape {
        Marker::Circle => area.draw(&Circle::new(at, s, fill)).map_err(e),
        Marker::Square => {
            let h = s * 8 / 10;
            area.draw(&Rectangle::new([(x - h, y - h), (x + h, y + h)], fill))
                .map_err(e)
        }
        Marker::Triangle => area
            .draw(&Polygon::new(
                vec![
                    (x, y - s - 1),
                    (x + s, y + s * 7 / 10),
                    (x - s, y + s * 7 / 10),
                ],
                fill,
            ))
            .map_err(e),
        Marker::Diamond => area
            .draw(&Polygon::new(
                vec![(x, y - s - 1), (x + s, y), (x, y + s + 1), (x - s, y)],
                fill,
            ))
            .map_err(e),
        Marker::Cross => {
            let st = color.stroke_width(4);
            area.draw(&PathElement::new(vec![(x - s, y - s), (x + s, y + s)], st))
                .map_err(e)?;
            area.draw(&PathElement::new(vec![(x - s, y + s), (x + s, y - s)], st))
                .map_err(e)
        }
        Marker::TriangleDown => area
            .draw(&Polygon::new(
                vec![
                    (x, y + s + 1),
                    (x + s, y - s * 7 / 10),
                    (x - s, y - s * 7 / 10),
                ],
                fill,
            ))
            .map_err(e),
        Marker::Plus => {
            let st = color.stroke_width(5);
            area.draw(&PathElement::new(vec![(x - s, y), (x + s, y)], st))
                .map_err(e)?;
            area.draw(&PathElement::new(vec![(x, y - s), (x, y + s)], st))
                .map_err(e)
        }
        Marker::Ring => area
            .draw(&Circle::new(at, s, color.stroke_width(4)))
            .map_err(e),
    }
}

/// Dash and gap lengths in pixels: bounds are dashed, slope guides dotted.
pub(crate) const DASHED: (f64, f64) = (18.0, 10.0);
pub(crate) const DOTTED: (f64, f64) = (6.0, 8.0);

/// A dashed line from `from` to `to` in pixels, with (dash, gap) lengths `pattern`.
pub(crate) fn dashes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    width: u32,
    pattern: (f64, f64),
) -> Result<(), String> {
    let (dash, gap) = pattern;
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    let mut t = 0.0;
    while t < len {
        let t1 = (t + dash).min(len);
        let p = |s: f64| {
            (
                from.0 + (dx * s / len).round() as i32,
                from.1 + (dy * s / len).round() as i32,
            )
        };
        area.draw(&PathElement::new(
            vec![p(t), p(t1)],
            color.stroke_width(width),
        ))
        .map_err(e)?;
        t = t1 + gap;
    }
    Ok(())
}

fn font() -> TextStyle<'static> {
    (style::FONT, style::LEGEND_SIZE).into_font().color(&BLACK)
}

/// Rows of entries that fit in `width` pixels (text widths as the backend measures them).
fn layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    width: i32,
) -> Vec<Vec<(usize, i32)>> {
    let f = font();
    let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut x = 0;
    for (i, en) in entries.iter().enumerate() {
        let tw = area
            .estimate_text_size(&en.label, &f)
            .map(|(w, _)| w as i32)
            .unwrap_or(en.label.chars().count() as i32 * style::LEGEND_SIZE as i32 / 2);
        let w = SAMPLE_W + GAP + tw;
        if x > 0 && x + w > width {
            rows.push(Vec::new());
            x = 0;
        }
        rows.last_mut().map(|r| r.push((i, x)));
        x += w + SPACING;
    }
    rows
}

fn row_height() -> i32 {
    (style::LEGEND_SIZE as f64 * 1.45).round() as i32
}

/// Draw `entries` in a strip at the top of `root`, left edge at `left` pixels; returns the
/// area below the strip (all of `root` when there is nothing to show) and the strip's
/// rectangle in figure pixels.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    left: i32,
) -> Result<(DrawingArea<DB, Shift>, Option<super::layout::Rect>), String> {
    if entries.is_empty() {
        return Ok((root.clone(), None));
    }
    let (w, _) = root.dim_in_pixel();
    let rows = layout(root, entries, w as i32 - left - 20);
    let rh = row_height();
    let strip_h = rows.len() as i32 * rh + 16;
    let (strip, rest) = root.split_vertically(strip_h as u32);
    for (r, row) in rows.iter().enumerate() {
        let cy = 8 + r as i32 * rh + rh / 2;
        for &(i, x0) in row {
            let en = &entries[i];
            let x = left + x0;
            let (a, b) = ((x, cy), (x + SAMPLE_W, cy));
            match en.sample {
                Sample::Line(m) => {
                    strip
                        .draw(&PathElement::new(
                            vec![a, b],
                            en.color.stroke_width(style::LINE_WIDTH),
                        ))
                        .map_err(|e| e.to_string())?;
                    draw_marker(&strip, (x + SAMPLE_W / 2, cy), m, en.color)?;
                }
                Sample::Point(m) => {
                    let c = x + SAMPLE_W / 2;
                    strip
                        .draw(&PathElement::new(
                            vec![(c, cy - rh / 3), (c, cy + rh / 3)],
                            en.color.stroke_width(3),
                        ))
                        .map_err(|e| e.to_string())?;
                    draw_marker(&strip, (c, cy), m, en.color)?;
                }
                Sample::Marker(m) => draw_marker(&strip, (x + SAMPLE_W / 2, cy), m, en.color)?,
                Sample::Dashed => dashes(&strip, a, b, en.color, style::BOUND_WIDTH, DASHED)?,
                Sample::Reference => strip
                    .draw(&PathElement::new(vec![a, b], en.color.stroke_width(2)))
                    .map_err(|e| e.to_string())?,
                Sample::Guide => dashes(&strip, a, b, en.color, 3, DOTTED)?,
                Sample::Swatch => strip
                    .draw(&Rectangle::new(
                        [(x, cy - rh / 4), (x + SAMPLE_W, cy + rh / 4)],
                        en.color.filled(),
                    ))
                    .map_err(|e| e.to_string())?,
            }
            strip
                .draw(&Text::new(
                    en.label.clone(),
                    (x + SAMPLE_W + GAP, cy),
                    font().pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    let (xs, ys) = strip.get_pixel_range();
    Ok((rest, Some((xs.start, ys.start, xs.end, ys.end))))
}
