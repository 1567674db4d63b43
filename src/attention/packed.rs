//! Exact attention of several heads stored head-major, `[H, N, d]` contiguous (the layout of an
//! ONNX / PyTorch `[heads, seq, width]` tensor): O_h = softmax(Q_h·K_hᵀ·scale + M)·V_h for every head h.
//! What the peer benchmark against onnxruntime-web calls, with either exact kernel.

use crate::attention::exact::{attention_rows, DEFAULT_BLOCK_ROWS};
use crate::attention::fast_exact::attend_fast;
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::MatRef;

/// Which exact kernel computes each head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExactKernel {
    /// `exact::attention_rows`: 64-row blocks, the dense products of `matrix`, the visitor's weights.
    Blocked,
    /// `fast_exact::attend_fast`: the one-thread kernel tuned for wasm `simd128`.
    Fast,
}

/// Head h of a head-major `[heads, n, width]` buffer as an `n × width` view.
fn head(data: &[f32], h: usize, n: usize, width: usize) -> MatRef<'_> {
    MatRef {
        data,
        offset: h * n * width,
        rows: n,
        cols: width,
        row_stride: width,
    }
}

/// O = softmax(Q·Kᵀ·scale + M)·V per head for Q, K, V of `heads × n × d` floats, head-major; M is
/// causal (j ≤ i) or none. Returns O, `heads × n × d`, head-major. Panics if the lengths disagree.
pub fn attend_packed(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    heads: usize,
    d: usize,
    scale: f32,
    causal: bool,
    kernel: ExactKernel,
) -> Vec<f32> {
    let per_head = heads.max(1) * d.max(1);
    assert!(q.len() % per_head == 0, "q is not heads × n × d");
    assert!(q.len() == k.len() && q.len() == v.len(), "q, k and v lengths differ");
    let n = q.len() / per_head;
    let mut out = vec![0.0f32; q.len()];
    for (h, out_h) in out.chunks_exact_mut((n * d).max(1)).enumerate().take(heads) {
        let (qh, kh, vh) = (head(q, h, n, d), head(k, h, n, d), head(v, h, n, d));
        match kernel {
            ExactKernel::Blocked => {
                let mask = causal_or_full(causal);
                attention_rows(qh, kh, vh, scale, mask, 0..n, DEFAULT_BLOCK_ROWS, out_h, |_| {})
            }
            ExactKernel::Fast => {
                let mask = causal_or_full(causal);
                if !attend_fast(qh, kh, vh, scale, mask, out_h) {
                    attention_rows(qh, kh, vh, scale, mask, 0..n, DEFAULT_BLOCK_ROWS, out_h, |_| {})
                }
            }
        }
    }
    out
}
