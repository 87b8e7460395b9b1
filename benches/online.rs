//! Criterion benchmarks for the online family:
//! - OMD on the simplex, d = 16, T = 1e5 (one thread): rounds per second;
//! - Monte Carlo over replicates with 1 and 2 rayon threads (the ratio is the speed-up).
use boundlab::mc;
use boundlab::online::{omd, Hint, HintSpec, Options, Sequence, SequenceSpec, Simplex, StepSize};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::Rng;
use std::hint::black_box;
use std::sync::Arc;

const D: usize = 16;
const T: usize = 100_000;

fn series() -> Arc<Vec<f64>> {
    let mut rng = mc::stream(1, 0, 0);
    Arc::new((0..T * D).map(|_| rng.random_range(-1.0..1.0)).collect())
}

fn bench_omd(c: &mut Criterion) {
    let dom = Simplex::new(D).unwrap();
    let values = series();
    let mut g = c.benchmark_group("omd_simplex_d16");
    g.throughput(Throughput::Elements(T as u64));
    g.sample_size(20);
    for hint in [HintSpec::Last, HintSpec::Mean] {
        g.bench_function(format!("T=1e5 hint={}", hint.name()), |b| {
            b.iter(|| {
                let mut rng = mc::stream(2, 0, 0);
                let spec = SequenceSpec::External {
                    d: D,
                    values: values.clone(),
                };
                let mut seq = Sequence::new(spec, D, &mut rng).unwrap();
                let mut h = Hint::new(&hint, D);
                let o = omd(
                    &dom,
                    &mut seq,
                    &mut h,
                    StepSize::Fixed(0.01),
                    T,
                    &mut rng,
                    Options::FAST,
                )
                .unwrap();
                black_box(o.regret)
            })
        });
    }
    g.finish();
}

fn bench_mc(c: &mut Criterion) {
    let dom = Simplex::new(8).unwrap();
    let mut g = c.benchmark_group("mc_64_replicates_T1e4");
    g.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                pool.install(|| {
                    let r = mc::replicate(64, 3, 0, |_, rng| {
                        let spec = SequenceSpec::Iid {
                            sigma: 0.3,
                            gap: 0.5,
                        };
                        let mut seq = Sequence::new(spec, 8, rng).unwrap();
                        let mut h = Hint::new(&HintSpec::Mean, 8);
                        omd(
                            &dom,
                            &mut seq,
                            &mut h,
                            StepSize::Fixed(0.05),
                            10_000,
                            rng,
                            Options::FAST,
                        )
                        .unwrap()
                        .regret
                    });
                    black_box(r)
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_omd, bench_mc);
criterion_main!(benches);
