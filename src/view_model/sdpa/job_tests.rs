//! Tests of [`SdpaJob`](super::SdpaJob): the job against the engine, reuse of projections and scores, sizes, budget.

use super::*;
use crate::attention::embedding::embed;
use crate::attention::exact::attention_weights;
use crate::attention::multi_head::{multi_head_attention, Kernel};
use crate::attention::pooling::pool;
use crate::attention::scale::Scale;
use crate::attention::softmax::entropy;
use crate::attention::tokenizer::example_tokens;
use crate::view_model::offload::HeadTask;
use crate::view_model::sdpa::result::head_score_maps;

fn key(n: usize, d: usize) -> InputKey {
    InputKey {
        tokens: Arc::new(example_tokens(n)),
        d_model: d,
        seed: 3,
    }
}

#[test]
fn the_job_computes_the_same_layer_as_the_engine() {
    for causal in [false, true] {
        let cfg = HeadConfig {
            n_heads: 4,
            scale: Scale::InvSqrtDHead,
            causal,
        };
        let r = std::sync::Arc::new(SdpaJob::new(key(150, 32), cfg, PoolMode::Max, None).unwrap().run());
        let x = embed(&example_tokens(150), 32, 3);
        let want = multi_head_attention(&x, &LayerWeights::seeded(32, 3), &cfg, Kernel::Exact).unwrap();
        let pooled_concat = pool(&want.concat, PIPE_PX, 32, PoolMode::Mean);
        assert!(r.concat_rows.max_abs_diff(&pooled_concat) < 1e-5);
        assert!(
            r.out_small
                .max_abs_diff(&pool(&want.out, PIPE_PX, PIPE_PX, PoolMode::Mean))
                < 1e-5
        );
        assert_eq!(r.heads.len(), 4);
        // Row statistics from the kernel equal the ones read off the full weight matrix.
        let p = r.projections();
        let w = attention_weights(
            p.q.columns(8, 8),
            p.k.columns(8, 8),
            cfg.scale.factor(8),
            causal_or_full(causal),
        );
        let rows = (0..150).map(|i| w.row(i));
        let (h, m): (Vec<f32>, Vec<f32>) = rows
            .map(|row| (entropy(row), row.iter().copied().fold(0.0, f32::max)))
            .unzip();
        assert!((r.heads[1].mean_entropy - h.iter().sum::<f32>() / 150.0).abs() < 1e-4);
        assert!((r.heads[1].mean_max_weight - m.iter().sum::<f32>() / 150.0).abs() < 1e-5);
        assert_eq!(r.heads[0].weights.rows, 150);
        let (raw, masked) = head_score_maps(&r, 1);
        assert_eq!((raw.rows, masked.rows), (PIPE_PX, PIPE_PX));
        assert_eq!(
            masked.get(0, PIPE_PX - 1).is_nan(),
            causal,
            "the far corner is masked only when causal"
        );
    }
}

#[test]
fn cached_projections_are_reused_only_for_the_same_inputs() {
    let cfg = HeadConfig {
        n_heads: 2,
        scale: Scale::InvSqrtDHead,
        causal: false,
    };
    let first = SdpaJob::new(key(20, 16), cfg, PoolMode::Max, None).unwrap().run();
    let again = SdpaJob::new(
        key(20, 16),
        HeadConfig { causal: true, ..cfg },
        PoolMode::Max,
        Some(first.reuse()),
    )
    .unwrap();
    assert!(again.progress() > 0.0, "projection work is skipped");
    let other = SdpaJob::new(key(21, 16), cfg, PoolMode::Max, Some(first.reuse())).unwrap();
    assert_eq!(other.progress(), 0.0);
}

#[test]
fn a_new_seed_of_the_same_shape_keeps_the_position_codes() {
    let cfg = HeadConfig {
        n_heads: 2,
        scale: Scale::InvSqrtDHead,
        causal: false,
    };
    let first = SdpaJob::new(key(40, 16), cfg, PoolMode::Max, None).unwrap().run();
    let other_seed = InputKey { seed: 8, ..key(40, 16) };
    let second = SdpaJob::new(other_seed.clone(), cfg, PoolMode::Max, Some(first.reuse()))
        .unwrap()
        .run();
    assert!(Arc::ptr_eq(&first.projected.positions, &second.projected.positions));
    let fresh = SdpaJob::new(other_seed, cfg, PoolMode::Max, None).unwrap().run();
    assert_eq!(second.projected.x, fresh.projected.x);
    let longer = SdpaJob::new(key(41, 16), cfg, PoolMode::Max, Some(first.reuse()))
        .unwrap()
        .run();
    assert_eq!(longer.projected.positions.rows, 41);
}

#[test]
fn reused_scores_give_the_same_result_as_a_fresh_run() {
    let cfg = HeadConfig {
        n_heads: 4,
        scale: Scale::InvSqrtDHead,
        causal: false,
    };
    let first = SdpaJob::new(key(130, 32), cfg, PoolMode::Max, None).unwrap().run();
    assert_eq!(first.scores.as_ref().map(|s| s.heads.len()), Some(4));
    for changed in [
        HeadConfig { causal: true, ..cfg },
        HeadConfig {
            scale: Scale::Temperature(0.3),
            ..cfg
        },
        HeadConfig { n_heads: 2, ..cfg },
    ] {
        let reused = SdpaJob::new(key(130, 32), changed, PoolMode::Max, Some(first.reuse()))
            .unwrap()
            .run();
        let fresh = SdpaJob::new(key(130, 32), changed, PoolMode::Max, None).unwrap().run();
        assert!(reused.concat_rows.max_abs_diff(&fresh.concat_rows) < 1e-6);
        assert!(reused.out_small.max_abs_diff(&fresh.out_small) < 1e-6);
        for (a, b) in reused.heads.iter().zip(&fresh.heads) {
            assert_eq!(a.weights.data.len(), b.weights.data.len());
            let same = a.weights.data.iter().zip(&b.weights.data);
            assert!(same
                .into_iter()
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-6));
            assert!((a.mean_entropy - b.mean_entropy).abs() < 1e-5);
        }
        let cached_maps = head_score_maps(&std::sync::Arc::new(reused), 1);
        let mut no_scores = fresh;
        no_scores.scores = None;
        let computed_maps = head_score_maps(&std::sync::Arc::new(no_scores), 1);
        assert!(cached_maps.0.max_abs_diff(&computed_maps.0) < 1e-5);
    }
    let eight = HeadConfig { n_heads: 8, ..cfg };
    let big = SdpaJob::new(key(800, 64), eight, PoolMode::Max, None).unwrap().run();
    assert!(
        big.scores.is_none(),
        "8 × 800² floats exceed the budget: nothing is kept"
    );
}

#[test]
fn tiny_and_odd_sizes_run_to_the_end() {
    for (n, d, heads, causal) in [(1, 8, 1, true), (2, 8, 2, false), (97, 16, 4, true), (300, 48, 3, true)] {
        let cfg = HeadConfig {
            n_heads: heads,
            scale: Scale::InvSqrtDHead,
            causal,
        };
        let r = SdpaJob::new(key(n, d), cfg, PoolMode::Mean, None).unwrap().run();
        assert_eq!(r.concat_rows.rows, n.min(PIPE_PX));
        assert!(r
            .concat_rows
            .data
            .iter()
            .chain(&r.out_small.data)
            .all(|v| v.is_finite()));
        assert!(r
            .heads
            .iter()
            .all(|h| h.mean_entropy.is_finite() && h.mean_max_weight > 0.0));
    }
}

#[test]
fn the_largest_configuration_the_schema_allows_fits_the_budget_and_a_larger_one_is_refused() {
    use crate::view_model::sdpa::params::{D_MODEL, HEADS, N};
    let d_max = *D_MODEL.allowed.last().unwrap();
    for heads in [1, 8, HEADS.max as usize] {
        assert!(SdpaJob::estimate(N.max as usize, d_max, heads)
            .check(String::new)
            .is_ok());
    }
    let refused = SdpaJob::estimate(200_000, d_max, 8)
        .check(|| "N ≤ 4096".into())
        .unwrap_err();
    assert_eq!(refused.id, "error.budget");
}

#[test]
fn bad_configurations_are_errors_not_panics() {
    let cfg = HeadConfig {
        n_heads: 3,
        scale: Scale::None,
        causal: false,
    };
    let refused = SdpaJob::new(key(5, 16), cfg, PoolMode::Max, None).err();
    assert_eq!(refused.map(|m| m.id), Some("error.heads_divide"));
}

#[test]
fn big_maps_fit_the_memory_budget_and_causal_maps_are_lower_triangular() {
    let cfg = HeadConfig {
        n_heads: 8,
        scale: Scale::InvSqrtDHead,
        causal: true,
    };
    let r = SdpaJob::new(key(1000, 64), cfg, PoolMode::Max, None).unwrap().run();
    let w = &r.heads[0].weights;
    assert!(w.rows * w.cols * 8 <= BIG_BUDGET);
    for i in 0..w.rows {
        for j in (i + 1)..w.cols {
            assert!(w.get(i, j).is_nan(), "masked cell ({i}, {j}) is marked masked");
        }
        assert!(w.get(i, i).is_finite());
    }
}

/// Other "threads" that compute each head at once with the engine (`summarize_head`, what a Web
/// Worker runs) and answer at the second poll; `fail_at` makes that head fail.
struct FakeWorkers {
    fail_at: Option<usize>,
    /// Every answer there before it is polled (as when all workers finished during one slice).
    answered: bool,
}

impl Offload for FakeWorkers {
    fn threads(&self) -> usize {
        2
    }
    fn start(
        &self,
        _: &[f32],
        _: &[f32],
        _: &[f32],
        _: usize,
        _: usize,
        _: bool,
    ) -> Option<Box<dyn crate::view_model::offload::PendingCall>> {
        None
    }
    fn start_heads(&self, tasks: &[HeadTask<'_>]) -> Option<Vec<Box<dyn PendingHead>>> {
        use crate::attention::head_summary::summarize_head;
        Some(
            tasks
                .iter()
                .enumerate()
                .map(|(h, t)| {
                    let reply = (self.fail_at != Some(h)).then(|| {
                        summarize_head(
                            t.q, t.k, t.scores, t.keep, t.scale, t.causal, t.side, t.pipe, t.pool, t.block,
                        )
                    });
                    let later = if self.answered {
                        crate::view_model::offload::Later::now(reply)
                    } else {
                        crate::view_model::offload::Later::new(reply)
                    };
                    Box::new(later) as Box<dyn PendingHead>
                })
                .collect(),
        )
    }
}

/// Every head's maps as bits (masked cells are NaN, which `==` never equals).
fn head_bits(r: &SdpaResult) -> Vec<(Vec<u32>, u32, u32)> {
    r.heads
        .iter()
        .map(|h| {
            let w = h.weights.data.iter().map(|x| x.to_bits()).collect();
            (w, h.mean_entropy.to_bits(), h.mean_max_weight.to_bits())
        })
        .collect()
}

/// Runs `job` as the runner does, counting the steps it waited.
fn run_polling(mut job: SdpaJob) -> (SdpaResult, usize) {
    let mut waited = 0;
    while !job.is_done() {
        waited += usize::from(job.waiting());
        job.step();
    }
    (job.finish(), waited)
}

#[test]
fn heads_on_other_threads_give_the_same_result_and_a_failed_head_is_computed_here() {
    // From 10 M on (lowered for the test): 8 heads × 300² × 8 = 5.8 M stays here, 8 × 600² × 8 = 23 M
    // goes out.
    // 800: 8 × 800² scores exceed the kept-score budget (streamed).
    for (n, offloaded) in [(300, false), (600, true), (800, true)] {
        for causal in [false, true] {
            let cfg = HeadConfig {
                n_heads: 8,
                scale: Scale::InvSqrtDHead,
                causal,
            };
            let here = SdpaJob::new(key(n, 64), cfg, PoolMode::Max, None).unwrap().run();
            for fail_at in [None, Some(5)] {
                let job = SdpaJob::new(key(n, 64), cfg, PoolMode::Max, None)
                    .unwrap()
                    .with_offload(Rc::new(FakeWorkers {
                        fail_at,
                        answered: false,
                    }))
                    .offload_from(1e7);
                let (there, waited) = run_polling(job);
                assert_eq!(waited > 0, offloaded, "N = {n}");
                assert_eq!(
                    head_bits(&there),
                    head_bits(&here),
                    "N = {n}, causal {causal}, fail at {fail_at:?}"
                );
                assert_eq!(there.concat_rows, here.concat_rows);
                assert_eq!(there.out_small, here.out_small);
                let kept = |r: &SdpaResult| r.scores.as_ref().map(|s| s.heads.clone());
                assert_eq!(kept(&there), kept(&here));
                // The next run reuses the scores (a scale change) on the other threads too.
                let cfg2 = HeadConfig {
                    scale: Scale::Temperature(2.0),
                    ..cfg
                };
                let again = |offload: bool| {
                    let job = SdpaJob::new(key(n, 64), cfg2, PoolMode::Max, Some(there.reuse())).unwrap();
                    if offload {
                        run_polling(
                            job.with_offload(Rc::new(FakeWorkers {
                                fail_at: None,
                                answered: false,
                            }))
                            .offload_from(1e7),
                        )
                        .0
                    } else {
                        job.run()
                    }
                };
                assert_eq!(head_bits(&again(true)), head_bits(&again(false)));
            }
        }
    }
}

#[test]
fn the_score_maps_job_steps_one_block_of_rows_at_a_time_and_ends_with_the_same_maps() {
    use crate::view_model::job::Job;
    use crate::view_model::sdpa::result::HeadScoreJob;
    let cfg = HeadConfig {
        n_heads: 2,
        scale: Scale::InvSqrtDHead,
        causal: true,
    };
    let mut r = SdpaJob::new(key(200, 16), cfg, PoolMode::Max, None).unwrap().run();
    r.scores = None; // as at large N: every step computes its block of Q_h·K_hᵀ
    let r = std::sync::Arc::new(r);
    let mut job = HeadScoreJob::new(r.clone(), 1);
    let mut steps = 0;
    while !job.is_done() {
        job.step();
        steps += 1;
        assert!(job.progress() > 0.0 && job.progress() <= 1.0);
    }
    assert_eq!(steps, 4, "200 rows in blocks of 64");
    let maps = job.finish();
    let (raw, masked) = (&maps.raw, maps.masked(true, r.cfg.scale.factor(r.d_head)));
    // Pooled raw score (0, 0): the mean of Q_h·K_hᵀ over bin 0 (rows and keys i with i·96/200 = 0).
    let p = r.projections();
    let (q, k, _) = p.head(1);
    let bin: Vec<usize> = (0..200).filter(|i| i * PIPE_PX / 200 == 0).collect();
    assert_eq!(bin, vec![0, 1, 2]);
    let dot = |i: usize, j: usize| q.row(i).iter().zip(k.row(j)).map(|(a, b)| (a * b) as f64).sum::<f64>();
    let mean = bin
        .iter()
        .flat_map(|&i| bin.iter().map(move |&j| (i, j)))
        .map(|(i, j)| dot(i, j))
        .sum::<f64>()
        / 9.0;
    assert!(
        (raw.get(0, 0) as f64 - mean).abs() < 1e-4,
        "{} vs {mean}",
        raw.get(0, 0)
    );
    assert!(
        masked.get(0, PIPE_PX - 1).is_nan(),
        "causal: the top-right bin is masked"
    );
    let empty = HeadScoreJob::new(r, 9);
    assert!(empty.is_done(), "a head past the last gives empty maps at once");
}

#[test]
fn answers_already_back_are_taken_one_per_step_without_waiting_for_another_message() {
    let cfg = HeadConfig {
        n_heads: 8,
        scale: Scale::InvSqrtDHead,
        causal: false,
    };
    let here = SdpaJob::new(key(600, 64), cfg, PoolMode::Max, None).unwrap().run();
    let job = SdpaJob::new(key(600, 64), cfg, PoolMode::Max, None)
        .unwrap()
        .with_offload(Rc::new(FakeWorkers {
            fail_at: None,
            answered: true,
        }))
        .offload_from(1e7);
    // It waits once, right after handing the heads out; then, with every answer in, never again (no
    // message would come to wake the runner: it used to wait after each of the eight heads).
    let (there, waited) = run_polling(job);
    assert_eq!(waited, 1);
    assert_eq!(head_bits(&there), head_bits(&here));
}

#[test]
fn masked_maps_from_the_scale_free_maps_equal_pooling_the_scaled_masked_logits_exactly() {
    use crate::attention::mask::{causal_or_full, scale_and_mask_row};
    use crate::attention::pooling::Pooler;
    use crate::view_model::job::run_to_end;
    use crate::view_model::sdpa::result::HeadScoreJob;
    let cfg = HeadConfig {
        n_heads: 2,
        scale: Scale::Temperature(0.37),
        causal: false,
    };
    let r = std::sync::Arc::new(SdpaJob::new(key(230, 16), cfg, PoolMode::Mean, None).unwrap().run());
    let maps = run_to_end(HeadScoreJob::new(r.clone(), 1));
    // The kept raw scores of head 1 (the ones the job pooled).
    let scores = &r.scores.as_ref().expect("kept at this size").heads[1];
    for causal in [false, true] {
        for scale in [0.37f32, 1.0 / 0.37, 0.125] {
            let mut want = Pooler::new(230, 230, PIPE_PX, PIPE_PX, PoolMode::Max);
            let mut logits = vec![0.0; 230];
            for i in 0..230 {
                let row = &scores[i * 230..(i + 1) * 230];
                scale_and_mask_row(causal_or_full(causal), i, row, scale, &mut logits);
                want.add_row(i, &logits);
            }
            let (want, got) = (want.finish(), maps.masked(causal, scale));
            let same = want
                .data
                .iter()
                .zip(&got.data)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
            assert!(same, "causal {causal}, scale {scale}");
            assert_eq!(want.data.iter().filter(|x| x.is_nan()).count() > 0, causal);
        }
    }
}

/// Other "threads" that draw each weight matrix and its projection with the engine
/// (`seeded_projection`, what a Web Worker runs), answering at the second poll; `fail_at` makes that
/// matrix fail, `misshape` answers it with a wrong shape.
struct FakeWeights {
    fail_at: Option<usize>,
    misshape: Option<usize>,
}

impl Offload for FakeWeights {
    fn threads(&self) -> usize {
        2
    }
    fn start(
        &self,
        _: &[f32],
        _: &[f32],
        _: &[f32],
        _: usize,
        _: usize,
        _: bool,
    ) -> Option<Box<dyn crate::view_model::offload::PendingCall>> {
        None
    }
    fn start_weight(
        &self,
        x: Option<crate::attention::matrix::MatRef<'_>>,
        d: usize,
        seed: u64,
        label: usize,
    ) -> Option<Box<dyn crate::view_model::offload::PendingWeight>> {
        let mut reply = (self.fail_at != Some(label)).then(|| LayerWeights::seeded_projection(x, d, seed, label));
        if self.misshape == Some(label) {
            if let Some((w, _)) = reply.as_mut() {
                *w = Matrix::zeros(w.rows, w.cols + 1);
            }
        }
        Some(Box::new(crate::view_model::offload::Later::new(reply)))
    }
}

#[test]
fn weights_and_projections_on_other_threads_give_the_same_layer_and_a_failure_is_computed_here() {
    let cfg = HeadConfig {
        n_heads: 4,
        scale: Scale::InvSqrtDHead,
        causal: true,
    };
    // 3 · 200 · 64² = 2.5 M multiply-adds: out from 1 M on (lowered for the test), here from 10 M on.
    let here = SdpaJob::new(key(200, 64), cfg, PoolMode::Max, None).unwrap().run();
    let want = LayerWeights::seeded(64, 3);
    for (fail_at, misshape, from, offloaded) in [
        (None, None, 1e6, true),
        (Some(2), None, 1e6, true),
        (None, Some(3), 1e6, true),
        (None, None, 1e7, false),
    ] {
        let job = SdpaJob::new(key(200, 64), cfg, PoolMode::Max, None)
            .unwrap()
            .with_offload(Rc::new(FakeWeights { fail_at, misshape }))
            .offload_projections_from(from);
        let (there, waited) = run_polling(job);
        let case = format!("fail at {fail_at:?}, misshape {misshape:?}, from {from}");
        assert_eq!(waited > 0, offloaded, "{case}");
        let p = there.projections();
        assert_eq!(there.projected.weights, want, "{case}");
        // The same blocked products as here, so the same bits.
        assert_eq!(
            (&p.q, &p.k, &p.v),
            (&here.projected.q, &here.projected.k, &here.projected.v),
            "{case}"
        );
        assert_eq!(head_bits(&there), head_bits(&here), "{case}");
        assert_eq!(there.out_small, here.out_small, "{case}");
    }
    // A job that must end while the matrices are out (`finish`) computes them here.
    let mut job = SdpaJob::new(key(200, 64), cfg, PoolMode::Max, None)
        .unwrap()
        .with_offload(Rc::new(FakeWeights {
            fail_at: None,
            misshape: None,
        }))
        .offload_projections_from(1e6);
    while !job.waiting() {
        job.step();
    }
    assert_eq!(head_bits(&job.finish()), head_bits(&here));
}
