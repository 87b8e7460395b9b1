//! `boundlab check`: the verdict table (and JSON, golden and report files), and the sweep
//! over master seeds.
use boundlab::bounds::{self, policy, EntryReport, Scale, Variant};
use boundlab::families::REGISTRY;
use boundlab::stats::Verdict;
use boundlab::Error;

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
    let allowance = match r.max_allowance_used {
        Some(u) => format!("; additive allowance used: {:.0}%", 100.0 * u),
        None => String::new(),
    };
    format!(
        "{} points{allowance}; {tag}: {what} at {} (seed {}, cell {}, n {})",
        r.points.len(),
        p.params.short(),
        p.seed,
        p.cell,
        p.replicates
    )
}

pub fn check(
    family: Option<&str>,
    id: Option<&str>,
    quick: bool,
    controls: bool,
    json: bool,
    variant: Option<&str>,
    seed: u64,
    alpha: f64,
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
    let ok = true;
    let mut reports = Vec::new();
    if !json {
        println!(
            "{:<36} {:<11} {:<12} {:>9}  evidence",
            "id", "kind", "verdict", "max ratio"
        );
    }
    // entries run side by side (each also parallel inside); the table is printed in the
    // registry's order as soon as every entry before a finished one has finished
    let bar = boundlab::mc::progress(entries.len() as u64, "checking");
    type Done = Result<Vec<(Variant, EntryReport)>, Error>;
    struct Table {
        next: usize,
        pending: Vec<Option<Done>>,
        printed: Vec<Done>,
        ok: bool,
    }
    let table = std::sync::Mutex::new(Table {
        next: 0,
        pending: (0..entries.len()).map(|_| None).collect(),
        printed: Vec::with_capacity(entries.len()),
        ok,
    });
    // the costliest first, by the seconds each took in the last saved report of this scale
    // (none in a clean clone: then registry order); the order of work only
    let last = last_seconds(quick);
    let indexed: Vec<(usize, &&bounds::Entry)> = entries.iter().enumerate().collect();
    boundlab::mc::longest_first(
        &indexed,
        |(_, e)| last.get(e.id).copied().unwrap_or(0.0),
        |&(i, e)| {
            let done = run_one(e, main_variant, controls, scale, seed, alpha);
            let mut t = table.lock().unwrap_or_else(|p| p.into_inner());
            t.pending[i] = Some(done);
            while t.next < entries.len() {
                let next = t.next;
                let Some(d) = t.pending[next].take() else {
                    break;
                };
                if let Ok(runs) = &d {
                    t.ok &= report_entry(entries[next], main_variant, runs, json, &bar);
                }
                t.printed.push(d);
                t.next += 1;
                bar.inc(1);
            }
        },
    );
    let Table { printed, ok, .. } = table.into_inner().unwrap_or_else(|p| p.into_inner());
    // an entry's error is reported after the table of the others, which is not lost
    let mut first_error = None;
    for d in printed {
        match d {
            Ok(runs) => reports.extend(runs.into_iter().map(|(_, r)| r)),
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
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
    if let Some(err) = first_error {
        return Err(err);
    }
    finish(
        &reports,
        ok,
        json,
        "all checks passed",
        "SOME CHECKS FAILED",
    )
}

/// One entry's statement (as `main_variant`) and, with `controls`, each of its controls.
fn run_one(
    e: &bounds::Entry,
    main_variant: Variant,
    controls: bool,
    scale: Scale,
    seed: u64,
    alpha: f64,
) -> Result<Vec<(Variant, EntryReport)>, Error> {
    let mut variants = vec![main_variant];
    if controls {
        variants.extend(e.controls.iter().map(|c| Variant::Control(*c)));
    }
    variants
        .into_iter()
        .map(|v| Ok((v, bounds::run_entry_with(e, v, scale, seed, alpha)?)))
        .collect()
}

/// Print one entry's lines of the table; whether the statement and its controls passed.
fn report_entry(
    e: &bounds::Entry,
    main_variant: Variant,
    runs: &[(Variant, EntryReport)],
    json: bool,
    bar: &indicatif::ProgressBar,
) -> bool {
    let mut ok = true;
    for (v, r) in runs {
        match v {
            Variant::Control(c) if *v != main_variant => {
                let caught = policy(e, *v, r).is_ok();
                ok &= caught;
                if !json {
                    bar.suspend(|| {
                        println!(
                            "  control {:<27} {:<11} {:<12} {:>9}  [{}] {} ({})",
                            c.name,
                            match (c.expect.is_some(), caught) {
                                (false, true) => "caught",
                                (false, false) => "NOT CAUGHT",
                                (true, true) => "passed",
                                (true, false) => "NOT PASSED",
                            },
                            r.verdict,
                            fmt_ratio(r.max_ratio),
                            if c.expect.is_some() {
                                format!("positive {}", c.kind)
                            } else {
                                c.kind.to_string()
                            },
                            c.description,
                            evidence(r)
                        );
                        // a mutation can be caught by the premise it breaks
                        print_premises(r, "    ", true);
                    });
                }
            }
            _ => {
                // --variant runs a control as if it were the statement: it is meant to fail
                let verdict_ok = policy(e, Variant::Correct, r);
                ok &= match main_variant {
                    Variant::Control(_) => !r.verdict.is_negative(),
                    Variant::Correct => verdict_ok.is_ok(),
                };
                if !json {
                    bar.suspend(|| {
                        println!(
                            "{:<36} {:<11} {:<12} {:>9}  {}",
                            e.id,
                            e.label(),
                            r.verdict,
                            fmt_ratio(r.max_ratio),
                            evidence(r)
                        );
                        print_premises(r, "  ", false);
                        if let (Variant::Correct, Err(why)) = (main_variant, &verdict_ok) {
                            println!("{:<36} FAILS: {why}", "");
                        }
                    });
                }
            }
        }
    }
    ok
}

/// `boundlab check --seeds N [--controls]`: each entry's statement (and, with `controls`, each
/// of its negative controls) at N master seeds, verdicts counted. A control fails at a seed
/// where it is not caught, so `--controls` measures the controls' power across seeds.
#[allow(clippy::too_many_arguments)]
pub fn check_seeds(
    family: Option<&str>,
    id: Option<&str>,
    quick: bool,
    controls: bool,
    seed: u64,
    alpha: f64,
    n: u64,
    json: bool,
) -> Result<bool, Error> {
    if n == 0 {
        return Err(Error::Input("--seeds: need at least 1 seed".into()));
    }
    let entries = REGISTRY.select(family, id)?;
    let scale = if quick { Scale::Quick } else { Scale::Full };
    let seeds: Vec<u64> = (0..n).map(|k| seed.wrapping_add(k)).collect();
    let runs: Vec<(&bounds::Entry, Variant)> = entries
        .iter()
        .flat_map(|e| {
            let mut v = vec![(*e, Variant::Correct)];
            if controls {
                v.extend(e.controls.iter().map(|c| (*e, Variant::Control(*c))));
            }
            v
        })
        .collect();
    let bar = boundlab::mc::progress(runs.len() as u64, "seeds");
    let mut sweeps = Vec::new();
    if !json {
        println!("{:<40} {:<11} {} seeds from {seed}", "id", "kind", n);
    }
    for (e, variant) in runs {
        bar.set_message(e.id.to_string());
        let s = bounds::seed_sweep(e, variant, scale, &seeds, alpha)?;
        if !json {
            let counts: Vec<String> = [
                Verdict::Holds,
                Verdict::Violated,
                Verdict::Inconclusive,
                Verdict::Supported,
                Verdict::Refuted,
            ]
            .iter()
            .filter(|v| s.count(**v) > 0)
            .map(|v| format!("{v} {}", s.count(*v)))
            .chain((!s.errors.is_empty()).then(|| {
                format!(
                    "ERROR {} (seed {}: {})",
                    s.errors.len(),
                    s.errors[0].0,
                    s.errors[0].1
                )
            }))
            .collect();
            let fails = match (s.failing_seeds.is_empty(), &s.control) {
                (true, _) => String::new(),
                (false, None) => format!("  FAILS at seeds {:?}", s.failing_seeds),
                (false, Some(_)) => format!("  NOT CAUGHT at seeds {:?}", s.failing_seeds),
            };
            // a control can be caught by a failed premise with an INCONCLUSIVE verdict, so
            // its line says how often it was caught before the verdicts
            let (name, label, caught) = match &s.control {
                None => (e.id.to_string(), e.label().to_string(), String::new()),
                Some(c) => (
                    format!("  control {c}"),
                    String::new(),
                    format!(
                        "caught {} of {}: ",
                        s.seeds.len() - s.failing_seeds.len(),
                        s.seeds.len()
                    ),
                ),
            };
            bar.suspend(|| {
                println!(
                    "{name:<40} {label:<11} {caught}{}{fails}",
                    counts.join(", ")
                )
            });
        }
        sweeps.push(s);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let ok = sweeps.iter().all(|s| s.failing_seeds.is_empty());
    finish(&sweeps, ok, json, "every run passed", "SOME RUNS FAILED")
}

/// The end of a check: the results as JSON, or the closing line; passes `ok` through.
fn finish<T: serde::Serialize>(
    results: &T,
    ok: bool,
    json: bool,
    passed: &str,
    failed: &str,
) -> Result<bool, Error> {
    if json {
        let s =
            serde_json::to_string_pretty(results).map_err(|e| Error::Internal(e.to_string()))?;
        println!("{s}");
    } else {
        println!("{}", if ok { passed } else { failed });
    }
    Ok(ok)
}

/// One line per premise of `r` (only the failed ones when `failed_only`).
fn print_premises(r: &EntryReport, indent: &str, failed_only: bool) {
    for p in r.premises.iter().filter(|p| !failed_only || !p.holds()) {
        println!(
            "{indent}premise {:<27} {:<11} worst {} <= {} ({} points{})",
            p.name,
            if p.holds() { "holds" } else { "FAILS" },
            num(p.lhs),
            num(p.rhs),
            p.points,
            if p.failed > 0 {
                format!(", failed at {}", p.failed)
            } else {
                String::new()
            }
        );
    }
}

/// Seconds per entry id (main run and controls) in the last saved report of this scale,
/// `results/check.json` or `results/check-quick.json`; empty when there is none.
fn last_seconds(quick: bool) -> std::collections::HashMap<String, f64> {
    let file = if quick {
        "results/check-quick.json"
    } else {
        "results/check.json"
    };
    let mut out = std::collections::HashMap::new();
    let Some(reports) = std::fs::read_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str::<Vec<serde_json::Value>>(&t).ok())
    else {
        return out;
    };
    for r in reports {
        if let (Some(id), Some(s)) = (r["id"].as_str(), r["wall_seconds"].as_f64()) {
            *out.entry(id.to_string()).or_insert(0.0) += s;
        }
    }
    out
}
