//! Experiment configs (TOML): what to sweep, how many replicates, what to draw.
use crate::params::{Params, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("config {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The file beside the configs that fixes one colour per method for every figure: a series
/// value's palette index, by the grid parameter that names it (`[hint] zero = 0`). Not a config.
pub const SERIES_COLORS: &str = "series_colors.toml";

/// Palette index by grid parameter, then by value.
pub type SeriesColors = BTreeMap<String, BTreeMap<String, usize>>;

/// The series colours of the configs in `dir` (empty when the file is absent); a file that
/// does not parse is an error naming it.
pub fn load_series_colors(dir: &Path) -> Result<SeriesColors, ConfigError> {
    let path = dir.join(SERIES_COLORS);
    if !path.exists() {
        return Ok(SeriesColors::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path,
        message: e.to_string().trim_end().replace('\n', "\n  "),
    })
}

/// A list given either as one value or as an array.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

/// Overrides for the quick scale.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quick {
    pub replicates: Option<usize>,
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    #[serde(default)]
    pub grid: BTreeMap<String, Vec<Value>>,
}

/// One figure drawn from the results.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FigureSpec {
    /// File stem under the figures directory (default: the config's name, then -2, -3...).
    pub file: Option<String>,
    /// "lines" (curves with confidence bands) or "points" (markers with error bars,
    /// for a categorical x such as a sequence battery).
    #[serde(default = "default_kind")]
    pub kind: String,
    /// The grid parameter on the x axis.
    pub x: String,
    /// Metrics on the y axis (means with 95% confidence bars).
    pub y: OneOrMany<String>,
    /// What is drawn of each metric: "mean" (default, with its 95% interval), or "max" / "min"
    /// over the replicates (no interval: a bound that must hold per replicate is read against
    /// the largest replicate, not the mean).
    #[serde(default = "default_stat")]
    pub stat: String,
    /// A grid parameter whose values become separate curves.
    pub series: Option<String>,
    /// A metric drawn dashed beside each curve: the bound (or several: the two ends of a
    /// bracket, all under one legend entry).
    pub bound: Option<OneOrMany<String>>,
    /// Legend text of the dashed curves (default "bound").
    pub bound_label: Option<String>,
    /// Only cells with these parameter values (a list: any of them, e.g.
    /// `select = { Ne = [100, 10000] }` draws two of a grid's sizes as series).
    #[serde(default)]
    pub select: BTreeMap<String, OneOrMany<Value>>,
    #[serde(default)]
    pub logx: bool,
    #[serde(default)]
    pub logy: bool,
    pub title: String,
    pub xlabel: String,
    pub ylabel: String,
    /// The lower end of the y axis: values below it are drawn at it with a downward arrow
    /// (a tightness ratio of -40 need not squeeze the interesting range near 1).
    pub ymin: Option<f64>,
    /// Draw the horizontal line y = this (e.g. a tightness ratio of 1); with `panels`, one
    /// value per panel.
    pub hline: Option<OneOrMany<f64>>,
    /// Legend text of that line (none: the line is not in the legend); with `panels`, one
    /// text per panel.
    pub hline_label: Option<OneOrMany<String>>,
    /// Each metric of `y` in its own panel, side by side on a double-column figure, captioned
    /// by the metric's label.
    #[serde(default)]
    pub panels: bool,
    /// Slope guides on a log-log figure (e.g. [-0.5] for n^-1/2): dotted lines beside the
    /// first curve, in the legend as "slope −1/2".
    #[serde(default)]
    pub slopes: Vec<f64>,
    /// A least-squares line through each curve's means, in the axes' own coordinates (ln y
    /// on a log y axis, ln x on a log x axis), dashed in the curve's colour, its slope in the
    /// legend: on a log y axis over a linear x, as the factor y grows by per unit of x.
    #[serde(default)]
    pub fit: bool,
    /// Draw, instead of each metric, the grid size at which it meets a target
    /// (`n_star = { over = "N", eps = 0.05 }`): per cell of the other parameters, the point
    /// is where the mean crosses eps (log-log interpolation between grid sizes) and the bar
    /// the confidence bracket (`stats::n_star`: from the largest size whose 95% interval is
    /// above eps to the smallest whose interval is at or below it). A cell whose mean never
    /// meets eps on the grid (or meets it at the first size) is not drawn.
    pub n_star: Option<NStarSpec>,
}

/// The sample-complexity reading of a figure (`FigureSpec::n_star`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NStarSpec {
    /// The grid parameter searched over (the training-set size).
    pub over: String,
    /// The target error.
    pub eps: f64,
}

fn default_kind() -> String {
    "lines".into()
}

fn default_stat() -> String {
    "mean".into()
}

/// An experiment: a measurement swept over a grid, replicated, and drawn.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub name: String,
    /// One line: what the figures show (the contact sheet's caption).
    pub claim: Option<String>,
    pub description: String,
    /// The registered measurement run per replicate (see `boundlab list`).
    pub measure: String,
    /// Catalogue ids this experiment illustrates (`boundlab show ID` lists the configs).
    #[serde(default)]
    pub bounds: Vec<String>,
    pub seed: u64,
    pub replicates: usize,
    /// Parameters fixed for every cell.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// Parameter lists swept as a product (keys in alphabetical order, the last fastest).
    #[serde(default)]
    pub grid: BTreeMap<String, Vec<Value>>,
    #[serde(default)]
    pub quick: Quick,
    #[serde(default)]
    pub figure: OneOrMany<FigureSpec>,
    /// What a reader should see for the internal names (metrics, grid parameters and their
    /// values) that reach a legend or a category axis: `labels = { w_zero = "zero hint",
    /// sigma = "σ" }`. A series parameter mapped to "" shows its values alone ("zero" rather
    /// than "hint = zero"), one mapped to a text with `{}` puts the value there (`steps =
    /// "{} observed steps"`). A name without an entry is shown as it is, and the figure
    /// battery (`plot::audit`) rejects one with an underscore.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Roughly how many seconds the full run takes beside another config on two cores: a
    /// scheduling hint only. `reproduce` starts the costliest configs first, taking the
    /// last run's `results/[quick/]NAME/timing.json` where there is one and this hint where
    /// there is not (a clean clone), so that no long run is left alone at the end with
    /// idle cores. Results do not depend on it.
    pub expected_seconds: Option<f64>,
}

impl Config {
    /// Read and parse a config; parse errors name the line.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let bad = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if cfg.name.is_empty()
            || !cfg
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(bad(format!(
                "name `{}`: use letters, digits, - and _ only",
                cfg.name
            )));
        }
        if cfg.replicates < 2 || cfg.quick.replicates.is_some_and(|r| r < 2) {
            return Err(bad(
                "replicates: need at least 2 for a confidence interval".into()
            ));
        }
        for (k, v) in cfg.grid.iter().chain(cfg.quick.grid.iter()) {
            if v.is_empty() {
                return Err(bad(format!("grid.{k}: empty list")));
            }
        }
        if let Some(t) = cfg
            .expected_seconds
            .filter(|t| !(t.is_finite() && *t >= 0.0))
        {
            return Err(bad(format!(
                "expected_seconds = {t}: a number of seconds, 0 or more"
            )));
        }
        Ok(cfg)
    }

    /// The config at the requested scale (quick overrides applied).
    pub fn at_scale(&self, quick: bool) -> Config {
        let mut c = self.clone();
        if quick {
            if let Some(r) = self.quick.replicates {
                c.replicates = r;
            }
            for (k, v) in &self.quick.params {
                c.params.insert(k.clone(), v.clone());
            }
            for (k, v) in &self.quick.grid {
                c.grid.insert(k.clone(), v.clone());
            }
        }
        c
    }

    /// The file stems its figures are written under (`STEM.png`, `STEM.svg`): `file`, or
    /// the config's name, then NAME-2, NAME-3...
    pub fn figure_stems(&self) -> Vec<String> {
        self.figure
            .to_vec()
            .iter()
            .enumerate()
            .map(|(k, f)| {
                f.file.clone().unwrap_or_else(|| {
                    if k == 0 {
                        self.name.clone()
                    } else {
                        format!("{}-{}", self.name, k + 1)
                    }
                })
            })
            .collect()
    }

    /// Every grid cell, fixed parameters included.
    pub fn cells(&self) -> Vec<Params> {
        let base = Params::from_map(self.params.clone());
        let axes: Vec<(String, Vec<Value>)> = self
            .grid
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        crate::params::product(&base, &axes)
    }
}
