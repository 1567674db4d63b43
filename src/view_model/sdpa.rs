//! The "Scaled dot-product attention" view's computation, as a resumable job.
//!
//! Stages: tokens → X (embedding) → Q, K, V (row blocks of X·W) → every head's attention by blocks of
//! query rows (pooled to display resolution as it streams) → concat · W_O. The job advances by
//! [`SdpaJob::step`] in slices of bounded work, so the browser can paint progress between slices and
//! a 4096-token sequence never freezes the tab. The N×N matrices are never stored whole.
//!
//! Every weight is computed (the maps show them all), but the tensors after the softmax are shown
//! mean-pooled to at most [`PIPE_PX`] rows, and mean pooling is linear: P·(W_h·V_h) = (P·W_h)·V_h
//! with P averaging rows into bins. So the job accumulates P·W_h while the weights stream by and
//! multiplies that by V_h: exactly the pooled head output, for PIPE_PX/N of the cost. Likewise the
//! output: pool(concat·W_O) = (P·concat)·(W_O·P_c) with P_c averaging columns.

use std::sync::Arc;

use crate::attention::embedding::{embed_with_positions, position_codes};
use crate::attention::exact::{attention_rows, attention_rows_from_scores, RowBlock};
use crate::attention::mask::{causal_or_full, scale_and_mask_row, AttentionMask};
use crate::attention::matrix::{matmul, matmul_transb_into, MatRef, Matrix};
use crate::attention::multi_head::{ConfigError, HeadConfig, LayerWeights, Projections};
use crate::attention::pooling::{pool, PoolMode, Pooler};
use crate::attention::reduce::dot;
use crate::attention::scale::Scale;

/// Largest pooled weight map kept per head (pixels per side).
pub const BIG_PX: usize = 512;
/// Pooled size of the small pipeline maps (pixels per side).
pub const PIPE_PX: usize = 96;
/// Upper bound on the floats kept for all heads' big maps (heads × side²).
const BIG_BUDGET: usize = 4 << 20;
/// Upper bound on the raw scores kept between runs (heads × N² floats, 16 MB): N ≤ 724 at 8 heads.
pub const SCORE_BUDGET: usize = 4 << 20;

/// What the embedding and projections depend on (changing anything else reuses them).
#[derive(Clone, Debug, PartialEq)]
pub struct InputKey {
    pub tokens: Arc<Vec<String>>,
    pub d_model: usize,
    pub seed: u64,
}

/// Embedding, weights and projections for one [`InputKey`].
#[derive(Debug)]
pub struct Projected {
    pub key: InputKey,
    pub x: Matrix,
    pub weights: LayerWeights,
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
    /// The position codes P (N × d_model): they depend on N and d_model only, so a job for another
    /// seed or text of the same shape takes them over.
    pub positions: Arc<Matrix>,
    /// W_O with its columns mean-pooled to at most [`PIPE_PX`]: the right factor of the pooled
    /// output (module doc), computed once per weights.
    pub w_o_cols: Matrix,
}

/// Raw scores S_h = Q_h·K_hᵀ of every head (row-major N × N each), kept between runs when they fit
/// in [`SCORE_BUDGET`]: a mask or scale change then skips the score product, and the pipeline's
/// score maps are pooled from them instead of being recomputed.
#[derive(Debug)]
pub struct HeadScores {
    pub n_heads: usize,
    pub heads: Vec<Vec<f32>>,
}

/// What a new job may take over from the previous result.
#[derive(Clone, Debug)]
pub struct Reuse {
    pub projected: Arc<Projected>,
    pub scores: Option<Arc<HeadScores>>,
}

/// Per-head results, pooled for display.
#[derive(Clone, Debug)]
pub struct HeadMaps {
    /// softmax weights pooled to ≤ side × side; masked cells are NaN.
    pub weights: Matrix,
    /// Mean row entropy of the weights, in nats.
    pub mean_entropy: f32,
    /// Mean over rows of the largest weight.
    pub mean_max_weight: f32,
}

/// Everything the view draws.
#[derive(Debug)]
pub struct SdpaResult {
    pub projected: Arc<Projected>,
    pub cfg: HeadConfig,
    pub d_head: usize,
    pub pool: PoolMode,
    pub heads: Vec<HeadMaps>,
    /// Heads side by side (concat of softmax(·)·V_h), rows mean-pooled to at most [`PIPE_PX`]:
    /// min(N, PIPE_PX) × d_model (module doc). Equal to the full concat when N ≤ PIPE_PX.
    pub concat_rows: Matrix,
    /// The layer output concat · W_O as the view shows it: mean-pooled to at most [`PIPE_PX`]²,
    /// computed as (pooled rows of concat)·(pooled columns of W_O) (module doc), which is exact and
    /// ~20× cheaper than forming the N × d_model output at N = 256, d_model = 512.
    pub out_small: Matrix,
    /// Every head's raw scores, when they fit in [`SCORE_BUDGET`].
    pub scores: Option<Arc<HeadScores>>,
}

impl SdpaResult {
    /// The parts of this result a job with other parameters may reuse.
    pub fn reuse(&self) -> Reuse {
        Reuse {
            projected: self.projected.clone(),
            scores: self.scores.clone(),
        }
    }

    /// Number of tokens.
    pub fn n(&self) -> usize {
        self.projected.x.rows
    }

    /// Q, K, V of the layer as head views.
    pub fn projections(&self) -> Projections {
        let p = &self.projected;
        Projections {
            q: p.q.clone(),
            k: p.k.clone(),
            v: p.v.clone(),
            d_head: self.d_head,
        }
    }
}

/// Where a job's raw scores come from.
enum ScoreSource {
    /// An earlier run's, for the same inputs and head count.
    Reused(Arc<HeadScores>),
    /// Computed head by head by this run and kept (they fit [`SCORE_BUDGET`]).
    Kept(Vec<Vec<f32>>),
    /// Computed block by block inside the kernel and dropped (too large to keep).
    Streamed,
}

enum Stage {
    Embed,
    Project { next_row: usize },
    Heads { head: usize, next_row: usize },
    Output,
    Done,
}

struct HeadAcc {
    weights: Pooler,
    /// The weights with rows mean-pooled to min(N, PIPE_PX): P·W_h.
    weight_rows: Pooler,
    entropy_sum: f64,
    max_sum: f64,
}

/// A resumable computation of the view's result.
pub struct SdpaJob {
    key: InputKey,
    cfg: HeadConfig,
    d_head: usize,
    pool: PoolMode,
    side: usize,
    stage: Stage,
    x: Option<Matrix>,
    weights: Option<LayerWeights>,
    q: Matrix,
    k: Matrix,
    v: Matrix,
    projected: Option<Arc<Projected>>,
    /// Position codes taken over from an earlier run of the same shape, or made in `Embed`.
    positions: Option<Arc<Matrix>>,
    scores: ScoreSource,
    concat_rows: Matrix,
    acc: Option<HeadAcc>,
    heads: Vec<HeadMaps>,
    out_small: Option<Matrix>,
    done_work: f64,
    total_work: f64,
}

/// Rows of X·W computed per step, and query rows per attention block.
const PROJECT_ROWS: usize = 128;
const ATTN_ROWS: usize = 64;

impl SdpaJob {
    /// Starts a job; the projections of `reuse` are taken over when their key matches, and its scores
    /// too when the head count matches as well.
    pub fn new(key: InputKey, cfg: HeadConfig, pool: PoolMode, reuse: Option<Reuse>) -> Result<Self, ConfigError> {
        let d_head = cfg.d_head(key.d_model)?;
        if key.tokens.is_empty() {
            return Err(ConfigError::Zero("N"));
        }
        let n = key.tokens.len();
        let side = BIG_PX.min(((BIG_BUDGET / cfg.n_heads) as f64).sqrt() as usize).max(32);
        let d = key.d_model as f64;
        let proj_work = 3.0 * n as f64 * d * d;
        let attn_work = 4.0 * (n as f64) * (n as f64) * d;
        let total_work = proj_work + attn_work + out_work(n, key.d_model);
        let positions = reuse
            .as_ref()
            .map(|r| r.projected.positions.clone())
            .filter(|p| p.rows == n && p.cols == key.d_model);
        let reuse = reuse.filter(|r| r.projected.key == key);
        let cached_scores = reuse
            .as_ref()
            .and_then(|r| r.scores.clone())
            .filter(|s| s.n_heads == cfg.n_heads && s.heads.len() == cfg.n_heads);
        let scores = match cached_scores {
            Some(s) => ScoreSource::Reused(s),
            None if cfg.n_heads * n * n <= SCORE_BUDGET => ScoreSource::Kept(Vec::new()),
            None => ScoreSource::Streamed,
        };
        let stage = if reuse.is_some() {
            Stage::Heads { head: 0, next_row: 0 }
        } else {
            Stage::Embed
        };
        let done_work = if reuse.is_some() { proj_work } else { 0.0 };
        Ok(Self {
            concat_rows: Matrix::zeros(n.min(PIPE_PX), key.d_model),
            q: Matrix::zeros(0, 0),
            k: Matrix::zeros(0, 0),
            v: Matrix::zeros(0, 0),
            projected: reuse.map(|r| r.projected),
            positions,
            scores,
            key,
            cfg,
            d_head,
            pool,
            side,
            stage,
            x: None,
            weights: None,
            acc: None,
            heads: Vec::new(),
            out_small: None,
            done_work,
            total_work,
        })
    }

    /// Fraction of the work done, 0..=1.
    pub fn progress(&self) -> f64 {
        (self.done_work / self.total_work.max(1.0)).min(1.0)
    }

    /// True once [`SdpaJob::finish`] may be called.
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// Advances by one slice of work (a block of projection rows, a block of query rows of one head,
    /// or the output projection). Returns true when the job is complete.
    pub fn step(&mut self) -> bool {
        let n = self.key.tokens.len();
        let d = self.key.d_model;
        match self.stage {
            Stage::Embed => {
                let positions = self.positions.get_or_insert_with(|| Arc::new(position_codes(n, d)));
                self.x = Some(embed_with_positions(&self.key.tokens, d, self.key.seed, positions));
                self.weights = Some(LayerWeights::seeded(d, self.key.seed));
                self.q = Matrix::zeros(n, d);
                self.k = Matrix::zeros(n, d);
                self.v = Matrix::zeros(n, d);
                self.stage = Stage::Project { next_row: 0 };
            }
            Stage::Project { next_row } => {
                let (x, w) = (
                    self.x.as_ref().expect("embedded"),
                    self.weights.as_ref().expect("weights"),
                );
                let rows = PROJECT_ROWS.min(n - next_row);
                let xb = x.rows_view(next_row, rows);
                for (dst, wm) in [(&mut self.q, &w.w_q), (&mut self.k, &w.w_k), (&mut self.v, &w.w_v)] {
                    let part = matmul(xb, wm.view());
                    dst.data[next_row * d..(next_row + rows) * d].copy_from_slice(&part.data);
                }
                self.done_work += 3.0 * rows as f64 * (d * d) as f64;
                if next_row + rows >= n {
                    let weights = self.weights.take().expect("weights");
                    let w_o_cols = pool(&weights.w_o, d, PIPE_PX, PoolMode::Mean);
                    self.projected = Some(Arc::new(Projected {
                        key: self.key.clone(),
                        x: self.x.take().expect("embedded"),
                        weights,
                        w_o_cols,
                        positions: self.positions.clone().expect("positions"),
                        q: std::mem::replace(&mut self.q, Matrix::zeros(0, 0)),
                        k: std::mem::replace(&mut self.k, Matrix::zeros(0, 0)),
                        v: std::mem::replace(&mut self.v, Matrix::zeros(0, 0)),
                    }));
                    self.stage = Stage::Heads { head: 0, next_row: 0 };
                } else {
                    self.stage = Stage::Project {
                        next_row: next_row + rows,
                    };
                }
            }
            Stage::Heads { head, next_row } => self.step_head(head, next_row),
            Stage::Output => {
                let p = self.projected.as_ref().expect("projected");
                // concat_rows is already row-pooled, W_O column-pooled: pool(concat·W_O) (module doc).
                self.out_small = Some(matmul(self.concat_rows.view(), p.w_o_cols.view()));
                self.done_work += out_work(n, d);
                self.stage = Stage::Done;
            }
            Stage::Done => {}
        }
        self.is_done()
    }

    fn step_head(&mut self, head: usize, next_row: usize) {
        let n = self.key.tokens.len();
        let p = Arc::clone(self.projected.as_ref().expect("projected"));
        let dh = self.d_head;
        let (q, k, v) = (
            p.q.columns(head * dh, dh),
            p.k.columns(head * dh, dh),
            p.v.columns(head * dh, dh),
        );
        let scale = self.cfg.scale.factor(dh);
        let mask = causal_or_full(self.cfg.causal);
        let (side, pool) = (self.side, self.pool);
        let acc = self.acc.get_or_insert_with(|| HeadAcc {
            weights: Pooler::new(n, n, side, side, pool),
            weight_rows: Pooler::new(n, n, PIPE_PX, n, PoolMode::Mean),
            entropy_sum: 0.0,
            max_sum: 0.0,
        });
        let rows = ATTN_ROWS.min(n - next_row);
        let mut shown_row = vec![0.0f32; n];
        let visit = |b: &RowBlock<'_>| {
            for r in 0..b.rows() {
                let i = b.start + r;
                let (w, raw) = (&b.weights[r * n..(r + 1) * n], &b.raw[r * n..(r + 1) * n]);
                let keys = b.keys.clone();
                let stats = b.stats[r];
                acc.entropy_sum += stats.entropy(scale * dot(&w[keys.clone()], &raw[keys])) as f64;
                acc.max_sum += stats.max_weight() as f64;
                acc.weight_rows.add_row(i, w);
                // Masked weights are exactly 0; NaN makes them render as "masked", not as "tiny".
                shown_row.copy_from_slice(w);
                mark_masked(mask, i, &mut shown_row);
                acc.weights.add_row(i, &shown_row);
            }
        };
        // The kernel's own ·V is skipped (a zero-width V): the pooled output comes from P·W_h below.
        let no_values = MatRef::no_columns(n);
        let out: &mut [f32] = &mut [];
        let row_range = next_row..next_row + rows;
        if let ScoreSource::Kept(kept) = &mut self.scores {
            if kept.len() == head {
                let mut s_h = vec![0.0f32; n * n];
                matmul_transb_into(1.0, q, k, &mut s_h);
                kept.push(s_h);
            }
        }
        let scores = match &self.scores {
            ScoreSource::Reused(c) => Some(c.heads[head].as_slice()),
            ScoreSource::Kept(kept) => Some(kept[head].as_slice()),
            ScoreSource::Streamed => None,
        };
        match scores {
            Some(s_h) => attention_rows_from_scores(s_h, no_values, scale, mask, row_range, ATTN_ROWS, out, visit),
            None => attention_rows(q, k, no_values, scale, mask, row_range, ATTN_ROWS, out, visit),
        }
        self.done_work += 4.0 * rows as f64 * n as f64 * dh as f64;
        if next_row + rows < n {
            self.stage = Stage::Heads {
                head,
                next_row: next_row + rows,
            };
            return;
        }
        let acc = self.acc.take().expect("accumulator");
        // Masked weights are 0 (finite), so the mean over a bin's rows is P·W_h exactly.
        let pooled_w = acc.weight_rows.finish();
        let head_rows = matmul(pooled_w.view(), v);
        for b in 0..pooled_w.rows {
            self.concat_rows.row_mut(b)[head * dh..(head + 1) * dh].copy_from_slice(head_rows.row(b));
        }
        self.heads.push(HeadMaps {
            weights: acc.weights.finish(),
            mean_entropy: (acc.entropy_sum / n as f64) as f32,
            mean_max_weight: (acc.max_sum / n as f64) as f32,
        });
        self.stage = if head + 1 < self.cfg.n_heads {
            Stage::Heads {
                head: head + 1,
                next_row: 0,
            }
        } else {
            Stage::Output
        };
    }

    /// Runs every remaining step (native callers and tests).
    pub fn run(mut self) -> SdpaResult {
        while !self.step() {}
        self.finish()
    }

    /// The finished result; call only when [`SdpaJob::is_done`].
    pub fn finish(self) -> SdpaResult {
        assert!(self.is_done(), "SdpaJob::finish before the job is done");
        SdpaResult {
            projected: self.projected.expect("projected"),
            cfg: self.cfg,
            d_head: self.d_head,
            pool: self.pool,
            heads: self.heads,
            concat_rows: self.concat_rows,
            out_small: self.out_small.expect("output"),
            scores: match self.scores {
                ScoreSource::Reused(c) => Some(c),
                ScoreSource::Kept(heads) => Some(Arc::new(HeadScores {
                    n_heads: self.cfg.n_heads,
                    heads,
                })),
                ScoreSource::Streamed => None,
            },
        }
    }
}

/// Multiplications of the pooled output product (at most PIPE_PX · d · PIPE_PX).
fn out_work(n: usize, d: usize) -> f64 {
    (n.min(PIPE_PX) * d * d.min(PIPE_PX)) as f64
}

/// Sets the masked entries of query row i to NaN (contiguous masks fill only outside their range).
fn mark_masked(mask: &dyn AttentionMask, i: usize, row: &mut [f32]) {
    if mask.is_contiguous() {
        let r = mask.key_range(i, row.len());
        row[..r.start].fill(f32::NAN);
        row[r.end..].fill(f32::NAN);
    } else {
        for (j, v) in row.iter_mut().enumerate() {
            if !mask.allows(i, j) {
                *v = f32::NAN;
            }
        }
    }
}

/// The selected head's score maps for the pipeline, computed on demand (one head, so switching
/// heads stays cheap): raw Q_h·K_hᵀ pooled by mean, and the scaled, masked logits pooled by max with
/// masked cells NaN. Both at most [`PIPE_PX`]².
pub fn head_score_maps(r: &SdpaResult, head: usize) -> (Matrix, Matrix) {
    let n = r.n();
    let dh = r.d_head;
    let p = &r.projected;
    let (q, k) = (p.q.columns(head * dh, dh), p.k.columns(head * dh, dh));
    let scale = r.cfg.scale.factor(dh);
    let mask = causal_or_full(r.cfg.causal);
    let mut raw = Pooler::new(n, n, PIPE_PX, PIPE_PX, PoolMode::Mean);
    let mut masked = Pooler::new(n, n, PIPE_PX, PIPE_PX, PoolMode::Max);
    let mut block = vec![0.0f32; ATTN_ROWS * n];
    let mut logits = vec![0.0f32; n];
    let mut start = 0;
    while start < n {
        let rows = ATTN_ROWS.min(n - start);
        let b: &[f32] = match &r.scores {
            Some(s) => &s.heads[head][start * n..(start + rows) * n],
            None => {
                let b = &mut block[..rows * n];
                matmul_transb_into(1.0, q.rows_range(start, rows), k, b);
                b
            }
        };
        for (r_i, row) in b.chunks_exact(n).enumerate() {
            raw.add_row(start + r_i, row);
            scale_and_mask_row(mask, start + r_i, row, scale, &mut logits);
            masked.add_row(start + r_i, &logits);
        }
        start += rows;
    }
    (raw.finish(), masked.finish())
}

/// Parses the URL's `scale` value: `sqrt` (1/√d_head), `none`, or a temperature τ > 0.
pub fn scale_from_param(s: &str) -> Option<Scale> {
    match s {
        "sqrt" => Some(Scale::InvSqrtDHead),
        "none" => Some(Scale::None),
        t => t
            .parse::<f32>()
            .ok()
            .filter(|t| t.is_finite() && *t >= 0.01 && *t <= 1000.0)
            .map(Scale::Temperature),
    }
}

/// The URL form of a scale (inverse of [`scale_from_param`]).
pub fn scale_to_param(s: Scale) -> String {
    match s {
        Scale::InvSqrtDHead => "sqrt".into(),
        Scale::None => "none".into(),
        Scale::Temperature(t) => format!("{t}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::embedding::embed;
    use crate::attention::exact::attention_weights;
    use crate::attention::multi_head::{multi_head_attention, Kernel};
    use crate::attention::pooling::pool;
    use crate::attention::softmax::entropy;
    use crate::attention::tokenizer::example_tokens;

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
            let r = SdpaJob::new(key(150, 32), cfg, PoolMode::Max, None).unwrap().run();
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
            let cached_maps = head_score_maps(&reused, 1);
            let mut no_scores = fresh;
            no_scores.scores = None;
            let computed_maps = head_score_maps(&no_scores, 1);
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
    fn bad_configurations_are_errors_not_panics() {
        let cfg = HeadConfig {
            n_heads: 3,
            scale: Scale::None,
            causal: false,
        };
        assert!(SdpaJob::new(key(5, 16), cfg, PoolMode::Max, None).is_err());
        assert_eq!(scale_from_param("abc"), None);
        assert_eq!(scale_from_param("2.5"), Some(Scale::Temperature(2.5)));
        assert_eq!(scale_from_param("0"), None);
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
}
