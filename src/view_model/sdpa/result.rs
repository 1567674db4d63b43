//! What the "Scaled dot-product attention" job produces and what the next job may take over, and the
//! selected head's score maps, computed on demand.

use std::sync::Arc;

use crate::attention::gemm_tiles::Panels;
use crate::attention::mask::{causal_or_full, scale_and_mask_row};
use crate::attention::matrix::{matmul_packed_into, pack_transposed, Matrix};
use crate::attention::multi_head::{HeadConfig, LayerWeights, Projections};
use crate::attention::pooling::{PoolMode, Pooler};
use crate::view_model::job::Job;

/// Query rows per attention block (the job's and [`head_score_maps`]' block height).
pub(crate) const ATTN_ROWS: usize = 64;

/// Largest pooled weight map kept per head (pixels per side).
pub const BIG_PX: usize = 512;
/// Pooled size of the small pipeline maps (pixels per side).
pub const PIPE_PX: usize = 96;
/// Upper bound on the floats kept for all heads' big maps (heads × side²).
pub(crate) const BIG_BUDGET: usize = 4 << 20;
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

/// The selected head's score maps for the pipeline (one head, so switching heads stays cheap): raw
/// Q_h·K_hᵀ pooled by mean, and the scaled, masked logits pooled by max with masked cells NaN. Both
/// at most [`PIPE_PX`]². All at once; the view runs [`HeadScoreJob`] in slices instead.
pub fn head_score_maps(r: &Arc<SdpaResult>, head: usize) -> (Matrix, Matrix) {
    let maps = crate::view_model::job::run_to_end(HeadScoreJob::new(r.clone(), head));
    let masked = maps.masked(r.cfg.causal, r.cfg.scale.factor(r.d_head));
    (maps.raw, masked)
}

/// One head's score maps before any scale or mask is chosen: what [`HeadScoreJob`] makes, once per
/// projections and head (a temperature or mask change reuses it).
#[derive(Clone, Debug, PartialEq)]
pub struct HeadScoreMaps {
    /// Q_h·K_hᵀ pooled by mean.
    pub raw: Matrix,
    /// Q_h·K_hᵀ pooled by max, every pair allowed.
    pub max_full: Matrix,
    /// Q_h·K_hᵀ pooled by max over the causal pairs (NaN where a bin has none).
    pub max_causal: Matrix,
}

impl HeadScoreMaps {
    /// The scaled, masked logits pooled by max: since the scale c is positive and rounding is
    /// monotone, max_j fl(c·s_j) = fl(c·max_j s_j), so this equals pooling fl(c·s) itself.
    pub fn masked(&self, causal: bool, scale: f32) -> Matrix {
        debug_assert!(scale > 0.0, "attention scales are positive");
        let m = if causal { &self.max_causal } else { &self.max_full };
        Matrix::from_vec(m.rows, m.cols, m.data.iter().map(|v| v * scale).collect())
    }
}

/// [`HeadScoreMaps`] as a resumable job, [`ATTN_ROWS`] query rows per step: without kept scores a
/// step computes a block of Q_h·K_hᵀ (ATTN_ROWS·N·d_head multiply-adds; at N = 4096 the whole head is
/// 1.1·10⁹, far too long for one task of the main thread).
pub struct HeadScoreJob {
    result: Arc<SdpaResult>,
    head: usize,
    next_row: usize,
    raw: Pooler,
    max_full: Pooler,
    max_causal: Pooler,
    block: Vec<f32>,
    /// K_hᵀ packed once for the blocks of Q_h·K_hᵀ (when the scores are not kept).
    keys: Option<Panels>,
    logits: Vec<f32>,
}

impl HeadScoreJob {
    /// The maps of head `head` of `result` (an out-of-range head gives empty maps).
    pub fn new(result: Arc<SdpaResult>, head: usize) -> Self {
        let n = if head < result.heads.len() { result.n() } else { 0 };
        Self {
            raw: Pooler::new(n, n, PIPE_PX, PIPE_PX, PoolMode::Mean),
            max_full: Pooler::new(n, n, PIPE_PX, PIPE_PX, PoolMode::Max),
            max_causal: Pooler::new(n, n, PIPE_PX, PIPE_PX, PoolMode::Max),
            block: Vec::new(),
            keys: None,
            logits: vec![0.0; n],
            next_row: if n == 0 { usize::MAX } else { 0 },
            result,
            head,
        }
    }
}

impl Job for HeadScoreJob {
    type Output = HeadScoreMaps;

    fn step(&mut self) {
        if self.is_done() {
            return;
        }
        let r = &self.result;
        let (n, dh, start) = (r.n(), r.d_head, self.next_row);
        let p = &r.projected;
        let (q, k) = (p.q.columns(self.head * dh, dh), p.k.columns(self.head * dh, dh));
        let rows = ATTN_ROWS.min(n - start);
        let b: &[f32] = match &r.scores {
            Some(s) => &s.heads[self.head][start * n..(start + rows) * n],
            None => {
                self.block.resize(ATTN_ROWS * n, 0.0);
                let b = &mut self.block[..rows * n];
                let keys = self.keys.get_or_insert_with(|| pack_transposed(k));
                matmul_packed_into(1.0, q.rows_range(start, rows), keys, b);
                b
            }
        };
        for (r_i, row) in b.chunks_exact(n).enumerate() {
            self.raw.add_row(start + r_i, row);
            self.max_full.add_row(start + r_i, row);
            scale_and_mask_row(causal_or_full(true), start + r_i, row, 1.0, &mut self.logits);
            self.max_causal.add_row(start + r_i, &self.logits);
        }
        self.next_row = start + rows;
    }

    fn progress(&self) -> f64 {
        if self.is_done() {
            1.0
        } else {
            self.next_row as f64 / self.result.n().max(1) as f64
        }
    }

    fn is_done(&self) -> bool {
        self.next_row >= self.logits.len()
    }

    fn finish(mut self) -> Self::Output {
        while !self.is_done() {
            self.step();
        }
        HeadScoreMaps {
            raw: self.raw.finish(),
            max_full: self.max_full.finish(),
            max_causal: self.max_causal.finish(),
        }
    }
}
