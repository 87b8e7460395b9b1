//! The runner: a config -> prepared cells (parsing is the validation) -> replicated
//! measurements, each finished cell written at once -> results.json -> figures.
use super::chart::{build_chart, build_panels, validate_figures, CHART_KINDS};
use super::config::{Config, ConfigError};
use super::measure::{ClosedForm, Drawing, Replicate};
use super::results::{
    git_revision, summarise, to_json, write_atomic, CellResult, Results, RunSummary,
};
use crate::params::{nearest, Params};
use crate::registry::Registry;
use crate::{mc, Error};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn bad(path: &Path, message: String) -> Error {
    ConfigError::Invalid {
        path: path.to_path_buf(),
        message,
    }
    .into()
}

/// Prepared work of a config: one replicate closure per cell and one drawing per picture
/// figure (None for charts).
struct Prepared {
    cells: Vec<(Params, Replicate)>,
    drawings: Vec<Option<Drawing>>,
    indicators: &'static [&'static str],
    closed_form: Option<ClosedForm>,
}

/// Parse every cell and every picture on tracked parameters; then reject the keys that
/// nothing read, naming the table they are in and the nearest key something did read.
fn prepare(
    path: &Path,
    reg: &Registry,
    cfg: &Config,
    raw: &Config,
    quick: bool,
) -> Result<Prepared, Error> {
    let measure = reg
        .measure(&cfg.measure)
        .map_err(|m| bad(path, format!("measure: {m}")))?;
    let mut asked = BTreeSet::new();
    let mut cells = Vec::new();
    for c in cfg.cells() {
        let t = c.tracked();
        match (measure.prepare)(&t) {
            Ok(rep) => cells.push((c, rep)),
            Err(e) => {
                // a misspelt key usually shows first as a missing or defaulted one: name
                // the misspelling when an unread key is close to one the measure asked for
                // the signature of a misspelling: a present key nothing read, near a name
                // that was asked for and is absent
                // (only an absent name the error itself names: an error about a present
                // value, such as a level out of range, is reported as it is)
                let said = e.to_string();
                let absent: Vec<String> = t
                    .asked()
                    .into_iter()
                    .filter(|k| c.get(k).is_none() && said.contains(&format!("`{k}`")))
                    .collect();
                let typo = t.unread().into_iter().find_map(|k| {
                    nearest(&k, absent.iter().map(|s| s.as_str()))
                        .map(|n| (k.clone(), n.to_string()))
                });
                let table = |k: &str| {
                    if cfg.grid.contains_key(k) {
                        "[grid]"
                    } else {
                        "[params]"
                    }
                };
                return Err(bad(
                    path,
                    match typo {
                        Some((k, n)) => format!(
                            "unknown parameter `{k}` in {}: nothing reads it; did you mean `{n}`? (cell {}: {e})",
                            table(&k),
                            c.short()
                        ),
                        None => format!("cell {}: {e}", c.short()),
                    },
                ));
            }
        }
        asked.extend(t.asked());
    }
    let mut drawings = Vec::new();
    for (k, f) in cfg.figure.to_vec().iter().enumerate() {
        if CHART_KINDS.contains(&f.kind.as_str()) {
            drawings.push(None);
            continue;
        }
        let pic = reg.picture(&f.kind).ok_or_else(|| {
            let kinds: Vec<&str> = CHART_KINDS
                .iter()
                .copied()
                .chain(reg.pictures().map(|p| p.name))
                .collect();
            bad(
                path,
                format!(
                    "figure {}: kind `{}`{}; use one of {}",
                    k + 1,
                    f.kind,
                    crate::registry::did_you_mean(&f.kind, kinds.iter().copied()),
                    kinds.join(", ")
                ),
            )
        })?;
        let t = Params::from_map(cfg.params.clone()).tracked();
        let d = (pic.prepare)(&t).map_err(|e| bad(path, format!("figure {}: {e}", k + 1)))?;
        asked.extend(t.asked());
        drawings.push(Some(d));
    }
    // every key in force at this scale must be read by something (the quick tables are
    // named first when they are what put the key there)
    let when_quick = |keys: Vec<String>| if quick { keys } else { Vec::new() };
    let tables: [(&str, Vec<String>); 4] = [
        (
            "[quick.params]",
            when_quick(raw.quick.params.keys().cloned().collect()),
        ),
        (
            "[quick.grid]",
            when_quick(raw.quick.grid.keys().cloned().collect()),
        ),
        ("[params]", raw.params.keys().cloned().collect()),
        ("[grid]", raw.grid.keys().cloned().collect()),
    ];
    for (table, keys) in tables {
        for k in &keys {
            if !asked.contains(k) {
                let hint = match nearest(k, asked.iter().map(|s| s.as_str())) {
                    Some(n) => format!("; did you mean `{n}`?"),
                    None => format!(
                        "; `{}` reads {}",
                        measure.name,
                        asked.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                };
                return Err(bad(
                    path,
                    format!("unknown parameter `{k}` in {table}: nothing reads it{hint}"),
                ));
            }
        }
    }
    validate_figures(cfg, measure).map_err(|m| bad(path, m))?;
    Ok(Prepared {
        cells,
        drawings,
        indicators: measure.indicators,
        closed_form: measure.closed_form,
    })
}

/// The closed form a figure draws between the grid points must be what the replicates
/// reported at them (to 1e-9 relative): otherwise the smooth curve would show another
/// bound than the one checked.
fn agrees_with_closed_form(f: ClosedForm, cell: &CellResult) -> Result<(), String> {
    let at = |e: String| format!("cell {}: {e}", cell.params.short());
    for (name, v) in f(&cell.params).map_err(|e| at(format!("closed form: {e}")))? {
        let reported = cell.metrics.get(&name).map(|m| m.mean).ok_or_else(|| {
            at(format!(
                "the closed form gives `{name}`, which the replicates do not report"
            ))
        })?;
        if (v - reported).abs() > 1e-9 * v.abs().max(reported.abs()).max(1e-300) {
            return Err(at(format!(
                "the closed form gives {name} = {v:e} but the replicates reported {reported:e}"
            )));
        }
    }
    Ok(())
}

/// Run one config. Results go to `out/NAME/` (default `results/[quick/]NAME/`), figures
/// to `out/` (default `figures/[quick/]`). With `resume`, cells already on disk with the
/// same parameters, seed and replicates are kept.
pub fn run_config(
    reg: &Registry,
    path: &Path,
    quick: bool,
    out: Option<&Path>,
    resume: bool,
) -> Result<RunSummary, Error> {
    let started = Instant::now();
    let raw = Config::load(path)?;
    let colors = super::config::load_series_colors(path.parent().unwrap_or(Path::new(".")))?;
    let cfg = raw.at_scale(quick);
    let prepared = prepare(path, reg, &cfg, &raw, quick)?;
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

    let bar = mc::progress(prepared.cells.len() as u64, &cfg.name);
    let mut done = Vec::with_capacity(prepared.cells.len());
    let mut timing = BTreeMap::new();
    for (j, (params, replicate)) in prepared.cells.iter().enumerate() {
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
            replicate(rng, &mut common)
        })
        .map_err(|e| bad(path, format!("cell {}: {e}", params.short())))?;
        let cell = CellResult {
            index: j,
            params: params.clone(),
            seed: cfg.seed,
            replicates: cfg.replicates,
            metrics: summarise(&reps, prepared.indicators),
        };
        write_atomic(&file, &to_json(&cell)?)?;
        timing.insert(j, t0.elapsed().as_secs_f64());
        done.push(cell);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(f) = prepared.closed_form {
        for cell in &done {
            agrees_with_closed_form(f, cell).map_err(|m| bad(path, m))?;
        }
    }

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
    let mut layout_problems = Vec::new();
    let stems = cfg.figure_stems();
    for (k, (spec, drawing)) in cfg
        .figure
        .to_vec()
        .iter()
        .zip(&prepared.drawings)
        .enumerate()
    {
        let stem = stems[k].clone();
        let p = fig_dir.join(&stem);
        let plot_err = |m: String| Error::Plot {
            path: stem.clone(),
            message: m,
        };
        let layouts = match drawing {
            // a picture draws one realisation from the config's parameters and seed
            Some(draw) => {
                draw(cfg.seed, &spec.title, &p)?;
                Vec::new()
            }
            None if spec.panels => {
                build_panels(&results, spec, &cfg.labels, &colors, prepared.closed_form)
                    .map_err(plot_err)?
                    .save(&p)?
            }
            None => build_chart(&results, spec, &cfg.labels, &colors, prepared.closed_form)
                .map_err(plot_err)?
                .save(&p)?,
        };
        let png = p.with_extension("png");
        layout_problems.extend(
            layouts
                .iter()
                .flat_map(|l| l.problems())
                .map(|m| format!("{}: {m}", png.display())),
        );
        figures.push(png);
    }
    eprintln!(
        "{}: {} cells x {} replicates in {:.1}s -> {}",
        cfg.name,
        prepared.cells.len(),
        cfg.replicates,
        started.elapsed().as_secs_f64(),
        res_file.display()
    );
    Ok(RunSummary {
        results: res_file,
        figures,
        config: cfg,
        layout_problems,
    })
}

#[cfg(test)]
mod closed_form_tests {
    use super::*;
    use crate::experiment::measure::Metrics;
    use crate::experiment::results::MetricStats;
    use crate::params::Params;

    fn cell(x: f64, bound: f64) -> CellResult {
        let mut params = Params::new();
        params.set("x", x);
        let s = MetricStats {
            mean: bound,
            sd: 0.0,
            se: 0.0,
            lo: bound,
            hi: bound,
            n: 3,
            min: bound,
            max: bound,
        };
        CellResult {
            index: 0,
            params,
            seed: 1,
            replicates: 3,
            metrics: [("bound".to_string(), s)].into_iter().collect(),
        }
    }

    fn square(p: &Params) -> Result<Metrics, Error> {
        let x = p.f64("x").map_err(Error::from)?;
        Ok(vec![("bound".to_string(), x * x)])
    }

    // a mutation: the curve drawn is not the bound the replicates computed
    fn square_plus_one(p: &Params) -> Result<Metrics, Error> {
        let x = p.f64("x").map_err(Error::from)?;
        Ok(vec![("bound".to_string(), x * x + 1.0)])
    }

    fn other_name(_: &Params) -> Result<Metrics, Error> {
        Ok(vec![("bund".to_string(), 1.0)])
    }

    #[test]
    fn a_closed_form_must_equal_what_the_replicates_reported() {
        assert!(agrees_with_closed_form(square, &cell(3.0, 9.0)).is_ok());
        let err = agrees_with_closed_form(square_plus_one, &cell(3.0, 9.0)).unwrap_err();
        assert!(err.contains("x=3") || err.contains("x = 3"), "{err}");
        assert!(err.contains("bound = 1e1"), "{err}");
        let err = agrees_with_closed_form(other_name, &cell(3.0, 9.0)).unwrap_err();
        assert!(err.contains("`bund`"), "{err}");
    }
}
