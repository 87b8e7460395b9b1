//! The registry: one `Family` value per family and the one list of them
//! (`crate::families::REGISTRY`), which the CLI, `reproduce`, `list`, `show` and every test
//! iterate. The engines (`bounds`, `experiment`, `plot`) name no family; they are handed
//! the registry.
use crate::bounds::Entry;
use crate::experiment::{Measure, Picture};
use crate::Error;

/// Everything one family contributes.
pub struct Family {
    pub name: &'static str,
    /// One line: what the family checks.
    pub summary: &'static str,
    /// The theory file that states every entry (`theory/NAME.md`).
    pub theory: &'static str,
    /// The entries, one slice per topic file (`families/NAME/TOPIC.rs`).
    pub topics: &'static [&'static [Entry]],
    /// Measurements experiments can sweep (`measure = "..."` in a config).
    pub measures: &'static [Measure],
    /// Pictures experiments can draw (`kind = "..."` of a figure).
    pub pictures: &'static [Picture],
    /// Entries whose replicates are chaotic runs (a twin experiment cycled over 1000
    /// observation times), so that the last bits of the BLAS kernels, which differ between
    /// CPUs, grow into different runs: their verdicts repeat but their tightness does not, and
    /// the golden test compares their verdicts only.
    pub rounding_sensitive: &'static [&'static str],
}

impl Family {
    pub fn entries(&self) -> impl Iterator<Item = &'static Entry> + '_ {
        self.topics.iter().flat_map(|t| t.iter())
    }
}

/// The list of families.
pub struct Registry {
    pub families: &'static [&'static Family],
}

impl Registry {
    /// Every entry of every family, in registry order.
    pub fn entries(&self) -> Vec<&'static Entry> {
        self.families.iter().flat_map(|f| f.entries()).collect()
    }

    pub fn family(&self, name: &str) -> Result<&'static Family, Error> {
        self.families
            .iter()
            .copied()
            .find(|f| f.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.families.iter().map(|f| f.name).collect();
                Error::NotFound(format!(
                    "unknown family `{name}`{}; known: {}",
                    did_you_mean(name, names.iter().copied()),
                    names.join(", ")
                ))
            })
    }

    /// The family an entry belongs to.
    pub fn family_of(&self, entry: &Entry) -> Option<&'static Family> {
        self.families
            .iter()
            .copied()
            .find(|f| f.name == entry.family())
    }

    pub fn entry(&self, id: &str) -> Result<&'static Entry, Error> {
        let all = self.entries();
        all.iter().copied().find(|e| e.id == id).ok_or_else(|| {
            Error::NotFound(format!(
                "unknown id `{id}`{}; `boundlab list` shows the catalogue",
                did_you_mean(id, all.iter().map(|e| e.id))
            ))
        })
    }

    /// Entries selected by family and/or id; an unknown name lists the known ones.
    pub fn select(
        &self,
        family: Option<&str>,
        id: Option<&str>,
    ) -> Result<Vec<&'static Entry>, Error> {
        if let Some(f) = family {
            self.family(f)?;
        }
        if let Some(i) = id {
            self.entry(i)?;
        }
        Ok(self
            .entries()
            .into_iter()
            .filter(|e| family.is_none_or(|f| e.family() == f) && id.is_none_or(|i| e.id == i))
            .collect())
    }

    pub fn measures(&self) -> impl Iterator<Item = &'static Measure> + '_ {
        self.families.iter().flat_map(|f| f.measures.iter())
    }

    pub fn pictures(&self) -> impl Iterator<Item = &'static Picture> + '_ {
        self.families.iter().flat_map(|f| f.pictures.iter())
    }

    /// A measurement by name; the error lists the known ones.
    pub fn measure(&self, name: &str) -> Result<&'static Measure, String> {
        self.measures().find(|m| m.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.measures().map(|m| m.name).collect();
            format!(
                "unknown measure `{name}`{}; known: {}",
                did_you_mean(name, names.iter().copied()),
                names.join(", ")
            )
        })
    }

    /// A picture by name (`None`: not a picture; charts are drawn by the engine).
    pub fn picture(&self, name: &str) -> Option<&'static Picture> {
        self.pictures().find(|p| p.name == name)
    }
}

/// "; did you mean `x`?" for the nearest of `known` when it is close, else "".
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    match crate::params::nearest(name, known) {
        Some(k) => format!("; did you mean `{k}`?"),
        None => String::new(),
    }
}
