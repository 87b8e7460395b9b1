//! The `boundlab` command line: parsing and printing only.
mod check;
mod rates;

use boundlab::experiment;
use boundlab::families::REGISTRY;
use boundlab::links;
use boundlab::Error;
use check::{check, check_seeds};
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
        /// Error budget per entry: the probability of a false VIOLATED, and separately of a
        /// false HOLDS, over the entry's whole grid and all its looks (theory/stats.md).
        #[arg(long, default_value_t = boundlab::stats::DEFAULT_ALPHA, value_parser = parse_alpha)]
        alpha: f64,
        /// Rerun each entry's statement at N master seeds (SEED, SEED+1, ...) and report per
        /// entry how many runs came out HOLDS, VIOLATED, INCONCLUSIVE (conjectures:
        /// SUPPORTED, REFUTED); exits 1 when any run fails the policy. With --controls, each
        /// negative control is rerun too and must be caught at every seed.
        #[arg(long, value_name = "N", conflicts_with_all = ["variant", "record"])]
        seeds: Option<u64>,
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
    /// Measure the verdict engine's own error rates: synthetic claims whose truth is known
    /// exactly (a mean at its bound for each interval type, skewed and bounded samples, a
    /// violation rate at delta, equalities exactly true and off by their margin, a slope at
    /// its interval's end), each run through the engine's looks and rules over many seeds.
    /// Prints the rate of each wrong verdict with its 99% Clopper-Pearson interval against
    /// the budget, and power at a stated effect. Exits 1 only when a rate is shown to break
    /// its budget (the interval's lower end above it) or power is shown to fall short; a rate
    /// whose interval merely straddles the budget is reported as "consistent".
    EngineRates {
        /// The budget to measure at (the catalogue's default is 1e-3; 0.05 gives tight
        /// rate estimates with few trials).
        #[arg(long, default_value_t = 0.05, value_parser = parse_alpha)]
        alpha: f64,
        /// Seeds per scenario.
        #[arg(long, default_value_t = 4000)]
        trials: u64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only the scenarios whose name contains this text (e.g. `betting`, `equality`,
        /// `Clopper-Pearson`); a text that matches none exits 2 and lists the names.
        #[arg(long)]
        only: Option<String>,
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
    // a reader that stops early (`boundlab check | head`) ends the program quietly, as it
    // does any Unix filter, instead of a panic in println!
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    boundlab::linalg::use_this_cpus_blas_kernels();
    boundlab::mc::keep_freed_memory();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { experiments } => list(&experiments),
        Command::Check {
            family,
            id,
            quick,
            json,
            seed,
            alpha,
            controls,
            seeds: Some(n),
            ..
        } => check_seeds(
            family.as_deref(),
            id.as_deref(),
            quick,
            controls,
            seed,
            alpha,
            n,
            json,
        ),
        Command::Check {
            family,
            id,
            quick,
            controls,
            json,
            variant,
            seed,
            alpha,
            record,
            report,
            seeds: None,
        } => check(
            family.as_deref(),
            id.as_deref(),
            quick,
            controls,
            json,
            variant.as_deref(),
            seed,
            alpha,
            record.as_deref(),
            report.as_deref(),
        ),
        Command::EngineRates {
            alpha,
            trials,
            json,
            only,
        } => rates::engine_rates(alpha, trials, json, only.as_deref()),
        Command::Show { id, experiments } => show(&id, &experiments),
        Command::Run {
            config,
            quick,
            out,
            resume,
        } => experiment::run_config(&REGISTRY, &config, quick, out.as_deref(), resume).map(|run| {
            // a user's own figure is warned about, not failed
            for p in experiment::audit_figures(std::slice::from_ref(&run)) {
                eprintln!("warning: figure check: {p}");
            }
            true
        }),
        Command::Reproduce {
            quick,
            experiments,
            resume,
        } => experiment::reproduce(&REGISTRY, &experiments, quick, resume).map(|runs| {
            // the project's figures must pass the battery (theory: issue #11)
            let problems = experiment::audit_figures(&runs);
            for p in &problems {
                eprintln!("figure check FAILS: {p}");
            }
            problems.is_empty()
        }),
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

/// An error budget: a probability in (0, 0.5).
fn parse_alpha(s: &str) -> Result<f64, String> {
    let a: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number (an error budget such as 1e-3)"))?;
    if a > 0.0 && a < 0.5 {
        Ok(a)
    } else {
        Err(format!(
            "{a} is not in (0, 0.5): the budget is a small probability"
        ))
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

/// `boundlab show ID`: every link of one entry.
fn show(id: &str, experiments: &std::path::Path) -> Result<bool, Error> {
    print!(
        "{}",
        links::describe(&REGISTRY, id, std::path::Path::new("."), experiments)?
    );
    Ok(true)
}
