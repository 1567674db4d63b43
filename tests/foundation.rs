//! The foundation layer against the NumPy reference (`scripts/fixtures/foundation.py`), plus the
//! properties the foundation view teaches.
//!
//! Fixture check: for every case and run, `multi_head_attention` with the exact kernel and with the
//! online-softmax kernel at several tile sizes reproduces NumPy's concat and out, and
//! `exact::attention_weights` on the head views of `Projections::compute` reproduces the per-head
//! weights, all within 1e-5 relative to the largest expected entry (at least 1): the large-logit
//! cases have outputs of size ~10, everything else is O(1), so this is 1e-5 absolute there.

mod common;

use std::collections::HashMap;

use attention_atlas::attention::exact::{attend, attention_weights};
use attention_atlas::attention::flash::{flash_attend, Tiles};
use attention_atlas::attention::mask::{causal_or_full, DenseMask};
use attention_atlas::attention::matrix::Matrix;
use attention_atlas::attention::multi_head::{multi_head_attention, HeadConfig, Kernel, LayerWeights, Projections};
use attention_atlas::attention::rng::{normal_matrix, stream};
use attention_atlas::attention::scale::Scale;
use attention_atlas::attention::softmax::entropy;
use common::{assert_close, cases, f32_of, matrix, usize_of};
use serde_json::Value;

/// Tile sizes for the online-softmax kernel: degenerate, ragged, square, and larger than any case.
const TILES: [Tiles; 5] = [
    Tiles { queries: 1, keys: 1 },
    Tiles { queries: 3, keys: 5 },
    Tiles { queries: 16, keys: 7 },
    Tiles { queries: 64, keys: 64 },
    Tiles {
        queries: 200,
        keys: 200,
    },
];

/// The exact kernel and the online-softmax kernel at every tile size in [`TILES`].
fn kernels() -> Vec<Kernel> {
    std::iter::once(Kernel::Exact)
        .chain(TILES.iter().map(|t| Kernel::Flash(*t)))
        .collect()
}

/// 1e-5 relative to the largest expected entry, at least 1e-5 absolute.
fn tolerance(want: &Matrix) -> f32 {
    1e-5 * want.data.iter().fold(1.0f32, |m, v| m.max(v.abs()))
}

/// One (causal, scale) evaluation of a fixture layer case.
struct Run {
    cfg: HeadConfig,
    concat: Matrix,
    out: Matrix,
    /// Per-head weights, when the fixture stores them.
    weights: Option<Vec<Matrix>>,
    max_abs_logit: f32,
}

/// A fixture layer case: X, the shared weights of its width, and its runs.
struct LayerCase {
    name: String,
    x: Matrix,
    w: LayerWeights,
    runs: Vec<Run>,
}

fn scale_of(run: &Value) -> Scale {
    match run["scale"].as_str().expect("scale") {
        "inv_sqrt_d_head" => Scale::InvSqrtDHead,
        "none" => Scale::None,
        "temperature" => Scale::Temperature(f32_of(run, "tau")),
        other => panic!("unknown scale mode {other}"),
    }
}

/// Every "layer" case of the fixture, with its "weights" set resolved by d_model.
fn layer_cases() -> Vec<LayerCase> {
    let all = cases("foundation");
    let weight_sets: HashMap<usize, LayerWeights> = all
        .iter()
        .filter(|c| c["kind"] == "weights")
        .map(|c| {
            let w = LayerWeights {
                w_q: matrix(&c["w_q"]),
                w_k: matrix(&c["w_k"]),
                w_v: matrix(&c["w_v"]),
                w_o: matrix(&c["w_o"]),
            };
            (usize_of(c, "d_model"), w)
        })
        .collect();
    all.iter()
        .filter(|c| c["kind"] == "layer")
        .map(|c| {
            let n_heads = usize_of(c, "n_heads");
            let runs = c["runs"]
                .as_array()
                .expect("runs")
                .iter()
                .map(|r| Run {
                    cfg: HeadConfig {
                        n_heads,
                        scale: scale_of(r),
                        causal: r["causal"].as_bool().expect("causal"),
                    },
                    concat: matrix(&r["concat"]),
                    out: matrix(&r["out"]),
                    weights: r["weights"].as_array().map(|hs| hs.iter().map(matrix).collect()),
                    max_abs_logit: f32_of(r, "max_abs_logit"),
                })
                .collect();
            let x = matrix(&c["x"]);
            assert_eq!((x.rows, x.cols), (usize_of(c, "n"), usize_of(c, "d_model")));
            LayerCase {
                name: c["name"].as_str().expect("name").to_string(),
                w: weight_sets[&x.cols].clone(),
                x,
                runs,
            }
        })
        .collect()
}

/// Per-head weights softmax(Q_h·K_hᵀ·scale + M) of a layer, from the head views of its projections.
fn head_weights(x: &Matrix, w: &LayerWeights, cfg: &HeadConfig) -> Vec<Matrix> {
    let d_head = cfg.d_head(x.cols).expect("valid head count");
    let p = Projections::compute(x, w, d_head);
    let scale = cfg.scale.factor(d_head);
    (0..cfg.n_heads)
        .map(|h| {
            let (q, k, _) = p.head(h);
            attention_weights(q, k, scale, causal_or_full(cfg.causal))
        })
        .collect()
}

#[test]
fn layer_matches_numpy_for_every_case_run_and_kernel() {
    let layer_cases = layer_cases();
    let (mut runs, mut weight_runs, mut large) = (0, 0, 0);
    for c in &layer_cases {
        for r in &c.runs {
            let what = format!("{} causal={} {:?}", c.name, r.cfg.causal, r.cfg.scale);
            for kernel in kernels() {
                let got = multi_head_attention(&c.x, &c.w, &r.cfg, kernel).expect("fixture config is valid");
                assert_close(
                    &format!("{what} {kernel:?} concat"),
                    &got.concat,
                    &r.concat,
                    tolerance(&r.concat),
                );
                assert_close(&format!("{what} {kernel:?} out"), &got.out, &r.out, tolerance(&r.out));
            }
            if let Some(want) = &r.weights {
                let got = head_weights(&c.x, &c.w, &r.cfg);
                assert_eq!(got.len(), want.len(), "{what}: head count");
                for (h, (g, w)) in got.iter().zip(want).enumerate() {
                    assert_close(&format!("{what} head {h} weights"), g, w, 1e-5);
                }
                weight_runs += 1;
            }
            // ln(f32::MAX) ≈ 88.7: beyond it a softmax without the max shift overflows.
            if r.max_abs_logit > 88.0 {
                large += 1;
            }
            runs += 1;
        }
    }
    // The generator writes 11 layer cases with 28 runs, 25 of them with weights, 4 with large logits.
    assert_eq!((layer_cases.len(), runs, weight_runs, large), (11, 28, 25, 4));
}

#[test]
fn attention_rows_sum_to_one() {
    for c in layer_cases() {
        for r in &c.runs {
            for (h, w) in head_weights(&c.x, &c.w, &r.cfg).iter().enumerate() {
                for i in 0..w.rows {
                    let row = w.row(i);
                    let sum: f32 = row.iter().sum();
                    assert!(
                        row.iter().all(|v| *v >= 0.0),
                        "{} head {h} row {i} has a negative weight",
                        c.name
                    );
                    assert!((sum - 1.0).abs() < 1e-6, "{} head {h} row {i} sums to {sum}", c.name);
                }
            }
        }
    }
}

#[test]
fn causal_weights_are_exactly_zero_above_the_diagonal() {
    let mut checked = 0;
    for c in layer_cases() {
        for r in c.runs.iter().filter(|r| r.cfg.causal) {
            for w in head_weights(&c.x, &c.w, &r.cfg) {
                for i in 0..w.rows {
                    assert!(w.row(i)[i + 1..].iter().all(|v| *v == 0.0), "{} row {i}", c.name);
                    // Row 0 sees only itself: its weight is exactly e⁰/e⁰ = 1.
                    if i == 0 {
                        assert_eq!(w.get(0, 0), 1.0);
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "the fixture has causal runs");
}

#[test]
fn causal_output_rows_ignore_later_tokens() {
    // Changing token 29's embedding may change output rows 29.. but not rows 0..29, bit for bit: the
    // masked weights are exactly 0, so the changed keys and values contribute exactly 0.
    let w = LayerWeights::seeded(32, 4);
    let x = normal_matrix(&mut stream(4, "x"), 40, 32, 1.0);
    let mut x2 = x.clone();
    x2.row_mut(29).iter_mut().for_each(|v| *v += 1.0);
    let cfg = HeadConfig {
        n_heads: 4,
        scale: Scale::InvSqrtDHead,
        causal: true,
    };
    for kernel in kernels() {
        let a = multi_head_attention(&x, &w, &cfg, kernel).unwrap();
        let b = multi_head_attention(&x2, &w, &cfg, kernel).unwrap();
        for i in 0..29 {
            assert_eq!(a.out.row(i), b.out.row(i), "{kernel:?} row {i}");
        }
        assert_ne!(a.out.row(29), b.out.row(29));
    }
}

#[test]
fn output_is_invariant_to_the_kernel() {
    // N = 130 spans three blocks of the exact kernel (64 rows each) and many key tiles.
    let w = LayerWeights::seeded(64, 21);
    let x = normal_matrix(&mut stream(21, "x"), 130, 64, 1.0);
    for causal in [false, true] {
        for scale in [Scale::InvSqrtDHead, Scale::None, Scale::Temperature(2.0)] {
            let cfg = HeadConfig {
                n_heads: 4,
                scale,
                causal,
            };
            let exact = multi_head_attention(&x, &w, &cfg, Kernel::Exact).unwrap();
            for tiles in TILES {
                let flash = multi_head_attention(&x, &w, &cfg, Kernel::Flash(tiles)).unwrap();
                let what = format!("causal={causal} {scale:?} {tiles:?}");
                assert_close(&format!("{what} concat"), &flash.concat, &exact.concat, 1e-5);
                assert_close(&format!("{what} out"), &flash.out, &exact.out, 1e-5);
            }
        }
    }
}

#[test]
fn unscaled_rows_saturate_at_d_head_256_and_scaled_rows_do_not() {
    // One head of width 256 over 64 tokens. X and the projections have unit-variance entries
    // (W ~ N(0, 1/256)), so q·k has variance 256: unscaled logits spread with std 16 and the top one
    // dominates its row; scaled by 1/16 they have std 1 and the row stays spread out
    // (a uniform row would have entropy ln 64 ≈ 4.16 and max weight 1/64).
    let (n, d) = (64, 256);
    let w = LayerWeights::seeded(d, 3);
    let x = normal_matrix(&mut stream(3, "x"), n, d, 1.0);
    let stats = |scale: Scale| {
        let cfg = HeadConfig {
            n_heads: 1,
            scale,
            causal: false,
        };
        let a = &head_weights(&x, &w, &cfg)[0];
        let mean_max = (0..n)
            .map(|i| a.row(i).iter().copied().fold(0.0, f32::max))
            .sum::<f32>()
            / n as f32;
        let mean_entropy = (0..n).map(|i| entropy(a.row(i))).sum::<f32>() / n as f32;
        (mean_max, mean_entropy)
    };
    let (max_none, h_none) = stats(Scale::None);
    let (max_scaled, h_scaled) = stats(Scale::InvSqrtDHead);
    assert!(
        max_none > 0.8 && h_none < 0.6,
        "unscaled: max {max_none}, entropy {h_none}"
    );
    assert!(
        max_scaled < 0.25 && h_scaled > 3.0,
        "scaled: max {max_scaled}, entropy {h_scaled}"
    );
}

#[test]
fn a_fully_masked_row_gives_zeros_not_nan() {
    let all = cases("foundation");
    let c = all.iter().find(|c| c["kind"] == "dense_mask").expect("dense_mask case");
    let (q, k, v) = (matrix(&c["q"]), matrix(&c["k"]), matrix(&c["v"]));
    let allowed: Vec<bool> = c["allowed"]
        .as_array()
        .expect("allowed")
        .iter()
        .map(|a| a.as_bool().expect("bool"))
        .collect();
    let mask = DenseMask {
        n_queries: q.rows,
        n_keys: k.rows,
        allowed,
    };
    let scale = f32_of(c, "scale_factor");
    let empty = usize_of(c, "empty_row");
    assert!(
        (0..k.rows).all(|j| !mask.allowed[empty * k.rows + j]),
        "row {empty} allows no key"
    );
    let (want_w, want_o) = (matrix(&c["weights"]), matrix(&c["out"]));

    let w = attention_weights(q.view(), k.view(), scale, &mask);
    assert_close("dense mask weights", &w, &want_w, 1e-5);
    assert!(w.row(empty).iter().all(|x| *x == 0.0));

    let mut outputs = vec![("exact", attend(q.view(), k.view(), v.view(), scale, &mask))];
    for tiles in TILES {
        outputs.push(("flash", flash_attend(q.view(), k.view(), v.view(), scale, &mask, tiles)));
    }
    for (name, o) in outputs {
        assert!(o.data.iter().all(|x| x.is_finite()), "{name}: non-finite output");
        assert!(
            o.row(empty).iter().all(|x| *x == 0.0),
            "{name}: row {empty} = {:?}",
            o.row(empty)
        );
        assert_close(&format!("dense mask {name} out"), &o, &want_o, 1e-5);
    }
}
