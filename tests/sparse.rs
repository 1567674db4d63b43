//! The sparse attention zoo against closed forms, its own dense kernel, and the NumPy reference
//! (`scripts/fixtures/sparse.py`).

mod common;

use attention_atlas::attention::exact::attend;
use attention_atlas::attention::mask::{AttentionMask, DenseMask, Full};
use attention_atlas::attention::matrix::Matrix;
use attention_atlas::attention::rng::{normal_matrix, stream};
use attention_atlas::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use attention_atlas::attention::sparse::csr::SparsePattern;
use attention_atlas::attention::sparse::global::global_tokens;
use attention_atlas::attention::sparse::heads::{HeadAssignment, HeadPattern};
use attention_atlas::attention::sparse::kernel::sparse_attend;
use attention_atlas::attention::sparse::longformer::longformer;
use attention_atlas::attention::sparse::lsh::{lsh_attention, lsh_hash, lsh_with_rotations, unit_rows, LshConfig};
use attention_atlas::attention::sparse::reach::reach_after;
use attention_atlas::attention::sparse::sinkhorn::{sinkhorn_attention, SinkhornConfig};
use attention_atlas::attention::sparse::stats::{mass_kept, TileGrid, TILE_SIZES};
use attention_atlas::attention::sparse::strided::{fixed, strided};
use attention_atlas::attention::sparse::window::{causal, local_window, Direction};
use common::{assert_close, cases, f32_of, matrix, usize_of};
use serde_json::Value;

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("integer") as usize)
        .collect()
}

fn pattern_of_case(case: &Value) -> SparsePattern {
    let n = usize_of(case, "n");
    let causal = case["causal"].as_bool().unwrap_or(false);
    match case["pattern"].as_str().expect("pattern") {
        "local" => {
            let dir = if causal {
                Direction::Causal
            } else {
                Direction::Symmetric
            };
            local_window(n, usize_of(case, "window"), dir).value
        }
        "strided" => strided(n, usize_of(case, "stride"), causal).value,
        "fixed" => fixed(n, usize_of(case, "stride"), usize_of(case, "summary"), causal).value,
        "longformer" => {
            longformer(
                n,
                usize_of(case, "window"),
                usize_of(case, "dilation"),
                &usizes(&case["globals"]),
            )
            .value
        }
        other => panic!("unknown pattern {other}"),
    }
}

#[test]
fn masked_attention_matches_the_numpy_reference() {
    let mut seen = 0;
    for case in cases("sparse").iter().filter(|c| c["kind"] == "attention") {
        let what = format!("{} {:?}", case["pattern"], case["n"]);
        let p = pattern_of_case(case);
        let rows: Vec<usize> = (0..p.n_queries).map(|i| p.row_len(i)).collect();
        assert_eq!(rows, usizes(&case["row_counts"]), "{what}: allowed keys per row");
        let (q, k, v) = (matrix(&case["q"]), matrix(&case["k"]), matrix(&case["v"]));
        let scale = f32_of(case, "scale");
        let want = matrix(&case["output"]);
        let sparse = sparse_attend(q.view(), k.view(), v.view(), scale, &p).unwrap();
        assert_close(&format!("{what} sparse kernel"), &sparse, &want, 1e-5);
        let dense = attend(q.view(), k.view(), v.view(), scale, &p.to_dense());
        assert_close(&format!("{what} dense masked kernel"), &dense, &want, 1e-5);
        seen += 1;
    }
    assert_eq!(seen, 7);
}

#[test]
fn lsh_buckets_and_pattern_match_the_numpy_reference() {
    let mut seen = 0;
    for case in cases("sparse").iter().filter(|c| c["kind"] == "lsh") {
        let x = matrix(&case["x"]);
        let rotations: Vec<Matrix> = case["rotations"].as_array().unwrap().iter().map(matrix).collect();
        for (r, want) in rotations.iter().zip(case["buckets"].as_array().unwrap()) {
            assert_eq!(lsh_hash(x.view(), r.view()), usizes(want));
        }
        let cfg = LshConfig {
            n_buckets: usize_of(case, "n_buckets"),
            n_hashes: rotations.len(),
            chunk: usize_of(case, "chunk"),
            causal: case["causal"].as_bool().unwrap(),
        };
        let lsh = lsh_with_rotations(x.view(), rotations, &cfg);
        for (i, want) in case["rows"].as_array().unwrap().iter().enumerate() {
            assert_eq!(lsh.pattern.row(i), usizes(want).as_slice(), "row {i}");
        }
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn local_window_counts_follow_the_closed_forms() {
    for n in [1, 2, 5, 31, 100, 257] {
        for w in [0, 1, 3, 16, 300] {
            let we = w.min(n - 1);
            let sym = local_window(n, w, Direction::Symmetric).value;
            assert_eq!(sym.nnz(), n * (2 * we + 1) - we * (we + 1), "symmetric n={n} w={w}");
            assert!(sym.is_symmetric());
            let cau = local_window(n, w, Direction::Causal).value;
            assert_eq!(cau.nnz(), n * (we + 1) - we * (we + 1) / 2, "causal n={n} w={w}");
            assert!(cau.is_causal());
        }
    }
    assert_eq!(causal(50).nnz(), 50 * 51 / 2);
}

#[test]
fn strided_and_fixed_totals_follow_their_row_formulas() {
    for (n, s) in [(64, 8), (100, 7), (33, 33), (10, 1)] {
        // Causal strided: Σ_i min(i+1, s) + ⌊i/s⌋.
        let total: usize = (0..n).map(|i| (i + 1).min(s) + i / s).sum();
        assert_eq!(strided(n, s, true).value.nnz(), total, "strided n={n} s={s}");
        // Causal fixed with c = 1: Σ_i (i mod s) + 1 + ⌊i/s⌋.
        let total: usize = (0..n).map(|i| i % s + 1 + i / s).sum();
        assert_eq!(fixed(n, s, 1, true).value.nnz(), total, "fixed n={n} s={s}");
        assert!(strided(n, s, false).value.is_symmetric());
    }
    // N = 64, s = 8: 64 + 28·... spelled out: Σ min(i+1, 8) = 36 + 56·8 = 484; Σ ⌊i/8⌋ = 8·28 = 224.
    assert_eq!(strided(64, 8, true).value.nnz(), 484 + 224);
}

#[test]
fn global_tokens_and_longformer_are_symmetric_with_2ng_minus_g_squared_global_pairs() {
    assert_eq!(global_tokens(40, &[0, 10, 39]).value.nnz(), 2 * 40 * 3 - 9);
    let lf = longformer(64, 8, 3, &[0, 63]).value;
    assert!(lf.is_symmetric());
    // Interior row away from the globals' influence: 2h + 1 window keys + 2 globals, h = 4.
    assert_eq!(lf.row_len(30), 9 + 2);
}

#[test]
fn bigbird_rows_count_window_global_and_random_blocks() {
    for (n, cfg) in [
        (
            256,
            BigBirdConfig {
                block: 16,
                global_blocks: 2,
                random_blocks: 3,
            },
        ),
        (
            192,
            BigBirdConfig {
                block: 8,
                global_blocks: 3,
                random_blocks: 2,
            },
        ),
        (
            64,
            BigBirdConfig {
                block: 4,
                global_blocks: 0,
                random_blocks: 5,
            },
        ),
    ] {
        let bb = bigbird(n, &cfg, 11, 0).value;
        let b = cfg.block;
        let nb = n / b;
        for i in 0..n {
            let row = i / b;
            let expect = if bb.global_blocks.contains(&row) {
                n
            } else {
                // b · |window ∪ globals| + b · r (random blocks avoid both sets).
                let mut blocks: Vec<usize> = (row.saturating_sub(1)..=(row + 1).min(nb - 1)).collect();
                blocks.extend(&bb.global_blocks);
                blocks.sort_unstable();
                blocks.dedup();
                assert_eq!(bb.random_blocks[row].len(), cfg.random_blocks);
                b * (blocks.len() + cfg.random_blocks)
            };
            assert_eq!(bb.pattern.row_len(i), expect, "n={n} cfg={cfg:?} row {i}");
        }
        // At tile size b, every occupied tile is an allowed block: tiles = nnz / b².
        assert_eq!(TileGrid::new(&bb.pattern, b).count() * b * b, bb.pattern.nnz());
    }
}

#[test]
fn seeded_generators_reproduce_and_differ_across_seeds() {
    let cfg = BigBirdConfig {
        block: 8,
        global_blocks: 2,
        random_blocks: 3,
    };
    assert_eq!(bigbird(256, &cfg, 3, 0), bigbird(256, &cfg, 3, 0));
    assert_ne!(
        bigbird(256, &cfg, 3, 0).value.pattern,
        bigbird(256, &cfg, 4, 0).value.pattern
    );
    let x = normal_matrix(&mut stream(1, "tokens"), 64, 8, 1.0);
    let lcfg = LshConfig {
        n_buckets: 8,
        n_hashes: 2,
        chunk: 8,
        causal: false,
    };
    assert_eq!(lsh_attention(x.view(), &lcfg, 5), lsh_attention(x.view(), &lcfg, 5));
    assert_ne!(
        lsh_attention(x.view(), &lcfg, 5).value.rounds,
        lsh_attention(x.view(), &lcfg, 6).value.rounds
    );
    let scfg = SinkhornConfig::default();
    assert_eq!(
        sinkhorn_attention(x.view(), &scfg, 2),
        sinkhorn_attention(x.view(), &scfg, 2)
    );
    assert_ne!(
        sinkhorn_attention(x.view(), &scfg, 2).value.scores,
        sinkhorn_attention(x.view(), &scfg, 3).value.scores
    );
}

#[test]
fn sparse_kernel_equals_dense_masked_kernel_for_every_generator() {
    let n = 96;
    let mut rng = stream(9, "qkv");
    let x = normal_matrix(&mut rng, n, 16, 1.0);
    let keys = unit_rows(x.view());
    let v = normal_matrix(&mut rng, n, 12, 1.0);
    let mut patterns = vec![
        causal(n),
        local_window(n, 5, Direction::Symmetric).value,
        strided(n, 9, true).value,
        fixed(n, 8, 2, false).value,
        global_tokens(n, &[3, 50]).value,
        longformer(n, 6, 2, &[0]).value,
        bigbird(
            n,
            &BigBirdConfig {
                block: 8,
                global_blocks: 2,
                random_blocks: 2,
            },
            0,
            0,
        )
        .value
        .pattern,
        lsh_attention(
            x.view(),
            &LshConfig {
                n_buckets: 4,
                n_hashes: 2,
                chunk: 12,
                causal: true,
            },
            0,
        )
        .value
        .pattern,
        sinkhorn_attention(
            x.view(),
            &SinkhornConfig {
                block: 12,
                ..SinkhornConfig::default()
            },
            0,
        )
        .value
        .pattern,
        SparsePattern::empty(n, n),
    ];
    patterns.extend(
        HeadAssignment::round_robin(
            2,
            &[
                HeadPattern::Strided {
                    stride: 4,
                    causal: false,
                },
                HeadPattern::Causal,
            ],
        )
        .build(n, 0)
        .into_iter()
        .map(|c| c.value),
    );
    for (t, p) in patterns.iter().enumerate() {
        let s = sparse_attend(x.view(), keys.view(), v.view(), 0.25, p).unwrap();
        let d = attend(x.view(), keys.view(), v.view(), 0.25, &p.to_dense());
        assert!(s.max_abs_diff(&d) < 1e-5, "pattern {t}: {}", s.max_abs_diff(&d));
    }
}

/// Boolean product C = A·B of dense masks, C_ij = ∃k A_ik ∧ B_kj.
fn bool_product(a: &DenseMask, b: &DenseMask) -> DenseMask {
    let n = a.n_queries;
    let mut c = DenseMask {
        n_queries: n,
        n_keys: n,
        allowed: vec![false; n * n],
    };
    for i in 0..n {
        for k in (0..n).filter(|&k| a.allows(i, k)) {
            for j in 0..n {
                c.allowed[i * n + j] |= b.allows(k, j);
            }
        }
    }
    c
}

#[test]
fn reachability_matches_repeated_boolean_matrix_products() {
    let n = 48;
    let x = normal_matrix(&mut stream(2, "x"), n, 4, 1.0);
    for p in [
        local_window(n, 2, Direction::Causal).value,
        strided(n, 7, false).value,
        bigbird(
            n,
            &BigBirdConfig {
                block: 4,
                global_blocks: 0,
                random_blocks: 1,
            },
            1,
            0,
        )
        .value
        .pattern,
        lsh_attention(
            x.view(),
            &LshConfig {
                n_buckets: 6,
                n_hashes: 1,
                chunk: 6,
                causal: false,
            },
            1,
        )
        .value
        .pattern,
    ] {
        let mut a = p.to_dense();
        for i in 0..n {
            a.allowed[i * n + i] = true; // residual
        }
        let mut power = DenseMask::from_mask(&Full, n, n);
        power
            .allowed
            .iter_mut()
            .enumerate()
            .for_each(|(t, v)| *v = t / n == t % n);
        for layers in 0..5 {
            let r = reach_after(&p, layers).unwrap();
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(r.get(i, j), power.allows(i, j), "L={layers} ({i},{j})");
                }
            }
            power = bool_product(&a, &power);
        }
    }
}

#[test]
fn sinkhorn_iterates_become_doubly_stochastic() {
    let x = normal_matrix(&mut stream(4, "x"), 80, 8, 1.0);
    let cfg = SinkhornConfig {
        block: 10,
        hidden: 8,
        iterations: 40,
        temperature: 1.0,
    };
    let s = sinkhorn_attention(x.view(), &cfg, 6).value;
    let p = s.iterations.last().unwrap();
    for i in 0..s.n_blocks {
        let row: f32 = p.row(i).iter().sum();
        let col: f32 = (0..s.n_blocks).map(|r| p.get(r, i)).sum();
        assert!(
            (row - 1.0).abs() < 1e-3 && (col - 1.0).abs() < 1e-4,
            "block {i}: row {row}, col {col}"
        );
    }
}

#[test]
fn extreme_parameters_clamp_instead_of_panicking() {
    let x = normal_matrix(&mut stream(0, "x"), 7, 3, 1.0);
    for n in [0usize, 1, 2, 7] {
        let xs = Matrix::from_view(x.rows_view(0, n));
        for big in [0usize, 1, 5, 1_000_000] {
            let _ = local_window(n, big, Direction::Symmetric);
            let _ = strided(n, big, true);
            let _ = fixed(n, big, big, false);
            let _ = longformer(n, big, big, &[big]);
            let bb = bigbird(
                n,
                &BigBirdConfig {
                    block: big,
                    global_blocks: big,
                    random_blocks: big,
                },
                0,
                0,
            );
            assert!(bb.value.pattern.n_queries == n);
            let l = lsh_attention(
                xs.view(),
                &LshConfig {
                    n_buckets: big,
                    n_hashes: big.min(3),
                    chunk: big,
                    causal: true,
                },
                0,
            );
            assert_eq!(l.value.pattern.n_queries, n);
            let s = sinkhorn_attention(
                xs.view(),
                &SinkhornConfig {
                    block: big,
                    hidden: big,
                    iterations: big,
                    temperature: -1.0,
                },
                0,
            );
            assert!(s.notes.iter().any(|note| note.to_string().starts_with("τ = -1")));
        }
    }
    let c = local_window(10, 50, Direction::Symmetric);
    assert_eq!(c.notes[0].to_string(), "w = 50 is out of range; using 9");
}

#[test]
fn tiles_and_mass_for_reference_patterns() {
    let n = 256;
    let mut rng = stream(3, "mass");
    let q = normal_matrix(&mut rng, n, 8, 1.0);
    let k = normal_matrix(&mut rng, n, 8, 1.0);
    let full = SparsePattern::from_mask(&Full, n, n);
    assert!((mass_kept(q.view(), k.view(), 0.35, &full, &Full) - 1.0).abs() < 1e-6);
    let band = local_window(n, 8, Direction::Symmetric).value;
    let kept = mass_kept(q.view(), k.view(), 0.35, &band, &Full);
    assert!(kept > 0.0 && kept < 1.0);
    // A width-8 band at B = 16, 32, 64, 128 touches the 3 tile diagonals: 3T − 2 tiles of T².
    for b in TILE_SIZES {
        let t = n / b;
        let g = TileGrid::new(&band, b);
        assert_eq!((g.count(), g.total()), (3 * t - 2, t * t), "B={b}");
    }
    assert_eq!(band.key_range(100, n), 92..109);
}
