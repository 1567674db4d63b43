//! The one head the approximations are compared on, built from the example passage:
//! X = embed(tokens) (d wide, seeded), Q = X·W_Q·s, K = X·W_K·s, V = X·W_V with seeded weights
//! (d_model = d_head = d) and s = `qk_percent`/100. A larger s sharpens exact attention
//! softmax(QKᵀ/√d): the scores grow with s², so the rows get peakier, which is where the kernel and
//! low-rank approximations struggle.

use std::sync::Arc;

use crate::attention::embedding::embed;
use crate::attention::matrix::Matrix;
use crate::attention::multi_head::{LayerWeights, Projections};
use crate::attention::tokenizer::example_tokens;

/// One head's input: tokens, X, Q, K, V.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleHead {
    pub tokens: Arc<Vec<String>>,
    pub x: Matrix,
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
}

impl ExampleHead {
    /// The head of `n` example tokens at width `d`, seed `seed`, with Q and K scaled by
    /// `qk_percent`/100 (module doc).
    pub fn build(n: usize, d: usize, seed: u64, qk_percent: u32) -> Self {
        let tokens = example_tokens(n);
        let x = embed(&tokens, d, seed);
        let w = LayerWeights::seeded(d, seed);
        let Projections { mut q, mut k, v, .. } = Projections::compute(&x, &w, d);
        let s = qk_percent as f32 / 100.0;
        q.data.iter_mut().chain(k.data.iter_mut()).for_each(|a| *a *= s);
        Self {
            tokens: Arc::new(tokens),
            x,
            q,
            k,
            v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qk_percentage_scales_queries_and_keys_but_not_values() {
        let base = ExampleHead::build(12, 8, 3, 100);
        let half = ExampleHead::build(12, 8, 3, 50);
        assert_eq!(base.tokens.len(), 12);
        assert_eq!((base.q.rows, base.q.cols, base.v.cols), (12, 8, 8));
        for (a, b) in base
            .q
            .data
            .iter()
            .zip(&half.q.data)
            .chain(base.k.data.iter().zip(&half.k.data))
        {
            assert!((a * 0.5 - b).abs() < 1e-6);
        }
        assert_eq!((base.x.clone(), base.v.clone()), (half.x, half.v));
        assert_ne!(ExampleHead::build(12, 8, 4, 100).q, base.q, "the seed changes the head");
    }
}
