//! The engine under WebAssembly: the same math the browser runs, with matrixmultiply's `simd128`
//! kernel (enabled in `.cargo/config.toml`), checked against naive loops and the NumPy fixtures.
//! Run by `scripts/test.sh` through `wasm-bindgen-test-runner` in Node; compiled out natively.
#![cfg(target_arch = "wasm32")]

mod common;

use std::sync::Arc;

use attention_atlas::attention::embedding::embed;
use attention_atlas::attention::exact::{attend, attention_rows};
use attention_atlas::attention::fast_exact::attend_fast;
use attention_atlas::attention::flash::{flash_attend, Tiles};
use attention_atlas::attention::mask::{causal_or_full, Causal, Full};
use attention_atlas::attention::matrix::{matmul, matmul_packed, matmul_transa, matmul_transb, pack, Matrix};
use attention_atlas::attention::multi_head::{multi_head_attention, HeadConfig, Kernel, LayerWeights};
use attention_atlas::attention::pooling::{pool, PoolMode};
use attention_atlas::attention::rng::{normal_matrix, stream};
use attention_atlas::attention::scale::Scale;
use attention_atlas::attention::tokenizer::example_tokens;
use attention_atlas::view_model::sdpa::{InputKey, SdpaJob, PIPE_PX};
use common::{matrix, parse_cases, usize_of};
use wasm_bindgen_test::wasm_bindgen_test;

fn naive(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_fn(a.rows, b.cols, |i, j| {
        (0..a.cols).map(|k| a.get(i, k) * b.get(k, j)).sum()
    })
}

#[wasm_bindgen_test]
fn simd_products_match_naive_loops_for_ragged_shapes() {
    let mut rng = stream(4, "wasm-gemm");
    for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (17, 64, 33), (64, 64, 64), (130, 40, 9)] {
        let a = normal_matrix(&mut rng, m, k, 1.0);
        let b = normal_matrix(&mut rng, k, n, 1.0);
        let want = naive(&a, &b);
        assert!(matmul(a.view(), b.view()).max_abs_diff(&want) < 1e-4);
        assert!(matmul_transb(a.view(), b.transpose().view()).max_abs_diff(&want) < 1e-4);
        assert!(matmul_transa(a.transpose().view(), b.view()).max_abs_diff(&want) < 1e-4);
        assert!(matmul_packed(a.view(), &pack(b.view())).max_abs_diff(&want) < 1e-4);
    }
}

#[wasm_bindgen_test]
fn online_softmax_equals_exact_under_wasm() {
    let mut rng = stream(8, "wasm-flash");
    let q = normal_matrix(&mut rng, 150, 16, 1.0);
    let k = normal_matrix(&mut rng, 150, 16, 1.0);
    let v = normal_matrix(&mut rng, 150, 16, 1.0);
    let full = attend(q.view(), k.view(), v.view(), 0.25, &Full);
    assert!(
        full.max_abs_diff(&flash_attend(
            q.view(),
            k.view(),
            v.view(),
            0.25,
            &Full,
            Tiles::default()
        )) < 1e-5
    );
    let causal = attend(q.view(), k.view(), v.view(), 0.25, &Causal);
    let tiles = Tiles { queries: 16, keys: 7 };
    assert!(causal.max_abs_diff(&flash_attend(q.view(), k.view(), v.view(), 0.25, &Causal, tiles)) < 1e-5);
}

#[wasm_bindgen_test]
fn the_simd128_kernel_equals_the_blocked_kernel_under_wasm() {
    let mut rng = stream(9, "wasm-fast");
    for &(n, d) in &[(1, 8), (37, 16), (130, 64), (257, 64)] {
        let (q, k, v) = (
            normal_matrix(&mut rng, n, d, 1.5),
            normal_matrix(&mut rng, n, d, 1.5),
            normal_matrix(&mut rng, n, d, 1.0),
        );
        for causal in [false, true] {
            let mask = causal_or_full(causal);
            let mut want = Matrix::zeros(n, d);
            attention_rows(
                q.view(),
                k.view(),
                v.view(),
                0.125,
                mask,
                0..n,
                64,
                &mut want.data,
                |_| {},
            );
            let mut got = Matrix::zeros(n, d);
            assert!(attend_fast(q.view(), k.view(), v.view(), 0.125, mask, &mut got.data));
            assert!(
                got.max_abs_diff(&want) < 1e-5,
                "n = {n}, d = {d}, causal = {causal}: {}",
                got.max_abs_diff(&want)
            );
        }
    }
}

#[wasm_bindgen_test]
fn layer_matches_the_numpy_fixture_under_wasm() {
    let all = parse_cases(include_str!("fixtures/foundation.json"));
    let weights = |d: usize| {
        let c = all
            .iter()
            .find(|c| c["kind"] == "weights" && usize_of(c, "d_model") == d)
            .expect("weights case");
        LayerWeights {
            w_q: matrix(&c["w_q"]),
            w_k: matrix(&c["w_k"]),
            w_v: matrix(&c["w_v"]),
            w_o: matrix(&c["w_o"]),
        }
    };
    let mut checked = 0;
    for case in all.iter().filter(|c| c["kind"] == "layer") {
        let x = matrix(&case["x"]);
        let w = weights(usize_of(case, "d_model"));
        for run in case["runs"].as_array().expect("runs") {
            let scale = match run["scale"].as_str().expect("scale") {
                "none" => Scale::None,
                "temperature" => Scale::Temperature(run["tau"].as_f64().expect("tau") as f32),
                "inv_sqrt_d_head" => Scale::InvSqrtDHead,
                other => panic!("unknown scale {other:?} in the fixture"),
            };
            let cfg = HeadConfig {
                n_heads: usize_of(case, "n_heads"),
                scale,
                causal: run["causal"].as_bool().expect("causal"),
            };
            let want = matrix(&run["out"]);
            let tol = 1e-5 * want.data.iter().fold(1.0f32, |m, v| m.max(v.abs()));
            for kernel in [Kernel::Exact, Kernel::Flash(Tiles { queries: 3, keys: 5 })] {
                let got = multi_head_attention(&x, &w, &cfg, kernel).expect("valid config");
                assert!(
                    got.out.max_abs_diff(&want) <= tol,
                    "{}: {}",
                    case["name"],
                    got.out.max_abs_diff(&want)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "only {checked} runs checked");
}

#[wasm_bindgen_test]
fn the_view_job_reproduces_the_layer_under_wasm() {
    let tokens = Arc::new(example_tokens(150));
    let cfg = HeadConfig {
        n_heads: 4,
        scale: Scale::InvSqrtDHead,
        causal: true,
    };
    let key = InputKey {
        tokens: tokens.clone(),
        d_model: 32,
        seed: 5,
    };
    let r = SdpaJob::new(key, cfg, PoolMode::Max, None).expect("valid").run();
    let want = multi_head_attention(
        &embed(&tokens, 32, 5),
        &LayerWeights::seeded(32, 5),
        &cfg,
        Kernel::Exact,
    )
    .expect("valid");
    assert!(
        r.concat_rows
            .max_abs_diff(&pool(&want.concat, PIPE_PX, 32, PoolMode::Mean))
            < 1e-5
    );
    let shown = pool(&want.out, PIPE_PX, PIPE_PX, PoolMode::Mean);
    assert!(r.out_small.max_abs_diff(&shown) < 1e-5);
}

/// A clock for the benchmark job under wasm, where `std::time::Instant` panics: 1 ms per reading.
fn counting_clock() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NOW: AtomicU64 = AtomicU64::new(0);
    NOW.fetch_add(1, Ordering::Relaxed) as f64 + 1.0
}

#[wasm_bindgen_test]
fn the_benchmark_job_runs_under_wasm_with_an_injected_clock() {
    use attention_atlas::view_model::job::run_to_end;
    use attention_atlas::view_model::speed::sampling::Outcome;
    use attention_atlas::view_model::speed::{BenchJob, BenchState, Plan};
    let plan = Plan {
        max_n: 256,
        d: 16,
        causal: true,
        threads: attention_atlas::view_model::speed::params::Threads::One,
    };
    let report = run_to_end(BenchJob::new(plan, counting_clock));
    // Every kernel of the atlas at the one length (those without a causal form in their full form).
    let kernels = attention_atlas::attention::bench::BenchKernel::ALL.len();
    assert_eq!(kernels, 12);
    assert_eq!(report.results.len(), kernels);
    assert!(matches!(report.state, BenchState::Finished { measured, .. } if measured == kernels));
    for (task, outcome) in &report.results {
        let Outcome::Measured(t) = outcome else {
            panic!("{task:?} skipped")
        };
        assert!(t.best_ms > 0.0 && t.flops > 0.0, "{task:?}: {t:?}");
    }
}

#[wasm_bindgen_test]
fn the_heads_toy_job_computes_its_three_panels_under_wasm() {
    use attention_atlas::view_model::heads::{parse, toy_job};
    use attention_atlas::view_model::job::run_to_end;
    let layer = parse(&|_| None).params.toy();
    let panels = run_to_end(toy_job(layer)).expect("the default layer is valid");
    assert_eq!(panels.sharing.gqa_maps.len(), 8);
    assert!(panels.mla.absorbed_diff < 1e-4);
    assert_eq!(panels.low_rank.width, 128);
}

#[wasm_bindgen_test]
fn the_simd128_chacha_gives_rand_chachas_normals_under_wasm() {
    use attention_atlas::attention::rng::{normal_vec, standard_normal};
    for (seed, label, len) in [(0u64, "w_q", 5usize), (7, "w_o", 1000), (u64::MAX, "tok:the", 77)] {
        let mut slow = stream(seed, label);
        let want: Vec<f32> = (0..len).map(|_| 2.0 * standard_normal(&mut slow)).collect();
        let mut fast = stream(seed, label);
        assert_eq!(normal_vec(&mut fast, len, 2.0), want, "{seed} {label}");
        assert_eq!(fast.get_word_pos(), slow.get_word_pos());
    }
}
