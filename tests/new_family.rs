//! A family added in a test, outside `crate::families`: the engines (catalogue runner,
//! policy, experiment runner) run it with no edit of theirs, so adding a family is new files
//! plus the index edits ARCHITECTURE.md names.
use boundlab::bounds::{
    policy, run_entry, Control, Ctx, Entry, Evidence, Kind, Scale, Status, Variant,
};
use boundlab::experiment::{run_config, Measure, Replicate};
use boundlab::params::Params;
use boundlab::registry::{Family, Registry};
use boundlab::stats::Verdict;
use boundlab::Error;
use rand::Rng as _;

const HALVED: Control = Control::new("halved", "the bound halved");

fn grid(_: Scale) -> Vec<Params> {
    [1.0, 2.0, 4.0]
        .iter()
        .map(|a| Params::new().with("a", *a))
        .collect()
}

/// E[U^2] <= a^2 / 3 for U uniform on [0, a] (equality), checked as LHS <= RHS on draws'
/// maxima: max U^2 <= a^2.
fn check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let a = p.positive("a")?;
    let mut rng = boundlab::mc::stream(ctx.seed, ctx.cell, 0);
    let m = (0..1000)
        .map(|_| rng.random::<f64>() * a)
        .fold(0.0f64, f64::max);
    Ok(Evidence::Exact {
        lhs: m * m,
        rhs: v.pick(HALVED, a * a, a * a / 2.0),
    })
}

static ENTRIES: &[Entry] = &[Entry {
    id: "toy.uniform.square",
    kind: Kind::Exact,
    status: Status::Claim,
    statement: "U ~ U[0, a]: U^2 <= a^2",
    source: "trivial",
    replicates: 1,
    grid,
    check,
    controls: &[HALVED],
}];

fn squares(p: &Params) -> Result<Replicate, Error> {
    let a = p.positive("a")?;
    Ok(Box::new(move |rng, _| {
        let u: f64 = rng.random::<f64>() * a;
        Ok(vec![
            ("square".into(), u * u),
            ("bound".into(), a * a / 3.0),
        ])
    }))
}

static MEASURES: &[Measure] = &[Measure {
    name: "toy.squares",
    description: "U^2 for U ~ U[0, a], and E U^2 = a^2/3",
    metrics: &["square", "bound"],
    indicators: &[],
    prepare: squares,
    closed_form: None,
}];

static TOY: Family = Family {
    name: "toy",
    summary: "a family defined in a test",
    theory: "theory/toy.md",
    topics: &[ENTRIES],
    measures: MEASURES,
    pictures: &[],
    rounding_sensitive: &[],
};

static REG: Registry = Registry {
    families: &[&boundlab::families::online::FAMILY, &TOY],
};

#[test]
fn the_engines_run_a_family_they_were_never_told_about() {
    let sel = REG.select(Some("toy"), None).unwrap();
    assert_eq!(sel.len(), 1);
    let e = sel[0];
    let r = run_entry(e, Variant::Correct, Scale::Quick, 1).unwrap();
    assert_eq!(r.verdict, Verdict::Holds);
    assert!(policy(e, Variant::Correct, &r).is_ok());
    let c = run_entry(e, Variant::Control(HALVED), Scale::Quick, 1).unwrap();
    assert!(
        policy(e, Variant::Control(HALVED), &c).is_ok(),
        "{}",
        c.verdict
    );

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("toy_squares.toml");
    std::fs::write(
        &cfg,
        r#"
name = "toy_squares"
description = "U^2 against a"
measure = "toy.squares"
bounds = ["toy.uniform.square"]
seed = 1
replicates = 50
[grid]
a = [1.0, 2.0]
[[figure]]
x = "a"
y = "square"
bound = "bound"
title = "toy"
xlabel = "a"
ylabel = "U^2"
"#,
    )
    .unwrap();
    let run = run_config(&REG, &cfg, false, Some(dir.path()), false).unwrap();
    assert!(run.results.exists() && run.figures[0].exists());
    // the same config against the project's registry: the measure is unknown there
    let err = run_config(
        &boundlab::families::REGISTRY,
        &cfg,
        false,
        Some(dir.path()),
        false,
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("unknown measure `toy.squares`"));
}
