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

/// The range-of-R form of the adaptive bound fails on the plain simplex, deterministically:
/// the leader switches after T/4 and a shrinking step size cannot unlearn the first quarter
/// (theory/online.md section 8). With the simplex clipped at gamma and the step scaled by
/// sqrt(sup D_R), the same sequence satisfies the derived bound.
#[test]
fn adaptive_range_form_is_refuted_on_the_plain_simplex_by_a_deterministic_switch() {
    use boundlab::online::bounds::{adaptive_bound, adaptive_range_bound};
    use boundlab::online::{Options, Problem};
    use boundlab::params::Params;
    for t in [400usize, 3000] {
        let base = Params::new()
            .with("d", 2usize)
            .with("T", t)
            .with("sequence", "switch")
            .with("hint", "zero");
        let run = |p: Params| {
            let prob = Problem::from_params(&p).unwrap();
            // the sequence and the zero hint are deterministic: any stream gives the same run
            let mut rng = boundlab::mc::stream(SEED, 0, 0);
            prob.run(&mut rng, Options::FAST).unwrap().0
        };
        let plain = run(base
            .clone()
            .with("domain", "simplex")
            .with("eta", "adaptive_range"));
        assert_eq!(plain.s, t as f64, "zero hint: S = T");
        let conj = adaptive_range_bound(plain.r_max_sq, plain.s);
        assert!(
            plain.regret > 1.5 * conj,
            "T = {t}: regret {} vs conjectured {conj}",
            plain.regret
        );
        // the regret is linear: at least a third of T
        assert!(
            plain.regret > t as f64 / 3.0,
            "T = {t}: regret {}",
            plain.regret
        );
        let clipped = run(base
            .with("domain", "clipped_simplex")
            .with("gamma", 0.01)
            .with("eta", "adaptive"));
        let derived = adaptive_bound(clipped.divergence_sq, clipped.s);
        assert!(
            clipped.regret <= derived,
            "T = {t}: clipped regret {} vs derived {derived}",
            clipped.regret
        );
        eprintln!(
            "T = {t}: plain simplex regret {:.1} vs 3.5 R (sqrt S + 1) = {conj:.1}; clipped {:.1} vs derived {derived:.1}",
            plain.regret, clipped.regret
        );
    }
}
