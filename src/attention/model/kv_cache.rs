//! The KV cache of a generating model: every past token's keys (after RoPE) and values, per layer.
//!
//! Layer l keeps K_l and V_l as row-major `len × n_kv_heads·d_head` f32 matrices, one row per token, so
//! K/V head g of layer l is the column window g·d_head .. (g+1)·d_head. A new token appends one row to
//! each; its query attends to all `len` rows. Bytes = 2·n_layers·n_kv_heads·d_head·4 per token
//! (46,080 for SmolLM2-135M: 30 layers, 3 K/V heads of 64 — the heads chapter's GQA formula at fp32).
//! Because keys are cached after their rotation, RoPE is applied once per token, at its own position.

use crate::attention::matrix::MatRef;
use crate::attention::model::config::ModelConfig;

/// One layer's cached keys and values.
#[derive(Clone, Debug, Default)]
pub struct LayerCache {
    pub k: Vec<f32>,
    pub v: Vec<f32>,
}

/// Keys and values of every layer for the tokens seen so far.
#[derive(Clone, Debug)]
pub struct KvCache {
    pub layers: Vec<LayerCache>,
    width: usize,
    len: usize,
}

impl KvCache {
    /// An empty cache shaped for `cfg`.
    pub fn new(cfg: &ModelConfig) -> Self {
        Self {
            layers: vec![LayerCache::default(); cfg.n_layers],
            width: cfg.kv_width(),
            len: 0,
        }
    }

    /// Tokens cached (the position the next token will take).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no token is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes held by the cached keys and values.
    pub fn bytes(&self) -> usize {
        self.layers.iter().map(|l| (l.k.len() + l.v.len()) * 4).sum()
    }

    /// Forgets every token.
    pub fn clear(&mut self) {
        for l in &mut self.layers {
            l.k.clear();
            l.v.clear();
        }
        self.len = 0;
    }

    /// Keeps only the first `len` tokens (e.g. to re-run a prompt's last token with another option).
    pub fn truncate(&mut self, len: usize) {
        let len = len.min(self.len);
        for l in &mut self.layers {
            l.k.truncate(len * self.width);
            l.v.truncate(len * self.width);
        }
        self.len = len;
    }

    /// Appends `k` and `v` (each `n × width`, row-major) to layer `layer`.
    pub(crate) fn append(&mut self, layer: usize, k: &[f32], v: &[f32]) {
        self.layers[layer].k.extend_from_slice(k);
        self.layers[layer].v.extend_from_slice(v);
    }

    /// Marks `n` appended tokens as cached (after every layer has appended them).
    pub(crate) fn advance(&mut self, n: usize) {
        self.len += n;
        debug_assert!(self.layers.iter().all(|l| l.k.len() == self.len * self.width));
    }

    /// K/V head `kv_head` of layer `layer` over its first `rows` tokens, as (K, V) views of width
    /// `d_head`.
    pub fn head(&self, layer: usize, kv_head: usize, d_head: usize, rows: usize) -> (MatRef<'_>, MatRef<'_>) {
        let l = &self.layers[layer];
        let view = |data| MatRef {
            data,
            offset: kv_head * d_head,
            rows,
            cols: d_head,
            row_stride: self.width,
        };
        (view(&l.k[..]), view(&l.v[..]))
    }
}
