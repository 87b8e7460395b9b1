//! Criterion benchmarks for the mixture-of-experts family:
//! - nearest-net distances by GEMM against the fused direct loop, p = 4, 8, 16 (side-by-side);
//! - mirror averaging: expert updates per second;
//! - one EM fit of the gated mixture on switching Lorenz63 (T = 4000).
use boundlab::mc;
use boundlab::moe::{
    covering_distances_direct, covering_distances_gemm, lattice_net, mirror_averaging,
    uniform_ball, GatedMoe, Loss, MoeOptions, PolyExperts, SwitchingSpec,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn bench_covering(c: &mut Criterion) {
    boundlab::linalg::single_threaded_blas();
    let mut rng = mc::stream(1, 0, 0);
    for p in [4usize, 8, 16] {
        let net = if p == 4 {
            lattice_net(4, 1.0, 0.25) // about 1.6e3 points
        } else {
            uniform_ball(1600, p, 1.0, &mut rng)
        };
        let x = uniform_ball(8192, p, 1.0, &mut rng);
        let mut g = c.benchmark_group(format!("covering_distances_p{p}"));
        g.throughput(Throughput::Elements((net.nrows() * x.nrows()) as u64));
        g.sample_size(10);
        g.bench_function(format!("gemm net={} test=8192", net.nrows()), |b| {
            b.iter(|| black_box(covering_distances_gemm(&net, &x)))
        });
        g.bench_function(format!("direct net={} test=8192", net.nrows()), |b| {
            b.iter(|| black_box(covering_distances_direct(&net, &x)))
        });
        g.finish();
    }
}

fn bench_mirror_averaging(c: &mut Criterion) {
    let e = PolyExperts::new(2, 0.3);
    let net = lattice_net(2, 1.0, 0.05);
    let lp = vec![-(net.nrows() as f64).ln(); net.nrows()];
    let (x, y) = e.sample(3200, &mut mc::stream(2, 0, 0));
    let mut g = c.benchmark_group("mirror_averaging");
    g.throughput(Throughput::Elements((net.nrows() * 3200) as u64));
    g.sample_size(10);
    g.bench_function(format!("M={} n=3200", net.nrows()), |b| {
        b.iter(|| {
            black_box(mirror_averaging(&net, &lp, 1.62, &x, &y, |y, f| {
                Loss::Squared.eval(y, f)
            }))
        })
    });
    g.finish();
}

fn bench_gated(c: &mut Criterion) {
    boundlab::linalg::single_threaded_blas();
    let spec = SwitchingSpec {
        k: 3,
        forcing: 20.0,
        dwell: 1.0,
        noise: 0.5,
        samples: 4000,
        every: 1,
        quadratic_experts: true,
        window: 20,
    };
    let data = spec.sample(&mut mc::stream(3, 0, 0)).unwrap();
    let mut g = c.benchmark_group("gated_moe");
    g.sample_size(10);
    g.bench_function("EM fit T=4000 K=3 (40 iterations)", |b| {
        b.iter(|| {
            black_box(
                GatedMoe::fit(&data, &MoeOptions::default(), &mut mc::stream(4, 0, 0)).unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_covering, bench_mirror_averaging, bench_gated);
criterion_main!(benches);
