//! The figure battery, run on every SVG that `reproduce` writes: text at least 8 pt at print
//! size, no raw identifier (a name with an underscore, as a metric or parameter is spelled in
//! a config) and no raw TeX in any text a reader sees. The geometric rules (ticks on every log
//! axis, a legend that cannot cover data) hold by construction and are unit-tested in
//! `plot::chart` and `plot::ticks`.
use super::style;

/// The SVG's (width, height).
fn canvas(svg: &str) -> (f64, f64) {
    let attr = |name: &str| {
        svg.split(&format!("{name}=\"")[..])
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::INFINITY)
    };
    (attr("width"), attr("height"))
}

/// Average advance of a sans-serif character, in em (DejaVu Sans: about 0.55 to 0.6).
const EM_PER_CHAR: f64 = 0.55;

/// The text elements of an SVG written by plotters: (font-size, content, rotated).
fn texts(svg: &str) -> Vec<(f64, String, bool)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        rest = &rest[start..];
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let tag = &rest[..open_end];
        let size = tag
            .split("font-size=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        let body_start = open_end + 1;
        let Some(close) = rest[body_start..].find("</text>") else {
            break;
        };
        let content = rest[body_start..body_start + close].trim().to_string();
        out.push((size, content, tag.contains("rotate(")));
        rest = &rest[body_start + close..];
    }
    out
}

/// A word made of letters, digits and underscores with an underscore between two letters or
/// digits: how an internal name looks (`w_zero`, `res_tail`, `min_k`).
fn raw_identifier(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| {
            let b = w.as_bytes();
            (1..b.len().saturating_sub(1)).any(|i| {
                b[i] == b'_' && b[i - 1].is_ascii_alphanumeric() && b[i + 1].is_ascii_alphanumeric()
            })
        })
}

/// Greek letters spelled out in ASCII, as configs and code name them.
const GREEK: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "eps", "epsilon", "eta", "theta", "lambda", "mu", "pi",
    "rho", "sigma", "tau", "phi", "psi", "omega",
];

fn spelled_greek(text: &str) -> Option<&str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| GREEK.contains(w))
}

/// What is wrong with one SVG (empty: nothing).
pub fn audit_svg(svg: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let (w, h) = canvas(svg);
    for (size, text, rotated) in texts(svg) {
        if text.is_empty() {
            continue;
        }
        // an axis title longer than its side of the figure is cut off
        let extent = text.chars().count() as f64 * EM_PER_CHAR * size;
        let room = if rotated { h } else { w };
        if extent > room {
            problems.push(format!(
                "text `{text}` is about {extent:.0} units long, the figure {room:.0}: shorten it"
            ));
        }
        if !(size >= style::MIN_SVG_FONT - 0.5) {
            problems.push(format!(
                "text `{text}` is {:.1} pt at print size (need >= 8 pt)",
                size * 72.0 / style::DPI as f64
            ));
        }
        if let Some(w) = raw_identifier(&text) {
            problems.push(format!(
                "text `{text}` shows the internal name `{w}`: name it in the config's [labels]"
            ));
        }
        if let Some(w) = spelled_greek(&text) {
            problems.push(format!(
                "text `{text}` spells `{w}` in ASCII: use the Greek letter"
            ));
        }
        if text.contains('\\') || text.contains("^{") || text.contains("_{") {
            problems.push(format!("text `{text}` has raw TeX: write it in Unicode"));
        } else if text
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'^' && w[1].is_ascii_alphanumeric())
        {
            problems.push(format!(
                "text `{text}` writes a power with ^: use a Unicode superscript (2ʳ, n⁻¹)"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_battery_catches_small_text_raw_names_and_tex() {
        let good = r##"<text x="1" font-size="33.1" fill="#000">sample size n</text>"##;
        assert!(audit_svg(good).is_empty(), "{:?}", audit_svg(good));
        let small = r#"<text font-size="13.7">risk</text>"#;
        assert!(audit_svg(small)[0].contains("pt at print size"));
        let raw = r#"<text font-size="40">w_zero</text>"#;
        assert!(audit_svg(raw)[0].contains("`w_zero`"));
        let greek = r#"<text font-size="40">lambda = 2</text>"#;
        assert!(audit_svg(greek)[0].contains("`lambda`"));
        let tex = r#"<text font-size="40">w^{r+1}</text>"#;
        assert!(audit_svg(tex)[0].contains("TeX"));
        let caret = r#"<text font-size="40">2^r blocks</text>"#;
        assert!(audit_svg(caret)[0].contains("superscript"));
        let long = format!(
            r#"<svg width="1020" height="690"><text font-size="40" transform="rotate(270, 1, 1)">{}</text>"#,
            "x".repeat(40)
        );
        assert!(audit_svg(&long)[0].contains("shorten"));
        // subscripts written as plain words are fine; a lone underscore is not a name
        assert!(audit_svg(r#"<text font-size="40">x _ y</text>"#).is_empty());
    }
}
