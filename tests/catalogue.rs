//! The catalogue at quick scale: every bound HOLDS, every conjecture gives its
//! expected verdict, and every negative control is caught.
use boundlab::bounds::{catalogue, run_entry, Kind, Scale, Variant};
use boundlab::stats::Verdict;

const SEED: u64 = 20261122;

#[test]
fn every_bound_holds_at_quick_scale() {
    let mut failures = Vec::new();
    for e in catalogue() {
        let r = run_entry(e, Variant::Correct, Scale::Quick, SEED).expect(e.id);
        let want = match e.kind {
            Kind::Conjecture => e.expected,
            _ => Some(Verdict::Holds),
        };
        if let Some(w) = want {
            if r.verdict != w {
                failures.push(format!(
                    "{}: {} (expected {w}), counterexample {:?}",
                    e.id, r.verdict, r.counterexample
                ));
            }
        }
        // a conjecture without an expectation must still reach a verdict
        if e.kind == Kind::Conjecture && !matches!(r.verdict, Verdict::Supported | Verdict::Refuted)
        {
            failures.push(format!("{}: conjecture is {}", e.id, r.verdict));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_negative_control_is_caught() {
    let mut missed = Vec::new();
    for e in catalogue() {
        assert!(!e.controls.is_empty(), "{} has no negative control", e.id);
        for c in e.controls {
            let r = run_entry(e, Variant::Control(c.name), Scale::Quick, SEED).expect(e.id);
            if !r.verdict.is_negative() {
                missed.push(format!("{} / {}: {}", e.id, c.name, r.verdict));
            }
            // a caught control names its counterexample
            if r.verdict == Verdict::Violated || r.verdict == Verdict::Refuted {
                assert!(
                    r.counterexample.is_some() || e.kind == Kind::Conjecture,
                    "{}",
                    e.id
                );
            }
        }
    }
    assert!(missed.is_empty(), "controls not caught: {missed:#?}");
}

#[test]
fn every_family_has_enough_entries_each_stated_in_its_theory_file() {
    for (family, min) in [
        ("online", 8),
        ("multiscale", 8),
        ("dynamics", 7),
        ("moe", 8),
    ] {
        let entries: Vec<_> = catalogue()
            .into_iter()
            .filter(|e| e.family == family)
            .collect();
        assert!(entries.len() >= min, "{family}: {} entries", entries.len());
        for e in entries {
            let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), e.theory);
            let theory = std::fs::read_to_string(&path).unwrap();
            assert!(
                theory.contains(&format!("`{}`", e.id)),
                "{path} does not state {}",
                e.id
            );
        }
    }
}

#[test]
fn perfect_hint_conjecture_is_refuted_with_a_positive_regret_counterexample() {
    let e = catalogue()
        .into_iter()
        .find(|e| e.id == "online.conjecture.perfect_hint")
        .unwrap();
    let r = run_entry(e, Variant::Correct, Scale::Quick, SEED).unwrap();
    assert_eq!(r.verdict, Verdict::Refuted);
    let c = r.counterexample.unwrap();
    assert!(c.lhs > 0.0, "the counterexample has positive regret");
    // and the limit form bounds that same regret by R^2 / eta
    let lim = catalogue()
        .into_iter()
        .find(|e| e.id == "online.omd.perfect_hint_limit")
        .unwrap();
    let rl = run_entry(lim, Variant::Correct, Scale::Quick, SEED).unwrap();
    assert_eq!(rl.verdict, Verdict::Holds);
    let p = &rl.points[c.cell as usize];
    assert!(p.lhs <= p.rhs && (p.lhs - c.lhs).abs() < 1e-12);
    // regret shrinks as eta grows: largest eta's regret is below the smallest's
    let by_eta = |eta: f64| {
        rl.points
            .iter()
            .filter(|p| p.params.f64("eta").unwrap() == eta)
            .map(|p| p.lhs)
            .fold(0.0, f64::max)
    };
    assert!(by_eta(100.0) < by_eta(0.1) / 100.0);
}
