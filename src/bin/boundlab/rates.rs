//! `boundlab engine-rates`: the verdict engine's measured error rates and power.
use boundlab::bounds::selfcheck::{battery, measure, Expect};
use boundlab::Error;

pub fn engine_rates(
    alpha: f64,
    trials: u64,
    json: bool,
    only: Option<&str>,
) -> Result<bool, Error> {
    let mut scenarios = battery(alpha);
    if let Some(text) = only {
        let names: Vec<String> = scenarios.iter().map(|s| s.name.clone()).collect();
        scenarios.retain(|s| s.name.contains(text));
        if scenarios.is_empty() {
            return Err(Error::NotFound(format!(
                "--only `{text}`: no scenario's name contains it; the scenarios are:\n  {}",
                names.join("\n  ")
            )));
        }
    }
    let bar = boundlab::mc::progress(scenarios.len() as u64, "scenarios");
    let mut all = Vec::new();
    let mut ok = true;
    if !json {
        println!(
            "budget alpha = {alpha} per entry and wrong verdict; {trials} seeds per scenario; \
             rates with 99% Clopper-Pearson intervals: \"within budget\" when the upper end is \
             at most alpha, \"consistent\" when only the lower end is"
        );
    }
    for s in &scenarios {
        bar.set_message(s.name.clone());
        let m = measure(s, alpha, trials)?;
        for r in &m.rates {
            ok &= r.consistent;
        }
        if !json {
            bar.suspend(|| {
                println!(
                    "{}\n    HOLDS {} VIOLATED {} INCONCLUSIVE {}",
                    s.name, m.holds, m.violated, m.inconclusive
                );
                for r in &m.rates {
                    let what = match r.expect {
                        Expect::AtMostBudget(v) => format!("{v} (wrong) rate"),
                        Expect::AtLeast(v, p) => format!("{v} rate (power, asked >= {p})"),
                    };
                    let judged = match (r.met, r.consistent, r.expect) {
                        (true, _, Expect::AtMostBudget(_)) => "within budget",
                        (false, true, Expect::AtMostBudget(_)) => "consistent with budget",
                        (false, false, Expect::AtMostBudget(_)) => "ABOVE BUDGET",
                        (true, _, _) => "met",
                        (false, true, _) => "consistent",
                        (false, false, _) => "NOT MET",
                    };
                    println!(
                        "    {what}: {:.2e} [{:.2e}, {:.2e}] {judged}",
                        r.rate, r.lo, r.hi
                    );
                }
            });
        }
        bar.inc(1);
        all.push(m);
    }
    bar.finish_and_clear();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&all).map_err(|e| Error::Internal(e.to_string()))?
        );
    }
    Ok(ok)
}
