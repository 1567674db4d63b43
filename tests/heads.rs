//! The heads chapter's engine against the NumPy reference (`scripts/fixtures/heads.py`): grouped-query
//! attention for several shapes and K/V head counts, RoPE in both layouts, and MLA (naive and absorbed).

mod common;

use attention_atlas::attention::heads::grouped::{grouped_query_attention, GqaConfig, GqaWeights};
use attention_atlas::attention::heads::mla::{mla_absorbed, mla_naive, MlaConfig, MlaWeights};
use attention_atlas::attention::heads::rope::{Rope, RopeLayout};
use common::{assert_close, cases, matrix, usize_of};
use serde_json::Value;

fn of_kind(kind: &str) -> Vec<Value> {
    cases("heads").into_iter().filter(|c| c["kind"] == kind).collect()
}

#[test]
fn grouped_query_attention_matches_numpy() {
    let cases = of_kind("gqa");
    assert_eq!(cases.len(), 9);
    for c in cases {
        let cfg = GqaConfig {
            n_heads: usize_of(&c, "n_heads"),
            n_kv_heads: usize_of(&c, "n_kv_heads"),
            d_head: usize_of(&c, "d_head"),
            causal: c["causal"].as_bool().unwrap(),
        };
        let w = GqaWeights {
            w_q: matrix(&c["w_q"]),
            w_k: matrix(&c["w_k"]),
            w_v: matrix(&c["w_v"]),
            w_o: matrix(&c["w_o"]),
        };
        let got = grouped_query_attention(&matrix(&c["x"]), &w, &cfg).unwrap();
        let what = format!("GQA {cfg:?}");
        assert_close(&what, &got.concat, &matrix(&c["concat"]), 1e-5);
        assert_close(&what, &got.out, &matrix(&c["out"]), 1e-5);
    }
}

#[test]
fn rope_matches_numpy_in_both_layouts() {
    let cases = of_kind("rope");
    assert_eq!(cases.len(), 4);
    for c in cases {
        let layout = match c["layout"].as_str().unwrap() {
            "rotate_half" => RopeLayout::RotateHalf,
            _ => RopeLayout::Interleaved,
        };
        let base = c["base"].as_f64().unwrap();
        let x = matrix(&c["x"]);
        let rope = Rope::new(x.cols, base, layout).unwrap();
        let positions: Vec<usize> = c["positions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap() as usize)
            .collect();
        let mut got = x.clone();
        for (t, &p) in positions.iter().enumerate() {
            rope.rotate(got.row_mut(t), p).unwrap();
        }
        assert_close(&format!("RoPE {layout:?} θ={base}"), &got, &matrix(&c["rotated"]), 1e-5);
    }
}

#[test]
fn mla_naive_and_absorbed_match_numpy() {
    let cases = of_kind("mla");
    assert_eq!(cases.len(), 4);
    for c in cases {
        let d_cq = c["d_cq"].as_u64().map(|v| v as usize);
        let cfg = MlaConfig {
            n_heads: usize_of(&c, "n_heads"),
            d_head: usize_of(&c, "d_head"),
            d_c: usize_of(&c, "d_c"),
            d_r: usize_of(&c, "d_r"),
            d_cq,
            rope_base: 10_000.0,
            causal: c["causal"].as_bool().unwrap(),
        };
        let w = MlaWeights {
            w_dq: d_cq.map(|_| matrix(&c["w_dq"])),
            w_uq: matrix(&c["w_uq"]),
            w_qr: matrix(&c["w_qr"]),
            w_dkv: matrix(&c["w_dkv"]),
            w_uk: matrix(&c["w_uk"]),
            w_uv: matrix(&c["w_uv"]),
            w_kr: matrix(&c["w_kr"]),
            w_o: matrix(&c["w_o"]),
        };
        let x = matrix(&c["x"]);
        let what = format!("MLA d_cq={d_cq:?} causal={}", cfg.causal);
        let naive = mla_naive(&x, &w, &cfg).unwrap();
        assert_close(&what, &naive.cache.c_kv, &matrix(&c["c_kv"]), 1e-5);
        assert_close(&what, &naive.cache.k_r, &matrix(&c["k_r"]), 1e-5);
        assert_close(&what, &naive.out, &matrix(&c["out"]), 1e-4);
        let absorbed = mla_absorbed(&x, &w, &cfg).unwrap();
        assert_close(&format!("{what} absorbed"), &absorbed.out, &matrix(&c["out"]), 1e-4);
    }
}
