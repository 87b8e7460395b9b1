//! Results files: per-cell metric summaries, written cell by cell and atomically.
use super::config::Config;
use super::measure::Metrics;
use crate::params::Params;
use crate::stats::{clopper_pearson, mean_sd, student_t};
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Confidence level of the error bars in results and figures.
pub const DISPLAY_LEVEL: f64 = 0.95;

/// Summary of one metric over a cell's replicates (non-finite replicates excluded).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricStats {
    pub mean: f64,
    pub sd: f64,
    pub se: f64,
    /// 95% interval for the mean: Student-t, or Clopper-Pearson when every replicate is 0 or 1
    /// (a proportion).
    pub lo: f64,
    pub hi: f64,
    /// Finite replicates.
    pub n: usize,
    /// The smallest and largest finite replicate (a bound that must hold per replicate is
    /// drawn against the largest). NaN in results written before they were recorded.
    #[serde(default = "nan")]
    pub min: f64,
    #[serde(default = "nan")]
    pub max: f64,
}

fn nan() -> f64 {
    f64::NAN
}

/// One finished cell.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CellResult {
    pub index: usize,
    pub params: Params,
    pub seed: u64,
    pub replicates: usize,
    pub metrics: BTreeMap<String, MetricStats>,
}

/// The results file of a run. Deterministic: timings live in timing.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub name: String,
    pub description: String,
    pub crate_version: String,
    pub git_revision: Option<String>,
    pub scale: String,
    pub seed: u64,
    pub config: Config,
    pub cells: Vec<CellResult>,
}

/// Where a run wrote its files.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub results: PathBuf,
    pub figures: Vec<PathBuf>,
    pub config: Config,
    /// What the figure battery found in the charts' layouts as drawn (`plot::layout`), each
    /// line naming the figure.
    pub layout_problems: Vec<String>,
}

pub(crate) fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("renaming to {}", path.display()), e))
}

pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v)
        .map_err(|e| Error::Internal(format!("serialising results: {e}")))
}

pub(crate) fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Summaries of each metric from per-replicate metric lists (in replicate order).
/// Summaries per metric; `indicators` names the metrics that are 0/1 indicators (their
/// interval is Clopper-Pearson).
pub(crate) fn summarise(reps: &[Metrics], indicators: &[&str]) -> BTreeMap<String, MetricStats> {
    let mut by_name: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rep in reps {
        for (k, v) in rep {
            by_name.entry(k.clone()).or_default().push(*v);
        }
    }
    by_name
        .into_iter()
        .map(|(k, vs)| {
            let finite: Vec<f64> = vs.into_iter().filter(|v| v.is_finite()).collect();
            let (mean, sd) = mean_sd(&finite);
            // an indicator's mean is a proportion: Clopper-Pearson, which stays in [0, 1]
            // (a Student-t interval around 1/16 runs below 0)
            let indicator = indicators.contains(&k.as_str());
            let iv = if indicator && !finite.is_empty() {
                let k = finite.iter().filter(|v| **v == 1.0).count() as u64;
                clopper_pearson(k, finite.len() as u64, DISPLAY_LEVEL)
            } else {
                student_t(&finite, DISPLAY_LEVEL)
            };
            let n = finite.len();
            (
                k,
                MetricStats {
                    mean,
                    sd,
                    se: sd / (n as f64).sqrt(),
                    lo: iv.lo,
                    hi: iv.hi,
                    n,
                    min: finite.iter().copied().fold(f64::NAN, f64::min),
                    max: finite.iter().copied().fold(f64::NAN, f64::max),
                },
            )
        })
        .collect()
}
