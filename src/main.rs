//! The `boundlab` command line: parsing and printing only.
use boundlab::bounds::{self, EntryReport, Kind, Scale, Variant};
use boundlab::experiment;
use boundlab::stats::Verdict;
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
/// Exit codes: 0 success, 1 a check failed, 2 bad input.
#[derive(Parser)]
#[command(name = "boundlab", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the catalogue's bounds and the experiments, one line each.
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
        } => check(
            family.as_deref(),
            id.as_deref(),
            quick,
            controls,
            json,
            variant.as_deref(),
            seed,
            record.as_deref(),
        ),
        Command::Run {
            config,
            quick,
            out,
            resume,
        } => experiment::run_config(&config, quick, out.as_deref(), resume).map(|_| true),
        Command::Reproduce {
            quick,
            experiments,
            resume,
        } => experiment::reproduce(&experiments, quick, resume).map(|_| true),
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
    println!("bounds:");
    for e in bounds::catalogue() {
        println!("  {:<36} {:<11} {}", e.id, e.kind, e.statement);
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
) -> Result<bool, Error> {
    let entries = bounds::select(family, id)?;
    let main_variant = match variant {
        None => Variant::Correct,
        Some(v) => {
            let e = entries[0];
            match e.controls.iter().find(|c| c.name == v) {
                Some(c) => Variant::Control(c.name),
                None => {
                    return Err(Error::Unknown(format!(
                        "unknown variant `{v}` of {}; its controls: {}",
                        e.id,
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
        let pass = match (e.kind, main_variant) {
            (_, Variant::Control(_)) => !r.verdict.is_negative(),
            (Kind::Conjecture, _) => true,
            _ => r.verdict == Verdict::Holds,
        };
        ok &= pass;
        if !json {
            bar.suspend(|| {
                println!(
                    "{:<36} {:<11} {:<12} {:>9}  {}",
                    e.id,
                    e.kind,
                    r.verdict,
                    fmt_ratio(r.max_ratio),
                    evidence(&r)
                );
                if let Some(exp) = e.expected {
                    if exp != r.verdict {
                        println!("{:<36} note: expected {exp}", "");
                    }
                }
            });
        }
        reports.push(r);
        if controls {
            for c in e.controls {
                let r = bounds::run_entry(e, Variant::Control(c.name), scale, seed)?;
                let caught = r.verdict.is_negative();
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
        let text = serde_json::to_string_pretty(&g).map_err(|e| Error::Unknown(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    }
    if json {
        let s =
            serde_json::to_string_pretty(&reports).map_err(|e| Error::Unknown(e.to_string()))?;
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
