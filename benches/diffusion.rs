//! Criterion benchmark of diffusion sampling beside this machine's DGEMM rate, both measured
//! in the same run: Euler-Maruyama on Karras's grid with 200 levels, 1e4 samples in d = 64,
//! the exact score of a 4-component Gaussian mixture (its noised precisions side by side, so a
//! score evaluation is one GEMM of the n x d states with the d x 4d precisions: 2 n K d^2
//! flops), the samples in chunks of 256 in parallel (rayon, single-threaded BLAS per chunk,
//! per-sample noise streams). Printed: the run's seconds, its score GEMM rate, and that rate
//! as a fraction of a 2000^3 DGEMM's (best of 3 each).
mod common;
use boundlab::diffusion::{run_chunked, ExactMixtureScore, Sampler, SamplerFault, SigmaGrid};
use boundlab::prob::Gmm;
use common::{best_of_3, DgemmReference};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array1, Array2};
use rand_distr::{Distribution, StandardNormal};
use std::hint::black_box;

/// A K-component mixture in d dimensions with random means and well-conditioned random
/// covariances (A A^T / d + 0.5 I).
fn target(d: usize, k: usize) -> Gmm {
    let mut rng = boundlab::mc::stream(11, 0, 0);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let means = Array2::from_shape_fn((k, d), |_| 2.0 * normal());
    let covs = (0..k)
        .map(|_| {
            let a = Array2::from_shape_fn((d, d), |_| normal());
            a.dot(&a.t()) / d as f64 + Array2::<f64>::eye(d) * 0.5
        })
        .collect();
    Gmm::new(&vec![1.0 / k as f64; k], means, covs).unwrap()
}

fn bench_sampling(c: &mut Criterion) {
    boundlab::linalg::single_threaded_blas();
    let (n, d, k, levels) = (10_000usize, 64usize, 4usize, 200usize);
    let g = target(d, k);
    let score = ExactMixtureScore { target: &g };
    let grid = SigmaGrid::karras(levels, 0.002, 80.0, 7.0).unwrap();
    let mut rng = boundlab::mc::stream(12, 0, 0);
    let x0 = Array2::from_shape_fn((n, d), |_| {
        let z: f64 = StandardNormal.sample(&mut rng);
        80.0 * z
    });
    let sample = || {
        run_chunked(
            Sampler::EulerMaruyama,
            SamplerFault::None,
            &grid,
            &score,
            x0.view(),
            1,
            0,
            256,
        )
        .unwrap()
    };
    let t_run = best_of_3(|| {
        black_box(sample());
    });
    let out = sample();
    let m: Array1<f64> = out.mean_axis(ndarray::Axis(0)).unwrap();
    let gemm = DgemmReference::new();
    let r_gemm = gemm.gflops();
    let score_flops = levels as f64 * 2.0 * (n * k * d * d) as f64;
    let r_score = score_flops / t_run / 1e9;
    eprintln!(
        "Euler-Maruyama, {levels} levels, n = {n}, d = {d}, K = {k}: {t_run:.2} s; score GEMMs {r_score:.1} GFLOP/s against DGEMM 2000^3 on one thread {r_gemm:.1} GFLOP/s (ratio {:.2}; the run uses every core); output mean norm {:.3} against the target's {:.3}",
        r_score / r_gemm,
        m.dot(&m).sqrt(),
        g.mean().dot(&g.mean()).sqrt()
    );
    gemm.bench(c, "dgemm_reference_one_thread");
    let mut grp = c.benchmark_group("diffusion_sampling");
    grp.sample_size(10);
    grp.bench_function("em_200_levels_n1e4_d64_k4", |bch| {
        bch.iter(|| black_box(sample()))
    });
    grp.finish();
}

criterion_group!(benches, bench_sampling);
criterion_main!(benches);
