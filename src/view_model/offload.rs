//! Exact attention computed by other threads, as a job sees it: the UI's Web Worker pool
//! (`ui::workers`) implements [`Offload`]; the view model only starts calls and polls them, so jobs
//! stay pure and testable (a job without an `Offload` runs everything on its own thread).

use std::task::Poll;

use crate::attention::head_summary::HeadSummary;
use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::pooling::PoolMode;

/// One exact attention call in flight on other threads.
pub trait PendingCall {
    /// The output once every part is back (`Ready(Some(o))`), `Ready(None)` when a part failed (the
    /// caller then computes the call itself), `Pending` meanwhile.
    fn poll(&mut self) -> Poll<Option<Vec<f32>>>;
}

/// Somewhere exact attention can run besides this thread.
pub trait Offload {
    /// Threads that can take work now (0: none, the caller computes itself).
    fn threads(&self) -> usize;

    /// True while threads are still starting (none ready yet, some may be soon): a caller that
    /// needs them waits instead of giving up.
    fn starting(&self) -> bool {
        false
    }

    /// Starts O = softmax(Q·Kᵀ/√d + M)·V of `[heads, n, d]` Q, K, V (M causal or none), split over
    /// the threads (`attention::split`). None when nothing can start.
    fn start(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        heads: usize,
        d: usize,
        causal: bool,
    ) -> Option<Box<dyn PendingCall>>;

    /// Starts heads of the SDPA view ([`HeadTask`]), one pending head per task in order (grouped per
    /// thread: one message each way per thread); None when they cannot start (the default).
    fn start_heads(&self, _tasks: &[HeadTask<'_>]) -> Option<Vec<Box<dyn PendingHead>>> {
        None
    }

    /// Starts one weight matrix of the SDPA layer on another thread: `LABELS[label]` of
    /// [`crate::attention::multi_head::LayerWeights`] for `seed`, and X·W when `x` is given
    /// ([`crate::attention::multi_head::LayerWeights::seeded_projection`]). None when it cannot
    /// start (the default).
    fn start_weight(
        &self,
        _x: Option<MatRef<'_>>,
        _d: usize,
        _seed: u64,
        _label: usize,
    ) -> Option<Box<dyn PendingWeight>> {
        None
    }
}

/// One weight matrix and its projection X·W (none for W_O).
pub type WeightReply = (Matrix, Option<Matrix>);

/// One weight matrix in flight on another thread.
pub trait PendingWeight {
    /// `Ready(Some(reply))` when back, `Ready(None)` when it failed (the caller computes it).
    fn poll(&mut self) -> Poll<Option<WeightReply>>;
}

/// One head of the "Scaled dot-product attention" view for another thread: its summary
/// (`attention::head_summary::summarize_head`) from Q_h, K_h (N × d_head) or the raw scores.
pub struct HeadTask<'a> {
    pub q: MatRef<'a>,
    pub k: MatRef<'a>,
    /// Raw scores S_h (N × N) kept from an earlier run, if any.
    pub scores: Option<&'a [f32]>,
    /// Return S_h when it is computed (the view keeps it between runs).
    pub keep: bool,
    pub scale: f32,
    pub causal: bool,
    pub side: usize,
    pub pipe: usize,
    pub pool: PoolMode,
    pub block: usize,
}

/// A head summary and the raw scores it computed (when asked to keep them).
pub type HeadReply = (HeadSummary, Option<Vec<f32>>);

/// One head in flight on another thread.
pub trait PendingHead {
    /// `Ready(Some(reply))` when back, `Ready(None)` when it failed (the caller computes the head).
    fn poll(&mut self) -> Poll<Option<HeadReply>>;
}

/// Test support: a reply that comes back at its second poll (one `Pending` first), as a worker's
/// would; the jobs' tests build their fake pools from it.
#[cfg(test)]
pub(crate) struct Later<T>(Option<T>, usize);

#[cfg(test)]
impl<T> Later<T> {
    /// `reply` (None: the part failed), due at the second poll.
    pub(crate) fn new(reply: Option<T>) -> Self {
        Self(reply, 0)
    }

    /// `reply`, there at the first poll (the worker answered before it was asked for).
    pub(crate) fn now(reply: Option<T>) -> Self {
        Self(reply, 1)
    }

    fn next(&mut self) -> Poll<Option<T>> {
        self.1 += 1;
        if self.1 < 2 {
            Poll::Pending
        } else {
            Poll::Ready(self.0.take())
        }
    }
}

#[cfg(test)]
impl PendingCall for Later<Vec<f32>> {
    fn poll(&mut self) -> Poll<Option<Vec<f32>>> {
        self.next()
    }
}

#[cfg(test)]
impl PendingWeight for Later<WeightReply> {
    fn poll(&mut self) -> Poll<Option<WeightReply>> {
        self.next()
    }
}

#[cfg(test)]
impl PendingHead for Later<HeadReply> {
    fn poll(&mut self) -> Poll<Option<HeadReply>> {
        self.next()
    }
}
