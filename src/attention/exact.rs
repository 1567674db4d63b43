//! Exact scaled dot-product attention for one head: O = softmax(Q·Kᵀ·scale + M)·V.
//!
//! The kernel works in blocks of query rows: S_b = Q_b·Kᵀ (one gemm), softmax each row, O_b = W_b·V
//! (one gemm). A visitor sees every block's raw scores and weights, which is how the views pool the
//! N×N matrix to canvas pixels without ever storing it whole. Memory is O(block · N), not O(N²).
//! With a contiguous mask (causal) both products are restricted to the keys the block may see, so a
//! causal layer costs about half a full one.

use std::ops::Range;

use crate::attention::fast_exact::attend_fast;
use crate::attention::mask::{scale_and_mask_row, AttentionMask};
use crate::attention::matrix::{matmul_acc_into, matmul_transb_into, matmul_transb_into_strided, MatRef, Matrix};
use crate::attention::softmax::{softmax_in_place, SoftmaxStats};

/// One block of query rows as the kernel computed it.
pub struct RowBlock<'a> {
    /// Index of the first query row in the block.
    pub start: usize,
    /// Number of keys (the row length).
    pub n_keys: usize,
    /// Raw scores q_i·k_j, row-major `rows × n_keys`, before scale and mask. Only the columns in
    /// `keys` are guaranteed; [`attention_rows`] leaves the others 0 instead of computing them.
    pub raw: &'a [f32],
    /// Attention weights softmax(raw·scale + mask), row-major `rows × n_keys`.
    pub weights: &'a [f32],
    /// Each row's softmax statistics (largest logit and normaliser).
    pub stats: &'a [SoftmaxStats],
    /// The keys some row of the block may attend to; all keys unless the mask is contiguous.
    pub keys: Range<usize>,
}

impl RowBlock<'_> {
    /// Number of query rows in this block.
    pub fn rows(&self) -> usize {
        self.raw.len().checked_div(self.n_keys).unwrap_or(0)
    }
}

/// Default number of query rows per block: enough for a good gemm, small enough to stay in cache.
pub const DEFAULT_BLOCK_ROWS: usize = 64;

/// The keys query rows `rows` may attend to, as one range: the union of their key ranges for a
/// contiguous mask (causal block b sees keys 0..end of b), all keys otherwise.
pub fn block_key_span(mask: &dyn AttentionMask, rows: Range<usize>, n_keys: usize) -> Range<usize> {
    if !mask.is_contiguous() {
        return 0..n_keys;
    }
    let (mut lo, mut hi) = (n_keys, 0);
    for i in rows {
        let r = mask.key_range(i, n_keys);
        if r.start < r.end {
            lo = lo.min(r.start);
            hi = hi.max(r.end);
        }
    }
    if lo < hi {
        lo..hi
    } else {
        0..0
    }
}

/// Computes rows `rows` of O = softmax(Q·Kᵀ·scale + M)·V into `out` (row-major `q.rows × v.cols`),
/// calling `visit` once per block of at most `block_rows` query rows.
#[allow(clippy::too_many_arguments)]
pub fn attention_rows(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    rows: Range<usize>,
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
    let mut blocks = BlockBuffers::new(block_rows, n_keys);
    let mut start = rows.start;
    while start < rows.end {
        let count = block_rows.min(rows.end - start);
        let raw_b = &mut raw[..count * n_keys];
        let keys = block_key_span(mask, start..start + count, n_keys);
        let (lo, hi) = (keys.start, keys.end);
        if hi - lo == n_keys {
            matmul_transb_into(1.0, q.rows_range(start, count), k, raw_b);
        } else {
            for row in raw_b.chunks_exact_mut(n_keys) {
                row[..lo].fill(0.0);
                row[hi..].fill(0.0);
            }
            if lo < hi {
                let k_span = k.rows_range(lo, hi - lo);
                matmul_transb_into_strided(1.0, q.rows_range(start, count), k_span, &mut raw_b[lo..], n_keys);
            }
        }
        let out_b = &mut out[start * v.cols..(start + count) * v.cols];
        blocks.finish_block(start, raw_b, keys, v, scale, mask, out_b, &mut visit);
        start += count;
    }
}

/// [`attention_rows`] from precomputed raw scores S = Q·Kᵀ (row-major `n_queries × n_keys`, all
/// rows): the same weights, output and visits without the score product — what a view uses when
/// only the mask or the scale changed.
#[allow(clippy::too_many_arguments)]
pub fn attention_rows_from_scores(
    scores: &[f32],
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    rows: Range<usize>,
    block_rows: usize,
    out: &mut [f32],
    mut visit: impl FnMut(&RowBlock<'_>),
) {
    let n_keys = v.rows;
    assert_eq!(scores.len() % n_keys.max(1), 0, "scores must be n_queries × n_keys");
    let n_queries = scores.len().checked_div(n_keys).unwrap_or(0);
    assert!(rows.end <= n_queries, "rows beyond the score matrix");
    assert_eq!(out.len(), n_queries * v.cols, "output buffer must be n_queries × d_v");
    let block_rows = block_rows.max(1);
    let mut blocks = BlockBuffers::new(block_rows, n_keys);
    let mut start = rows.start;
    while start < rows.end {
        let count = block_rows.min(rows.end - start);
        let raw_b = &scores[start * n_keys..(start + count) * n_keys];
        let keys = block_key_span(mask, start..start + count, n_keys);
        let out_b = &mut out[start * v.cols..(start + count) * v.cols];
        blocks.finish_block(start, raw_b, keys, v, scale, mask, out_b, &mut visit);
        start += count;
    }
}

/// Weight and statistics buffers reused across the blocks of one call.
struct BlockBuffers {
    weights: Vec<f32>,
    stats: Vec<SoftmaxStats>,
    n_keys: usize,
}

impl BlockBuffers {
    fn new(block_rows: usize, n_keys: usize) -> Self {
        Self {
            weights: vec![0.0; block_rows * n_keys],
            stats: vec![SoftmaxStats::default(); block_rows],
            n_keys,
        }
    }

    /// From a block's raw scores: weights = softmax(raw·scale + mask) row by row (only over `keys`,
    /// zero elsewhere), out_b = weights·V over those keys, then the visit.
    #[allow(clippy::too_many_arguments)]
    fn finish_block(
        &mut self,
        start: usize,
        raw_b: &[f32],
        keys: Range<usize>,
        v: MatRef<'_>,
        scale: f32,
        mask: &dyn AttentionMask,
        out_b: &mut [f32],
        visit: &mut impl FnMut(&RowBlock<'_>),
    ) {
        let n_keys = self.n_keys;
        let count = raw_b.len() / n_keys.max(1);
        let w_b = &mut self.weights[..count * n_keys];
        let (lo, hi) = (keys.start, keys.end);
        for r in 0..count {
            let src = &raw_b[r * n_keys..(r + 1) * n_keys];
            let dst = &mut w_b[r * n_keys..(r + 1) * n_keys];
            scale_and_mask_row(mask, start + r, src, scale, dst);
            dst[..lo].fill(0.0);
            dst[hi..].fill(0.0);
            self.stats[r] = softmax_in_place(&mut dst[lo..hi]);
        }
        out_b.fill(0.0);
        if lo < hi {
            let w_view = MatRef {
                data: w_b,
                offset: lo,
                rows: count,
                cols: hi - lo,
                row_stride: n_keys,
            };
            matmul_acc_into(w_view, v.rows_range(lo, hi - lo), out_b);
        }
        visit(&RowBlock {
            start,
            n_keys,
            raw: raw_b,
            weights: w_b,
            stats: &self.stats[..count],
            keys,
        });
    }
}

/// O = softmax(Q·Kᵀ·scale + M)·V for all rows. Under wasm `simd128`: [`attend_fast`] where it
/// applies (prefix masks such as full and causal, d_v a multiple of 8). Otherwise, and natively
/// (where `matrixmultiply` picks 256-bit AVX2/FMA kernels at run time and beats 128-bit tiles), the
/// blocked kernel [`attention_rows`].
pub fn attend(q: MatRef<'_>, k: MatRef<'_>, v: MatRef<'_>, scale: f32, mask: &dyn AttentionMask) -> Matrix {
    let mut out = Matrix::zeros(q.rows, v.cols);
    let simd128 = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));
    if simd128 && attend_fast(q, k, v, scale, mask, &mut out.data) {
        return out;
    }
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
    use crate::attention::matrix::matmul_transb;
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn causal_blocks_see_only_the_keys_up_to_their_last_row() {
        assert_eq!(block_key_span(&Causal, 10..20, 50), 0..20);
        assert_eq!(block_key_span(&Causal, 40..64, 50), 0..50);
        assert_eq!(block_key_span(&Full, 10..20, 50), 0..50);
        assert_eq!(block_key_span(&Causal, 3..3, 50), 0..0);
    }

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
                    let row = w.row(b.start + r);
                    for (got, want) in b.weights[r * 37..(r + 1) * 37].iter().zip(row) {
                        assert!((got - want).abs() < 1e-6);
                    }
                    let w_max = row.iter().copied().fold(0.0, f32::max);
                    assert!((b.stats[r].max_weight() - w_max).abs() < 1e-6);
                }
                seen += b.rows();
            });
            assert_eq!(seen, 37);
            assert!(got.max_abs_diff(&expect) < 1e-5);
            let scores = matmul_transb(q.view(), k.view());
            let mut again = Matrix::zeros(37, 5);
            attention_rows_from_scores(&scores.data, v.view(), 0.3, mask, 0..37, 16, &mut again.data, |b| {
                assert_eq!(b.raw, &scores.data[b.start * 37..(b.start + b.rows()) * 37]);
            });
            assert!(
                again.max_abs_diff(&got) < 1e-6,
                "precomputed scores give the same output"
            );
            let row = attention_row(q.view(), k.view(), 20, 0.3, mask);
            for (j, r) in row.iter().enumerate() {
                assert!((r - w.get(20, j)).abs() < 1e-6);
            }
        }
    }
}
