//! Sparse kernel time against pattern density at N = 4096, d_head = 64.
//!
//! Two pattern families at densities of about 1 %–50 %: a symmetric local window (contiguous keys)
//! and BigBird with b = 64 and a growing number of random blocks (scattered key blocks). Throughput
//! is reported in allowed pairs per second: if cost tracks nnz, pairs/s stays flat across densities.
//! The dense gemm kernel (`exact::attend`, every pair) is the 100 % reference.
//!
//! Run: `cargo bench --bench sparse -- --warm-up-time 1 --measurement-time 3`.

use attention_atlas::attention::exact::attend;
use attention_atlas::attention::mask::Full;
use attention_atlas::attention::rng::{normal_matrix, stream};
use attention_atlas::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use attention_atlas::attention::sparse::csr::SparsePattern;
use attention_atlas::attention::sparse::kernel::sparse_attend;
use attention_atlas::attention::sparse::window::{local_window, Direction};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

const N: usize = 4096;
const D: usize = 64;

/// Smallest one-sided window whose symmetric band reaches `density` (pairs N(2w+1) − w(w+1)).
fn window_for(density: f64) -> usize {
    (0..N)
        .find(|&w| (N * (2 * w + 1) - w * (w + 1)) as f64 >= density * (N * N) as f64)
        .unwrap_or(N - 1)
}

fn patterns() -> Vec<(&'static str, SparsePattern)> {
    let mut out = Vec::new();
    for density in [0.01, 0.02, 0.05, 0.10, 0.25, 0.50] {
        out.push((
            "window",
            local_window(N, window_for(density), Direction::Symmetric).value,
        ));
    }
    // BigBird, b = 64 (64 blocks), first and last block global: 5 + r blocks per interior row.
    for r in [0, 3, 10, 27] {
        let cfg = BigBirdConfig {
            block: 64,
            global_blocks: 2,
            random_blocks: r,
        };
        out.push(("bigbird", bigbird(N, &cfg, 0, 0).value.pattern));
    }
    out
}

fn sparse_vs_density(c: &mut Criterion) {
    let mut rng = stream(1, "bench_sparse");
    let q = normal_matrix(&mut rng, N, D, 1.0);
    let k = normal_matrix(&mut rng, N, D, 1.0);
    let v = normal_matrix(&mut rng, N, D, 1.0);
    let scale = 1.0 / (D as f32).sqrt();
    let mut group = c.benchmark_group("sparse_kernel_n4096_d64");
    group.sample_size(10);
    for (family, p) in patterns() {
        let label = format!("{family}_{:.1}pct_{}pairs", 100.0 * p.density(), p.nnz());
        group.throughput(Throughput::Elements(p.nnz() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &p, |b, p| {
            b.iter(|| black_box(sparse_attend(q.view(), k.view(), v.view(), scale, p).unwrap()))
        });
    }
    group.throughput(Throughput::Elements((N * N) as u64));
    group.bench_function("dense_gemm_100pct", |b| {
        b.iter(|| black_box(attend(q.view(), k.view(), v.view(), scale, &Full)))
    });
    group.finish();
}

criterion_group!(benches, sparse_vs_density);
criterion_main!(benches);
