//! The LLaMA forward pass (Touvron et al. 2023; HF `modeling_llama.py`; llama.cpp `llm_build_llama`).
//!
//! For token ids t₀…t_{n−1} at positions p₀…p₀+n−1 (p₀ = tokens already in the [`KvCache`]):
//!
//! ```text
//! x = E[t]                                              (embedding rows, Q8_0)
//! for each layer l:
//!     h = RMSNorm(x)·g_attn        RMSNorm(x) = x / √(mean(x²) + ε)
//!     Q = h·W_Qᵀ, K = h·W_Kᵀ, V = h·W_Vᵀ                 (9 query heads, 3 K/V heads of 64)
//!     Q, K ← RoPE(Q, K) at their positions               (adjacent pairs (2i, 2i+1), base 100000)
//!     O_h = softmax(Q_h·K_{⌊h/3⌋}ᵀ/√64 + causal)·V_{⌊h/3⌋}  (the [`AttentionHook`], over cache + new keys)
//!     x = x + [O_0 … O_8]·W_Oᵀ
//!     h = RMSNorm(x)·g_ffn
//!     x = x + (SiLU(h·W_gateᵀ) ⊙ h·W_upᵀ)·W_downᵀ        SiLU(z) = z / (1 + e^(−z))
//! logits = RMSNorm(x)·g_out · Eᵀ                         (tied output embedding)
//! ```
//!
//! **RoPE layout.** HF rotates half-split pairs (i, i + 32); llama.cpp's `convert_hf_to_gguf.py`
//! permutes the rows of W_Q and W_K (`LlamaModel.permute`) so that the GGUF's Q and K are rotated in
//! adjacent pairs (2i, 2i+1) (`LLAMA_ROPE_TYPE_NORM`). So this file uses [`RopeLayout::Interleaved`];
//! [`ForwardOptions::rope_layout`] exists to show that the other choice is wrong (the model still
//! produces text, with a clearly higher loss — tested in `tests/smollm2.rs`).
//!
//! Every product reads the quantised weights block by block ([`crate::attention::model::quant`]).

use crate::attention::heads::rope::{Rope, RopeLayout};
use crate::attention::matrix::Matrix;
use crate::attention::model::gguf::GgufError;
use crate::attention::model::hook::{AttentionHook, CausalExact, HeadCall};
use crate::attention::model::kv_cache::KvCache;
use crate::attention::model::weights::Model;

/// Which positions get logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Logits {
    /// None (filling the cache only).
    None,
    /// The last new token's (next-token prediction).
    Last,
    /// Every new token's (per-token loss).
    All,
}

/// What a forward call computes besides the cache update.
pub struct ForwardOptions<'a> {
    pub logits: Logits,
    /// Keep every head's attention weights (`n_new × n_keys` per head and layer).
    pub capture_attention: bool,
    /// The attention function of every head ([`CausalExact`] is the model's own).
    pub hook: &'a dyn AttentionHook,
    /// RoPE pairing; [`RopeLayout::Interleaved`] is the right one for llama.cpp GGUFs.
    pub rope_layout: RopeLayout,
}

impl Default for ForwardOptions<'_> {
    fn default() -> Self {
        Self {
            logits: Logits::Last,
            capture_attention: false,
            hook: &CausalExact,
            rope_layout: RopeLayout::Interleaved,
        }
    }
}

/// What a forward call returns.
#[derive(Clone, Debug)]
pub struct ForwardOutput {
    /// `rows × vocab`: one row per requested position (none, the last, or all new tokens).
    pub logits: Matrix,
    /// `attention[layer][head]`, each `n_new × n_keys` (row i is query position p₀ + i), when captured.
    pub attention: Option<Vec<Vec<Matrix>>>,
}

/// y = x / √(mean(x²) + ε) ⊙ g, row by row (the sum of squares in f64, as ggml's `ggml_float`).
pub fn rms_norm(x: &[f32], gain: &[f32], eps: f32, out: &mut [f32]) {
    let d = gain.len();
    for (row, o) in x.chunks_exact(d).zip(out.chunks_exact_mut(d)) {
        let ms = row.iter().map(|v| (*v as f64) * (*v as f64)).sum::<f64>() / d as f64;
        let inv = (1.0 / (ms + eps as f64).sqrt()) as f32;
        for ((o, v), g) in o.iter_mut().zip(row).zip(gain) {
            *o = v * inv * g;
        }
    }
}

/// SiLU(z) = z·σ(z) = z / (1 + e^(−z)).
#[inline]
pub fn silu(z: f32) -> f32 {
    z / (1.0 + (-z).exp())
}

/// Rows of logits computed per step: the tied output product is `vocab × d_model` per row
/// (28 M multiply-adds for SmolLM2), the largest single product of the pass.
const LOGIT_ROWS_PER_STEP: usize = 4;

/// One forward pass cut into bounded steps, so a page can run it between frames: per layer an
/// attention half (norm, Q/K/V, RoPE, every head through the hook, W_O, residual) and a
/// feed-forward half (norm, SwiGLU, residual), then the logits a few rows at a time.
///
/// The pass appends each layer's keys and values to the cache as it goes and marks the tokens as
/// cached at the end; a pass dropped before its end leaves them half-appended, which
/// [`KvCache::truncate`] to the old length undoes.
pub struct ForwardPass {
    n: usize,
    p0: usize,
    /// Next half-layer step: 2·l is layer l's attention, 2·l + 1 its feed-forward.
    step: usize,
    logits_kind: Logits,
    capture: bool,
    rope: Rope,
    x: Vec<f32>,
    h: Vec<f32>,
    q: Matrix,
    k: Matrix,
    v: Vec<f32>,
    concat: Vec<f32>,
    head_out: Vec<f32>,
    proj: Vec<f32>,
    gate: Vec<f32>,
    up: Vec<f32>,
    attention: Option<Vec<Vec<Matrix>>>,
    /// The final-norm rows that get logits, and the logits computed so far.
    normed: Vec<f32>,
    logits: Matrix,
    logit_rows_done: usize,
}

impl ForwardPass {
    /// Embeds `tokens` (positions after the `cache.len()` tokens already cached).
    pub fn new(model: &Model, tokens: &[u32], cache: &KvCache, opts: &ForwardOptions<'_>) -> Result<Self, GgufError> {
        let c = &model.config;
        let (n, d, kvw, dh) = (tokens.len(), c.d_model, c.kv_width(), c.d_head);
        if let Some(bad) = tokens.iter().find(|t| **t as usize >= c.vocab) {
            return Err(GgufError::Unsupported {
                what: "token id".into(),
                expected: format!("below {}", c.vocab),
                got: bad.to_string(),
            });
        }
        let rope = Rope::new(dh, c.rope_base, opts.rope_layout).expect("even head width, checked by the config");
        let emb = model.matrix(&model.embedding);
        let mut x = vec![0.0f32; n * d];
        for (row, t) in x.chunks_exact_mut(d).zip(tokens) {
            emb.dequantize_row(*t as usize, row);
        }
        Ok(Self {
            n,
            p0: cache.len(),
            step: 0,
            logits_kind: opts.logits,
            capture: opts.capture_attention,
            rope,
            x,
            h: vec![0.0; n * d],
            q: Matrix::zeros(n, d),
            k: Matrix::zeros(n, kvw),
            v: vec![0.0; n * kvw],
            concat: vec![0.0; n * d],
            head_out: vec![0.0; n * dh],
            proj: vec![0.0; n * d],
            gate: vec![0.0; n * c.d_ffn],
            up: vec![0.0; n * c.d_ffn],
            attention: opts.capture_attention.then(|| Vec::with_capacity(c.n_layers)),
            normed: Vec::new(),
            logits: Matrix::zeros(0, c.vocab),
            logit_rows_done: 0,
        })
    }

    /// Steps in the whole pass: two per layer, then one per few rows of logits.
    pub fn total_steps(&self, model: &Model) -> usize {
        let rows = self.logit_rows();
        2 * model.config.n_layers + rows.div_ceil(LOGIT_ROWS_PER_STEP)
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> usize {
        self.step + self.logit_rows_done.div_ceil(LOGIT_ROWS_PER_STEP)
    }

    /// True when every layer and every requested logit row is computed.
    pub fn is_done(&self, model: &Model) -> bool {
        self.step >= 2 * model.config.n_layers && self.logit_rows_done >= self.logit_rows()
    }

    fn logit_rows(&self) -> usize {
        match self.logits_kind {
            Logits::None => 0,
            Logits::Last => self.n.min(1),
            Logits::All => self.n,
        }
    }

    /// Does the next half-layer (or the next rows of logits); a no-op when done.
    pub fn step(&mut self, model: &Model, cache: &mut KvCache, hook: &dyn AttentionHook) {
        let layers = model.config.n_layers;
        if self.step < 2 * layers {
            let l = self.step / 2;
            if self.step.is_multiple_of(2) {
                self.attention_half(model, cache, hook, l);
            } else {
                self.feed_forward_half(model, l);
                if l + 1 == layers {
                    cache.advance(self.n);
                    self.start_logits(model);
                }
            }
            self.step += 1;
        } else if self.logit_rows_done < self.logit_rows() {
            let d = model.config.d_model;
            let vocab = model.config.vocab;
            let start = self.logit_rows_done;
            let rows = LOGIT_ROWS_PER_STEP.min(self.logit_rows() - start);
            model.output_matrix().matmul_rows(
                &self.normed[start * d..(start + rows) * d],
                rows,
                &mut self.logits.data[start * vocab..(start + rows) * vocab],
            );
            self.logit_rows_done += rows;
        }
    }

    /// Runs the steps that are left and returns the logits (and attention weights).
    pub fn finish(mut self, model: &Model, cache: &mut KvCache, hook: &dyn AttentionHook) -> ForwardOutput {
        while !self.is_done(model) {
            self.step(model, cache, hook);
        }
        ForwardOutput {
            logits: self.logits,
            attention: self.attention,
        }
    }

    fn attention_half(&mut self, model: &Model, cache: &mut KvCache, hook: &dyn AttentionHook, l: usize) {
        let c = &model.config;
        let w = &model.layers[l];
        let (n, d, dh) = (self.n, c.d_model, c.d_head);
        let n_keys = self.p0 + n;
        let scale = 1.0 / (dh as f32).sqrt();
        rms_norm(&self.x, &w.attn_norm, c.rms_eps, &mut self.h);
        model.matrix(&w.w_q).matmul_rows(&self.h, n, &mut self.q.data);
        model.matrix(&w.w_k).matmul_rows(&self.h, n, &mut self.k.data);
        model.matrix(&w.w_v).matmul_rows(&self.h, n, &mut self.v);
        self.rope
            .rotate_heads(&mut self.q, self.p0)
            .expect("width is a multiple of d_head");
        self.rope
            .rotate_heads(&mut self.k, self.p0)
            .expect("width is a multiple of d_head");
        cache.append(l, &self.k.data, &self.v);
        let mut layer_weights = self.capture.then(|| Vec::with_capacity(c.n_heads));
        for head in 0..c.n_heads {
            let kv_head = head / c.group_size();
            let (k_all, v_all) = cache.head(l, kv_head, dh, n_keys);
            let call = HeadCall {
                layer: l,
                head,
                kv_head,
                q: self.q.columns(head * dh, dh),
                k: k_all,
                v: v_all,
                first_pos: self.p0,
                scale,
            };
            let mut wm = layer_weights.as_ref().map(|_| Matrix::zeros(n, n_keys));
            hook.attend(&call, &mut self.head_out, wm.as_mut().map(|m| &mut m.data[..]));
            for (dst, src) in self.concat.chunks_exact_mut(d).zip(self.head_out.chunks_exact(dh)) {
                dst[head * dh..(head + 1) * dh].copy_from_slice(src);
            }
            if let (Some(lw), Some(m)) = (layer_weights.as_mut(), wm) {
                lw.push(m);
            }
        }
        if let (Some(a), Some(lw)) = (self.attention.as_mut(), layer_weights) {
            a.push(lw);
        }
        model.matrix(&w.w_o).matmul_rows(&self.concat, n, &mut self.proj);
        add_into(&mut self.x, &self.proj);
    }

    fn feed_forward_half(&mut self, model: &Model, l: usize) {
        let c = &model.config;
        let w = &model.layers[l];
        let n = self.n;
        rms_norm(&self.x, &w.ffn_norm, c.rms_eps, &mut self.h);
        model.matrix(&w.w_gate).matmul_rows(&self.h, n, &mut self.gate);
        model.matrix(&w.w_up).matmul_rows(&self.h, n, &mut self.up);
        for (g, u) in self.gate.iter_mut().zip(&self.up) {
            *g = silu(*g) * u;
        }
        model.matrix(&w.w_down).matmul_rows(&self.gate, n, &mut self.proj);
        add_into(&mut self.x, &self.proj);
    }

    fn start_logits(&mut self, model: &Model) {
        let c = &model.config;
        let d = c.d_model;
        let rows = self.logit_rows();
        let first = self.n - rows;
        self.normed = vec![0.0; rows * d];
        rms_norm(&self.x[first * d..], &model.output_norm, c.rms_eps, &mut self.normed);
        self.logits = Matrix::zeros(rows, c.vocab);
        // The work buffers are no longer needed; free them before the logits take their memory.
        for b in [
            &mut self.h,
            &mut self.v,
            &mut self.concat,
            &mut self.head_out,
            &mut self.proj,
            &mut self.gate,
            &mut self.up,
        ] {
            *b = Vec::new();
        }
        self.q = Matrix::zeros(0, 0);
        self.k = Matrix::zeros(0, 0);
    }
}

impl Model {
    /// Runs `tokens` through the model after the tokens already in `cache`, appends their keys and
    /// values to it, and returns the requested logits (and attention weights): a [`ForwardPass`]
    /// run to its end.
    pub fn forward(
        &self,
        tokens: &[u32],
        cache: &mut KvCache,
        opts: &ForwardOptions<'_>,
    ) -> Result<ForwardOutput, GgufError> {
        let pass = ForwardPass::new(self, tokens, cache, opts)?;
        Ok(pass.finish(self, cache, opts.hook))
    }

    /// Logits of the next token after `tokens` (a fresh cache).
    pub fn next_logits(&self, tokens: &[u32]) -> Result<Vec<f32>, GgufError> {
        let mut cache = KvCache::new(&self.config);
        Ok(self
            .forward(tokens, &mut cache, &ForwardOptions::default())?
            .logits
            .data)
    }

    /// Per-token loss: for t = 1 … n−1, −ln softmax(logits at t−1)[tokens[t]] in nats.
    pub fn token_losses(&self, tokens: &[u32], opts: &ForwardOptions<'_>) -> Result<Vec<f32>, GgufError> {
        let mut cache = KvCache::new(&self.config);
        let opts = ForwardOptions {
            logits: Logits::All,
            capture_attention: false,
            hook: opts.hook,
            rope_layout: opts.rope_layout,
        };
        let out = self.forward(tokens, &mut cache, &opts)?;
        Ok((1..tokens.len())
            .map(|t| cross_entropy(out.logits.row(t - 1), tokens[t] as usize))
            .collect())
    }

    /// Greedy decoding: `n_new` tokens after `prompt`, each the argmax of the previous step's logits,
    /// one cached step per token.
    pub fn generate_greedy(&self, prompt: &[u32], n_new: usize) -> Result<Vec<u32>, GgufError> {
        let mut cache = KvCache::new(&self.config);
        let mut logits = self
            .forward(prompt, &mut cache, &ForwardOptions::default())?
            .logits
            .data;
        let mut out = Vec::with_capacity(n_new);
        for _ in 0..n_new {
            let next = argmax(&logits) as u32;
            out.push(next);
            logits = self
                .forward(&[next], &mut cache, &ForwardOptions::default())?
                .logits
                .data;
        }
        Ok(out)
    }
}

fn add_into(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// Index of the largest value (the first one on ties).
pub fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in xs.iter().enumerate() {
        if *v > xs[best] {
            best = i;
        }
    }
    best
}

/// −ln softmax(logits)[target] = logsumexp(logits) − logits[target], in f64.
pub fn cross_entropy(logits: &[f32], target: usize) -> f32 {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let lse = m + logits.iter().map(|v| (*v as f64 - m).exp()).sum::<f64>().ln();
    (lse - logits[target] as f64) as f32
}

/// The `k` largest logits as (id, value), largest first.
pub fn top_k(logits: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    let k = k.min(idx.len());
    if k == 0 {
        return Vec::new();
    }
    idx.select_nth_unstable_by(k - 1, |a, b| logits[*b].total_cmp(&logits[*a]));
    idx.truncate(k);
    idx.sort_by(|a, b| logits[*b].total_cmp(&logits[*a]));
    idx.into_iter().map(|i| (i, logits[i])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_norm_gives_unit_mean_square_before_the_gain() {
        let x = [3.0f32, -4.0, 0.0, 5.0];
        let mut y = [0.0; 4];
        rms_norm(&x, &[1.0; 4], 0.0, &mut y);
        let ms: f32 = y.iter().map(|v| v * v).sum::<f32>() / 4.0;
        assert!((ms - 1.0).abs() < 1e-6);
        assert!((silu(0.0)).abs() < 1e-9 && (silu(20.0) - 20.0).abs() < 1e-6);
    }

    #[test]
    fn top_k_sorts_and_cross_entropy_of_uniform_logits_is_ln_vocab() {
        let l = [0.5f32, 3.0, -1.0, 2.0, 3.0];
        assert_eq!(top_k(&l, 3), vec![(1, 3.0), (4, 3.0), (3, 2.0)]);
        assert_eq!(argmax(&l), 1);
        assert!((cross_entropy(&[0.0; 8], 3) - 8f32.ln()).abs() < 1e-6);
    }
}
