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
    dashed_path(area, &[from, to], color, width, pattern)
}

/// A dashed polyline in pixels. The pattern runs on along the whole path
/// rather than restarting at each vertex, so a bound drawn through many
/// closely spaced points still reads as dashed.
pub(crate) fn dashed_path<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    path: &[(i32, i32)],
    color: RGBColor,
    width: u32,
    pattern: (f64, f64),
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    for run in dash_runs(path, pattern) {
        area.draw(&PathElement::new(run, color.stroke_width(width)))
            .map_err(e)?;
    }
    Ok(())
}

/// The inked pieces of `path` under a (dash, gap) pattern whose phase is
/// carried across vertices; each piece is itself a polyline.
pub(crate) fn dash_runs(path: &[(i32, i32)], pattern: (f64, f64)) -> Vec<Vec<(i32, i32)>> {
    let (dash, gap) = pattern;
    let mut runs = Vec::new();
    let mut cur: Vec<(i32, i32)> = Vec::new();
    // distance left in the current phase, and whether that phase is ink
    let (mut left, mut ink) = (dash, true);
    for w in path.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
        let len = (dx * dx + dy * dy).sqrt();
        let at = |s: f64| {
            let t = if len > 0.0 { s / len } else { 0.0 };
            (a.0 + (dx * t).round() as i32, a.1 + (dy * t).round() as i32)
        };
        let mut s = 0.0;
        if ink && cur.is_empty() {
            cur.push(a);
        }
        while len - s > left {
            s += left;
            if ink {
                cur.push(at(s));
                runs.push(std::mem::take(&mut cur));
            } else {
                cur.push(at(s));
            }
            ink = !ink;
            left = if ink { dash } else { gap };
        }
        left -= len - s;
        if ink {
            cur.push(b);
        }
    }
    if cur.len() >= 2 {
        runs.push(cur);
    }
    runs
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

/// What a legend strip drew: the area below it, its rectangle in figure pixels, and the
/// entries whose text runs past the figure's right edge (measured by the backend), each as a
/// message for the layout battery.
pub(crate) type Strip<DB> = (
    DrawingArea<DB, Shift>,
    Option<super::layout::Rect>,
    Vec<String>,
);

/// Draw `entries` in a strip at the top of `root`, left edge at `left` pixels; returns the
/// area below the strip (all of `root` when there is nothing to show), the strip's rectangle
/// in figure pixels, and any entry too long for the width.
pub(crate) fn legend_strip<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    left: i32,
) -> Result<Strip<DB>, String> {
    if entries.is_empty() {
        return Ok((root.clone(), None, Vec::new()));
    }
    let (w, _) = root.dim_in_pixel();
    let rows = layout(root, entries, w as i32 - left - 20);
    let f = font();
    let mut overflow = Vec::new();
    for row in &rows {
        for &(i, x0) in row {
            let en = &entries[i];
            let tw = root
                .estimate_text_size(&en.label, &f)
                .map(|(tw, _)| tw as i32)
                .unwrap_or(0);
            let right = left + x0 + SAMPLE_W + GAP + tw;
            if right > w as i32 {
                overflow.push(format!(
                    "legend entry `{}` runs {} px past the figure's right edge: shorten it in the config's [labels]",
                    en.label,
                    right - w as i32
                ));
            }
        }
    }
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
    Ok((rest, Some((xs.start, ys.start, xs.end, ys.end)), overflow))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inked(runs: &[Vec<(i32, i32)>]) -> f64 {
        runs.iter()
            .flat_map(|r| r.windows(2))
            .map(|w| (((w[1].0 - w[0].0).pow(2) + (w[1].1 - w[0].1).pow(2)) as f64).sqrt())
            .sum()
    }

    #[test]
    fn the_dash_pattern_runs_on_across_short_segments() {
        // 140 px drawn as 70 segments of 2 px: shorter than one dash each,
        // so a pattern restarted at every vertex would ink all of it.
        let path: Vec<(i32, i32)> = (0..=70).map(|i| (2 * i, 0)).collect();
        let runs = dash_runs(&path, DASHED);
        // dashes at [0,18], [28,46], [56,74], [84,102], [112,130]
        assert_eq!(runs.len(), 5);
        assert!((inked(&runs) - 90.0).abs() < 1e-9, "inked {}", inked(&runs));
        assert_eq!(runs[1].first(), Some(&(28, 0)));
        assert_eq!(runs[1].last(), Some(&(46, 0)));
        // the same line as one segment gives the same dashes
        let one = dash_runs(&[(0, 0), (140, 0)], DASHED);
        assert_eq!(one.len(), 5);
        assert!((inked(&one) - inked(&runs)).abs() < 1e-9);
    }

    #[test]
    fn a_dash_turns_corners() {
        // 10 px right then 10 px down: the first 18 px are one inked run with a corner
        let runs = dash_runs(&[(0, 0), (10, 0), (10, 10)], DASHED);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0], vec![(0, 0), (10, 0), (10, 8)]);
    }
}
