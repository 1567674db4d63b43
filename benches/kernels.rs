//! Native engine time of the two exact attention kernels and of the foundation view's layer.
//!
//! - `exact_attend` (blocked two-pass softmax, `exact::attend`) and `flash_attend` (online softmax,
//!   `flash::flash_attend` with the default 64 × 64 tiles) at N = 256, 1024, 4096: each iteration runs
//!   all 8 heads of d_head = 64, i.e. the column windows of one N × 512 Q, K and V (N(0, 1) entries,
//!   scale 1/√64), full and causal mask.
//! - `exact_packed`: `packed::attend_packed` with the blocked and the fast kernel on head-major
//!   [8, N, 64] inputs, N = 256 … 2048 — the shape of the onnxruntime-web harness, for the wasm/native ratio.
//! - `multi_head_layer`: the whole `multi_head_attention` (projections, 8 heads, concat, W_O) at
//!   N = 256, d_model = 512, the foundation view's target configuration, with both kernels.
//!
//! Run with (about two minutes):
//!   cargo bench --bench kernels -- --warm-up-time 1 --measurement-time 3
//! Flat sampling with 10 samples keeps the N = 4096 cases (1–2 s an iteration) inside that budget.

use std::hint::black_box;

use attention_atlas::attention::embedding::embed;
use attention_atlas::attention::exact::attend;
use attention_atlas::attention::flash::{flash_attend, Tiles};
use attention_atlas::attention::mask::causal_or_full;
use attention_atlas::attention::matrix::{MatRef, Matrix};
use attention_atlas::attention::multi_head::{multi_head_attention, HeadConfig, Kernel, LayerWeights};
use attention_atlas::attention::packed::{attend_packed, ExactKernel};
use attention_atlas::attention::rng::{normal_matrix, stream};
use attention_atlas::attention::scale::Scale;
use attention_atlas::attention::tokenizer::example_tokens;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};

/// Heads per layer and their width (LLaMA-style 8 × 64 = 512, the view's target configuration).
const N_HEADS: usize = 8;
const D_HEAD: usize = 64;
/// Sequence lengths of the kernel benchmarks.
const LENGTHS: [usize; 3] = [256, 1024, 4096];
/// Sequence lengths of the head-major benchmark (those of the onnxruntime-web harness).
const PACKED_LENGTHS: [usize; 4] = [256, 512, 1024, 2048];
const SEED: u64 = 7;

/// Q, K, V of shape N × (N_HEADS · D_HEAD) with N(0, 1) entries.
fn qkv(n: usize) -> (Matrix, Matrix, Matrix) {
    let width = N_HEADS * D_HEAD;
    let draw = |label: &str| normal_matrix(&mut stream(SEED, label), n, width, 1.0);
    (draw("bench:q"), draw("bench:k"), draw("bench:v"))
}

/// Head h's columns of a Q, K or V.
fn head(m: &Matrix, h: usize) -> MatRef<'_> {
    m.columns(h * D_HEAD, D_HEAD)
}

fn mask_name(causal: bool) -> &'static str {
    if causal {
        "causal"
    } else {
        "full"
    }
}

fn kernels(c: &mut Criterion) {
    let scale = Scale::InvSqrtDHead.factor(D_HEAD);
    let inputs: Vec<(usize, (Matrix, Matrix, Matrix))> = LENGTHS.iter().map(|&n| (n, qkv(n))).collect();

    let mut exact = c.benchmark_group("exact_attend");
    exact.sampling_mode(SamplingMode::Flat).sample_size(10);
    for (n, (q, k, v)) in &inputs {
        for causal in [false, true] {
            exact.bench_with_input(BenchmarkId::new(mask_name(causal), n), n, |b, _| {
                b.iter(|| {
                    for h in 0..N_HEADS {
                        black_box(attend(
                            head(q, h),
                            head(k, h),
                            head(v, h),
                            scale,
                            causal_or_full(causal),
                        ));
                    }
                })
            });
        }
    }
    exact.finish();

    let mut flash = c.benchmark_group("flash_attend");
    flash.sampling_mode(SamplingMode::Flat).sample_size(10);
    for (n, (q, k, v)) in &inputs {
        for causal in [false, true] {
            flash.bench_with_input(BenchmarkId::new(mask_name(causal), n), n, |b, _| {
                b.iter(|| {
                    for h in 0..N_HEADS {
                        black_box(flash_attend(
                            head(q, h),
                            head(k, h),
                            head(v, h),
                            scale,
                            causal_or_full(causal),
                            Tiles::default(),
                        ));
                    }
                })
            });
        }
    }
    flash.finish();

    // The peer harness's shape (tests/e2e/bench-ort.mjs): Q, K, V head-major [8, N, 64], both exact
    // kernels, so the browser's times divided by these are the wasm/native ratio.
    let mut packed = c.benchmark_group("exact_packed");
    packed.sampling_mode(SamplingMode::Flat).sample_size(10);
    for n in PACKED_LENGTHS {
        let draw = |label: &str| normal_matrix(&mut stream(SEED, label), N_HEADS * n, D_HEAD, 1.0).data;
        let (q, k, v) = (draw("packed:q"), draw("packed:k"), draw("packed:v"));
        for (name, kernel) in [("blocked", ExactKernel::Blocked), ("fast", ExactKernel::Fast)] {
            for causal in [false, true] {
                let id = BenchmarkId::new(format!("{name}/{}", mask_name(causal)), n);
                packed.bench_function(id, |b| {
                    b.iter(|| black_box(attend_packed(&q, &k, &v, N_HEADS, D_HEAD, scale, causal, kernel)))
                });
            }
        }
    }
    packed.finish();
}

fn layer(c: &mut Criterion) {
    let (n, d_model) = (256, N_HEADS * D_HEAD);
    let x = embed(&example_tokens(n), d_model, SEED);
    let w = LayerWeights::seeded(d_model, SEED);
    let mut group = c.benchmark_group("multi_head_layer");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for (kernel_name, kernel) in [("exact", Kernel::Exact), ("flash", Kernel::Flash(Tiles::default()))] {
        for causal in [false, true] {
            let cfg = HeadConfig {
                n_heads: N_HEADS,
                scale: Scale::InvSqrtDHead,
                causal,
            };
            let id = BenchmarkId::new(format!("{kernel_name}/{}", mask_name(causal)), n);
            group.bench_function(id, |b| {
                b.iter(|| black_box(multi_head_attention(&x, &w, &cfg, kernel).expect("8 divides 512")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, kernels, layer);
criterion_main!(benches);
