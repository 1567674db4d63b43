//! The exact-attention worker's wasm side: one export per kind of part, called by
//! `assets/atlas-worker.js` on the Float32Arrays the main thread transferred. Pure engine calls; the
//! messages, transfers and errors are the script's.

/// One part of an exact attention call ([`attention_engine::split::attend_part`]): `heads` heads of
/// Q (`heads × rows × d`) against K, V (`heads × keys × d`), causal from global row `row0` or full,
/// scale 1/√d. Returns O, `heads × rows × d`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn worker_attend(q: &[f32], k: &[f32], v: &[f32], heads: usize, d: usize, causal: bool, row0: usize) -> Vec<f32> {
    let scale = 1.0 / (d.max(1) as f32).sqrt();
    attention_engine::split::attend_part(q, k, v, heads, d, scale, causal, row0)
}

fn main() {}
