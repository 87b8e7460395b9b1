//! Criterion benchmark: log-density + score of a Gaussian mixture, N = 1e5 points,
//! d = 64, K = 8 (2 K d^2 = 65536 flops per point in the fused GEMM).
use boundlab::mc;
use boundlab::multiscale::{Hierarchy, MultiscaleGmmSpec};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn bench_gmm(c: &mut Criterion) {
    let hier = Hierarchy::one_d(64).unwrap();
    let spec = MultiscaleGmmSpec {
        components: 8,
        alpha: 0.5,
        h: 0.5,
        sep: 4.0,
        hetero: true,
    };
    let mut rng = mc::stream(1, 0, 0);
    let g = spec.build(&hier, &mut rng).unwrap();
    let (x, _) = g.sample(100_000, &mut rng);
    let mut grp = c.benchmark_group("gmm_density_score_d64_k8");
    grp.throughput(Throughput::Elements(100_000));
    grp.sample_size(10);
    grp.bench_function("N=1e5", |b| {
        b.iter(|| black_box(g.log_density_and_score(x.view()).unwrap()))
    });
    grp.finish();
}

criterion_group!(benches, bench_gmm);
criterion_main!(benches);
