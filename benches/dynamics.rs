//! Criterion benchmarks for the dynamics family:
//! - Lorenz63 on t in [0, 100] with Dop853 at rtol = atol = 1e-9, dense output every 0.01
//!   (scipy's solve_ivp DOP853 takes 0.40 s for this on the reference machine);
//! - a 4-state, 2-observation Kalman filter over 1e5 observations (filterpy: 3.6e4 steps/s).
use boundlab::dynamics::{integrate, Lorenz63, V3};
use boundlab::filter::{simulate_tracking, tracking_model};
use boundlab::mc;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nalgebra::{Matrix4, Vector4};
use std::hint::black_box;

fn bench_lorenz(c: &mut Criterion) {
    let f = Lorenz63::default();
    let mut g = c.benchmark_group("lorenz63");
    g.sample_size(20);
    g.bench_function("dop853 t=100 rtol=1e-9", |b| {
        b.iter(|| {
            black_box(
                integrate(&f, V3::new(1.0, 1.0, 20.0), 100.0, 0.01, 1e-9, 1e-9)
                    .unwrap()
                    .x
                    .len(),
            )
        })
    });
    g.finish();
}

fn bench_kalman(c: &mut Criterion) {
    let k = tracking_model(0.1, 1.0, 0.5);
    let p0 = Matrix4::identity();
    let (_, ys) = simulate_tracking(&k, &p0, 100_000, &mut mc::stream(1, 0, 0)).unwrap();
    let mut g = c.benchmark_group("kalman_4x2");
    g.throughput(Throughput::Elements(ys.len() as u64));
    g.sample_size(20);
    g.bench_function("filter 1e5 steps", |b| {
        b.iter(|| black_box(k.filter(Vector4::zeros(), p0, &ys).unwrap().log_likelihood))
    });
    g.finish();
}

criterion_group!(benches, bench_lorenz, bench_kalman);
criterion_main!(benches);
