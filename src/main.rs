//! The `boundlab` command line: parsing and printing only.
use boundlab::bounds::{self, policy, EntryReport, Scale, Variant};
use boundlab::experiment;
use boundlab::families::REGISTRY;
use boundlab::links;
use boundlab::Error;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Learning-theory bounds as executable, falsifiable checks.
///
/// Every bound in the catalogue is checked on a parameter grid and reported as
/// HOLDS, VIOLATED or INCONCLUSIVE (conjectures: SUPPORTED or REFUTED), with the
/// tightness ratio LHS/RHS and the evidence. Each bound also carries negative
/// controls, deliberately wrong variants that the checker must catch.
///
/// Exit codes: 0 success; 1 a check failed (a claim not HOLDS, a control not caught, a
/// conjecture without its recorded verdict); 2 bad input (a config, an argument, a
/// parameter, an unknown name: the message names it); 3 the run could not finish (an
/// internal error or a file that could not be written).
#[derive(Parser)]
#[command(name = "boundlab", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the families, the catalogue's entries, the measures and pictures experiments can
    /// use, and the experiment configs, one line each.
    List {
        /// Directory of experiment configs.
        #[arg(long, default_value = "experiments")]
        experiments: PathBuf,
    },
    /// Check catalogue entries and print a table of id, kind, verdict, tightness and evidence.
    ///
    /// Exits 1 when a bound is VIOLATED or INCONCLUSIVE, or (with --controls) when a
    /// negative control is not caught. Conjectures are reported, never asserted.
    Check {
        /// Only this family (e.g. `online`).
        #[arg(long)]
        family: Option<String>,
        /// Only this entry (e.g. `online.omd.lemma`).
        #[arg(long)]
        id: Option<String>,
        /// Use the quick grids (seconds instead of minutes).
        #[arg(long)]
        quick: bool,
        /// Also run every negative control and report whether it was caught.
        #[arg(long)]
        controls: bool,
        /// Print the full reports as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Check this negative control as if it were the statement (with --id): it should
        /// come out VIOLATED, with its counterexample, and the command then exits 1.
        #[arg(long, requires = "id")]
        variant: Option<String>,
        /// Master seed.
        #[arg(long, default_value_t = 20261122)]
        seed: u64,
        /// Write the golden summary (per entry and control: verdict and largest ratio) to
        /// this JSON file; `tests/golden/catalogue_quick.json` is made this way with
        /// `--quick --controls` and compared by `cargo test --test catalogue`.
        #[arg(long)]
        record: Option<PathBuf>,
        /// Also write the full reports as JSON to this file (what `boundlab show` reads back
        /// as the last verdict; `make reproduce` writes results/check[-quick].json).
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Everything about one entry: statement, kind, source, theory section, the file and
    /// line that define it, its controls, the configs and figures that draw it, and its
    /// verdict in the last saved report (results/check.json or results/check-quick.json).
    Show {
        /// The entry's id (e.g. `online.omd.fixed_eta`).
        id: String,
        /// Directory of experiment configs.
        #[arg(long, default_value = "experiments")]
        experiments: PathBuf,
    },
    /// Run one experiment config: results JSON (cell by cell) and its figures.
    Run {
        /// The experiment's TOML config.
        config: PathBuf,
        /// Use the config's [quick] scale.
        #[arg(long)]
        quick: bool,
        /// Output directory for results and figures (default: results/NAME and figures/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Keep finished cells of an interrupted run instead of recomputing them.
        #[arg(long)]
        resume: bool,
    },
    /// Run every config in experiments/ and write figures/README.md.
    Reproduce {
        /// Quick scale; figures go to figures/quick/.
        #[arg(long)]
        quick: bool,
        /// Directory of experiment configs.
        #[arg(long, default_value = "experiments")]
        experiments: PathBuf,
        /// Keep finished cells of interrupted runs.
        #[arg(long)]
        resume: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { experiments } => list(&experiments),
        Command::Check {
            family,
            id,
            quick,
            controls,
            json,
            variant,
            seed,
            record,
            report,
        } => check(
            family.as_deref(),
            id.as_deref(),
            quick,
            controls,
            json,
            variant.as_deref(),
            seed,
            record.as_deref(),
            report.as_deref(),
        ),
        Command::Show { id, experiments } => show(&id, &experiments),
        Command::Run {
            config,
            quick,
            out,
            resume,
        } => {
            experiment::run_config(&REGISTRY, &config, quick, out.as_deref(), resume).map(|_| true)
        }
        Command::Reproduce {
            quick,
            experiments,
            resume,
        } => experiment::reproduce(&REGISTRY, &experiments, quick, resume).map(|_| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn list(experiments: &std::path::Path) -> Result<bool, Error> {
    for f in REGISTRY.families {
        println!("family {} ({}): {}", f.name, f.theory, f.summary);
        for e in f.entries() {
            println!("  {:<40} {:<11} {}", e.id, e.label(), e.statement);
        }
        for m in f.measures {
            println!("  measure {:<32} {}", m.name, m.description);
        }
        for p in f.pictures {
            println!("  picture {:<32} {}", p.name, p.description);
        }
    }
    println!("experiments ({}):", experiments.display());
    for (path, cfg) in experiment::list_configs(experiments)? {
        println!("  {:<36} {}", path.display(), cfg.description);
    }
    Ok(true)
}

fn fmt_ratio(r: f64) -> String {
    if r.is_finite() {
        format!("{r:.3}")
    } else {
        "-".into()
    }
}

/// A number for the table: fixed point when readable, scientific when tiny or huge.
fn num(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-3 || v.abs() >= 1e6) {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn evidence(r: &EntryReport) -> String {
    let worst = r.counterexample.as_ref().or_else(|| {
        r.points
            .iter()
            .filter(|p| p.ratio.is_finite())
            .max_by(|a, b| a.ratio.total_cmp(&b.ratio))
            .or(r.points.first())
    });
    let Some(p) = worst else {
        return "no grid points".into();
    };
    let what = if let Some(s) = &p.slope {
        format!("slope {:.3} [{:.3}, {:.3}]", s.slope, s.lo, s.hi)
    } else if let Some(iv) = &p.interval {
        format!(
            "mean {} [{}, {}] vs {}",
            num(iv.estimate),
            num(iv.lo),
            num(iv.hi),
            num(p.rhs)
        )
    } else {
        format!("lhs {} rhs {}", num(p.lhs), num(p.rhs))
    };
    let tag = if r.counterexample.is_some() {
        "counterexample"
    } else {
        "tightest"
    };
    format!(
        "{} points; {tag}: {what} at {} (seed {}, cell {}, n {})",
        r.points.len(),
        p.params.short(),
        p.seed,
        p.cell,
        p.replicates
    )
}

fn check(
    family: Option<&str>,
    id: Option<&str>,
    quick: bool,
    controls: bool,
    json: bool,
    variant: Option<&str>,
    seed: u64,
    record: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> Result<bool, Error> {
    let entries = REGISTRY.select(family, id)?;
    let main_variant = match variant {
        None => Variant::Correct,
        Some(v) => {
            let e = entries[0];
            match e.control(v) {
                Some(c) => Variant::Control(c),
                None => {
                    return Err(Error::NotFound(format!(
                        "unknown variant `{v}` of {}{}; its controls: {}",
                        e.id,
                        boundlab::registry::did_you_mean(v, e.controls.iter().map(|c| c.name)),
                        e.controls
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    let scale = if quick { Scale::Quick } else { Scale::Full };
    let mut ok = true;
    let mut reports = Vec::new();
    if !json {
        println!(
            "{:<36} {:<11} {:<12} {:>9}  evidence",
            "id", "kind", "verdict", "max ratio"
        );
    }
    let bar = boundlab::mc::progress(entries.len() as u64, "checking");
    for e in &entries {
        bar.set_message(e.id.to_string());
        let r = bounds::run_entry(e, main_variant, scale, seed)?;
        // --variant runs a control as if it were the statement: it is meant to fail
        let verdict_ok = policy(e, Variant::Correct, r.verdict);
        let pass = match main_variant {
            Variant::Control(_) => !r.verdict.is_negative(),
            Variant::Correct => verdict_ok.is_ok(),
        };
        ok &= pass;
        if !json {
            bar.suspend(|| {
                println!(
                    "{:<36} {:<11} {:<12} {:>9}  {}",
                    e.id,
                    e.label(),
                    r.verdict,
                    fmt_ratio(r.max_ratio),
                    evidence(&r)
                );
                if let (Variant::Correct, Err(why)) = (main_variant, &verdict_ok) {
                    println!("{:<36} FAILS: {why}", "");
                }
            });
        }
        reports.push(r);
        if controls {
            for c in e.controls {
                let r = bounds::run_entry(e, Variant::Control(*c), scale, seed)?;
                let caught = policy(e, Variant::Control(*c), r.verdict).is_ok();
                ok &= caught;
                if !json {
                    bar.suspend(|| {
                        println!(
                            "  control {:<27} {:<11} {:<12} {:>9}  {} ({})",
                            c.name,
                            if caught { "caught" } else { "NOT CAUGHT" },
                            r.verdict,
                            fmt_ratio(r.max_ratio),
                            c.description,
                            evidence(&r)
                        );
                    });
                }
                reports.push(r);
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(path) = record {
        let g = bounds::golden::summarise(&reports);
        let text = serde_json::to_string_pretty(&g).map_err(|e| Error::Internal(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    }
    if let Some(path) = report {
        let text =
            serde_json::to_string_pretty(&reports).map_err(|e| Error::Internal(e.to_string()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    }
    if json {
        let s =
            serde_json::to_string_pretty(&reports).map_err(|e| Error::Internal(e.to_string()))?;
        println!("{s}");
    } else {
        println!(
            "{}",
            if ok {
                "all checks passed"
            } else {
                "SOME CHECKS FAILED"
            }
        );
    }
    Ok(ok)
}

/// `boundlab show ID`: every link of one entry.
fn show(id: &str, experiments: &std::path::Path) -> Result<bool, Error> {
    print!(
        "{}",
        links::describe(&REGISTRY, id, std::path::Path::new("."), experiments)?
    );
    Ok(true)
}
