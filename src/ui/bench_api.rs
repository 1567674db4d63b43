//! Entry points for the peer benchmark (`tests/e2e/bench-ort.mjs`): the engine's exact attention called
//! from JavaScript on Float32Arrays, as onnxruntime-web is. Not used by the app itself.

use wasm_bindgen::prelude::*;

use crate::attention::packed::{attend_packed, ExactKernel};

/// O = softmax(Q·Kᵀ/√d + M)·V for `heads` heads, Q, K, V and O `[heads, N, d]` row-major f32 (N from
/// the lengths), M causal or none; `fast` picks the tuned kernel, otherwise the blocked one.
#[wasm_bindgen]
pub fn atlas_exact_attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    heads: usize,
    d: usize,
    causal: bool,
    fast: bool,
) -> Vec<f32> {
    let kernel = if fast { ExactKernel::Fast } else { ExactKernel::Blocked };
    attend_packed(q, k, v, heads, d, 1.0 / (d.max(1) as f32).sqrt(), causal, kernel)
}

/// Starts the Web Worker pool (`ui::workers`) and resolves to the number of workers ready, once all
/// have started or after `timeout_ms` (0 when workers are unavailable).
#[wasm_bindgen]
pub async fn atlas_workers_ready(timeout_ms: f64) -> usize {
    crate::ui::workers::warm();
    let t0 = crate::ui::browser::now_ms();
    while crate::ui::browser::now_ms() - t0 < timeout_ms {
        let ready = crate::ui::workers::threads();
        if ready > 0 && ready == crate::ui::workers::started() {
            return ready;
        }
        crate::ui::workers::activity().await;
    }
    crate::ui::workers::threads()
}

/// [`atlas_exact_attention`] (fast kernel) split over the Web Worker pool, over at most `at_most`
/// workers when given (1: the whole call on one worker thread, in the workers' relaxed-SIMD build
/// where the browser has it): resolves to O as a Float32Array, or to `undefined` when no worker is
/// ready or a part failed (callers fall back).
#[wasm_bindgen]
pub async fn atlas_exact_attention_workers(
    q: js_sys::Float32Array,
    k: js_sys::Float32Array,
    v: js_sys::Float32Array,
    heads: usize,
    d: usize,
    causal: bool,
    at_most: Option<usize>,
) -> Option<js_sys::Float32Array> {
    let workers = crate::ui::workers::threads().min(at_most.unwrap_or(usize::MAX));
    let mut call = crate::ui::workers::attend_arrays(&q, &k, &v, heads, d, causal, workers)?;
    loop {
        if let std::task::Poll::Ready(out) = call.poll_array() {
            return out;
        }
        crate::ui::workers::activity().await;
    }
}
