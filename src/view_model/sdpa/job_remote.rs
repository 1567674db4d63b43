//! The worker half of [`SdpaJob`]: the layer's weights and projections, and every head, handed to
//! the Web Workers when it pays off, and taken back one per step.

use std::task::Poll;

use super::{ScoreSource, SdpaJob, Stage};
use crate::attention::matrix::Matrix;
use crate::attention::multi_head::LayerWeights;
use crate::view_model::offload::{HeadTask, PendingHead, PendingWeight, WeightReply};
use crate::view_model::sdpa::result::{Projected, ATTN_ROWS, PIPE_PX};
use std::sync::Arc;

impl SdpaJob {
    /// X made: W_Q, W_K, W_V, W_O drawn and X·W computed on the workers when they are there and it
    /// pays off ([`super::OFFLOAD_PROJECT`]), else drawn here one per step.
    pub(super) fn weights_stage(&mut self, x: Matrix) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        let work = 3.0 * n as f64 * (d * d) as f64;
        if work < self.project_min || self.offload.as_ref().is_none_or(|o| o.threads() == 0) {
            return Self::local_weights(x, Vec::new());
        }
        self.start_next_weight(x, Vec::new(), Vec::new())
    }

    /// Starts the next of the four matrices (one per step: at N = 4096 each copies 8 MB of X).
    fn start_next_weight(&mut self, x: Matrix, mut calls: Vec<Box<dyn PendingWeight>>, got: Vec<WeightReply>) -> Stage {
        let label = calls.len();
        // W_O is only drawn (the job pools it); the others are projected too.
        let input = (label < 3).then(|| x.view());
        let call = self
            .offload
            .as_ref()
            .and_then(|o| o.start_weight(input, self.key.d_model, self.key.seed, label));
        let Some(call) = call else {
            // Cannot start: what is out is dropped (its answer discarded) and all is done here.
            return Self::local_weights(x, Vec::new());
        };
        calls.push(call);
        Stage::RemoteWeights {
            x,
            calls,
            got,
            stalled: false,
        }
    }

    /// The rest of the weights drawn here, and every projection computed here (a part failed, or
    /// the job must end on this thread).
    pub(super) fn local_weights(x: Matrix, got: Vec<WeightReply>) -> Stage {
        Stage::Weights {
            x,
            drawn: got.into_iter().map(|(w, _)| w).collect(),
        }
    }

    /// Takes back the next weight matrix when it is there (one per step: at N = 4096 a projection
    /// is 8 MB to copy out of the worker's answer); once all four are, the projections are made.
    pub(super) fn step_remote_weights(
        &mut self,
        x: Matrix,
        mut calls: Vec<Box<dyn PendingWeight>>,
        mut got: Vec<WeightReply>,
    ) -> Stage {
        let (n, d) = (self.key.tokens.len(), self.key.d_model);
        if calls.len() < LayerWeights::LABELS.len() {
            return self.start_next_weight(x, calls, got);
        }
        match calls[got.len()].poll() {
            Poll::Pending => {
                return Stage::RemoteWeights {
                    x,
                    calls,
                    got,
                    stalled: true,
                }
            }
            Poll::Ready(None) => return Self::local_weights(x, got),
            Poll::Ready(Some((w, xw))) => {
                // W_O is only drawn; the other three come with X·W. Anything else: computed here.
                let projects = got.len() < 3;
                let shaped = |m: &Matrix, rows: usize| (m.rows, m.cols) == (rows, d) && m.data.len() == rows * d;
                let ok = shaped(&w, d)
                    && match (&xw, projects) {
                        (Some(p), true) => shaped(p, n),
                        (None, false) => true,
                        _ => false,
                    };
                if !ok {
                    return Self::local_weights(x, got);
                }
                if projects {
                    self.done_work += (n * d * d) as f64;
                }
                got.push((w, xw));
            }
        }
        if got.len() < calls.len() {
            return Stage::RemoteWeights {
                x,
                calls,
                got,
                stalled: false,
            };
        }
        let mut mats = got.into_iter();
        let mut next = || mats.next().expect("four replies");
        let ((w_q, q), (w_k, k), (w_v, v), (w_o, _)) = (next(), next(), next(), next());
        let (Some(q), Some(k), Some(v)) = (q, k, v) else {
            unreachable!("checked as each came back")
        };
        let weights = LayerWeights::from_array([w_q, w_k, w_v, w_o]);
        self.projected(x, weights, [q, k, v])
    }

    /// The first head's stage: every head on the workers when they are there and it pays off.
    pub(super) fn heads_stage(&mut self, projected: Arc<Projected>) -> Stage {
        let n = self.key.tokens.len();
        let work = (self.cfg.n_heads * n * n * self.d_head) as f64;
        let Some(offload) = self
            .offload
            .clone()
            .filter(|o| work >= self.offload_min && o.threads() > 0)
        else {
            return self.head_stage(projected, 0);
        };
        let dh = self.d_head;
        let keep = matches!(self.scores, ScoreSource::Kept(_));
        let tasks: Vec<HeadTask<'_>> = (0..self.cfg.n_heads)
            .map(|head| HeadTask {
                q: projected.q.columns(head * dh, dh),
                k: projected.k.columns(head * dh, dh),
                scores: match &self.scores {
                    ScoreSource::Reused(c) => Some(c.heads[head].as_slice()),
                    _ => None,
                },
                keep,
                scale: self.cfg.scale.factor(dh),
                causal: self.cfg.causal,
                side: self.side,
                pipe: PIPE_PX,
                pool: self.pool,
                block: ATTN_ROWS,
            })
            .collect();
        let started = offload.start_heads(&tasks).filter(|c| c.len() == tasks.len());
        drop(tasks);
        let Some(calls) = started else {
            return self.head_stage(projected, 0);
        };
        Stage::Remote {
            projected,
            calls,
            next: 0,
        }
    }

    /// Takes back the heads that are done, in order; a failed head and the rest run here.
    pub(super) fn step_remote(
        &mut self,
        projected: Arc<Projected>,
        mut calls: Vec<Box<dyn PendingHead>>,
        next: usize,
    ) -> Stage {
        let n = self.key.tokens.len();
        if next >= calls.len() {
            return Stage::Output { projected };
        }
        // One head per step: at N = 4096 taking a head back (its maps out of the worker's answer,
        // its pooled weights times V_h) is several ms, and all eight may be back at once. The next
        // head's answer, when already there, is kept for the next step (`ahead`): the runner must not
        // sleep waiting for a message that has come.
        let reply = match self.ahead.take() {
            Some(reply) => Poll::Ready(reply),
            None => calls[next].poll(),
        };
        match reply {
            Poll::Pending => Stage::Remote { projected, calls, next },
            Poll::Ready(None) => self.head_stage(projected, next),
            Poll::Ready(Some((summary, scores))) => {
                if let ScoreSource::Kept(kept) = &mut self.scores {
                    match scores {
                        Some(s) if kept.len() == next && s.len() == n * n => kept.push(s),
                        _ => return self.head_stage(projected, next),
                    }
                }
                self.done_work += 4.0 * (n * n * self.d_head) as f64;
                self.add_head(&projected, next, summary);
                let next = next + 1;
                if next == calls.len() {
                    return Stage::Output { projected };
                }
                if let Poll::Ready(reply) = calls[next].poll() {
                    self.ahead = Some(reply);
                }
                Stage::Remote { projected, calls, next }
            }
        }
    }
}
