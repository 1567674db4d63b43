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
