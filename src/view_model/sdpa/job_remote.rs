//! The worker half of [`SdpaJob`]: every head handed to the Web Workers when it pays off, and taken
//! back one head per step.

use std::task::Poll;

use super::{ScoreSource, SdpaJob, Stage};
use crate::view_model::offload::{HeadTask, PendingHead};
use crate::view_model::sdpa::result::{Projected, ATTN_ROWS, PIPE_PX};
use std::sync::Arc;

impl SdpaJob {
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
