//! The approximations engine against the NumPy reference (`scripts/fixtures/approx.py`).
//!
//! Tolerance 1e-5 on outputs of magnitude ≈ 1: the engine accumulates in f32 over at most 20 terms
//! (≈ 20 · 6e-8 relative), far below it. Feature values of the Performer are compared with a relative
//! tolerance instead, since the stabilised exponentials span several orders of magnitude.
mod common;

use attention_atlas::attention::approx::linear::{linear_attend, linear_attend_quadratic};
use attention_atlas::attention::approx::linformer::{linformer_attend, LinformerProjections};
use attention_atlas::attention::approx::performer::{performer_attend, FeatureKind, RandomFeatures};
use common::{assert_close, cases, matrix, usize_of};
use serde_json::Value;

fn by_kind(kind: &str) -> Vec<Value> {
    let all: Vec<Value> = cases("approx").into_iter().filter(|c| c["kind"] == kind).collect();
    assert!(!all.is_empty(), "no {kind} cases");
    all
}

#[test]
fn linear_attention_matches_numpy_in_both_orders_and_causally() {
    for (i, c) in by_kind("linear").iter().enumerate() {
        let (q, k, v, want) = (matrix(&c["q"]), matrix(&c["k"]), matrix(&c["v"]), matrix(&c["output"]));
        let causal = c["causal"].as_bool().expect("causal flag");
        let what = format!("linear case {i} (causal {causal})");
        assert_close(
            &what,
            &linear_attend(q.view(), k.view(), v.view(), causal).output,
            &want,
            1e-5,
        );
        assert_close(
            &what,
            &linear_attend_quadratic(q.view(), k.view(), v.view(), causal).output,
            &want,
            1e-5,
        );
    }
}

#[test]
fn linformer_matches_numpy_for_given_projections_and_rebuilds_mean_pooling() {
    for (i, c) in by_kind("linformer").iter().enumerate() {
        let (q, k, v) = (matrix(&c["q"]), matrix(&c["k"]), matrix(&c["v"]));
        let proj = LinformerProjections {
            e: matrix(&c["e"]),
            f: matrix(&c["f"]),
        };
        if c["projection"] == "mean_pool" {
            let ours = LinformerProjections::mean_pool(q.rows, usize_of(c, "k_proj"));
            assert_close(&format!("linformer case {i}: E"), &ours.e, &proj.e, 1e-7);
            assert_close(&format!("linformer case {i}: F"), &ours.f, &proj.f, 1e-7);
        }
        let scale = 1.0 / (q.cols as f32).sqrt();
        let out = linformer_attend(q.view(), k.view(), v.view(), scale, &proj);
        assert_close(
            &format!("linformer case {i}: P"),
            &out.weights,
            &matrix(&c["weights"]),
            1e-5,
        );
        assert_close(
            &format!("linformer case {i}: O"),
            &out.attended.output,
            &matrix(&c["output"]),
            1e-5,
        );
    }
}

#[test]
fn performer_features_and_outputs_match_numpy_for_a_given_projection() {
    for (i, c) in by_kind("performer").iter().enumerate() {
        let (q, k, v) = (matrix(&c["q"]), matrix(&c["k"]), matrix(&c["v"]));
        let kind = match c["features"].as_str() {
            Some("positive") => FeatureKind::Positive,
            Some("trigonometric") => FeatureKind::Trigonometric,
            other => panic!("unknown feature kind {other:?}"),
        };
        let features = RandomFeatures {
            projection: matrix(&c["w"]),
            kind,
        };
        for (got, want, side) in [
            (features.queries(q.view()), matrix(&c["phi_q"]), "φ(Q)"),
            (features.keys(k.view()), matrix(&c["phi_k"]), "φ(K)"),
        ] {
            for (a, b) in got.data.iter().zip(&want.data) {
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1e-2),
                    "performer case {i} {side}: {a} vs {b}"
                );
            }
        }
        let causal = c["causal"].as_bool().expect("causal flag");
        let out = performer_attend(q.view(), k.view(), v.view(), &features, causal);
        assert_close(&format!("performer case {i}"), &out.output, &matrix(&c["output"]), 1e-5);
    }
}
