//! Exact attention computed by other threads, as a job sees it: the UI's Web Worker pool
//! (`ui::workers`) implements [`Offload`]; the view model only starts calls and polls them, so jobs
//! stay pure and testable (a job without an `Offload` runs everything on its own thread).

use std::task::Poll;

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

    /// Starts O = softmax(Q·Kᵀ/√d + M)·V of `[heads, n, d]` Q, K, V (M causal or none), split over
    /// the threads (`attention::split`). None when nothing can start.
    fn start(&self, q: &[f32], k: &[f32], v: &[f32], heads: usize, d: usize, causal: bool)
        -> Option<Box<dyn PendingCall>>;
}
