//! The catalogue at quick scale, one test per entry, runnable by id:
//! `cargo test --test catalogue -- online.omd.fixed_eta`.
//!
//! Each test runs the entry and every negative control through the one pass/fail policy
//! (`boundlab::bounds::policy`, the one the CLI uses), then compares each verdict and largest tightness ratio with
//! `tests/golden/catalogue_quick.json` (ratios to `golden::RATIO_TOLERANCE` relative plus `golden::RATIO_FLOOR`;
//! verdicts only for the entries a family lists as `rounding_sensitive`, chaotic runs whose
//! tightness moves with the BLAS kernels' last bits).
//! The golden file is regenerated only on purpose, with
//! `cargo run --release -- check --quick --controls --record tests/golden/catalogue_quick.json`,
//! and a commit that changes it names each changed number and why.
use boundlab::bounds::golden::{Golden, GoldenLine};
use boundlab::bounds::{policy, run_entry, Scale, Variant};
use boundlab::families::REGISTRY;
use libtest_mimic::{Arguments, Failed, Trial};

const SEED: u64 = 20261122;

fn golden() -> Golden {
    let path = format!(
        "{}/tests/golden/catalogue_quick.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check_entry(id: &str, golden: &Golden) -> Result<(), Failed> {
    let e = REGISTRY.entry(id).map_err(|err| err.to_string())?;
    let recorded = golden
        .get(id)
        .ok_or_else(|| format!("{id} is not in the golden file; record it on purpose"))?;
    // chaotic runs: the verdict repeats across CPUs, the tightness does not
    let sensitive = REGISTRY
        .families
        .iter()
        .any(|f| f.rounding_sensitive.contains(&id));
    let mut problems = Vec::new();
    let mut variants = vec![Variant::Correct];
    variants.extend(e.controls.iter().map(|c| Variant::Control(*c)));
    for v in variants {
        let r = run_entry(e, v, Scale::Quick, SEED).map_err(|err| format!("{err}"))?;
        if let Err(why) = policy(e, v, &r) {
            problems.push(format!(
                "{}: {why} (counterexample {:?})",
                r.variant, r.counterexample
            ));
        }
        match recorded.get(&r.variant) {
            None => problems.push(format!("{}: not in the golden file", r.variant)),
            Some(want) => {
                let now = GoldenLine::of(&r);
                let differs = if sensitive {
                    now.verdict_differs_from(want)
                } else {
                    now.differs_from(want)
                };
                if let Some(d) = differs {
                    problems.push(format!("{}: {d}", r.variant));
                }
            }
        }
    }
    if recorded.len() != 1 + e.controls.len() {
        problems.push(format!(
            "the golden file has {} variants, the entry {}",
            recorded.len(),
            1 + e.controls.len()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    boundlab::linalg::use_this_cpus_blas_kernels();
    let args = Arguments::from_args();
    let golden = std::sync::Arc::new(golden());
    let mut trials: Vec<Trial> = REGISTRY
        .entries()
        .into_iter()
        .map(|e| {
            let g = golden.clone();
            Trial::test(e.id, move || check_entry(e.id, &g))
        })
        .collect();
    let ids: Vec<&str> = REGISTRY.entries().iter().map(|e| e.id).collect();
    let g = golden.clone();
    trials.push(Trial::test(
        "golden_file_names_only_real_entries",
        move || {
            let stale: Vec<&String> = g.keys().filter(|k| !ids.contains(&k.as_str())).collect();
            if stale.is_empty() {
                Ok(())
            } else {
                Err(format!("golden ids with no entry: {stale:?}").into())
            }
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}
