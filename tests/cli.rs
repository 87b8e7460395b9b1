//! The command line as a user meets it: exit codes, messages, resume.
use std::path::Path;
use std::process::{Command, Output};

fn boundlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boundlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const GOOD: &str = r#"
name = "tiny"
description = "a tiny run"
measure = "online.regret"
seed = 3
replicates = 4
[params]
domain = "simplex"
d = 4
eta = "tuned"
sequence = "iid"
sigma = 0.2
[grid]
T = [50, 100]
hint = ["zero", "mean"]
[[figure]]
x = "T"
y = "regret"
series = "hint"
bound = "bound"
logx = true
title = "tiny"
xlabel = "T"
ylabel = "regret"
"#;

#[test]
fn list_and_a_passing_check_exit_zero() {
    let o = boundlab(&["list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("online.omd.lemma"));
    let o = boundlab(&["check", "--id", "online.hedge", "--quick", "--controls"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("HOLDS") && out.contains("caught"));
}

#[test]
fn json_report_is_loadable() {
    let o = boundlab(&[
        "check",
        "--id",
        "online.lower.two_experts",
        "--quick",
        "--json",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["verdict"], "HOLDS");
    assert!(v[0]["points"][0]["interval"]["lo"].is_number());
}

#[test]
fn unknown_names_exit_two_with_the_known_ones() {
    let o = boundlab(&["check", "--family", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown family `nope`") && stderr(&o).contains("online"));
    let o = boundlab(&["check", "--id", "online.nope"]);
    assert_eq!(o.status.code(), Some(2));
    let o = boundlab(&["run", "does/not/exist.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does/not/exist.toml"));
    // a scenario filter that matches nothing lists the scenarios instead of measuring none
    let o = boundlab(&["engine-rates", "--only", "no such scenario"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`no such scenario`") && stderr(&o).contains("betting"));
    // and a sampler that does not exist names the ones that do
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string("experiments/diffusion_samplers_order.toml")
        .unwrap()
        .replacen("\"dpm_solver_2m\"]", "\"ddim\"]", 1);
    let path = write(dir.path(), "bad_sampler.toml", &cfg);
    let o = boundlab(&["run", &path, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ddim") && stderr(&o).contains("exp_integrator"));
}

#[test]
fn malformed_config_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.toml",
        "name = \"x\"\ndescription = \"d\"\nseed = = 3\n",
    );
    let o = boundlab(&["run", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
}

#[test]
fn invalid_parameters_exit_two_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to, field) in [
        ("T = [50, 100]", "T = [0, 100]", "`T`"),
        ("sigma = 0.2", "sigma = -0.2", "`sigma`"),
        ("d = 4", "d = 1", "`d`"),
        ("eta = \"tuned\"", "eta = 0.0", "`eta`"),
        ("eta = \"tuned\"", "eta = \"fast\"", "`eta`"),
        (
            "measure = \"online.regret\"",
            "measure = \"nope\"",
            "unknown measure",
        ),
        ("y = \"regret\"", "y = \"nope\"", "metric `nope`"),
        (
            "replicates = 4",
            "replicates = 4\nextra = 1",
            "unknown field `extra`",
        ),
        (
            "replicates = 4",
            "replicates = 4\nexpected_seconds = -5",
            "expected_seconds",
        ),
    ] {
        let p = write(dir.path(), "c.toml", &GOOD.replace(from, to));
        let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{to}: {}", stderr(&o));
        assert!(stderr(&o).contains(field), "{to}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[test]
fn run_writes_results_and_figures_and_resume_keeps_cells() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "tiny.toml", GOOD);
    let out = dir.path().join("out");
    let o = boundlab(&["run", &p, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "tiny.png",
        "tiny.svg",
        "tiny/results.json",
        "tiny/cells/00003.json",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let first = std::fs::read(out.join("tiny/results.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["cells"].as_array().unwrap().len(), 4);
    assert!(v["cells"][0]["metrics"]["regret"]["lo"].is_number());
    // simulate a killed run: one cell lost, results gone; resume recomputes only that cell
    std::fs::remove_file(out.join("tiny/cells/00002.json")).unwrap();
    std::fs::remove_file(out.join("tiny/results.json")).unwrap();
    let kept = std::fs::metadata(out.join("tiny/cells/00001.json"))
        .unwrap()
        .modified()
        .unwrap();
    let o = boundlab(&["run", &p, "--out", out.to_str().unwrap(), "--resume"]);
    assert!(o.status.success());
    let again = std::fs::read(out.join("tiny/results.json")).unwrap();
    assert!(again == first, "resumed results differ from the first run");
    assert_eq!(
        std::fs::metadata(out.join("tiny/cells/00001.json"))
            .unwrap()
            .modified()
            .unwrap(),
        kept
    );
}

#[test]
fn a_violated_statement_exits_one_with_its_counterexample() {
    let o = boundlab(&[
        "check",
        "--id",
        "online.omd.degradation",
        "--quick",
        "--variant",
        "s_at_most_t",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("VIOLATED") && out.contains("counterexample") && out.contains("seed"),
        "{out}"
    );
    let o = boundlab(&[
        "check",
        "--id",
        "online.omd.degradation",
        "--variant",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("s_at_most_t"));
}

/// Each (from, to, field): the config `name` with `from` replaced by `to` must exit 2 with an
/// error that names `field`.
fn expect_bad_configs(name: &str, cases: &[(&str, &str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(format!(
        "{}/experiments/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for (from, to, field) in cases {
        assert!(base.contains(from), "{name}: `{from}` not in the config");
        let p = write(dir.path(), "bad.toml", &base.replace(from, to));
        let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}, {to}: {}", stderr(&o));
        assert!(stderr(&o).contains(field), "{name}, {to}: {}", stderr(&o));
    }
}

#[test]
fn multiscale_bad_levels_exit_two_naming_the_field() {
    expect_bad_configs(
        "multiscale_separation",
        &[
            ("r = [0, 1, 2, 3, 4, 5, 6]", "r = [0, 7]", "`r`"),
            ("h = [0.0, 0.5, 0.9]", "h = [1.5]", "h = 1.5"),
            ("L = 6", "L = 40", "`L`"),
            ("geom = \"1d\"", "geom = \"3d\"", "invalid geometry: `3d`"),
        ],
    );
}

#[test]
fn dynamics_bad_input_exits_two_naming_the_problem() {
    expect_bad_configs(
        "dynamics_phase",
        &[
            (
                "drift = 0.5",
                "drift = 0.5\nsystem = \"x\"\ndt = -0.1",
                "`dt`",
            ),
            ("noise = [0.01, 0.05, 0.2]", "noise = [-0.1]", "`noise`"),
            ("w = [2, 3, 5, 10, 20, 40, 80]", "w = [0, 3]", "`w`"),
            ("period = 20.0", "period = 0.0", "`period`"),
        ],
    );
    expect_bad_configs(
        "dynamics_lyapunov",
        &[
            (
                "system = [\"lorenz63\", \"langford\"]",
                "system = [\"duffing\"]",
                "duffing",
            ),
            ("T = [50, 100, 200, 500, 1000, 2000]", "T = [0]", "`T`"),
        ],
    );
}

#[test]
fn moe_bad_input_exits_two_naming_the_field() {
    expect_bad_configs(
        "moe_routing",
        &[
            (
                "experts = \"quadratic\"",
                "experts = \"cubic\"",
                "`experts`",
            ),
            (
                "lambda = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0]",
                "lambda = [-1.0]",
                "`lambda`",
            ),
            ("noise = 0.5", "noise = -0.5", "`noise`"),
            ("window = 20", "window = 5000", "`window`"),
            ("restarts = [1, 5]", "restarts = [0]", "`restarts`"),
        ],
    );
    expect_bad_configs(
        "moe_ewa",
        &[
            ("prior = \"uniform\"", "prior = \"laplace\"", "`prior`"),
            ("p = [1, 2, 3]", "p = [7]", "`p`"),
            ("n = 100", "n = 0", "`n`"),
            (
                "prior = \"uniform\"",
                "prior = \"uniform\"\nloss = \"hinge\"",
                "`loss`",
            ),
        ],
    );
    expect_bad_configs(
        "moe_epsnet",
        &[
            (
                "features = [\"poly\", \"random\"]",
                "features = [\"fourier\"]",
                "`features`",
            ),
            (
                "loss = [\"squared\", \"absolute\"]",
                "loss = [\"hinge\"]",
                "`loss`",
            ),
        ],
    );
}

#[test]
fn a_misspelt_parameter_exits_two_naming_it_and_the_nearest_key() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to, table, key, nearest) in [
        ("sigma = 0.2", "sigm = 0.2", "[params]", "sigm", "sigma"),
        (
            "hint = [\"zero\", \"mean\"]",
            "hnt = [\"zero\", \"mean\"]",
            "[grid]",
            "hnt",
            "hint",
        ),
    ] {
        let p = write(dir.path(), "c.toml", &GOOD.replace(from, to));
        let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{to}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(&format!("unknown parameter `{key}` in {table}"))
                && e.contains(&format!("did you mean `{nearest}`?"))
                && e.contains("c.toml"),
            "{e}"
        );
    }
    // a key that no measure reads and that resembles nothing lists what is read
    let p = write(
        dir.path(),
        "c.toml",
        &GOOD.replace("sigma = 0.2", "sigma = 0.2\nzzzzzz = 1"),
    );
    let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`online.regret` reads"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_prints_every_link_of_an_entry() {
    let o = boundlab(&["show", "online.omd.fixed_eta"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for want in [
        "statement",
        "RS13 Corollary",
        "theory/online.md:",
        "src/families/online/omd.rs:",
        "cargo test --test catalogue -- online.omd.fixed_eta",
        "variance_term_quartered",
        "experiments/online_tightness.toml",
        "figures/online_tightness_simplex.png",
        "last run",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    let o = boundlab(&["show", "online.omd.fixed_etaa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `online.omd.fixed_eta`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unknown_control_and_figure_kind_name_the_nearest() {
    let o = boundlab(&[
        "check",
        "--id",
        "online.hedge",
        "--quick",
        "--variant",
        "constant_halve",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `constant_halved`?"),
        "{}",
        stderr(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "c.toml",
        &GOOD.replace("x = \"T\"", "kind = \"atractor\"\nx = \"T\""),
    );
    let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `attractor`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn seeds_sweep_counts_verdicts_and_rejects_zero() {
    let o = boundlab(&["check", "--id", "online.hedge", "--quick", "--seeds", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("online.hedge") && out.contains("HOLDS 3"),
        "{out}"
    );
    let o = boundlab(&[
        "check",
        "--id",
        "online.hedge",
        "--quick",
        "--seeds",
        "2",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["seeds"].as_array().unwrap().len(), 2);
    // with the controls, each control's line says at how many seeds it was caught
    let o = boundlab(&[
        "check",
        "--id",
        "online.hedge",
        "--quick",
        "--seeds",
        "2",
        "--controls",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.contains("control constant_halved") && l.contains("caught 2 of 2")),
        "{out}"
    );
    let o = boundlab(&["check", "--id", "online.hedge", "--quick", "--seeds", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn isoperimetry_bad_input_exits_two_naming_the_field() {
    expect_bad_configs(
        "isoperimetry_line",
        &[
            ("w = [0.5, 0.1, 0.01, 0.001, 0.0001]", "w = [1.5]", "`w`"),
            (
                "m = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0]",
                "m = [\"far\"]",
                "`m`",
            ),
            // a component too narrow to resolve: refused before any work, naming its width
            (
                "[params]\n",
                "[params]\ns1 = 1e-7\n",
                "standard deviation 1e-7",
            ),
        ],
    );
}

#[test]
fn galerkin_bad_basis_exits_two_naming_the_parameter() {
    expect_bad_configs(
        "isoperimetry_galerkin",
        &[
            // 2379 monomials of degree <= 13 in d = 4: over the basis limit, and the largest
            // degree that fits is named
            ("degree = [1, 2, 3, 4]", "degree = [13]", "`degree` = 13"),
            ("[params]\n", "[params]\nn = 100\n", "`n` = 100"),
        ],
    );
}

#[test]
fn a_value_out_of_range_is_reported_as_itself_not_as_a_misspelling() {
    // r0 = 3 is refused before the measure reads N; the error names r0, not a near-miss of N
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "c.toml",
        "name = \"c\"\nclaim = \"x\"\ndescription = \"x\"\nmeasure = \"score.sample_complexity\"\nbounds = []\nseed = 1\nreplicates = 2\n\n[params]\nL = 3\nK = 2\nr0 = 3\n\n[grid]\nN = [100]\n",
    );
    let o = boundlab(&["run", &p, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("`r0` = 3") && !e.contains("unknown parameter"),
        "{e}"
    );
}

#[test]
fn score_bad_input_exits_two_naming_the_field() {
    expect_bad_configs(
        "score_sample_complexity",
        &[
            (
                "n_star = { over = \"N\", eps = 0.05 }",
                "n_star = { over = \"M\", eps = 0.05 }",
                "n_star.over",
            ),
            (
                "n_star = { over = \"N\", eps = 0.05 }",
                "n_star = { over = \"N\", eps = 0.0 }",
                "n_star.eps",
            ),
            (
                "estimator = [\"kde\", \"ridge\"]",
                "estimator = [\"kde\", \"rigde\"]",
                "`estimator`",
            ),
            ("sep = 8.0", "sep = 8.0\nr0 = 3", "`r0`"),
        ],
    );
    // a misspelt score source, and learned scores without a training size
    expect_bad_configs(
        "diffusion_ir_vs_one_shot_mixture",
        &[
            (
                "levels = 32\n",
                "levels = 32\nscores = \"lerned\"\n",
                "did you mean `learned`?",
            ),
            (
                "levels = 32\n",
                "levels = 32\nscores = \"learned\"\n",
                "`N`",
            ),
        ],
    );
    // a drift beyond one period a step, no steps, too many steps
    expect_bad_configs(
        "score_shared_time",
        &[
            ("drift = 0.25", "drift = 1.5", "`drift`"),
            ("T = 4\n", "T = 0\n", "`T`"),
            ("T = 4\n", "T = 40\n", "`T`"),
        ],
    );
}

#[test]
fn diffusion_bad_input_exits_two_naming_the_field() {
    expect_bad_configs(
        "diffusion_error_budget",
        &[
            // the exact budget needs a Gaussian model
            ("K = 1", "K = 2", "`K`"),
            // a one-level grid is no sampler
            (
                "levels = [8, 16, 32, 64, 128, 256]",
                "levels = [1]",
                "`levels`",
            ),
            ("delta = [0.0, 0.1, 0.3]", "delta = [\"big\"]", "`delta`"),
            ("h = 0.5", "h = 1.5", "h = 1.5"),
        ],
    );
    // IR against one-shot must start below the finest level
    expect_bad_configs(
        "diffusion_ir_vs_one_shot",
        &[("r0 = 0", "r0 = 4", "`r0`"), ("K = 1", "K = 3", "`K`")],
    );
}

#[test]
fn diffusion_bad_schedule_exits_two_naming_the_field() {
    expect_bad_configs(
        "diffusion_samplers_schedule",
        &[
            // a misspelt schedule names the nearest one
            (
                "schedule = [\"karras\", \"geometric\", \"vp\", \"cosine\"]",
                "schedule = [\"karras\", \"geometrc\"]",
                "did you mean `geometric`?",
            ),
            // rho of a schedule that has none is read by nothing: refused, not ignored
            (
                "schedule = [\"karras\", \"geometric\", \"vp\", \"cosine\"]",
                "schedule = [\"geometric\"]\nrho = [3.0]",
                "`rho`",
            ),
            (
                "schedule = [\"karras\", \"geometric\", \"vp\", \"cosine\"]",
                "schedule = [\"vp\"]\nrho = [3.0]",
                "`rho`",
            ),
            (
                "schedule = [\"karras\", \"geometric\", \"vp\", \"cosine\"]",
                "schedule = [\"cosine\"]\nrho = [3.0]",
                "`rho`",
            ),
            ("[params]\n", "[params]\nrho = -1.0\n", "`rho`"),
        ],
    );
}

#[test]
fn isoperimetry_bad_conditioning_set_exits_two_naming_the_field() {
    expect_bad_configs(
        "isoperimetry_conditioning",
        &[(
            "given = [\"coarse_and_previous\", \"coarse\"]",
            "given = [\"coarse_and_previous\", \"corse\"]",
            "did you mean `coarse`?",
        )],
    );
    expect_bad_configs(
        "isoperimetry_conditioning_lsi",
        &[("lsi = 1", "lsi = 2", "`lsi`")],
    );
}

#[test]
fn score_isoperimetry_link_needs_three_levels() {
    expect_bad_configs(
        "score_isoperimetry_link",
        &[
            ("L = 3", "L = 2", "`L`"),
            ("[params]\n", "[params]\nmodel_seed = -1\n", "`model_seed`"),
        ],
    );
}

#[test]
fn diffusion_mixture_measures_refuse_bad_fields_with_exit_two() {
    // a conditioning level at or above L, and an unknown target named with the nearest one
    expect_bad_configs(
        "diffusion_ir_vs_one_shot_mixture",
        &[("K = 2\n", "K = 2\nr0 = 3\n", "`r0`")],
    );
    expect_bad_configs(
        "diffusion_gap_mixtures",
        &[(
            "target = [\"line\", \"plane\", \"d4\"]",
            "target = [\"lines\"]",
            "did you mean `line`?",
        )],
    );
    expect_bad_configs(
        "diffusion_reconstructions",
        &[("r0_2d = 2\n", "r0_2d = 4\n", "`r0_2d`")],
    );
}

#[test]
fn assimilation_collapse_refuses_bad_fields_with_exit_two() {
    // an unknown proposal named with the nearest one, a process-noise share outside [0, 1),
    // an ensemble of one particle
    expect_bad_configs(
        "assimilation_collapse",
        &[
            (
                "proposal = [\"bootstrap\", \"optimal\"]",
                "proposal = [\"optimum\"]",
                "did you mean `optimal`?",
            ),
            ("q = 0.5\n", "q = 1.5\n", "process-noise share q"),
            (
                "Ne = [10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000]",
                "Ne = [1]",
                "`Ne`",
            ),
        ],
    );
}

#[test]
fn assimilation_collapse_figures_refuse_bad_fields_with_exit_two() {
    // a histogram bar outside [0, 1]; a tau^2 that gives no whole dimension, named with the
    // nearest valid one; a fitted line through maxima; an unread search cap
    expect_bad_configs(
        "assimilation_collapse_histogram",
        &[
            ("0.85, 0.95]", "0.85, 0.97]", "`bin_centre`"),
            ("bin_width = 0.1", "bin_width = -0.1", "`bin_width`"),
        ],
    );
    expect_bad_configs(
        "assimilation_collapse_required",
        &[
            ("80.0]", "81.0]", "nearest: 80"),
            (
                "fit = true",
                "fit = true\nstat = \"max\"",
                "fit draws a line through means",
            ),
        ],
    );
    expect_bad_configs(
        "assimilation_pf_vs_etkf",
        &[
            ("dim = [5, 6,", "dim = [3, 6,", "`dim`"),
            ("cap = 8192", "cap = 8192\ncaps = 2", "`caps`"),
            ("cap = 8192", "cap = 8192\ntolerance = -0.1", "`tolerance`"),
        ],
    );
}

#[test]
fn assimilation_benchmark_refuses_bad_fields_with_exit_two() {
    // an unknown setting named with the nearest one, and fewer averaged cycles than allowed
    expect_bad_configs(
        "assimilation_benchmark",
        &[
            (
                "setting = [\"l63_climatology\",",
                "setting = [\"l63_climatolgy\",",
                "did you mean `l63_climatology`?",
            ),
            (
                "replicates = 8\n",
                "replicates = 8\n\n[params]\ncycles = 3\n",
                "`cycles`",
            ),
        ],
    );
}

#[test]
fn assimilation_new_configs_refuse_bad_fields_with_exit_two() {
    // an ensemble size for a setting without an ensemble, and of one member
    expect_bad_configs(
        "assimilation_ensemble_size",
        &[
            (
                "setting = [\"l63_etkf_n10\",",
                "setting = [\"l63_oi\",",
                "has no ensemble to resize",
            ),
            ("N = [3, 5,", "N = [1, 5,", "`N`"),
        ],
    );
    // a misspelt observation operator, a non-positive observation noise
    expect_bad_configs(
        "assimilation_taxonomy",
        &[
            (
                "obs = [\"full\", \"coarse\"]",
                "obs = [\"full\", \"coarce\"]",
                "did you mean `coarse`?",
            ),
            ("r = [0.1, 1.0]", "r = [0.0]", "`r`"),
        ],
    );
    // a misspelt likelihood term and start, EnSF's alpha(1) outside (0, 1), no steps
    expect_bad_configs(
        "assimilation_score_filter",
        &[
            (
                "likelihood = [\"exact\", \"ensf_damped\",",
                "likelihood = [\"exact\", \"ensf_dampd\",",
                "did you mean `ensf_damped`?",
            ),
            (
                "start = [\"exact\", \"standard\"]",
                "start = [\"exact\", \"standrd\"]",
                "did you mean `standard`?",
            ),
            ("m = 2\n", "m = 2\neps_alpha = 1.5\n", "eps_alpha"),
            ("steps = [4, 8,", "steps = [0, 8,", "`steps`"),
        ],
    );
    // a non-positive observation error variance
    expect_bad_configs(
        "assimilation_ensf",
        &[(
            "obs_var = [0.01, 0.03,",
            "obs_var = [0.0, 0.03,",
            "`obs_var`",
        )],
    );
    // a dimension for a Lorenz63 setting, and Lorenz96 with fewer than four variables
    expect_bad_configs(
        "assimilation_dimension",
        &[
            (
                "setting = [\"l96_etkf_n24\",",
                "setting = [\"l63_etkf_n10\",",
                "whose dimension is 3",
            ),
            ("dim = [10, 20,", "dim = [3, 20,", "`dim`"),
        ],
    );
    // a second setting on another system, and an unknown one named with the nearest
    expect_bad_configs(
        "assimilation_rmse_series",
        &[
            (
                "compare = \"l63_3dvar\"",
                "compare = \"l96_3dvar\"",
                "`compare`",
            ),
            (
                "compare = \"l63_3dvar\"",
                "compare = \"l63_3dva\"",
                "did you mean `l63_3dvar`?",
            ),
        ],
    );
}

#[test]
fn guidance_bad_objectives_exit_two_naming_them() {
    expect_bad_configs(
        "assimilation_guidance",
        &[
            (
                "\"forecast+analysis+unrolled\"]",
                "\"forecast+analysys+unrolled\"]",
                "did you mean `analysis`",
            ),
            (
                "\"forecast+analysis+unrolled\"]",
                "\"forecast+forward\"]",
                "leaves F or G untrained",
            ),
            ("N = [100, 200, 400", "N = [10, 200, 400", "`N`"),
            (
                "obs = [\"full\", \"coarse\"]",
                "obs = [\"ful\"]",
                "did you mean `full`",
            ),
        ],
    );
}

#[test]
fn guidance_lorenz63_bad_settings_exit_two_naming_them() {
    expect_bad_configs(
        "assimilation_guidance_lorenz63",
        &[
            ("length = 20.0", "length = -1.0", "`length`"),
            ("length = 20.0", "length = 20.0\nfeatures = 0", "`features`"),
            ("lambda = [1e-5, 1e-4", "lambda = [0.0, 1e-4", "`lambda`"),
            ("N = 2000", "N = 5", "`N`"),
        ],
    );
}
