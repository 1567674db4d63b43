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

use std::rc::Rc;
use std::sync::Arc;

use crate::attention::budget::Estimate;
use crate::attention::embedding::{position_codes, Embedder};
use crate::attention::gemm_tiles::Panels;
use crate::attention::head_summary::{raw_scores, HeadAcc, HeadSummary};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{matmul, matmul_packed, pack, Matrix};
use crate::attention::message::{Explain, Message};
use crate::attention::multi_head::{HeadConfig, LayerWeights};
use crate::attention::pooling::{pool, PoolMode};
use crate::view_model::job::Job;
use crate::view_model::offload::{HeadReply, Offload, PendingHead, PendingWeight, WeightReply};
use crate::view_model::sdpa::result::{
    HeadMaps, HeadScores, InputKey, Projected, Reuse, SdpaResult, ATTN_ROWS, BIG_BUDGET, BIG_PX, PIPE_PX, SCORE_BUDGET,
};

/// Multiply-adds of X·W_Q, X·W_K, X·W_V per step (3·rows·d²): a few ms in the page, so a step
/// stays far below a frame even at d_model = 1024.
const PROJECT_MACS: usize = 32 << 20;

/// Rows of X embedded per step (at N = 4096 the whole X was one 23 ms step).
const EMBED_ROWS: usize = 1024;

/// Rows of X·W computed per step at width `d`: 4 … 128.
fn project_rows(d: usize) -> usize {
    (PROJECT_MACS / (3 * d * d).max(1)).clamp(4, 128)
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

/// Heads at least this much work (heads · N² · d_head) go to the Web Workers when there are any;
/// below, one thread was faster than the round trip (tests/e2e workers; measured on a loaded 2-core
/// VM: 8 heads of d_head 32 took 0.25× at N = 512, 1.2× at N = 1024, 1.9× at N = 2048).
pub const OFFLOAD_WORK: f64 = 8.0 * 1024.0 * 1024.0 * 16.0;

/// The layer's weights are drawn, and X·W_Q, X·W_K, X·W_V computed, on the Web Workers from this
/// many multiply-adds (3·N·d²) on: at N = 256, d = 512 (201 M) the draws and products were 34 of a
/// seed change's 46 ms of computing on the page's thread, and two workers share them.
pub const OFFLOAD_PROJECT: f64 = (1u64 << 25) as f64;

/// X·W_Q, X·W_K, X·W_V under way, block of rows by block of rows.
struct ProjectStep {
    x: Matrix,
    /// W_Q, W_K, W_V packed once for the products ([`pack`]).
    packed: Box<[Panels; 3]>,
    weights: LayerWeights,
    /// Q, K, V row-major, filled block by block (grown, not zeroed at once: 3·N·d floats).
    qkv: [Vec<f32>; 3],
    next_row: usize,
}

/// Where the job stands, with the data that stage works on.
enum Stage {
    Embed,
    /// X built [`EMBED_ROWS`] rows per step.
    Embedding {
        embedder: Embedder,
        x: Vec<f32>,
    },
    /// X made; the weight matrices drawn one per step (a d_model² draw each: ~9 ms at 512 in wasm).
    Weights {
        x: Matrix,
        drawn: Vec<Matrix>,
    },
    Project(ProjectStep),
    /// The weights and X·W handed to the workers, one per matrix ([`LayerWeights::LABELS`] order),
    /// taken back in order into `got`; `stalled` when the last poll found the next one not back.
    RemoteWeights {
        x: Matrix,
        calls: Vec<Box<dyn PendingWeight>>,
        got: Vec<WeightReply>,
        stalled: bool,
    },
    Heads {
        projected: Arc<Projected>,
        head: usize,
        next_row: usize,
        acc: HeadAcc,
    },
    /// Projections ready, no head started (the next step picks this thread or the workers).
    Attend {
        projected: Arc<Projected>,
    },
    /// Every head handed to the workers; taken back in order (`next` is the first not yet back).
    Remote {
        projected: Arc<Projected>,
        calls: Vec<Box<dyn PendingHead>>,
        next: usize,
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
    /// Where the heads may run besides this thread (the app's Web Workers).
    offload: Option<Rc<dyn Offload>>,
    /// The least work handed to `offload` ([`OFFLOAD_WORK`] unless a test lowers it).
    offload_min: f64,
    /// The least projection work (3·N·d²) handed to `offload` ([`OFFLOAD_PROJECT`] unless changed).
    project_min: f64,
    /// The answer of the next remote head, polled already (it came back with the one before).
    ahead: Option<Option<HeadReply>>,
}

impl SdpaJob {
    /// The same job, handing its heads to `offload` when it has threads and the heads are at least
    /// [`OFFLOAD_WORK`].
    pub fn with_offload(mut self, offload: Rc<dyn Offload>) -> Self {
        self.offload = Some(offload);
        self
    }

    /// Hands the heads to the offload from `work` (heads · N² · d_head) on, instead of [`OFFLOAD_WORK`].
    pub fn offload_from(mut self, work: f64) -> Self {
        self.offload_min = work;
        self
    }

    /// Hands the weights and projections to the offload from `work` (3·N·d²) on, instead of
    /// [`OFFLOAD_PROJECT`].
    pub fn offload_projections_from(mut self, work: f64) -> Self {
        self.project_min = work;
        self
    }

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
            offload: None,
            offload_min: OFFLOAD_WORK,
            project_min: OFFLOAD_PROJECT,
            ahead: None,
        };
        if let Some(r) = reuse {
            job.stage = Stage::Attend { projected: r.projected };
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
            acc: HeadAcc::new(n, self.side, PIPE_PX, self.pool),
        }
    }

    /// Records a finished head: its maps and its rows of the pooled concatenation (P·W_h)·V_h.
    fn add_head(&mut self, projected: &Projected, head: usize, summary: HeadSummary) {
        let dh = self.d_head;
        let v = projected.v.columns(head * dh, dh);
        let pooled_w = summary.weight_rows;
        let head_rows = matmul(pooled_w.view(), v);
        for b in 0..pooled_w.rows {
            self.concat_rows.row_mut(b)[head * dh..(head + 1) * dh].copy_from_slice(head_rows.row(b));
        }
        self.heads.push(HeadMaps {
            weights: summary.weights,
            mean_entropy: summary.mean_entropy,
            mean_max_weight: summary.mean_max_weight,
        });
    }

    fn embed(&mut self) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        self.positions.get_or_insert_with(|| Arc::new(position_codes(n, d)));
        Stage::Embedding {
            embedder: Embedder::new(d, self.key.seed),
            x: Vec::with_capacity(n * d),
        }
    }

    fn embed_rows(&mut self, mut embedder: Embedder, mut x: Vec<f32>) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        let first = x.len() / d.max(1);
        let last = (first + EMBED_ROWS).min(n);
        let positions = self.positions.get_or_insert_with(|| Arc::new(position_codes(n, d)));
        embedder.extend(&self.key.tokens[first..last], first, positions, &mut x);
        if last < n {
            return Stage::Embedding { embedder, x };
        }
        self.weights_stage(Matrix::from_vec(n, d, x))
    }

    fn draw_weight(&mut self, x: Matrix, mut drawn: Vec<Matrix>) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        drawn.push(LayerWeights::seeded_one(
            d,
            self.key.seed,
            LayerWeights::LABELS[drawn.len()],
        ));
        let four = match <[Matrix; 4]>::try_from(drawn) {
            Ok(four) => four,
            Err(drawn) => return Stage::Weights { x, drawn },
        };
        let weights = LayerWeights::from_array(four);
        Stage::Project(ProjectStep {
            x,
            packed: Box::new([&weights.w_q, &weights.w_k, &weights.w_v].map(|w| pack(w.view()))),
            weights,
            qkv: std::array::from_fn(|_| Vec::with_capacity(n * d)),
            next_row: 0,
        })
    }

    fn project(&mut self, p: ProjectStep) -> Stage {
        let ProjectStep {
            x,
            packed,
            weights,
            mut qkv,
            next_row,
        } = p;
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        let rows = project_rows(d).min(n - next_row);
        let xb = x.rows_view(next_row, rows);
        for (dst, w) in qkv.iter_mut().zip(packed.iter()) {
            let part = matmul_packed(xb, w);
            dst.extend_from_slice(&part.data);
        }
        self.done_work += 3.0 * rows as f64 * (d * d) as f64;
        if next_row + rows < n {
            return Stage::Project(ProjectStep {
                x,
                packed,
                weights,
                qkv,
                next_row: next_row + rows,
            });
        }
        let [q, k, v] = qkv.map(|data| Matrix::from_vec(n, d, data));
        self.projected(x, weights, [q, k, v])
    }

    /// The projections made (here or on the workers): the heads come next.
    fn projected(&self, x: Matrix, weights: LayerWeights, [q, k, v]: [Matrix; 3]) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
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
        Stage::Attend { projected }
    }

    fn step_head(&mut self, projected: Arc<Projected>, head: usize, next_row: usize, mut acc: HeadAcc) -> Stage {
        let n = self.key.tokens.len();
        let dh = self.d_head;
        let p = &projected;
        let (q, k) = (p.q.columns(head * dh, dh), p.k.columns(head * dh, dh));
        let scale = self.cfg.scale.factor(dh);
        let mask = causal_or_full(self.cfg.causal);
        let rows = ATTN_ROWS.min(n - next_row);
        let row_range = next_row..next_row + rows;
        if let ScoreSource::Kept(kept) = &mut self.scores {
            if kept.len() == head {
                kept.push(raw_scores(q, k));
            }
        }
        let scores = match &self.scores {
            ScoreSource::Reused(c) => Some(c.heads[head].as_slice()),
            ScoreSource::Kept(kept) => Some(kept[head].as_slice()),
            ScoreSource::Streamed => None,
        };
        acc.add_rows(q, k, scores, scale, mask, row_range, ATTN_ROWS);
        self.done_work += 4.0 * rows as f64 * n as f64 * dh as f64;
        if next_row + rows < n {
            return Stage::Heads {
                projected,
                head,
                next_row: next_row + rows,
                acc,
            };
        }
        self.add_head(&projected, head, acc.finish());
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
            Stage::Embedding { embedder, x } => self.embed_rows(embedder, x),
            Stage::Weights { x, drawn } => self.draw_weight(x, drawn),
            Stage::Project(p) => self.project(p),
            Stage::RemoteWeights { x, calls, got, .. } => self.step_remote_weights(x, calls, got),
            Stage::Heads {
                projected,
                head,
                next_row,
                acc,
            } => self.step_head(projected, head, next_row, acc),
            Stage::Attend { projected } => self.heads_stage(projected),
            Stage::Remote { projected, calls, next } => self.step_remote(projected, calls, next),
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

    fn waiting(&self) -> bool {
        match self.stage {
            Stage::Remote { .. } => self.ahead.is_none(),
            Stage::RemoteWeights { stalled, .. } => stalled,
            _ => false,
        }
    }

    fn finish(mut self) -> SdpaResult {
        while !self.is_done() {
            if self.waiting() {
                // Work on other threads cannot come back while this thread loops: done here.
                self.stage = match std::mem::replace(&mut self.stage, Stage::Embed) {
                    Stage::Remote { projected, next, .. } => self.head_stage(projected, next),
                    Stage::RemoteWeights { x, got, .. } => Self::local_weights(x, got),
                    other => other,
                };
            }
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

#[path = "job_remote.rs"]
mod remote;

#[cfg(test)]
#[path = "job_tests.rs"]
mod tests;
