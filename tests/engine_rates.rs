//! The verdict engine measures itself (theory/stats.md, "Measured error rates"): every
//! scenario of `bounds::selfcheck::battery` (each interval type at the edge of its claim,
//! skewed and bounded samples, equalities exactly true and off by their margin, a slope at its
//! interval's end, power at a stated effect) is run through the engine's own looks and rules
//! over 4000 seeds at budget 0.05, where a rate can be measured to a few thousandths, and
//! each wrong verdict's 99% Clopper-Pearson upper limit must be at most the budget, each power
//! at least 0.9. The run at the catalogue's budget 1e-3 (40000 seeds) is
//! `boundlab engine-rates --alpha 1e-3 --trials 40000`; its numbers are in theory/stats.md.
use boundlab::bounds::selfcheck::{battery, measure, measure_spending};
use boundlab::stats::Budget;

#[test]
fn every_wrong_verdict_within_budget_and_power_met() {
    let alpha = 0.05;
    let mut failures = Vec::new();
    for s in battery(alpha) {
        let m = measure(&s, alpha, 4000).unwrap();
        assert_eq!(m.holds + m.violated + m.inconclusive, 4000);
        for r in &m.rates {
            if !r.met {
                failures.push(format!(
                    "{}: {:?} rate {:.4} [{:.4}, {:.4}]",
                    s.name, r.expect, r.rate, r.lo, r.hi
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_engine_without_the_split_over_points_is_caught() {
    // mutation: the engine spends the whole budget at each of ten grid points (no Bonferroni
    // split); ten true points at their bound then come out falsely VIOLATED beyond the budget
    let alpha = 0.05;
    let s = battery(alpha)
        .into_iter()
        .find(|s| s.points == 10 && s.name.starts_with("t:"))
        .unwrap();
    let m = measure_spending(&s, alpha, Budget::new(alpha, 1), 4000).unwrap();
    assert!(m.rates.iter().any(|r| !r.met), "{m:?}");
    let honest = measure(&s, alpha, 4000).unwrap();
    assert!(honest.rates.iter().all(|r| r.met), "{honest:?}");
}
