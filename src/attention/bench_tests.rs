//! Tests of [`super`]: every benchmarked kernel against its reference, and the cost formulas.

use super::*;
use crate::attention::approx::method::{ApproxMethod, HeadInput};
use crate::attention::mask::DenseMask;

#[test]
fn local_inputs_make_attention_fall_off_with_distance() {
    let [q, k, _] = local_inputs(64, 64, 4.0, 1.5, 0.0);
    let score = |i: usize, j: usize| (0..64).map(|c| q.get(i, c) * k.get(j, c)).sum::<f32>() / 8.0;
    // Without noise, q_i·k_j depends only on i − j, peaks at 0 and is far lower 30 tokens away.
    assert!((score(10, 13) - score(40, 43)).abs() < 1e-3);
    assert!(
        (score(20, 20) - 1.5f32.powi(2) * 32.0 / 8.0).abs() < 1e-3,
        "a²·(d/2)/√d at i = j"
    );
    assert!(score(20, 20) > score(20, 22) && score(20, 22) > score(20, 50));
    assert!(score(20, 50).abs() < 0.35 * score(20, 20), "far apart: little left");
}

#[test]
fn every_kernel_at_the_largest_benchmark_size_fits_the_budget() {
    for kernel in BenchKernel::ALL {
        let e = kernel.estimate(8192, 128);
        assert!(e.check(String::new).is_ok(), "{kernel:?}: {e:?}");
    }
    assert!(BenchKernel::Exact
        .estimate(1 << 20, 128)
        .check(|| "N ≤ 8192".into())
        .is_err());
}

#[test]
fn pair_flops_of_all_pairs_is_the_exact_cost() {
    // N = 4, d = 2: 16 pairs × (2·(2 + 2) + 5) = 16 × 13 = 208.
    assert_eq!(pair_flops(16, 2, 2), 208.0);
    assert_eq!(pair_flops(1024 * 1024, 64, 64), exact_cost(1024, 64, 64).flops);
}

#[test]
fn prepared_flops_follow_the_cost_formulas() {
    let (n, d) = (256, 16);
    // Window w = 64 symmetric: nnz = N(2w + 1) − w(w + 1) = 256·129 − 64·65 = 33024 − 4160 = 28864.
    let w = Prepared::new(BenchKernel::Window, n, d, false);
    assert_eq!(w.flops(), pair_flops(28_864, d, d));
    // Causal window: N(w + 1) − w(w + 1)/2 = 256·65 − 2080 = 14560.
    assert_eq!(
        Prepared::new(BenchKernel::Window, n, d, true).flops(),
        pair_flops(14_560, d, d)
    );
    // Causal exact: N(N + 1)/2 = 32896 pairs.
    assert_eq!(
        Prepared::new(BenchKernel::Exact, n, d, true).flops(),
        pair_flops(32_896, d, d)
    );
    assert_eq!(
        Prepared::new(BenchKernel::Flash, n, d, false).flops(),
        exact_cost(n, d, d).flops
    );
    assert_eq!(
        Prepared::new(BenchKernel::Linear, n, d, false).flops(),
        linear_cost(n, d, d).flops
    );
    // Linformer at N = 128 < k = 256 uses k = N.
    let lf = Prepared::new(BenchKernel::Linformer, 128, d, true);
    assert!(!lf.causal, "Linformer has no causal form");
    assert_eq!(lf.flops(), linformer_cost(128, d, d, 128).flops);
}

#[test]
fn every_kernel_returns_a_finite_n_by_d_output_and_dense_kernels_agree() {
    let (n, d) = (96, 8);
    for causal in [false, true] {
        let exact = Prepared::new(BenchKernel::Exact, n, d, causal).run();
        assert_eq!(BenchKernel::ALL.len(), 12);
        for kernel in BenchKernel::ALL {
            let out = Prepared::new(kernel, n, d, causal).run();
            assert_eq!((out.rows, out.cols), (n, d), "{kernel:?}");
            assert!(out.data.iter().all(|x| x.is_finite()), "{kernel:?}");
        }
        let flash = Prepared::new(BenchKernel::Flash, n, d, causal).run();
        assert!(exact.max_abs_diff(&flash) < 1e-5);
    }
}

/// Dense masked attention softmax(QKᵀ/√d + M)·V over the pairs of `p`, computed by
/// `exact::attend` (the independent path the sparse bench kernels are checked against).
fn masked_exact(q: &Matrix, k: &Matrix, v: &Matrix, p: &SparsePattern) -> Matrix {
    let n = q.rows;
    let mask = DenseMask {
        n_queries: n,
        n_keys: n,
        allowed: (0..n * n).map(|t| p.contains(t / n, t % n)).collect(),
    };
    attend(q.view(), k.view(), v.view(), 1.0 / (q.cols as f32).sqrt(), &mask)
}

fn seeded(n: usize, d: usize) -> [Matrix; 3] {
    ["speed_q", "speed_k", "speed_v"].map(|label| normal_matrix(&mut stream(SEED, label), n, d, 1.0))
}

#[test]
fn strided_bench_kernel_is_exact_attention_under_the_strided_mask() {
    let (n, d) = (300, 8);
    let [q, k, v] = seeded(n, d);
    for causal in [false, true] {
        let out = Prepared::new(BenchKernel::Strided, n, d, causal).run();
        // The mask by its predicate (Child et al. 2019 §4.2), not by the engine's generator.
        let mask = SparsePattern::from_row_fn(n, n, |i, row| {
            row.extend((0..n).filter(|&j| {
                let gap = i.abs_diff(j);
                (gap < STRIDE || gap % STRIDE == 0) && (!causal || j <= i)
            }))
        });
        let expect = masked_exact(&q, &k, &v, &mask);
        assert!(
            out.max_abs_diff(&expect) < 1e-5,
            "causal {causal}: {}",
            out.max_abs_diff(&expect)
        );
    }
}

#[test]
fn lsh_and_sinkhorn_bench_kernels_are_exact_attention_under_their_own_patterns() {
    let (n, d) = (256, 8);
    let [q, k, v] = seeded(n, d);
    // LSH: shared QK, keys are the queries scaled to unit length.
    let keys = Matrix::from_fn(n, d, |i, c| {
        let norm = (0..d).map(|c| q.get(i, c).powi(2)).sum::<f32>().sqrt();
        q.get(i, c) / norm
    });
    for causal in [false, true] {
        let config = LshConfig {
            n_buckets: lsh_buckets(n),
            n_hashes: LSH_HASHES,
            chunk: LSH_CHUNK,
            causal,
        };
        let pattern = lsh_attention(q.view(), &config, SEED).value.pattern;
        assert_eq!(pattern.is_causal(), causal, "future keys only without the causal form");
        let out = Prepared::new(BenchKernel::Lsh, n, d, causal).run();
        let expect = masked_exact(&q, &keys, &v, &pattern);
        assert!(out.max_abs_diff(&expect) < 1e-5, "LSH causal {causal}");
    }
    let pattern = sinkhorn_attention(q.view(), &sinkhorn_config(), SEED).value.pattern;
    // 4 blocks of 64: each row sees its block and its partner's, 64 or 128 keys.
    assert!((0..n).all(|i| [64, 128].contains(&pattern.row_len(i))));
    let out = Prepared::new(BenchKernel::Sinkhorn, n, d, true).run();
    assert!(out.max_abs_diff(&masked_exact(&q, &k, &v, &pattern)) < 1e-5);
}

#[test]
fn synthesizer_and_mixer_bench_kernels_are_the_approx_methods_on_the_same_weights() {
    let (n, d) = (64, 8);
    let [q, k, v] = seeded(n, d);
    let head = HeadInput {
        x: q.view(),
        q: q.view(),
        k: k.view(),
        v: v.view(),
        causal: false,
    };
    let synth = ApproxMethod::Synthesizer(SynthesizerConfig {
        kind: SynthesizerKind::Dense,
        max_len: n,
        hidden: d,
        rank: 1,
        seed: SEED,
    });
    let expect = synth.run(&head).unwrap().output;
    let out = Prepared::new(BenchKernel::Synthesizer, n, d, false).run();
    assert!(out.max_abs_diff(&expect) < 1e-6);
    let mixer = ApproxMethod::Mixer {
        hidden: MIXER_HIDDEN,
        max_len: n,
        seed: SEED,
    };
    let expect = mixer.run(&head).unwrap().output;
    let out = Prepared::new(BenchKernel::Mixer, n, d, false).run();
    assert!(out.max_abs_diff(&expect) < 1e-6);
    // Token mixing by hand for one entry: y_00 = Σ_r W2_0r·gelu(Σ_j W1_rj·v_j0).
    let m = TokenMixer::draw(n, MIXER_HIDDEN, SEED);
    let y00: f32 = (0..MIXER_HIDDEN)
        .map(|r| {
            let h: f32 = (0..n).map(|j| m.w1.get(r, j) * v.get(j, 0)).sum();
            m.w2.get(0, r) * crate::attention::approx::mixer::gelu(h)
        })
        .sum();
    assert!((out.get(0, 0) - y00).abs() < 1e-4, "{} vs {y00}", out.get(0, 0));
    // Neither has a causal form: asking for one runs the bidirectional form.
    for kernel in [BenchKernel::Synthesizer, BenchKernel::Mixer, BenchKernel::Sinkhorn] {
        assert!(!Prepared::new(kernel, n, d, true).causal, "{kernel:?}");
    }
    assert!(Prepared::new(BenchKernel::Lsh, n, d, true).causal);
    assert!(Prepared::new(BenchKernel::Strided, n, d, true).causal);
}

#[test]
fn flops_of_the_new_kernels_follow_their_formulas_by_hand() {
    let (n, d) = (256, 16);
    // Strided s = 128, N = 256: band |i − j| < 128 has N(2s − 1) − s(s − 1) = 65280 − 16256 =
    // 49024 pairs, plus |i − j| = 128: 2·128 = 256 → 49280. Causal: Σ min(i + 1, 128) = 8256 +
    // 16384 = 24640, plus 128 pairs i − j = 128 → 24768.
    assert_eq!(
        Prepared::new(BenchKernel::Strided, n, d, false).flops(),
        pair_flops(49_280, d, d)
    );
    assert_eq!(
        Prepared::new(BenchKernel::Strided, n, d, true).flops(),
        pair_flops(24_768, d, d)
    );
    // Synthesizer h = d = 16: 2Ndh 131072 + Nh 4096 + 2N²h 2097152 + 5N² 327680 + 2N²d 2097152.
    assert_eq!(
        Prepared::new(BenchKernel::Synthesizer, n, d, false).flops(),
        4_657_152.0
    );
    // Mixer h = 256: 4Nhd + hd = 4194304 + 4096.
    assert_eq!(Prepared::new(BenchKernel::Mixer, n, d, false).flops(), 4_198_400.0);
    // LSH at N = 256: 4 buckets; hashing 3Nd 12288 + 2 rounds × (N·d·4 + N·4) = 34816 → 47104.
    assert_eq!(lsh_buckets(256), 4);
    assert_eq!(lsh_hash_flops(n, d), 47_104.0);
    let [q, ..] = seeded(n, d);
    let cfg = LshConfig {
        n_buckets: 4,
        n_hashes: 2,
        chunk: 64,
        causal: false,
    };
    let nnz = lsh_attention(q.view(), &cfg, SEED).value.pattern.nnz();
    assert!(nnz > n && nnz <= n * 2 * 2 * 64, "nnz {nnz}");
    assert_eq!(
        Prepared::new(BenchKernel::Lsh, n, d, false).flops(),
        pair_flops(nnz, d, d) + 47_104.0
    );
    // Sinkhorn N_b = 4, h = 16, k = 5: Nd 4096 + 2·4·16·16 2048 + 64 + 2·4·16·4 512 + 5·16 80
    // + 6·5·16 480 = 7280.
    assert_eq!(sinkhorn_sort_flops(n, d), 7280.0);
    let nnz = sinkhorn_attention(q.view(), &sinkhorn_config(), SEED)
        .value
        .pattern
        .nnz();
    assert_eq!(
        Prepared::new(BenchKernel::Sinkhorn, n, d, false).flops(),
        pair_flops(nnz, d, d) + 7280.0
    );
    assert_eq!(lsh_buckets(8192), 128);
    assert_eq!(lsh_buckets(100), 2);
}

#[test]
fn estimated_call_bytes_grow_linearly_for_blocked_and_sparse_kernels_and_quadratically_for_the_synthesizer() {
    let d = 64;
    // Exact: N·d output + one 64-row score block 64·N → 4·128·N bytes: 524288 at N = 1024.
    assert_eq!(BenchKernel::Exact.call_bytes(1024, d), 524_288.0);
    assert_eq!(BenchKernel::Exact.call_bytes(2048, d), 2.0 * 524_288.0);
    // Window: N·d output plus one row of 2w + 1 = 129 weights: 4·(65536 + 129) at N = 1024.
    assert_eq!(BenchKernel::Window.call_bytes(1024, d), 262_660.0);
    let ratio = BenchKernel::Window.call_bytes(8192, d) / BenchKernel::Window.call_bytes(4096, d);
    assert!((ratio - 2.0).abs() < 1e-3, "window doubles with N: {ratio}");
    // Prepared window pattern: nnz ≤ 129·N indices and N + 1 row starts — linear too.
    let grow = |k: BenchKernel| k.estimate(8192, d).bytes / k.estimate(4096, d).bytes;
    assert!((grow(BenchKernel::Window) - 2.0).abs() < 1e-3);
    assert!(
        (grow(BenchKernel::Exact) - 2.0).abs() < 1e-9,
        "blocked: no N × N buffer"
    );
    // Flash: the output, one 64 × 64 tile and 64 (max, sum) pairs: 4·(65536 + 4096 + 128) =
    // 279040 bytes at N = 1024.
    assert_eq!(BenchKernel::Flash.call_bytes(1024, d), 279_040.0);
    // Synthesizer: N·d + N² + N·h: 4·(65536 + 1048576 + 65536) = 4718592 at N = 1024, and
    // almost ×4 per doubling by N = 8192.
    assert_eq!(BenchKernel::Synthesizer.call_bytes(1024, d), 4_718_592.0);
    let synth = BenchKernel::Synthesizer.call_bytes(8192, d) / BenchKernel::Synthesizer.call_bytes(4096, d);
    assert!(synth > 3.9 && synth < 4.0, "{synth}");
    // The mixer's buffers besides the output are h × d, independent of N.
    assert_eq!(
        BenchKernel::Mixer.call_bytes(1024, d) - 4.0 * 1024.0 * 64.0,
        4.0 * 2.0 * 256.0 * 64.0
    );
}
