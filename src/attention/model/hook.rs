//! How each head of each layer turns its queries, keys and values into an output: the place where the
//! other chapters' masks and approximations plug into the real model.
//!
//! A LLaMA head computes, for queries at absolute positions p₀ … p₀+n−1 and keys 0 … p₀+n−1 (the cache
//! plus the new tokens),
//!
//!   O = softmax(Q·Kᵀ/√d_head + M)·V,  M_ij = 0 if key j ≤ query position p₀+i, −∞ otherwise
//!
//! (HF `LlamaAttention` with `scaled_dot_product_attention(is_causal=True)`). [`AttentionHook`] is that
//! function as a trait object, called once per (layer, head) with a [`HeadCall`]; [`CausalExact`] is the
//! model's own attention, computed by the atlas's blocked exact kernel ([`crate::attention::exact`]),
//! and [`LayerMasks`] swaps the causal mask of chosen layers for any [`AttentionMask`] (a sparse
//! chapter's pattern) while keeping the exact softmax. A linear-attention or Performer hook implements
//! the trait the same way; a head ablation writes zeros.

use crate::attention::exact::{attention_rows, DEFAULT_BLOCK_ROWS};
use crate::attention::mask::{AttentionMask, Causal};
use crate::attention::matrix::MatRef;

/// One head's inputs.
#[derive(Clone, Copy)]
pub struct HeadCall<'a> {
    pub layer: usize,
    pub head: usize,
    /// The K/V head this query head reads, ⌊head / g⌋.
    pub kv_head: usize,
    /// Queries after RoPE, `n_queries × d_head`.
    pub q: MatRef<'a>,
    /// Keys after RoPE and values, `n_keys × d_head` (positions 0 … n_keys−1).
    pub k: MatRef<'a>,
    pub v: MatRef<'a>,
    /// Absolute position of the first query: query row i is position `first_pos + i`.
    pub first_pos: usize,
    /// The score scale, 1/√d_head.
    pub scale: f32,
}

/// A head's attention function. `out` is `n_queries × d_head` (row-major); `weights`, when given, is
/// `n_queries × n_keys` and receives the attention weights.
pub trait AttentionHook {
    fn attend(&self, call: &HeadCall<'_>, out: &mut [f32], weights: Option<&mut [f32]>);
}

/// A mask over absolute positions seen from a block of queries that starts at `first_pos`:
/// allows(i, j) = inner.allows(first_pos + i, j).
pub struct FromPosition<'a> {
    pub inner: &'a dyn AttentionMask,
    pub first_pos: usize,
}

impl AttentionMask for FromPosition<'_> {
    fn allows(&self, i: usize, j: usize) -> bool {
        self.inner.allows(self.first_pos + i, j)
    }
    fn key_range(&self, i: usize, n_keys: usize) -> std::ops::Range<usize> {
        self.inner.key_range(self.first_pos + i, n_keys)
    }
    fn is_contiguous(&self) -> bool {
        self.inner.is_contiguous()
    }
}

/// Exact softmax attention under `mask` (absolute positions), through [`attention_rows`].
pub fn exact_with_mask(call: &HeadCall<'_>, mask: &dyn AttentionMask, out: &mut [f32], weights: Option<&mut [f32]>) {
    let shifted = FromPosition {
        inner: mask,
        first_pos: call.first_pos,
    };
    let n_keys = call.k.rows;
    let mut weights = weights;
    attention_rows(
        call.q,
        call.k,
        call.v,
        call.scale,
        &shifted,
        0..call.q.rows,
        DEFAULT_BLOCK_ROWS,
        out,
        |block| {
            if let Some(w) = weights.as_deref_mut() {
                let rows = block.rows();
                w[block.start * n_keys..(block.start + rows) * n_keys].copy_from_slice(block.weights);
            }
        },
    );
}

/// The model's own attention: causal, exact.
#[derive(Clone, Copy, Debug, Default)]
pub struct CausalExact;

impl AttentionHook for CausalExact {
    fn attend(&self, call: &HeadCall<'_>, out: &mut [f32], weights: Option<&mut [f32]>) {
        exact_with_mask(call, &Causal, out, weights);
    }
}

/// Exact attention with a replacement mask in chosen layers (None keeps the causal mask).
/// The mask is over absolute positions; it should stay causal (j ≤ i) for generation to make sense.
#[derive(Default)]
pub struct LayerMasks {
    pub masks: Vec<Option<Box<dyn AttentionMask>>>,
}

impl AttentionHook for LayerMasks {
    fn attend(&self, call: &HeadCall<'_>, out: &mut [f32], weights: Option<&mut [f32]>) {
        match self.masks.get(call.layer).and_then(|m| m.as_deref()) {
            Some(mask) => exact_with_mask(call, mask, out, weights),
            None => exact_with_mask(call, &Causal, out, weights),
        }
    }
}
