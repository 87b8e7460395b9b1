//! Results are bit-identical whatever the thread count.
use boundlab::bounds::{run_entry, Scale, Variant};
use boundlab::families::REGISTRY;
use std::process::Command;

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn catalogue_reports_match_for_one_and_two_threads() {
    for id in [
        "online.lower.two_experts",
        "online.scaling.iid",
        "online.omd.lemma",
        "moe.ewa.mirror_averaging",
        "score.ridge_optimal",
    ] {
        let e = REGISTRY.entry(id).unwrap();
        let one = pool(1).install(|| run_entry(e, Variant::Correct, Scale::Quick, 7).unwrap());
        let two = pool(2).install(|| run_entry(e, Variant::Correct, Scale::Quick, 7).unwrap());
        let strip = |r: &boundlab::bounds::EntryReport| {
            let mut v = serde_json::to_value(r).unwrap();
            v.as_object_mut().unwrap().remove("wall_seconds");
            v.to_string()
        };
        assert_eq!(strip(&one), strip(&two), "{id}");
    }
}

#[test]
fn experiment_results_match_for_one_and_two_threads() {
    // online_tightness: plain Monte Carlo; moe_routing: EM with BLAS products inside rayon
    for name in ["online_tightness", "moe_routing"] {
        let cfg = format!("{}/experiments/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let dir = tempfile::tempdir().unwrap();
            let st = Command::new(env!("CARGO_BIN_EXE_boundlab"))
                .args(["run", &cfg, "--quick", "--out"])
                .arg(dir.path())
                .env("RAYON_NUM_THREADS", threads)
                .status()
                .unwrap();
            assert!(st.success());
            outputs.push(std::fs::read(dir.path().join(format!("{name}/results.json"))).unwrap());
        }
        assert!(
            outputs[0] == outputs[1],
            "{name}: results.json differs between 1 and 2 threads"
        );
    }
}
