//! The geometry of a drawn chart, recorded while it is drawn, and the battery that reads it:
//! every axis has at least two labelled ticks and every plotted value lies within the span
//! of its axis's labels (give or take one tick interval), the legend covers no plotted point
//! and no entry of it runs past the figure's edge,
//! and each axis title fits along its side of the plot. The chart knows all of this exactly
//! (pixels as drawn), so the battery needs no image analysis.

/// A rectangle in figure pixels: (left, top, right, bottom).
pub type Rect = (i32, i32, i32, i32);

/// One axis as drawn: its labelled ticks (pixel position along the axis, label) and the pixel
/// positions of every plotted value on it (points, interval ends, bound vertices).
#[derive(Debug, Clone, Default)]
pub struct AxisLayout {
    pub name: &'static str,
    pub ticks: Vec<(i32, String)>,
    pub data: Vec<i32>,
    /// The title's drawn length, and the room it has: twice the distance from the middle of
    /// its side of the plot to the nearer edge of the figure (or panel), in pixels.
    pub title: String,
    pub title_len: i32,
    pub side_len: i32,
}

/// What one chart drew, in figure pixels.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The panel's name in messages ("" for a single chart).
    pub panel: String,
    pub plot: Rect,
    pub legend: Option<Rect>,
    /// Legend entries whose text runs past the figure's edge, as the strip measured them.
    pub legend_overflow: Vec<String>,
    /// Every plotted point (markers, band and line vertices), in pixels.
    pub points: Vec<(i32, i32)>,
    pub x: AxisLayout,
    pub y: AxisLayout,
}

fn inside(r: Rect, p: (i32, i32), slack: i32) -> bool {
    p.0 >= r.0 - slack && p.0 <= r.2 + slack && p.1 >= r.1 - slack && p.1 <= r.3 + slack
}

impl AxisLayout {
    fn problems(&self, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        let labelled: Vec<i32> = self
            .ticks
            .iter()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(p, _)| *p)
            .collect();
        if labelled.len() < 2 {
            out.push(format!(
                "{at}{} axis has {} labelled tick(s): a reader cannot read its scale",
                self.name,
                labelled.len()
            ));
        } else {
            let (lo, hi) = (
                *labelled.iter().min().unwrap_or(&0),
                *labelled.iter().max().unwrap_or(&0),
            );
            let mut sorted = labelled.clone();
            sorted.sort();
            let gap = sorted.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(0);
            // the axis range is padded, so a value may sit a little over one interval past
            // the last label; a quarter more than that is no longer readable
            let reach = gap + gap / 4 + 2;
            if let Some(v) = self
                .data
                .iter()
                .find(|&&v| v < lo - reach || v > hi + reach)
            {
                out.push(format!(
                    "{at}{} axis: a plotted value (pixel {v}) lies more than a tick interval \
                     ({gap} px) beyond the labelled ticks ({lo}..{hi} px)",
                    self.name
                ));
            }
        }
        if self.title_len > self.side_len {
            out.push(format!(
                "{at}{} axis title `{}` is {} px long, the figure has room for {} px: shorten it",
                self.name, self.title, self.title_len, self.side_len
            ));
        }
        out
    }
}

impl Layout {
    /// What is wrong with the drawn chart (empty: nothing).
    pub fn problems(&self) -> Vec<String> {
        let at = if self.panel.is_empty() {
            String::new()
        } else {
            format!("panel `{}`: ", self.panel)
        };
        let mut out = self.x.problems(&at);
        out.extend(self.y.problems(&at));
        out.extend(self.legend_overflow.iter().map(|m| format!("{at}{m}")));
        if let Some(l) = self.legend {
            if let Some(p) = self.points.iter().find(|p| inside(l, **p, 0)) {
                out.push(format!(
                    "{at}the legend ({l:?}) covers a plotted point at {p:?}"
                ));
            }
        }
        // a marker's half-size of slack: markers centred on the frame are fine
        if let Some(p) = self.points.iter().find(|p| !inside(self.plot, **p, 12)) {
            out.push(format!(
                "{at}a plotted point at {p:?} lies outside the plot area {:?}",
                self.plot
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(ticks: &[(i32, &str)], data: &[i32]) -> AxisLayout {
        AxisLayout {
            name: "x",
            ticks: ticks.iter().map(|(p, l)| (*p, l.to_string())).collect(),
            data: data.to_vec(),
            title: "t".into(),
            title_len: 50,
            side_len: 400,
        }
    }

    fn layout(x: AxisLayout) -> Layout {
        Layout {
            panel: String::new(),
            plot: (100, 100, 500, 400),
            legend: Some((100, 0, 500, 90)),
            legend_overflow: Vec::new(),
            points: vec![(200, 200)],
            x,
            y: axis(&[(110, "1"), (390, "2")], &[200]),
        }
    }

    #[test]
    fn the_battery_passes_a_readable_chart_and_names_each_fault() {
        let good = layout(axis(
            &[(150, "10"), (300, "100"), (450, "1000")],
            &[120, 470],
        ));
        assert!(good.problems().is_empty(), "{:?}", good.problems());
        // one labelled tick: the scale cannot be read
        let one = layout(axis(&[(150, "10"), (300, "")], &[150]));
        assert!(one.problems()[0].contains("1 labelled tick"));
        // a point two tick intervals below the lowest label (the partial-decade fault)
        let far = layout(axis(&[(300, "100"), (400, "1000")], &[100, 350]));
        assert!(far.problems()[0].contains("beyond the labelled ticks"));
        // a legend over the data
        let mut covered = good.clone();
        covered.legend = Some((150, 150, 250, 250));
        assert!(covered.problems()[0].contains("covers a plotted point"));
        // an axis title longer than its side
        let mut long = good.clone();
        long.y.title_len = 600;
        long.y.side_len = 300;
        assert!(long.problems()[0].contains("shorten"));
        // a legend entry measured past the figure's edge
        let mut cut = good.clone();
        cut.legend_overflow =
            vec!["legend entry `x` runs 12 px past the figure's right edge".into()];
        assert!(cut.problems()[0].contains("runs 12 px past"));
    }
}
