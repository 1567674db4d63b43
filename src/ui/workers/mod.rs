//! The exact-attention Web Worker pool: up to [`MAX_WORKERS`] dedicated workers
//! (`assets/atlas-worker.js`, each instantiating the small engine-only wasm of `src/worker/`), started
//! once in the background ([`warm`]) and shared by every view. A call is split into parts
//! (`attention::split`: whole heads, or causal-balanced row ranges of one head), each part's inputs are
//! copied into fresh Float32Arrays and *transferred* to an idle worker, and the parts' outputs come
//! back transferred too. Nothing blocks: callers poll ([`crate::view_model::offload::PendingCall`]) and
//! the job runner sleeps on [`activity`] between polls.
//!
//! Fallback: when workers cannot start (no `Worker`, a sandboxed embed with an opaque origin, a
//! `file:` page, a failed load, `hardwareConcurrency` < 2, or the test hook
//! `window.__atlasWorkers = 0` set before the app starts), [`threads`] is 0 and every caller computes
//! on its own thread, silently. Cancelling: a caller that drops its call drops its queued parts (a
//! part already running finishes in its worker and is discarded).
//!
//! `pool.rs` holds the workers and the queue, `attend.rs` the exact-attention calls; `heads.rs` the SDPA
//! chapter's per-head summaries sent as one message per worker, and the [`Workers`] handle;
//! `weights.rs` the same chapter's layer weights and projections, one part per matrix.

mod attend;
mod heads;
mod pool;
mod weights;

pub use attend::{attend, attend_arrays, Call};
pub use heads::Workers;
pub use pool::{activity, relaxed_simd, started, starting, threads, warm, MAX_WORKERS};
