//! Tests of [`SparseJob`] on small configurations.

use crate::attention::sparse::reach::FullReach;
use crate::attention::sparse::zoo::PatternKind;
use crate::view_model::job::{run_to_end, Job};
use crate::view_model::params::pairs_lookup;
use crate::view_model::schema::UrlChoice;
use crate::view_model::sparse::params::{parse, ParsedSparse, SparseParams};
use crate::view_model::sparse::{SparseJob, SparseResult};

fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedSparse {
    parse(&pairs_lookup(pairs))
}

fn run(pairs: &[(&str, &str)]) -> SparseResult {
    let p = parse_pairs(pairs);
    run_to_end(SparseJob::new(p.params, &p.tokens))
}

#[test]
fn engine_clamps_become_notices_with_url_keys() {
    // w = 300 on N = 16 tokens: the window is clamped to N − 1 = 15.
    let r = run(&[("pattern", "local"), ("n", "16"), ("w", "300")]);
    assert_eq!(r.notices.len(), 1);
    assert_eq!((r.notices[0].key.as_str(), r.notices[0].given.as_str()), ("w", "300"));
    assert_eq!(r.notices[0].used, "15");
    assert_eq!(r.stats.allowed, 256);
}

#[test]
fn every_pattern_runs_and_the_sparse_kernel_matches_dense() {
    for kind in PatternKind::ALL {
        let r = run(&[("pattern", kind.word()), ("n", "96"), ("d", "16")]);
        assert!(r.kernel_diff < 1e-5, "{kind:?}: {}", r.kernel_diff);
        assert!(r.mass > 0.0 && r.mass <= 1.0 + 1e-6, "{kind:?}: mass {}", r.mass);
        assert_eq!(r.mask_map.rows, 96);
        assert_eq!(r.tiles.len(), 4);
        assert_eq!(r.heads.len(), 4);
        assert!(!r.reach.coverage.is_empty());
        // The pooled mask sums to the allowed pairs (96 ≤ MAP_PX: one pixel per pair).
        let total: f32 = r.mask_map.data.iter().sum();
        assert_eq!(total as usize, r.stats.allowed, "{kind:?}");
    }
}

#[test]
fn finish_completes_an_unfinished_job() {
    let p = parse_pairs(&[("pattern", "bigbird"), ("n", "64"), ("d", "16"), ("vs", "local")]);
    let mut job = SparseJob::new(p.params.clone(), &p.tokens);
    job.step();
    assert!(!job.is_done() && job.progress() > 0.0);
    let early = job.finish();
    let whole = run_to_end(SparseJob::new(p.params, &p.tokens));
    // (The weight maps hold NaN, which is never equal to itself: compare everything else.)
    assert_eq!(
        (
            early.stats,
            early.mass,
            early.kernel_diff,
            &early.tiles,
            &early.reach,
            &early.heads
        ),
        (
            whole.stats,
            whole.mass,
            whole.kernel_diff,
            &whole.tiles,
            &whole.reach,
            &whole.heads
        )
    );
    assert_eq!(
        (early.weights.rows, early.reference.rows, early.reach_map.rows),
        (64, 64, 64)
    );
    assert!(whole.second.is_some() && !whole.heads.is_empty());
}

#[test]
fn the_default_bigbird_keeps_the_pair_count_the_e2e_test_expects() {
    // The browser test of the default view (tests/e2e/sparse.test.mjs) asserts this exact count.
    // N = 256, b = 8: 32 block rows. The 2 global block rows see all 256 keys (2·8·256 = 4096); the
    // 28 interior block rows see 3 window + 2 global + 2 random blocks (28·8·56 = 12544); block rows 1
    // and 30 have a window block that is also global: 6 blocks (2·8·48 = 768). Total 17408.
    let r = run(&[]);
    assert_eq!((r.n, r.stats.allowed), (256, 17_408));
}

#[test]
fn causal_pattern_keeps_all_causal_mass_and_reaches_in_one_layer() {
    let r = run(&[("pattern", "causal"), ("n", "40")]);
    assert!((r.mass - 1.0).abs() < 1e-5);
    assert_eq!(r.reach.full, FullReach::After(1));
    assert_eq!(r.stats.allowed, 40 * 41 / 2);
}

#[test]
fn masked_weights_are_nan_outside_the_pattern_and_rows_sum_to_one() {
    let r = run(&[("pattern", "local"), ("n", "24"), ("w", "2"), ("d", "16")]);
    assert_eq!((r.weights.rows, r.reference.rows), (24, 24));
    for i in 0..24 {
        let row = r.weights.row(i);
        for (j, w) in row.iter().enumerate() {
            assert_eq!(w.is_nan(), !r.pattern.contains(i, j), "({i}, {j})");
        }
        let sum: f32 = row.iter().filter(|w| !w.is_nan()).sum();
        assert!((sum - 1.0).abs() < 1e-5);
        assert!((r.reference.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    // The masked weights are the reference weights renormalised over the kept keys.
    let i = 10;
    let kept: f32 = r.pattern.row(i).iter().map(|&j| r.reference.get(i, j)).sum();
    assert!((r.weights.get(i, 11) - r.reference.get(i, 11) / kept).abs() < 1e-5);
}

#[test]
fn compare_mode_computes_the_second_pattern_on_the_same_input() {
    let p = parse_pairs(&[("pattern", "bigbird"), ("n", "64"), ("vs", "causal"), ("d", "16")]);
    let r = run_to_end(SparseJob::new(p.params.clone(), &p.tokens));
    let c = r.second.expect("vs=causal is on");
    assert_eq!(c.kind, PatternKind::Causal);
    assert_eq!(c.stats.allowed, 64 * 65 / 2);
    // Causal keeps all the mass of its causal reference.
    assert!((c.mass - 1.0).abs() < 1e-5);
    assert!(c.weights.get(0, 1).is_nan() && !c.weights.get(1, 0).is_nan());
    let off = run_to_end(SparseJob::new(SparseParams { vs: None, ..p.params }, &p.tokens));
    assert!(off.second.is_none());
    assert_eq!(off.stats, r.stats);
}

#[test]
fn compare_mode_reports_the_second_patterns_clamps_once() {
    // vs=local with w = 300 on N = 16: the window is clamped to 15 for the second pattern only.
    let r = run(&[("pattern", "causal"), ("vs", "local"), ("n", "16"), ("w", "300")]);
    assert_eq!(r.notices.len(), 1);
    assert_eq!((r.notices[0].key.as_str(), r.notices[0].used.as_str()), ("w", "15"));
    assert_eq!(r.second.map(|c| c.stats.allowed), Some(256));
    // Both patterns clamp the same way: one notice, not two.
    assert_eq!(
        run(&[("pattern", "local"), ("vs", "local"), ("n", "16"), ("w", "300")])
            .notices
            .len(),
        1
    );
}
