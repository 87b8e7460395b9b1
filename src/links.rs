//! Where an entry lives: the theory section that states it, the file and line that define
//! it, the experiment configs and figures that draw it. Used by `boundlab show` and by the
//! well-formedness tests, so both follow the same naming rule.
use crate::bounds::Entry;
use crate::experiment::Config;
use crate::registry::Family;
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
