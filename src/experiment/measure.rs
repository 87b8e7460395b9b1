//! What a family hands the experiment engine: measurements (one replicate of a cell) and
//! pictures (one realisation drawn from a config's fixed parameters).
//!
//! Both are *prepared* from parameters first: `prepare` parses them into the typed spec
//! the work needs and returns a closure over it. Parsing is the validation: the runner
//! prepares every cell before any work, on tracked parameters, so a bad value exits 2
//! naming its field and a key that nothing reads exits 2 naming the nearest known key.
use crate::mc::Rng;
use crate::params::Params;
use crate::Error;
use std::path::Path;

/// Named values from one replicate.
pub type Metrics = Vec<(String, f64)>;

/// Metrics that are functions of a cell's parameters alone (see [`Measure::closed_form`]).
pub type ClosedForm = fn(&Params) -> Result<Metrics, Error>;

/// One replicate of a prepared cell: `rng` is the replicate's own stream in this cell;
/// `common` is the replicate's stream shared by every cell of the grid (common random
/// numbers: the same random mixture across r, h, ..., so curves compare like with like).
pub type Replicate = Box<dyn Fn(&mut Rng, &mut Rng) -> Result<Metrics, Error> + Send + Sync>;

/// A measurement an experiment can sweep.
pub struct Measure {
    /// `family.topic` (unique across the registry).
    pub name: &'static str,
    pub description: &'static str,
    /// The metrics it reports (figures may only plot these).
    pub metrics: &'static [&'static str],
    /// Those of them that are indicators (0 or 1 per replicate): their display interval is
    /// Clopper-Pearson, every other metric's Student's t (a metric that happens to be 0 in
    /// every replicate, such as a paired difference at its reference point, is not a
    /// proportion).
    pub indicators: &'static [&'static str],
    /// Parse one cell's parameters (every key the work reads) and return its replicate.
    pub prepare: fn(&Params) -> Result<Replicate, Error>,
    /// The metrics that are functions of the parameters alone (closed-form bounds), from
    /// the same code the replicate uses. A figure draws these on a fine grid of its x
    /// parameter as smooth curves, and the runner checks at every cell that they equal
    /// what the replicates reported.
    pub closed_form: Option<ClosedForm>,
}

/// Draws one realisation: (seed, title, file stem without extension).
pub type Drawing = Box<dyn Fn(u64, &str, &Path) -> Result<(), Error>>;

/// A picture kind a figure can name (`kind = "..."`), drawn from the config's fixed
/// parameters rather than from the results.
pub struct Picture {
    /// Unique across the registry; "lines" and "points" are the engine's charts.
    pub name: &'static str,
    pub description: &'static str,
    /// Parse the config's fixed parameters and return the drawing.
    pub prepare: fn(&Params) -> Result<Drawing, Error>,
}
