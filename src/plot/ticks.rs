//! Ticks for log axes and one number format per axis. plotters labels only the key points of
//! its own choosing on a log axis (a partial lowest decade gets none, so data go unlabelled);
//! here the ticks are the decades, then the values actually plotted, then 2 and 5 times a
//! decade, kept only where their labels do not collide.

const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

fn superscript(k: i32) -> String {
    let mut s = String::new();
    if k < 0 {
        s.push('⁻');
    }
    for c in k.unsigned_abs().to_string().chars() {
        s.push(SUPERSCRIPT[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// m x 10^k with Unicode superscripts ("10⁻⁴", "2×10⁻⁴", "−5×10³"); the minus is U+2212.
pub(crate) fn scientific(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let sign = if v < 0.0 { "−" } else { "" };
    let a = v.abs();
    let mut k = a.log10().floor() as i32;
    let mut m = a / 10f64.powi(k);
    // 9.9999 -> 10 -> 1 x 10^(k+1)
    if (m - 10.0).abs() < 1e-6 {
        m = 1.0;
        k += 1;
    }
    let mant = format!("{m:.2}");
    let mant = mant.trim_end_matches('0').trim_end_matches('.');
    if mant == "1" {
        format!("{sign}10{}", superscript(k))
    } else {
        format!("{sign}{mant}×10{}", superscript(k))
    }
}

/// Labels for the ticks of one axis in one format: plain decimals when every tick lies in
/// [1e-3, 1e5) (or is 0), else m x 10^k for all of them. Negative numbers use U+2212.
pub fn fmt_axis(ticks: &[f64]) -> Vec<String> {
    let plain = ticks
        .iter()
        .all(|v| *v == 0.0 || (1e-3..1e5).contains(&v.abs()));
    ticks
        .iter()
        .map(|&v| {
            if plain {
                let s = format!("{:.3}", v.abs());
                let s = s.trim_end_matches('0').trim_end_matches('.');
                if v < 0.0 && s != "0" {
                    format!("−{s}")
                } else {
                    s.to_string()
                }
            } else {
                scientific(v)
            }
        })
        .collect()
}

/// Tick positions for a log axis over [lo, hi] (lo > 0): decades first, then `data` (the
/// grid values plotted on this axis, empty for a continuous axis), then 2 and 5 times a
/// decade, then the other integer multiples if fewer than two ticks were found; a candidate is
/// kept only when it is at least `min_gap` (a fraction of the axis length) from every tick
/// already kept. Sorted.
pub fn log_ticks(lo: f64, hi: f64, data: &[f64], min_gap: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let (llo, lhi) = (lo.ln(), hi.ln());
    let span = lhi - llo;
    let inside = |v: f64| v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12);
    let decades: Vec<f64> = (lo.log10().floor() as i32..=hi.log10().ceil() as i32)
        .map(|k| 10f64.powi(k))
        .collect();
    let multiples = |ms: &[f64]| -> Vec<f64> {
        decades
            .iter()
            .flat_map(|d| ms.iter().map(move |m| m * d))
            .filter(|v| inside(*v))
            .collect()
    };
    let mut kept: Vec<f64> = Vec::new();
    let offer = |cands: Vec<f64>, kept: &mut Vec<f64>| {
        for v in cands {
            if !inside(v) || !v.is_finite() {
                continue;
            }
            if kept
                .iter()
                .all(|u| ((v.ln() - u.ln()) / span).abs() >= min_gap)
            {
                kept.push(v);
            }
        }
    };
    offer(multiples(&[1.0]), &mut kept);
    let mut d: Vec<f64> = data.iter().copied().filter(|v| *v > 0.0).collect();
    d.sort_by(f64::total_cmp);
    d.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * b.abs());
    offer(d, &mut kept);
    offer(multiples(&[2.0, 5.0]), &mut kept);
    if kept.len() < 2 {
        offer(multiples(&[1.5, 3.0, 4.0, 6.0, 7.0, 8.0, 9.0]), &mut kept);
    }
    kept.sort_by(f64::total_cmp);
    kept
}

/// A log axis [lo, hi] whose data run from `d0` to `d1` (lo <= d0 <= d1 <= hi), widened so
/// that a labelled tick lies at or beyond each end of the data. The decades are the ticks
/// `log_ticks` keeps first; when the data reach below the lowest decade inside the axis (or
/// above the highest), the end moves out to the nearest 1-2-5 value that lies at least a
/// quarter of the new axis from that decade, so its label fits beside the decade's. An axis
/// with no decade inside is left alone (`log_ticks` labels it with 2-5 multiples).
pub fn bracket_log_range(lo: f64, hi: f64, d0: f64, d1: f64) -> (f64, f64) {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return (lo, hi);
    }
    let first = 10f64.powi(lo.log10().ceil() as i32);
    let last = 10f64.powi(hi.log10().floor() as i32);
    if first > hi || last < lo {
        return (lo, hi);
    }
    const MIN_SHARE: f64 = 0.25;
    let nice = |k: i32| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(k));
    let (mut a, mut b) = (lo, hi);
    if d0 < first * (1.0 - 1e-12) {
        // descending 1-2-5 values below the lowest decade
        let k0 = first.log10().round() as i32;
        a = (k0 - 12..k0)
            .rev()
            .flat_map(|k| nice(k).into_iter().rev())
            .find(|v| *v <= d0 && (first / v).ln() >= MIN_SHARE * (b / v).ln())
            .unwrap_or(lo)
            .min(lo);
    }
    if d1 > last * (1.0 + 1e-12) {
        let k0 = last.log10().round() as i32;
        b = (k0..k0 + 12)
            .flat_map(nice)
            .filter(|v| *v > last)
            .find(|v| *v >= d1 && (v / last).ln() >= MIN_SHARE * (v / a).ln())
            .unwrap_or(hi)
            .max(hi);
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plotted_grid_value_gets_a_tick_when_there_is_room() {
        // the example: T = 50 below the first full decade went unlabelled
        let t = log_ticks(
            40.0,
            3500.0,
            &[50.0, 100.0, 200.0, 400.0, 1000.0, 3000.0],
            0.06,
        );
        for v in [50.0, 100.0, 200.0, 400.0, 1000.0, 3000.0] {
            assert!(t.contains(&v), "{v} missing from {t:?}");
        }
        // 1-3-10 grids are labelled at their own values
        let t = log_ticks(0.8, 12.0, &[1.0, 3.0, 10.0], 0.06);
        assert!(t.contains(&3.0), "{t:?}");
    }

    #[test]
    fn ticks_never_collide_and_a_short_axis_still_gets_two() {
        let t = log_ticks(1.0, 1e6, &[], 0.1);
        for w in t.windows(2) {
            assert!((w[1].ln() - w[0].ln()) / 1e6f64.ln() >= 0.1 - 1e-12);
        }
        let t = log_ticks(0.31, 0.62, &[], 0.08);
        assert!(t.len() >= 2, "{t:?}");
    }

    #[test]
    fn the_data_lie_between_labelled_ticks() {
        // the diffusion_error_budget_score case: data 0.58..27 on [0.45, 33]; ticks 1 and 10
        // left 0.58 below the lowest label
        let (a, b) = bracket_log_range(0.45, 33.0, 0.58, 27.0);
        assert_eq!(a, 0.2);
        assert_eq!(b, 50.0);
        let t = log_ticks(a, b, &[], 0.17);
        assert!(t[0] <= 0.58 && *t.last().unwrap() >= 27.0, "{t:?}");
        // data bracketed by decades already: unchanged
        assert_eq!(bracket_log_range(0.8, 120.0, 1.0, 100.0), (0.8, 120.0));
        // no decade inside: unchanged
        assert_eq!(bracket_log_range(0.3, 0.7, 0.35, 0.6), (0.3, 0.7));
    }

    #[test]
    fn one_format_per_axis() {
        assert_eq!(fmt_axis(&[0.001, 0.01, 0.1]), vec!["0.001", "0.01", "0.1"]);
        assert_eq!(fmt_axis(&[1e-4, 1e-3]), vec!["10⁻⁴", "10⁻³"]);
        assert_eq!(fmt_axis(&[-0.5, 0.0, 0.5]), vec!["−0.5", "0", "0.5"]);
        assert_eq!(scientific(3e5), "3×10⁵");
        assert_eq!(scientific(9.99999999e-3), "10⁻²");
    }
}
