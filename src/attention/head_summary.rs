//! What the "Scaled dot-product attention" view keeps of one head's N × N weights, accumulated as
//! blocks of query rows stream by (the matrix itself is never stored): the weights pooled to display
//! resolution (masked cells NaN), the weights with rows mean-pooled (P·W, whose product with V is the
//! pooled head output), and the mean row entropy and largest weight. One code path for the view's
//! one-thread job (block by block, between yields) and for a Web Worker (all rows at once), so both
//! give the same numbers.

use std::ops::Range;

use crate::attention::exact::{attention_rows, attention_rows_from_scores, RowBlock};
use crate::attention::mask::{causal_or_full, AttentionMask};
use crate::attention::matrix::{matmul_transb_into, MatRef, Matrix};
use crate::attention::pooling::{PoolMode, Pooler};
use crate::attention::reduce::dot;

/// A finished head.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadSummary {
    /// Softmax weights pooled to ≤ side × side; masked cells NaN.
    pub weights: Matrix,
    /// The weights with rows mean-pooled to ≤ `pipe` rows (P·W_h, `rows × N`).
    pub weight_rows: Matrix,
    /// Mean row entropy of the weights, in nats.
    pub mean_entropy: f32,
    /// Mean over rows of the largest weight.
    pub mean_max_weight: f32,
}

/// One head's running sums.
pub struct HeadAcc {
    n: usize,
    weights: Pooler,
    weight_rows: Pooler,
    entropy_sum: f64,
    max_sum: f64,
}

impl HeadAcc {
    /// Sums for an N × N head: the map pooled to ≤ side × side by `pool`, the rows to ≤ `pipe`.
    pub fn new(n: usize, side: usize, pipe: usize, pool: PoolMode) -> Self {
        Self {
            n,
            weights: Pooler::new(n, n, side, side, pool),
            weight_rows: Pooler::new(n, n, pipe, n, PoolMode::Mean),
            entropy_sum: 0.0,
            max_sum: 0.0,
        }
    }

    /// Adds query rows `rows` of softmax(Q·Kᵀ·scale + M), from the raw `scores` (N × N) when given,
    /// else computing Q·Kᵀ block by block (`block` rows at a time).
    pub fn add_rows(
        &mut self,
        q: MatRef<'_>,
        k: MatRef<'_>,
        scores: Option<&[f32]>,
        scale: f32,
        mask: &dyn AttentionMask,
        rows: Range<usize>,
        block: usize,
    ) {
        let n = self.n;
        let mut shown_row = vec![0.0f32; n];
        let visit = |b: &RowBlock<'_>| {
            for r in 0..b.rows() {
                let i = b.start + r;
                let (w, raw) = (&b.weights[r * n..(r + 1) * n], &b.raw[r * n..(r + 1) * n]);
                let keys = b.keys.clone();
                let stats = b.stats[r];
                self.entropy_sum += stats.entropy(scale * dot(&w[keys.clone()], &raw[keys])) as f64;
                self.max_sum += stats.max_weight() as f64;
                self.weight_rows.add_row(i, w);
                // Masked weights are exactly 0; NaN makes them render as "masked", not as "tiny".
                shown_row.copy_from_slice(w);
                mark_masked(mask, i, &mut shown_row);
                self.weights.add_row(i, &shown_row);
            }
        };
        // The kernel's own ·V is skipped (a zero-width V): the pooled output is P·W_h times V.
        let no_values = MatRef::no_columns(n);
        let out: &mut [f32] = &mut [];
        match scores {
            Some(s_h) => attention_rows_from_scores(s_h, no_values, scale, mask, rows, block, out, visit),
            None => attention_rows(q, k, no_values, scale, mask, rows, block, out, visit),
        }
    }

    /// The finished head (every row added).
    pub fn finish(self) -> HeadSummary {
        HeadSummary {
            weights: self.weights.finish(),
            weight_rows: self.weight_rows.finish(),
            mean_entropy: (self.entropy_sum / self.n as f64) as f32,
            mean_max_weight: (self.max_sum / self.n as f64) as f32,
        }
    }
}

/// Raw scores S = Q·Kᵀ of one head, N × N row-major (what the view keeps between runs).
pub fn raw_scores(q: MatRef<'_>, k: MatRef<'_>) -> Vec<f32> {
    let mut s = vec![0.0f32; q.rows * k.rows];
    matmul_transb_into(1.0, q, k, &mut s);
    s
}

/// A whole head at once (what a worker runs): its summary, and its raw scores when `keep` asks for
/// them and `scores` did not give them.
#[allow(clippy::too_many_arguments)]
pub fn summarize_head(
    q: MatRef<'_>,
    k: MatRef<'_>,
    scores: Option<&[f32]>,
    keep: bool,
    scale: f32,
    causal: bool,
    side: usize,
    pipe: usize,
    pool: PoolMode,
    block: usize,
) -> (HeadSummary, Option<Vec<f32>>) {
    let n = q.rows;
    let made = (scores.is_none() && keep).then(|| raw_scores(q, k));
    let mut acc = HeadAcc::new(n, side, pipe, pool);
    acc.add_rows(
        q,
        k,
        scores.or(made.as_deref()),
        scale,
        causal_or_full(causal),
        0..n,
        block,
    );
    (acc.finish(), made)
}

/// Sets the masked entries of query row i to NaN (contiguous masks fill only outside their range).
pub fn mark_masked(mask: &dyn AttentionMask, i: usize, row: &mut [f32]) {
    if mask.is_contiguous() {
        let r = mask.key_range(i, row.len());
        row[..r.start].fill(f32::NAN);
        row[r.end..].fill(f32::NAN);
    } else {
        for (j, v) in row.iter_mut().enumerate() {
            if !mask.allows(i, j) {
                *v = f32::NAN;
            }
        }
    }
}
