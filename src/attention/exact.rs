//! Exact scaled dot-product attention for one head: O = softmax(Q·Kᵀ·scale + M)·V.
//!
//! The kernel works in blocks of query rows: S_b = Q_b·Kᵀ (one gemm), softmax each row, O_b = W_b·V
//! (one gemm). A visitor sees every block's raw scores and weights, which is how the views pool the
//! N×N matrix to canvas pixels without ever storing it whole. Memory is O(block · N), not O(N²).

use crate::attention::mask::{scale_and_mask_row, AttentionMask};
use crate::attention::matrix::{matmul_acc_into, matmul_transb_into, MatRef, Matrix};
use crate::attention::softmax::softmax_in_place;

/// One block of query rows as the kernel computed it.
pub struct RowBlock<'a> {
    /// Index of the first query row in the block.
    pub start: usize,
    /// Number of keys (the row length).
    pub n_keys: usize,
    /// Raw scores q_i·k_j, row-major `rows × n_keys`, before scale and mask.
    pub raw: &'a [f32],
    /// Attention weights softmax(raw·scale + mask), row-major `rows × n_keys`.
    pub weights: &'a [f32],
}

impl RowBlock<'_> {
    /// Number of query rows in this block.
    pub fn rows(&self) -> usize {
        self.raw.len().checked_div(self.n_keys).unwrap_or(0)
    }
}

/// Default number of query rows per block: enough for a good gemm, small enough to stay in cache.
pub const DEFAULT_BLOCK_ROWS: usize = 64;

/// Computes rows `rows` of O = softmax(Q·Kᵀ·scale + M)·V into `out` (row-major `q.rows × v.cols`),
/// calling `visit` once per block of at most `block_rows` query rows.
#[allow(clippy::too_many_arguments)]
pub fn attention_rows(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    rows: std::ops::Range<usize>,
    block_rows: usize,
    out: &mut [f32],
    mut visit: impl FnMut(&RowBlock<'_>),
) {
    assert_eq!(q.cols, k.cols, "q and k widths differ");
    assert_eq!(k.rows, v.rows, "k and v lengths differ");
    assert_eq!(out.len(), q.rows * v.cols, "output buffer must be n_queries × d_v");
    let n_keys = k.rows;
    let block_rows = block_rows.max(1);
    let mut raw = vec![0.0f32; block_rows * n_keys];
    let mut weights = vec![0.0f32; block_rows * n_keys];
    let mut start = rows.start;
    while start < rows.end {
        let count = block_rows.min(rows.end - start);
        let raw_b = &mut raw[..count * n_keys];
        let w_b = &mut weights[..count * n_keys];
        matmul_transb_into(1.0, q.rows_range(start, count), k, raw_b);
        for r in 0..count {
            let i = start + r;
            let src = &raw_b[r * n_keys..(r + 1) * n_keys];
            let dst = &mut w_b[r * n_keys..(r + 1) * n_keys];
            scale_and_mask_row(mask, i, src, scale, dst);
            softmax_in_place(dst);
        }
        let out_b = &mut out[start * v.cols..(start + count) * v.cols];
        out_b.fill(0.0);
        let w_view = MatRef {
            data: w_b,
            offset: 0,
            rows: count,
            cols: n_keys,
            row_stride: n_keys,
        };
        matmul_acc_into(w_view, v, out_b);
        visit(&RowBlock {
            start,
            n_keys,
            raw: raw_b,
            weights: w_b,
        });
        start += count;
    }
}

/// O = softmax(Q·Kᵀ·scale + M)·V for all rows (the reference exact kernel).
pub fn attend(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, scale: f32, mask: &dyn AttentionMask) -> Matrix {
    let mut out = Matrix::zeros(q.rows, v.cols);
    attention_rows(
        q,
        k,
        v,
        scale,
        mask,
        0..q.rows,
        DEFAULT_BLOCK_ROWS,
        &mut out.data,
        |_| {},
    );
    out
}

/// The full attention matrix W = softmax(Q·Kᵀ·scale + M), `n_queries × n_keys`, row-major.
pub fn attention_weights(q: MatRef<'_>, k: MatRef<'_>, scale: f32, mask: &dyn AttentionMask) -> Matrix {
    let n_keys = k.rows;
    let mut w = Matrix::zeros(q.rows, n_keys);
    matmul_transb_into(1.0, q, k, &mut w.data);
    for i in 0..q.rows {
        let row = w.row_mut(i);
        let raw = row.to_vec();
        scale_and_mask_row(mask, i, &raw, scale, row);
        softmax_in_place(row);
    }
    w
}

/// Weight row i alone: softmax over j of q_i·k_j·scale (masked) — what the hover readout shows.
pub fn attention_row(q: MatRef<'_>, k: MatRef<'_>, i: usize, scale: f32, mask: &dyn AttentionMask) -> Vec<f32> {
    let qi = q.row(i);
    let mut row: Vec<f32> = (0..k.rows)
        .map(|j| {
            if mask.allows(i, j) {
                qi.iter().zip(k.row(j)).map(|(a, b)| a * b).sum::<f32>() * scale
            } else {
                f32::NEG_INFINITY
            }
        })
        .collect();
    softmax_in_place(&mut row);
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::mask::{Causal, Full};
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn blocked_kernel_equals_weights_times_values() {
        let mut rng = stream(5, "t");
        let q = normal_matrix(&mut rng, 37, 8, 1.0);
        let k = normal_matrix(&mut rng, 37, 8, 1.0);
        let v = normal_matrix(&mut rng, 37, 5, 1.0);
        for mask in [&Full as &dyn AttentionMask, &Causal] {
            let w = attention_weights(q.view(), k.view(), 0.3, mask);
            let expect = w.matmul(&v);
            let mut got = Matrix::zeros(37, 5);
            let mut seen = 0;
            attention_rows(q.view(), k.view(), v.view(), 0.3, mask, 0..37, 10, &mut got.data, |b| {
                for r in 0..b.rows() {
                    for j in 0..37 {
                        assert!((b.weights[r * 37 + j] - w.get(b.start + r, j)).abs() < 1e-6);
                    }
                }
                seen += b.rows();
            });
            assert_eq!(seen, 37);
            assert!(got.max_abs_diff(&expect) < 1e-5);
            let row = attention_row(q.view(), k.view(), 20, 0.3, mask);
            for (j, r) in row.iter().enumerate() {
                assert!((r - w.get(20, j)).abs() < 1e-6);
            }
        }
    }
}
