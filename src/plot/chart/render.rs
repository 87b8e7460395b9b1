//! Drawing a chart on an area (the whole figure, or one panel of several), and recording
//! what was drawn where (`Layout`) for the figure battery. The area may be offset inside the
//! figure: plotters reports data points in figure pixels, so everything drawn by pixel goes
//! through `to_area`, and everything recorded stays in figure pixels.
use super::{Chart, ChartKind, ZeroSlot};
use crate::plot::layout::{AxisLayout, Layout};
use crate::plot::legend::{dashed_path, dashes, draw_marker, legend_strip, DASHED, DOTTED};
use crate::plot::ticks::{fmt_axis, log_ticks};
use crate::plot::{fmt_tick, style};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Reserved pixels: the x axis's ticks and title below the plot, the y axis's at its left.
const X_AREA: u32 = style::TICK_SIZE + style::LABEL_SIZE + 40;
const Y_AREA: u32 = 170;
const MARGIN: u32 = 14;

impl Chart {
    /// Draw on `area` (filled and presented by the caller); `panel` names it in messages.
    pub(crate) fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &str,
    ) -> Result<Layout, String> {
        let ((x0, x1), (y0, y1)) = self.ranges()?;
        match (self.logx, self.logy) {
            (true, true) => self.render(area, panel, (x0..x1).log_scale(), (y0..y1).log_scale()),
            (true, false) => self.render(area, panel, (x0..x1).log_scale(), y0..y1),
            (false, true) => self.render(area, panel, x0..x1, (y0..y1).log_scale()),
            (false, false) => self.render(area, panel, x0..x1, y0..y1),
        }
    }

    fn render<DB, X, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        panel: &str,
        xr: X,
        yr: Y,
    ) -> Result<Layout, String>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let base = root.get_base_pixel();
        let to_area = |p: (i32, i32)| (p.0 - base.0, p.1 - base.1);
        let mut area = root.clone();
        if !panel.is_empty() {
            // a panel's caption: its name above its legend
            area = area
                .titled(&self.title, (style::FONT, style::LABEL_SIZE))
                .map_err(e)?;
        }
        let (body, legend, legend_overflow) =
            legend_strip(&area, &self.legend_entries(), (Y_AREA + MARGIN) as i32)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(MARGIN)
            .margin_right(36)
            .x_label_area_size(X_AREA)
            .y_label_area_size(Y_AREA)
            .build_cartesian_2d(xr, yr)
            .map_err(e)?;
        let ((xa, xb), (ya, yb)) = self.ranges()?;
        let zero = self.zero_slot();
        let cats = self.x_categories.clone().unwrap_or_default();
        let cat_fmt = |v: &f64| -> String {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
                cats[i as usize].clone()
            } else {
                String::new()
            }
        };
        // one format per linear axis, with as many decimals as its span needs
        let linear_fmt = |lo: f64, hi: f64| {
            let big = lo.abs().max(hi.abs());
            let sci = big >= 1e5 || big < 1e-3;
            let decimals = (-((hi - lo) / 5.0).log10().floor()).clamp(0.0, 6.0) as usize + 1;
            move |v: &f64| -> String {
                if v.abs() < 1e-12 * big.max(1e-300) {
                    "0".into()
                } else if sci {
                    fmt_tick(*v)
                } else {
                    let s = format!("{:.*}", decimals, v.abs());
                    let s = s.trim_end_matches('0').trim_end_matches('.');
                    if *v < 0.0 {
                        format!("−{s}")
                    } else {
                        s.to_string()
                    }
                }
            }
        };
        let x_fmt = linear_fmt(xa, xb);
        let y_fmt = linear_fmt(ya, yb);
        let int_fmt = |v: &f64| -> String {
            if (v - v.round()).abs() < 1e-9 {
                format!("{}", v.round())
            } else {
                String::new()
            }
        };
        let (mut nx, ny) = (7usize, 6usize);
        let mut x_format: &dyn Fn(&f64) -> String = &x_fmt;
        if self.x_categories.is_some() {
            nx = cats.len() + 2;
            x_format = &cat_fmt;
        } else if self.integer_x && !self.logx {
            let span = self
                .series
                .iter()
                .flat_map(|s| s.x.iter())
                .fold(0.0f64, |m, v| m.max(*v));
            nx = span as usize + 2;
            x_format = &int_fmt;
        }
        let mut mesh = chart.configure_mesh();
        mesh.x_desc(&self.xlabel)
            .y_desc(&self.ylabel)
            .axis_desc_style((style::FONT, style::LABEL_SIZE))
            .label_style((style::FONT, style::TICK_SIZE))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.08))
            .x_label_formatter(x_format)
            .y_label_formatter(&y_fmt)
            .x_labels(nx)
            .y_labels(ny);
        // log axes: plotters' own key points (labels, tick marks, grid lines) are replaced by
        // ours, drawn below
        let blank = |_: &f64| String::new();
        if self.logx {
            mesh.x_label_formatter(&blank)
                .disable_x_mesh()
                .set_tick_mark_size(LabelAreaPosition::Bottom, 0);
        }
        if self.logy {
            mesh.y_label_formatter(&blank)
                .disable_y_mesh()
                .set_tick_mark_size(LabelAreaPosition::Left, 0);
        }
        mesh.draw().map_err(e)?;

        let px = |v: &(f64, f64)| chart.backend_coord(v);
        let mut points: Vec<(i32, i32)> = Vec::new();
        let (mut xdata, mut ydata): (Vec<i32>, Vec<i32>) = (Vec::new(), Vec::new());
        let mut record = |p: (i32, i32), points: &mut Vec<(i32, i32)>| {
            points.push(p);
            xdata.push(p.0);
            ydata.push(p.1);
        };

        // reference line first, then guides and bands, then lines, then markers on top
        if let Some(h) = self.hline {
            let (a, b) = (px(&(xa, h)), px(&(xb, h)));
            root.draw(&PathElement::new(
                vec![to_area(a), to_area(b)],
                style::INK.stroke_width(2),
            ))
            .map_err(e)?;
        }
        let placed = self.placed();
        for (_, [a, b]) in self.guides(&placed) {
            let (pa, pb) = (px(&a), px(&b));
            dashes(root, to_area(pa), to_area(pb), style::INK, 3, DOTTED)?;
        }
        let valid = |v: f64, log: bool| v.is_finite() && (!log || v > 0.0);
        // markers at shared x values (a categorical axis, or points on a linear axis) are
        // spread side by side over 60% of the spacing, so one series cannot hide another
        let solid = placed.iter().filter(|s| !s.dashed).count().max(1);
        let spacing = self.dodge_spacing(&placed);
        let mut solid_index = 0usize;
        let mut markers: Vec<((f64, f64), usize)> = Vec::new();
        let mut bars: Vec<(f64, f64, f64, usize)> = Vec::new();
        let mut lines: Vec<(Vec<(f64, f64)>, usize, bool)> = Vec::new();
        let mut clamped: Vec<(f64, f64)> = Vec::new();
        for s in &placed {
            let dodge = if spacing > 0.0 && spacing.is_finite() && !s.dashed {
                let w = 0.6 * spacing / solid as f64;
                solid_index += 1;
                (solid_index as f64 - 0.5 - solid as f64 / 2.0) * w
            } else {
                0.0
            };
            let color = style::color(s.color);
            // on a floored log axis a value of 0 or below is drawn at the floor like any
            // value under it
            let floored = |y: f64| self.ymin.is_some() && y.is_finite();
            let pts: Vec<(f64, f64, f64, f64)> = (0..s.x.len())
                .filter(|&i| {
                    valid(s.x[i], self.logx) && (valid(s.y[i], self.logy) || floored(s.y[i]))
                })
                .map(|i| {
                    let end = |v: Option<&f64>| {
                        v.copied()
                            .filter(|v| valid(*v, self.logy))
                            .unwrap_or(s.y[i])
                    };
                    (s.x[i] + dodge, s.y[i], end(s.lo.get(i)), end(s.hi.get(i)))
                })
                .map(|(x, y, lo, hi)| match self.ymin {
                    // below the axis: drawn at its lower end, marked by an arrow
                    Some(f) if y < f => {
                        clamped.push((x, f));
                        (x, f, lo.max(f), hi.max(f))
                    }
                    Some(f) => (x, y, lo.max(f), hi.max(f)),
                    None => (x, y, lo, hi),
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
            if s.dashed {
                lines.push((xy, s.color, true));
                continue;
            }
            match self.kind {
                ChartKind::Lines => {
                    if !s.lo.is_empty() && pts.len() > 1 {
                        let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
                        poly.extend(pts.iter().rev().map(|p| (p.0, p.2)));
                        for p in &poly {
                            record(px(p), &mut points);
                        }
                        let poly_px: Vec<(i32, i32)> =
                            poly.iter().map(|p| to_area(px(p))).collect();
                        root.draw(&Polygon::new(
                            poly_px,
                            color.mix(style::BAND_ALPHA).filled(),
                        ))
                        .map_err(e)?;
                    }
                    lines.push((xy.clone(), s.color, false));
                }
                ChartKind::Points if !s.lo.is_empty() => {
                    bars.extend(pts.iter().map(|p| (p.0, p.2, p.3, s.color)));
                }
                ChartKind::Points => {}
            }
            markers.extend(xy.into_iter().map(|p| (p, s.color)));
        }
        for (xy, c, dashed) in &lines {
            let pix: Vec<(i32, i32)> = xy.iter().map(&px).collect();
            for p in &pix {
                record(*p, &mut points);
            }
            if *dashed {
                let path: Vec<(i32, i32)> = pix.iter().map(|p| to_area(*p)).collect();
                dashed_path(root, &path, style::color(*c), style::BOUND_WIDTH, DASHED)?;
            } else {
                for w in pix.windows(2) {
                    let (a, b) = (to_area(w[0]), to_area(w[1]));
                    root.draw(&PathElement::new(
                        vec![a, b],
                        style::color(*c).stroke_width(style::LINE_WIDTH),
                    ))
                    .map_err(e)?;
                }
            }
        }
        for (x, lo, hi, c) in &bars {
            let (a, b) = (px(&(*x, *lo)), px(&(*x, *hi)));
            record(a, &mut points);
            record(b, &mut points);
            let (a, b) = (to_area(a), to_area(b));
            let st = style::color(*c).stroke_width(3);
            root.draw(&PathElement::new(vec![a, b], st)).map_err(e)?;
            for end in [a, b] {
                root.draw(&PathElement::new(
                    vec![(end.0 - 10, end.1), (end.0 + 10, end.1)],
                    st,
                ))
                .map_err(e)?;
            }
        }
        for (p, c) in &markers {
            let at = px(p);
            record(at, &mut points);
            draw_marker(root, to_area(at), style::marker(*c), style::color(*c))?;
        }
        for p in &clamped {
            let (x, y) = to_area(px(p));
            let st = style::INK.stroke_width(3);
            root.draw(&PathElement::new(vec![(x, y + 11), (x, y + 22)], st))
                .map_err(e)?;
            root.draw(&Polygon::new(
                vec![(x - 7, y + 21), (x + 7, y + 21), (x, y + 30)],
                style::INK.filled(),
            ))
            .map_err(e)?;
        }

        // the ticks as labelled: plotters' key points on linear axes, ours on log axes
        let tick_font = (style::FONT, style::TICK_SIZE).into_font().color(&BLACK);
        let (pw, ph) = chart.plotting_area().dim_in_pixel();
        let mut x_ticks: Vec<(i32, String)> = Vec::new();
        let mut y_ticks: Vec<(i32, String)> = Vec::new();
        if !self.logx {
            let spec = chart.as_coord_spec().x_spec();
            for v in spec.key_points(nx) {
                x_ticks.push((px(&(v, ya)).0, x_format(&v)));
            }
        }
        if !self.logy {
            let spec = chart.as_coord_spec().y_spec();
            for v in spec.key_points(ny) {
                y_ticks.push((px(&(xa, v)).1, y_fmt(&v)));
            }
        }
        let x_tick = |v: f64, label: String, ticks: &mut Vec<(i32, String)>| {
            let (tx, ty) = px(&(v, ya));
            ticks.push((tx, label.clone()));
            let (tx, ty) = to_area((tx, ty));
            root.draw(&PathElement::new(
                vec![(tx, ty), (tx, ty + 10)],
                BLACK.stroke_width(1),
            ))
            .map_err(e)?;
            root.draw(&Text::new(
                label,
                (tx, ty + 14),
                tick_font.pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(e)
        };
        if self.logx {
            let data: Vec<f64> = placed
                .iter()
                .flat_map(|s| s.x.iter().copied())
                .filter(|v| zero.is_none_or(|z| *v > z.gap))
                .collect();
            // two neighbouring labels need half their widths plus a space between their
            // centres: the widest candidate label (about 0.6 em a character) sets the gap
            let em = style::TICK_SIZE as f64 / 1.24;
            let lo = zero.map_or(xa, |z: ZeroSlot| z.first * (1.0 - 1e-9));
            let widest = fmt_axis(&log_ticks(lo, xb, &data, 0.0))
                .iter()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(4) as f64;
            let gap = (widest * 0.6 * em + 0.8 * em) / pw.max(1) as f64;
            let ticks = log_ticks(lo, xb, &data, gap);
            for (v, label) in ticks.iter().zip(fmt_axis(&ticks)) {
                x_tick(*v, label, &mut x_ticks)?;
            }
            if let Some(z) = zero {
                x_tick(z.at, "0".into(), &mut x_ticks)?;
                // the break: two short slanted strokes across the axis
                let (bx, by) = to_area(px(&(z.gap, ya)));
                for dx in [-5, 5] {
                    root.draw(&PathElement::new(
                        vec![(bx + dx - 6, by + 10), (bx + dx + 6, by - 10)],
                        BLACK.stroke_width(2),
                    ))
                    .map_err(e)?;
                }
            }
        }
        if self.logy {
            let gap = (1.7 * style::TICK_SIZE as f64) / ph.max(1) as f64;
            let ticks = log_ticks(ya, yb, &[], gap);
            for (v, label) in ticks.iter().zip(fmt_axis(&ticks)) {
                let (tx, ty) = px(&(xa, *v));
                y_ticks.push((ty, label.clone()));
                let (tx, ty) = to_area((tx, ty));
                root.draw(&PathElement::new(
                    vec![(tx - 10, ty), (tx, ty)],
                    BLACK.stroke_width(1),
                ))
                .map_err(e)?;
                // a faint grid line at each labelled tick
                let (qx, _) = to_area(px(&(xb, *v)));
                root.draw(&PathElement::new(vec![(tx, ty), (qx, ty)], BLACK.mix(0.08)))
                    .map_err(e)?;
                root.draw(&Text::new(
                    label,
                    (tx - 14, ty),
                    tick_font.pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(e)?;
            }
        }
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        // an axis title is centred on its side of the plot and may run into the empty corners
        // beside it (the legend starts right of the y axis's label area), not off the figure
        let (fx, fy) = root.get_pixel_range();
        let room = |c: i32, r: &std::ops::Range<i32>| 2 * (c - r.start).min(r.end - c) - 30;
        let (cx, cy) = ((xs.start + xs.end) / 2, (ys.start + ys.end) / 2);
        let title_font = (style::FONT, style::LABEL_SIZE).into_text_style(root);
        let len = |t: &str| {
            root.estimate_text_size(t, &title_font)
                .map_or(0, |(w, _)| w as i32)
        };
        Ok(Layout {
            panel: panel.to_string(),
            plot: (xs.start, ys.start, xs.end, ys.end),
            legend,
            legend_overflow,
            points,
            x: AxisLayout {
                name: "x",
                ticks: x_ticks,
                data: xdata,
                title: self.xlabel.clone(),
                title_len: len(&self.xlabel),
                side_len: room(cx, &fx),
            },
            y: AxisLayout {
                name: "y",
                ticks: y_ticks,
                data: ydata,
                title: self.ylabel.clone(),
                title_len: len(&self.ylabel),
                side_len: room(cy, &fy),
            },
        })
    }
}
