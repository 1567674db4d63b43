//! The "Scaled dot-product attention" view's computation, as a resumable [`Job`].
//!
//! Stages: tokens → X (embedding) → Q, K, V (row blocks of X·W) → every head's attention by blocks of
//! query rows (pooled to display resolution as it streams) → concat · W_O. Each stage carries the data
//! it works on, so a step never opens an `Option`. The N×N matrices are never stored whole.
//!
//! Every weight is computed (the maps show them all), but the tensors after the softmax are shown
//! mean-pooled to at most [`PIPE_PX`] rows, and mean pooling is linear: P·(W_h·V_h) = (P·W_h)·V_h
//! with P averaging rows into bins. So the job accumulates P·W_h while the weights stream by and
//! multiplies that by V_h: exactly the pooled head output, for PIPE_PX/N of the cost. Likewise the
//! output: pool(concat·W_O) = (P·concat)·(W_O·P_c) with P_c averaging columns.

use std::sync::Arc;

use crate::attention::budget::Estimate;
use crate::attention::embedding::{embed_with_positions, position_codes};
use crate::attention::exact::{attention_rows, attention_rows_from_scores, RowBlock};
use crate::attention::mask::{causal_or_full, AttentionMask};
use crate::attention::matrix::{matmul, matmul_transb_into, MatRef, Matrix};
use crate::attention::message::{Explain, Message};
use crate::attention::multi_head::{HeadConfig, LayerWeights};
use crate::attention::pooling::{pool, PoolMode, Pooler};
use crate::attention::reduce::dot;
use crate::view_model::job::Job;
use crate::view_model::sdpa::result::{
    HeadMaps, HeadScores, InputKey, Projected, Reuse, SdpaResult, ATTN_ROWS, BIG_BUDGET, BIG_PX, PIPE_PX, SCORE_BUDGET,
};

/// Rows of X·W computed per step.
const PROJECT_ROWS: usize = 128;

/// Where a job's raw scores come from.
enum ScoreSource {
    /// An earlier run's, for the same inputs and head count.
    Reused(Arc<HeadScores>),
    /// Computed head by head by this run and kept (they fit [`SCORE_BUDGET`]).
    Kept(Vec<Vec<f32>>),
    /// Computed block by block inside the kernel and dropped (too large to keep).
    Streamed,
}

/// One head's running sums while its query rows stream by.
struct HeadAcc {
    /// Softmax weights pooled to ≤ side × side (masked cells NaN).
    weights: Pooler,
    /// The weights with rows mean-pooled to min(N, PIPE_PX): P·W_h.
    weight_rows: Pooler,
    entropy_sum: f64,
    max_sum: f64,
}

/// Where the job stands, with the data that stage works on.
enum Stage {
    Embed,
    Project {
        x: Matrix,
        weights: LayerWeights,
        qkv: [Matrix; 3],
        next_row: usize,
    },
    Heads {
        projected: Arc<Projected>,
        head: usize,
        next_row: usize,
        acc: HeadAcc,
    },
    Output {
        projected: Arc<Projected>,
    },
    Done {
        projected: Arc<Projected>,
        out_small: Matrix,
    },
}

/// A resumable computation of the view's result.
pub struct SdpaJob {
    key: InputKey,
    cfg: HeadConfig,
    d_head: usize,
    pool: PoolMode,
    side: usize,
    stage: Stage,
    /// Position codes taken over from an earlier run of the same shape, or made in `Embed`.
    positions: Option<Arc<Matrix>>,
    scores: ScoreSource,
    concat_rows: Matrix,
    heads: Vec<HeadMaps>,
    done_work: f64,
    total_work: f64,
}

impl SdpaJob {
    /// Starts a job; the projections of `reuse` are taken over when their key matches, and its scores
    /// too when the head count matches as well.
    pub fn new(key: InputKey, cfg: HeadConfig, pool: PoolMode, reuse: Option<Reuse>) -> Result<Self, Message> {
        let d_head = cfg.d_head(key.d_model).map_err(|e| e.message())?;
        if key.tokens.is_empty() {
            return Err(Message::new("error.zero").arg("what", "N"));
        }
        let n = key.tokens.len();
        let estimate = Self::estimate(n, key.d_model, cfg.n_heads);
        estimate.check(|| {
            let fits = (1..=n).rev().step_by(64.max(n / 64)).find(|&m| {
                let e = Self::estimate(m, key.d_model, cfg.n_heads);
                e.check(String::new).is_ok()
            });
            format!("N ≤ {}", fits.unwrap_or(1))
        })?;
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
        let mut job = Self {
            concat_rows: Matrix::zeros(n.min(PIPE_PX), key.d_model),
            positions,
            scores,
            key,
            cfg,
            d_head,
            pool,
            side,
            stage: Stage::Embed,
            heads: Vec::new(),
            done_work: 0.0,
            total_work,
        };
        if let Some(r) = reuse {
            job.stage = job.head_stage(r.projected, 0);
            job.done_work = proj_work;
        }
        Ok(job)
    }

    /// What a job of N tokens, width d and h heads holds and does: X, Q, K, V (4·N·d), the four
    /// weight matrices (4·d²), the kept scores (h·N² when they fit the score budget, else one block
    /// of rows), every head's pooled map (h·side²); 2·3·N·d² FLOPs for the projections and 4·N²·d
    /// for scores and weights·V.
    pub fn estimate(n: usize, d: usize, heads: usize) -> Estimate {
        let (nf, df, hf) = (n as f64, d as f64, heads.max(1) as f64);
        let side = BIG_PX.min(((BIG_BUDGET / heads.max(1)) as f64).sqrt() as usize).max(32) as f64;
        let scores = if hf * nf * nf <= SCORE_BUDGET as f64 {
            hf * nf * nf
        } else {
            ATTN_ROWS as f64 * nf
        };
        let floats = 4.0 * nf * df + 4.0 * df * df + scores + hf * side * side + ATTN_ROWS as f64 * nf;
        Estimate::new(floats, 6.0 * nf * df * df + 4.0 * nf * nf * df)
    }

    /// The stage that starts head `head`.
    fn head_stage(&self, projected: Arc<Projected>, head: usize) -> Stage {
        let n = self.key.tokens.len();
        Stage::Heads {
            projected,
            head,
            next_row: 0,
            acc: HeadAcc {
                weights: Pooler::new(n, n, self.side, self.side, self.pool),
                weight_rows: Pooler::new(n, n, PIPE_PX, n, PoolMode::Mean),
                entropy_sum: 0.0,
                max_sum: 0.0,
            },
        }
    }

    fn embed(&mut self) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        let positions = self.positions.get_or_insert_with(|| Arc::new(position_codes(n, d)));
        Stage::Project {
            x: embed_with_positions(&self.key.tokens, d, self.key.seed, positions),
            weights: LayerWeights::seeded(d, self.key.seed),
            qkv: [Matrix::zeros(n, d), Matrix::zeros(n, d), Matrix::zeros(n, d)],
            next_row: 0,
        }
    }

    fn project(&mut self, x: Matrix, weights: LayerWeights, mut qkv: [Matrix; 3], next_row: usize) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        let rows = PROJECT_ROWS.min(n - next_row);
        let xb = x.rows_view(next_row, rows);
        for (dst, w) in qkv.iter_mut().zip([&weights.w_q, &weights.w_k, &weights.w_v]) {
            let part = matmul(xb, w.view());
            dst.data[next_row * d..(next_row + rows) * d].copy_from_slice(&part.data);
        }
        self.done_work += 3.0 * rows as f64 * (d * d) as f64;
        if next_row + rows < n {
            return Stage::Project {
                x,
                weights,
                qkv,
                next_row: next_row + rows,
            };
        }
        let [q, k, v] = qkv;
        let projected = Arc::new(Projected {
            key: self.key.clone(),
            w_o_cols: pool(&weights.w_o, d, PIPE_PX, PoolMode::Mean),
            positions: self.positions.clone().unwrap_or_else(|| Arc::new(position_codes(n, d))),
            x,
            weights,
            q,
            k,
            v,
        });
        self.head_stage(projected, 0)
    }

    fn step_head(&mut self, projected: Arc<Projected>, head: usize, next_row: usize, mut acc: HeadAcc) -> Stage {
        let n = self.key.tokens.len();
        let dh = self.d_head;
        let p = &projected;
        let (q, k, v) = (
            p.q.columns(head * dh, dh),
            p.k.columns(head * dh, dh),
            p.v.columns(head * dh, dh),
        );
        let scale = self.cfg.scale.factor(dh);
        let mask = causal_or_full(self.cfg.causal);
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
            return Stage::Heads {
                projected,
                head,
                next_row: next_row + rows,
                acc,
            };
        }
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
        if head + 1 < self.cfg.n_heads {
            self.head_stage(projected, head + 1)
        } else {
            Stage::Output { projected }
        }
    }

    /// Runs every remaining step (native callers and tests).
    pub fn run(self) -> SdpaResult {
        crate::view_model::job::run_to_end(self)
    }
}

impl Job for SdpaJob {
    type Output = SdpaResult;

    /// One slice of work: a block of projection rows, a block of query rows of one head, or the
    /// output projection.
    fn step(&mut self) {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Embed) {
            Stage::Embed => self.embed(),
            Stage::Project {
                x,
                weights,
                qkv,
                next_row,
            } => self.project(x, weights, qkv, next_row),
            Stage::Heads {
                projected,
                head,
                next_row,
                acc,
            } => self.step_head(projected, head, next_row, acc),
            Stage::Output { projected } => {
                // concat_rows is already row-pooled, W_O column-pooled: pool(concat·W_O) (module doc).
                let out_small = matmul(self.concat_rows.view(), projected.w_o_cols.view());
                self.done_work += out_work(self.key.tokens.len(), self.key.d_model);
                Stage::Done { projected, out_small }
            }
            done @ Stage::Done { .. } => done,
        };
    }

    fn progress(&self) -> f64 {
        (self.done_work / self.total_work.max(1.0)).min(1.0)
    }

    fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done { .. })
    }

    fn finish(mut self) -> SdpaResult {
        while !self.is_done() {
            self.step();
        }
        let Stage::Done { projected, out_small } = self.stage else {
            unreachable!("the loop above ends only in Done")
        };
        SdpaResult {
            projected,
            cfg: self.cfg,
            d_head: self.d_head,
            pool: self.pool,
            heads: self.heads,
            concat_rows: self.concat_rows,
            out_small,
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

#[cfg(test)]
#[path = "job_tests.rs"]
mod tests;
