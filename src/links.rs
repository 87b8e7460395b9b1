//! Where an entry lives: the theory section that states it, the file and line that define
//! it, the experiment configs and figures that draw it. Used by `boundlab show` and by the
//! well-formedness tests, so both follow the same naming rule.
use crate::bounds::{Entry, Status};
use crate::experiment::Config;
use crate::registry::Family;
use crate::registry::Registry;
use crate::Error;
use std::path::{Path, PathBuf};

/// A place in a text file: path, 1-based line, the line's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub path: PathBuf,
    pub line: usize,
    pub text: String,
}

fn find_line(path: &Path, pred: impl Fn(&str) -> bool) -> Option<Place> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .enumerate()
        .find(|(_, l)| pred(l))
        .map(|(i, l)| Place {
            path: path.to_path_buf(),
            line: i + 1,
            text: l.trim().to_string(),
        })
}

/// The Markdown heading of the family's theory file that names the entry in backticks.
pub fn theory_section(root: &Path, family: &Family, entry: &Entry) -> Option<Place> {
    let tag = format!("`{}`", entry.id);
    find_line(&root.join(family.theory), |l| {
        l.starts_with('#') && l.contains(&tag)
    })
}

/// The file the naming rule puts the entry in, `src/families/FAMILY/TOPIC.rs`.
pub fn code_file(entry: &Entry) -> PathBuf {
    PathBuf::from(format!(
        "src/families/{}/{}.rs",
        entry.family(),
        entry.topic()
    ))
}

/// The line of the entry's `id:` in its file.
pub fn code_place(root: &Path, entry: &Entry) -> Option<Place> {
    let tag = format!("id: \"{}\"", entry.id);
    find_line(&root.join(code_file(entry)), |l| l.contains(&tag))
}

/// The configs whose `bounds = [...]` name the entry, with the figure files each makes.
pub fn drawn_by<'a>(
    entry: &Entry,
    configs: &'a [(PathBuf, Config)],
) -> Vec<(&'a Path, Vec<String>)> {
    configs
        .iter()
        .filter(|(_, c)| c.bounds.iter().any(|b| b == entry.id))
        .map(|(p, c)| (p.as_path(), c.figure_stems()))
        .collect()
}

/// The text of `boundlab show ID`: statement, kind and status, source, theory heading,
/// definition, the test command, controls, the configs and figures that draw the entry, and
/// its verdicts in the last saved reports under `root/results/`.
pub fn describe(
    reg: &Registry,
    id: &str,
    root: &Path,
    experiments: &Path,
) -> Result<String, Error> {
    use std::fmt::Write as _;
    let mut out = String::new();
    let e = reg.entry(id)?;
    let fam = reg
        .family_of(e)
        .ok_or_else(|| Error::Internal(format!("{id} has no family in the registry")))?;
    let status = match e.status {
        Status::Claim => "claim (must HOLD)".to_string(),
        Status::Conjecture { expected: Some(v) } => {
            format!("conjecture (recorded evidence: {v})")
        }
        Status::Conjecture { expected: None } => "conjecture (reported)".into(),
    };
    let place = |p: Option<Place>, fallback: String| match p {
        Some(p) => format!("{}:{}  {}", p.path.display(), p.line, p.text),
        None => format!("{fallback} (not found from this directory)"),
    };
    let _ = writeln!(out, "{}", e.id);
    let _ = writeln!(out, "  statement  {}", e.statement);
    let _ = writeln!(out, "  kind       {} evidence, {status}", e.kind);
    let _ = writeln!(out, "  source     {}", e.source);
    let _ = writeln!(
        out,
        "  theory     {}",
        place(theory_section(root, fam, e), fam.theory.to_string())
    );
    let _ = writeln!(
        out,
        "  code       {}",
        place(code_place(root, e), code_file(e).display().to_string())
    );
    let _ = writeln!(out,
        "  test       cargo test --test catalogue -- {} (quick scale, against tests/golden/catalogue_quick.json)",
        e.id
    );
    let _ = writeln!(
        out,
        "  controls   (run one: boundlab check --id {} --variant NAME)",
        e.id
    );
    for c in e.controls {
        let _ = writeln!(out, "    {:<32} {}", c.name, c.description);
    }
    let configs = crate::experiment::list_configs(experiments).unwrap_or_default();
    let drawn = drawn_by(e, &configs);
    if drawn.is_empty() {
        let _ = writeln!(out, "  configs    none name it in `bounds = [...]`");
    }
    for (path, stems) in drawn {
        let _ = writeln!(
            out,
            "  config     {}  (boundlab run {})",
            path.display(),
            path.display()
        );
        for s in stems {
            let _ = writeln!(out, "    figure   figures/{s}.png, figures/{s}.svg");
        }
    }
    let mut found = false;
    for file in ["results/check.json", "results/check-quick.json"] {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        let Ok(reports) = serde_json::from_str::<Vec<serde_json::Value>>(&text) else {
            let _ = writeln!(out, "  last run   {file} is not a report file");
            continue;
        };
        for r in reports.iter().filter(|r| r["id"] == e.id) {
            found = true;
            let _ = writeln!(
                out,
                "  last run   {file}: {} {} (max ratio {}, {:.1}s)",
                r["variant"].as_str().unwrap_or("?"),
                r["verdict"].as_str().unwrap_or("?"),
                r["max_ratio"]
                    .as_f64()
                    .map_or("-".to_string(), |x| format!("{x:.3}")),
                r["wall_seconds"].as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    if !found {
        let _ = writeln!(
            out,
            "  last run   none saved (make reproduce writes results/check.json)"
        );
    }
    Ok(out)
}
