//! Findings the catalogue records, checked in more detail than a verdict.
use boundlab::bounds::{run_entry, Scale, Variant};
use boundlab::families::REGISTRY;
use boundlab::stats::Verdict;

const SEED: u64 = 20261122;

#[test]
fn perfect_hint_conjecture_is_refuted_with_a_positive_regret_counterexample() {
    let e = REGISTRY.entry("online.conjecture.perfect_hint").unwrap();
    let r = run_entry(e, Variant::Correct, Scale::Quick, SEED).unwrap();
    assert_eq!(r.verdict, Verdict::Refuted);
    let c = r.counterexample.unwrap();
    assert!(c.lhs > 0.0, "the counterexample has positive regret");
    // and the limit form bounds that same regret by R^2 / eta
    let lim = REGISTRY.entry("online.omd.perfect_hint_limit").unwrap();
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
