//! What every bench shares: the best-of-3 timer and the DGEMM reference that speed is stated
//! against (a 2000 x 2000 x 2000 product, timed in the same run as the work it is compared to).
use criterion::{Criterion, Throughput};
use ndarray::Array2;
use std::hint::black_box;
use std::time::Instant;

/// The fastest of three timings of `f`, in seconds.
pub fn best_of_3(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// The reference product's operands (fixed, not random) and its flop count.
pub struct DgemmReference {
    a: Array2<f64>,
    b: Array2<f64>,
    pub flops: f64,
}

impl DgemmReference {
    pub fn new() -> DgemmReference {
        let s = 2000usize;
        let a = Array2::from_shape_fn((s, s), |(i, j)| ((i * 7 + j * 13) % 17) as f64 / 17.0);
        let b = a.t().to_owned();
        DgemmReference {
            a,
            b,
            flops: 2.0 * (s * s * s) as f64,
        }
    }

    /// This machine's DGEMM rate now, in GFLOP/s (best of 3).
    pub fn gflops(&self) -> f64 {
        let t = best_of_3(|| {
            black_box(self.a.dot(&self.b));
        });
        self.flops / t / 1e9
    }

    /// The same product as a criterion group `group`.
    pub fn bench(&self, c: &mut Criterion, group: &str) {
        let mut grp = c.benchmark_group(group);
        grp.throughput(Throughput::Elements(self.flops as u64));
        grp.sample_size(10);
        grp.bench_function("2000x2000x2000", |bch| {
            bch.iter(|| black_box(self.a.dot(&self.b)))
        });
        grp.finish();
    }
}
