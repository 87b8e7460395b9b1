//! Criterion benchmark of the closed-form random-feature score fit beside this machine's
//! DGEMM rate, both measured in the same run with single-threaded BLAS (the fit runs inside
//! rayon's parallel replicates, so that is how it is used): m = 1024 random Fourier features
//! of n = 1e5 noised draws in d = 2, the normal equations Phi^T Phi (2 n m^2 flops, the bulk)
//! and Phi^T T by GEMM, then Cholesky. The ratio is printed after a best-of-3 timing of each.
mod common;
use boundlab::mc;
use boundlab::prob::Gmm;
use boundlab::score::{
    dsm_target, ridge_fit, DsmFault, NoisedDraws, Noising, RandomFeatures, RidgeFault,
};
use common::{best_of_3, DgemmReference};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::{array, Array2};
use std::hint::black_box;
use std::time::Instant;

/// Peak resident memory of this process so far (VmHWM), in MB.
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The normal equations at n = 1e6, m = 1024, accumulated blockwise (the feature matrix
/// would be 8 GB): time and the process's peak memory, measured before anything else is
/// allocated so the peak is the blockwise fit's.
fn blockwise_at_a_million() {
    let (n, m) = (1_000_000usize, 1024usize);
    let mut rng = mc::stream(6, 0, 0);
    let u = Array2::from_shape_fn((n, 3), |(i, j)| {
        ((i * 31 + j * 17) % 101) as f64 / 50.0 - 1.0
    });
    let t = Array2::from_shape_fn((n, 2), |(i, j)| ((i * 13 + j * 7) % 89) as f64 / 44.0 - 1.0);
    let rf = RandomFeatures::new(3, m, 1.0, &mut rng).unwrap();
    let start = Instant::now();
    let (gram, rhs) = rf.normal_equations(u.view(), t.view()).unwrap();
    black_box((&gram, &rhs));
    eprintln!(
        "blockwise normal equations, n = 1e6, m = {m}: {:.1} s, peak memory {:.0} MB (the formed feature matrix alone would be {:.0} MB)",
        start.elapsed().as_secs_f64(),
        peak_mb(),
        (n * m * 8) as f64 / 1048576.0
    );
}

fn bench_ridge(c: &mut Criterion) {
    boundlab::linalg::single_threaded_blas();
    blockwise_at_a_million();
    let (n, m) = (100_000usize, 1024usize);
    let g = Gmm::new(
        &[0.4, 0.6],
        array![[-2.0, 0.0], [1.5, 1.0]],
        vec![
            array![[0.5, 0.2], [0.2, 0.3]],
            array![[1.0, -0.3], [-0.3, 0.6]],
        ],
    )
    .unwrap();
    let noise = Noising::ve(0.3).unwrap();
    let mut rng = mc::stream(5, 0, 0);
    let draws = NoisedDraws::sample(&g, noise, n, &mut rng);
    let t = dsm_target(&draws, DsmFault::None);
    let rf = RandomFeatures::new(2, m, 1.0, &mut rng).unwrap();
    let phi = rf.map(draws.y.view()).unwrap();
    let fit_flops = 2.0 * n as f64 * (m * m) as f64;
    let gemm = DgemmReference::new();
    let r_gemm = gemm.gflops();
    let t_fit = best_of_3(|| {
        black_box(ridge_fit(&phi, &t, 1e-3, RidgeFault::None).unwrap());
    });
    let r_fit = fit_flops / t_fit / 1e9;
    eprintln!(
        "one thread: DGEMM 2000^3: {r_gemm:.1} GFLOP/s; ridge fit m = {m}, n = {n}: {r_fit:.1} GFLOP/s ({:.2} s); ratio {:.2}",
        t_fit,
        r_fit / r_gemm
    );
    gemm.bench(c, "dgemm_reference_one_thread");
    let mut grp = c.benchmark_group("ridge_fit_one_thread");
    grp.throughput(Throughput::Elements(fit_flops as u64));
    grp.sample_size(10);
    grp.bench_function("m=1024,n=1e5", |bch| {
        bch.iter(|| black_box(ridge_fit(&phi, &t, 1e-3, RidgeFault::None).unwrap()))
    });
    grp.finish();
}

criterion_group!(benches, bench_ridge);
criterion_main!(benches);
