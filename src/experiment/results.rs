//! The runner and its results files.
use super::config::{Config, ConfigError, FigureSpec};
use super::measures::{self, Measure};
use crate::params::{Params, Value};
use crate::plot::{Chart, ChartKind, Series};
use crate::stats::{mean_sd, student_t};
use crate::{mc, Error};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Confidence level of the error bars in results and figures.
pub const DISPLAY_LEVEL: f64 = 0.95;

/// Summary of one metric over a cell's replicates (non-finite replicates excluded).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricStats {
    pub mean: f64,
    pub sd: f64,
    pub se: f64,
    /// 95% Student-t interval for the mean.
    pub lo: f64,
    pub hi: f64,
    /// Finite replicates.
    pub n: usize,
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
}

fn bad(path: &Path, message: String) -> Error {
    ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    }
    .into()
}

fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("renaming to {}", path.display()), e))
}

fn to_json<T: Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Unknown(format!("serialising results: {e}")))
}

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Summaries of each metric from per-replicate metric lists (in replicate order).
fn summarise(reps: &[measures::Metrics]) -> BTreeMap<String, MetricStats> {
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
            let iv = student_t(&finite, DISPLAY_LEVEL);
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
                },
            )
        })
        .collect()
}

/// Check the figures against the grid and the measure's metrics before any work.
fn validate_figures(path: &Path, cfg: &Config, m: &Measure) -> Result<(), Error> {
    for (k, f) in cfg.figure.to_vec().iter().enumerate() {
        let at = format!("figure {}", k + 1);
        if !cfg.grid.contains_key(&f.x) {
            return Err(bad(
                path,
                format!("{at}: x = `{}` is not a grid parameter", f.x),
            ));
        }
        if let Some(s) = &f.series {
            if !cfg.grid.contains_key(s) {
                return Err(bad(
                    path,
                    format!("{at}: series = `{s}` is not a grid parameter"),
                ));
            }
        }
        for y in f.y.to_vec().iter().chain(f.bound.iter()) {
            if !m.metrics.contains(&y.as_str()) {
                return Err(bad(
                    path,
                    format!(
                        "{at}: metric `{y}` is not reported by `{}` (it reports {})",
                        m.name,
                        m.metrics.join(", ")
                    ),
                ));
            }
        }
        if !matches!(
            f.kind.as_str(),
            "lines" | "points" | "levels" | "attractor" | "switching" | "confusion"
        ) {
            return Err(bad(
                path,
                format!(
                    "{at}: kind `{}`: use lines, points, levels, attractor, switching or confusion",
                    f.kind
                ),
            ));
        }
    }
    Ok(())
}

/// Run one config. Results go to `out/NAME/` (default `results/[quick/]NAME/`), figures
/// to `out/` (default `figures/[quick/]`). With `resume`, cells already on disk with the
/// same parameters, seed and replicates are kept.
pub fn run_config(
    path: &Path,
    quick: bool,
    out: Option<&Path>,
    resume: bool,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    let cfg = Config::load(path)?.at_scale(quick);
    let measure = measures::find(&cfg.measure).map_err(|m| bad(path, format!("measure: {m}")))?;
    let cells = cfg.cells();
    for c in &cells {
        (measure.validate)(c).map_err(|e| bad(path, format!("cell {}: {e}", c.short())))?;
    }
    validate_figures(path, &cfg, measure)?;

    let scale = if quick { "quick" } else { "full" };
    let (res_dir, fig_dir) = match out {
        Some(o) => (o.join(&cfg.name), o.to_path_buf()),
        None if quick => (
            PathBuf::from("results/quick").join(&cfg.name),
            PathBuf::from("figures/quick"),
        ),
        None => (
            PathBuf::from("results").join(&cfg.name),
            PathBuf::from("figures"),
        ),
    };
    let cell_dir = res_dir.join("cells");
    if !resume && cell_dir.exists() {
        std::fs::remove_dir_all(&cell_dir)
            .map_err(|e| Error::io(format!("clearing {}", cell_dir.display()), e))?;
    }
    for d in [&cell_dir, &fig_dir] {
        std::fs::create_dir_all(d)
            .map_err(|e| Error::io(format!("creating {}", d.display()), e))?;
    }

    let bar = mc::progress(cells.len() as u64, &cfg.name);
    let mut done = Vec::with_capacity(cells.len());
    let mut timing = BTreeMap::new();
    for (j, params) in cells.iter().enumerate() {
        let file = cell_dir.join(format!("{j:05}.json"));
        if resume {
            if let Some(prev) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| serde_json::from_str::<CellResult>(&t).ok())
                .filter(|c| {
                    &c.params == params && c.seed == cfg.seed && c.replicates == cfg.replicates
                })
            {
                done.push(prev);
                bar.inc(1);
                continue;
            }
        }
        let t0 = Instant::now();
        let reps = mc::try_replicate(cfg.replicates, cfg.seed, j as u64, |rep, rng| {
            let mut common = mc::stream(cfg.seed, mc::COMMON_CELL, rep);
            (measure.run)(params, rng, &mut common)
        })
        .map_err(|e| bad(path, format!("cell {}: {e}", params.short())))?;
        let cell = CellResult {
            index: j,
            params: params.clone(),
            seed: cfg.seed,
            replicates: cfg.replicates,
            metrics: summarise(&reps),
        };
        write_atomic(&file, &to_json(&cell)?)?;
        timing.insert(j, t0.elapsed().as_secs_f64());
        done.push(cell);
        bar.inc(1);
    }
    bar.finish_and_clear();

    let results = Results {
        name: cfg.name.clone(),
        description: cfg.description.clone(),
        crate_version: env!("CARGO_PKG_VERSION").into(),
        git_revision: git_revision(),
        scale: scale.into(),
        seed: cfg.seed,
        config: cfg.clone(),
        cells: done,
    };
    let res_file = res_dir.join("results.json");
    write_atomic(&res_file, &to_json(&results)?)?;
    write_atomic(
        &res_dir.join("timing.json"),
        &to_json(
            &serde_json::json!({"cell_seconds": timing, "total_seconds": started.elapsed().as_secs_f64()}),
        )?,
    )?;

    let mut figures = Vec::new();
    for (k, spec) in cfg.figure.to_vec().iter().enumerate() {
        let stem = spec.file.clone().unwrap_or_else(|| {
            if k == 0 {
                cfg.name.clone()
            } else {
                format!("{}-{}", cfg.name, k + 1)
            }
        });
        let p = fig_dir.join(&stem);
        // picture kinds draw one realisation from the config's parameters and seed
        let fixed = Params(cfg.params.clone());
        if spec.kind == "levels" {
            super::multiscale::pyramid(&fixed, cfg.seed, &spec.title)?.save(&p)?;
        } else if spec.kind == "attractor" {
            super::dynamics::attractor(&fixed, &spec.title)?.save(&p)?;
        } else if spec.kind == "switching" {
            super::dynamics::switching(&fixed, cfg.seed, &spec.title)?.save(&p)?;
        } else if spec.kind == "confusion" {
            super::moe::confusion(&fixed, cfg.seed, &spec.title)?.save(&p)?;
        } else {
            let chart = build_chart(&results, spec).map_err(|m| Error::Plot {
                path: stem.clone(),
                message: m,
            })?;
            chart.save(&p)?;
        }
        figures.push(p.with_extension("png"));
    }
    eprintln!(
        "{}: {} cells x {} replicates in {:.1}s -> {}",
        cfg.name,
        cells.len(),
        cfg.replicates,
        started.elapsed().as_secs_f64(),
        res_file.display()
    );
    Ok(RunSummary {
        results: res_file,
        figures,
        config: cfg,
    })
}

fn value_key(v: &Value) -> String {
    v.to_string()
}

/// Turn results into a chart as a figure spec says.
pub fn build_chart(results: &Results, spec: &FigureSpec) -> Result<Chart, String> {
    let cells: Vec<&CellResult> = results
        .cells
        .iter()
        .filter(|c| spec.select.iter().all(|(k, v)| c.params.get(k) == Some(v)))
        .collect();
    if cells.is_empty() {
        return Err("no cells match the figure's select".into());
    }
    let categorical = cells
        .iter()
        .any(|c| matches!(c.params.get(&spec.x), Some(Value::Str(_))));
    let mut categories: Vec<String> = Vec::new();
    if categorical {
        for c in &cells {
            let k = c.params.get(&spec.x).map(value_key).unwrap_or_default();
            if !categories.contains(&k) {
                categories.push(k);
            }
        }
    }
    let xval = |c: &CellResult| -> f64 {
        match c.params.get(&spec.x) {
            Some(v) if categorical => categories
                .iter()
                .position(|k| *k == value_key(v))
                .map_or(f64::NAN, |i| i as f64),
            Some(v) => v.as_f64().unwrap_or(f64::NAN),
            None => f64::NAN,
        }
    };
    let mut groups: Vec<(String, Vec<&CellResult>)> = Vec::new();
    for c in &cells {
        let key = spec
            .series
            .as_ref()
            .and_then(|s| c.params.get(s))
            .map(value_key)
            .unwrap_or_default();
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(c),
            None => groups.push((key, vec![c])),
        }
    }
    let ys = spec.y.to_vec();
    let mut series = Vec::new();
    let mut color = 0;
    for (key, mut group) in groups {
        group.sort_by(|a, b| xval(a).total_cmp(&xval(b)));
        for y in &ys {
            let label = match (&spec.series, ys.len()) {
                (Some(s), 1) => format!("{s} = {key}"),
                (Some(s), _) => format!("{s} = {key}: {y}"),
                (None, _) => y.clone(),
            };
            let get =
                |c: &CellResult, f: fn(&MetricStats) -> f64| c.metrics.get(y).map_or(f64::NAN, f);
            series.push(Series {
                label,
                x: group.iter().map(|c| xval(c)).collect(),
                y: group.iter().map(|c| get(c, |m| m.mean)).collect(),
                lo: group.iter().map(|c| get(c, |m| m.lo)).collect(),
                hi: group.iter().map(|c| get(c, |m| m.hi)).collect(),
                dashed: false,
                color,
            });
            // the bound belongs to the group, not to each metric: draw it once
            if let (Some(b), true) = (&spec.bound, Some(y) == ys.first()) {
                series.push(Series {
                    label: {
                        let what = spec.bound_label.as_deref().unwrap_or("bound");
                        match &spec.series {
                            Some(s) => format!("{s} = {key}: {what}"),
                            None => what.to_string(),
                        }
                    },
                    x: group.iter().map(|c| xval(c)).collect(),
                    y: group
                        .iter()
                        .map(|c| c.metrics.get(b).map_or(f64::NAN, |m| m.mean))
                        .collect(),
                    lo: vec![],
                    hi: vec![],
                    dashed: true,
                    color,
                });
            }
            color += 1;
        }
    }
    Ok(Chart {
        kind: if spec.kind == "points" {
            ChartKind::Points
        } else {
            ChartKind::Lines
        },
        title: spec.title.clone(),
        xlabel: spec.xlabel.clone(),
        ylabel: spec.ylabel.clone(),
        logx: spec.logx,
        logy: spec.logy,
        series,
        integer_x: !categorical
            && cells.iter().all(|c| {
                c.params
                    .get(&spec.x)
                    .and_then(|v| v.as_f64())
                    .is_some_and(|v| v.fract() == 0.0 && (0.0..=20.0).contains(&v))
            }),
        x_categories: categorical.then_some(categories),
        hline: spec.hline,
        legend: spec.legend.clone(),
    })
}

/// Every config in a directory, sorted by file name.
pub fn list_configs(dir: &Path) -> Result<Vec<(PathBuf, Config)>, Error> {
    let rd = std::fs::read_dir(dir).map_err(|source| ConfigError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Config::load(&p).map(|c| (p, c)).map_err(Error::from))
        .collect()
}

/// Run every config, then write the figures index (figures/README.md or figures/quick/README.md).
pub fn reproduce(dir: &Path, quick: bool, resume: bool) -> Result<Vec<RunSummary>, Error> {
    let configs = list_configs(dir)?;
    let mut runs = Vec::new();
    for (path, _) in &configs {
        runs.push(run_config(path, quick, None, resume)?);
    }
    let fig_dir = if quick { "figures/quick" } else { "figures" };
    let flag = if quick { " --quick" } else { "" };
    let mut md =
        String::from("# Figures\n\nRegenerated by `make reproduce` (or `boundlab reproduce");
    md.push_str(flag);
    md.push_str("`). Each figure lists the config that makes it and the command for it alone; the results behind it are in `results/");
    if quick {
        md.push_str("quick/");
    }
    md.push_str("NAME/results.json`. Error bars and bands are 95% confidence intervals of the mean over replicates; dashed lines are bounds.\n\n");
    for (run, (path, _)) in runs.iter().zip(&configs) {
        md.push_str(&format!(
            "## {}\n\n{}\n\n",
            run.config.name, run.config.description
        ));
        md.push_str(&format!(
            "Config `{}`, {} replicates per cell. Command: `boundlab run {}{}`.\n\n",
            path.display(),
            run.config.replicates,
            path.display(),
            flag
        ));
        for f in &run.figures {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let stem = name.trim_end_matches(".png");
            md.push_str(&format!("![{stem}]({name}) ([SVG]({stem}.svg))\n\n"));
        }
    }
    let readme = Path::new(fig_dir).join("README.md");
    std::fs::write(&readme, md)
        .map_err(|e| Error::io(format!("writing {}", readme.display()), e))?;
    eprintln!("wrote {}", readme.display());
    Ok(runs)
}
