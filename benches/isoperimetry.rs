//! Criterion benchmarks of the isoperimetry solvers, each beside a reference measured in the
//! same run:
//! - the one-dimensional finite-element solve (one tridiagonal pencil of 4000 elements:
//!   dsbgvx for the shift, inverse iteration) on 0.5 N(-2, 1) + 0.5 N(2, 1);
//! - the Galerkin Gram matrices (m = 500 basis functions: the 494 monomials of degree <= 4 in
//!   d = 8 and 6 bumps; n = 1e5 draws): Cov(phi) and E[grad phi^T grad phi], 2 n m^2 (1 + d)
//!   flops, against a square DGEMM of 2000 x 2000 (this machine's DGEMM rate). Throughputs are
//!   in flops ("elem/s"); the ratio is printed after a best-of-3 timing of each.
use boundlab::isoperimetry::{
    gram_matrices, poincare_fem_fixed, Basis, GalerkinBasis, GalerkinFault,
};
mod common;
use boundlab::mc;
use boundlab::prob::Gmm;
use common::{best_of_3, DgemmReference};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::{array, Array2};
use std::hint::black_box;

fn bench_fem(c: &mut Criterion) {
    let g = Gmm::new(
        &[0.5, 0.5],
        array![[-2.0], [2.0]],
        vec![array![[1.0]], array![[1.0]]],
    )
    .unwrap();
    let mut grp = c.benchmark_group("isoperimetry_fem_1d");
    grp.bench_function("elements=4000", |b| {
        b.iter(|| black_box(poincare_fem_fixed(&g, 1e-14, 4000).unwrap()))
    });
    grp.finish();
}

fn bench_gram(c: &mut Criterion) {
    let (d, k, n) = (8usize, 6usize, 100_000usize);
    let mut rng = mc::stream(3, 0, 0);
    let means = Array2::from_shape_fn((k, d), |(i, j)| ((i * d + j) % 5) as f64 - 2.0);
    let g = Gmm::new(&vec![1.0 / k as f64; k], means, vec![Array2::eye(d); k]).unwrap();
    let basis = Basis::new(
        &g,
        GalerkinBasis {
            degree: 4,
            bumps: true,
        },
        GalerkinFault::None,
    )
    .unwrap();
    let m = basis.len();
    assert_eq!(m, 500);
    let (x, _) = g.sample(n, &mut rng);
    let (val, grad) = basis.evaluate(x.view());
    let gram_flops = 2.0 * n as f64 * (m * m) as f64 * (1.0 + d as f64);
    let gemm = DgemmReference::new();
    let r_gemm = gemm.gflops();
    let t_gram = best_of_3(|| {
        black_box(gram_matrices(&val, &grad));
    });
    let r_gram = gram_flops / t_gram / 1e9;
    eprintln!(
        "DGEMM 2000^3: {r_gemm:.1} GFLOP/s; Galerkin Gram m = {m}, n = {n}, d = {d}: {r_gram:.1} GFLOP/s; ratio {:.2}",
        r_gram / r_gemm
    );

    gemm.bench(c, "dgemm_reference");
    let mut grp = c.benchmark_group("galerkin_gram");
    grp.throughput(Throughput::Elements(gram_flops as u64));
    grp.sample_size(10);
    grp.bench_function("m=500,n=1e5,d=8", |bch| {
        bch.iter(|| black_box(gram_matrices(&val, &grad)))
    });
    grp.finish();
}

criterion_group!(benches, bench_fem, bench_gram);
criterion_main!(benches);
