//! Multi-head latent attention (MLA), as in DeepSeek-V2 (arXiv 2405.04434, §2.1) and DeepSeek-V3
//! (arXiv 2412.19437, §2.1.1). Row-vector convention here (x·W; the papers write W·h).
//!
//! Keys and values are rebuilt from one small latent per token:
//!   c_KV = x·W_DKV (d_c),  k_C,h = c_KV·W_UK,h (d_h),  v_h = c_KV·W_UV,h (d_h).
//! RoPE cannot pass through W_UK (a rotation between q and W_UK would block the absorption below), so
//! position goes in a separate, decoupled part of width d_R: one rotated key shared by all heads,
//!   k_R = RoPE(x·W_KR) (d_R),
//! and a rotated query part per head. Queries may be compressed too (DeepSeek-V2/V3 use d_c' = 1536):
//!   c_Q = x·W_DQ (d_c'),  q_C,h = c_Q·W_UQ,h (d_h),  q_R,h = RoPE(c_Q·W_QR,h) (d_R).
//! Head h scores and output:
//!   s_h(i, j) = (q_C,h(i)·k_C,h(j) + q_R,h(i)·k_R(j)) / √(d_h + d_R),
//!   o_h = softmax(s_h + M)·v_h,  out = [o_0 … o_{n_h−1}]·W_O.
//!
//! **Absorbed form** (the papers' inference trick): q_C,h·k_C,hᵀ = (c_Q·W_UQ,h·W_UK,hᵀ)·c_KVᵀ, so the
//! query is mapped straight into latent space with the folded matrix W_UQ,h·W_UK,hᵀ (d_c' × d_c) and
//! scored against the cached latents; and o_h·W_O,h = (softmax·c_KV)·(W_UV,h·W_O,h), so each head
//! averages latents and one folded matrix W_UV,h·W_O,h (d_c × d_model) maps them out. k_C and v are
//! never formed: every head attends to the same cached rows [c_KV | k_R] — MQA with one shared key of
//! width d_c + d_R and value width d_c. The cache holds d_c + d_R numbers per token per layer
//! (512 + 64 = 576 in DeepSeek-V2/V3) instead of 2·n_h·d_h for MHA (2·128·128 = 32,768).
//!
//! Omitted here: the RMSNorms DeepSeek applies to c_Q and c_KV (they act before W_UQ/W_UK and do not
//! change the algebra) and YaRN's attention-scale correction for long contexts. RoPE uses the
//! interleaved layout of DeepSeek's reference inference code (`apply_rotary_emb` with complex numbers).

use crate::attention::exact::{attend, attention_weights};
use crate::attention::heads::error::{positive, HeadsError};
use crate::attention::heads::rope::{Rope, RopeLayout};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{matmul, matmul_acc_into, matmul_transb, Matrix};
use crate::attention::rng::{normal_matrix, stream};

/// Sizes of an MLA layer, in the DeepSeek-V2 paper's notation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MlaConfig {
    /// n_h, number of heads.
    pub n_heads: usize,
    /// d_h, per-head width of the compressed (no-position) query/key part and of the values.
    pub d_head: usize,
    /// d_c, width of the cached KV latent c_KV (`kv_lora_rank`).
    pub d_c: usize,
    /// d_R, width of the decoupled RoPE key/query parts (`qk_rope_head_dim`); even.
    pub d_r: usize,
    /// d_c', width of the query latent c_Q (`q_lora_rank`); None = queries read x directly.
    pub d_cq: Option<usize>,
    /// RoPE base θ.
    pub rope_base: f64,
    pub causal: bool,
}

impl MlaConfig {
    /// Checks every size is positive, d_R is even and d_c' (if any) is positive.
    pub fn validate(&self) -> Result<(), HeadsError> {
        positive(self.n_heads, "n_heads")?;
        positive(self.d_head, "d_head")?;
        positive(self.d_c, "d_c")?;
        if let Some(d_cq) = self.d_cq {
            positive(d_cq, "d_c'")?;
        }
        self.rope().map(|_| ())
    }

    /// The decoupled RoPE of width d_R.
    pub fn rope(&self) -> Result<Rope, HeadsError> {
        Rope::new(self.d_r, self.rope_base, RopeLayout::Interleaved)
    }

    /// Score scale 1/√(d_h + d_R) (DeepSeek's `softmax_scale = qk_head_dim ** -0.5`).
    pub fn scale(&self) -> f32 {
        1.0 / ((self.d_head + self.d_r).max(1) as f32).sqrt()
    }

    /// What MLA caches per token per layer: c_KV and k_R, d_c + d_R numbers.
    pub fn cache_elements_per_token(&self) -> usize {
        self.d_c + self.d_r
    }

    /// What standard MHA with the same heads caches per token per layer: 2·n_h·d_h.
    pub fn mha_cache_elements_per_token(&self) -> usize {
        2 * self.n_heads * self.d_head
    }

    /// What the naive (un-absorbed) MLA would cache if it stored its rebuilt keys and values:
    /// keys n_h·(d_h + d_R) plus values n_h·d_h.
    pub fn naive_cache_elements_per_token(&self) -> usize {
        self.n_heads * (self.d_head + self.d_r) + self.n_heads * self.d_head
    }
}

/// The projection matrices of an MLA layer (q_in is d_c' with query compression, d_model without).
#[derive(Clone, Debug, PartialEq)]
pub struct MlaWeights {
    /// W_DQ, d_model × d_c' (None without query compression).
    pub w_dq: Option<Matrix>,
    /// W_UQ, q_in × n_h·d_h.
    pub w_uq: Matrix,
    /// W_QR, q_in × n_h·d_R.
    pub w_qr: Matrix,
    /// W_DKV, d_model × d_c.
    pub w_dkv: Matrix,
    /// W_UK, d_c × n_h·d_h.
    pub w_uk: Matrix,
    /// W_UV, d_c × n_h·d_h.
    pub w_uv: Matrix,
    /// W_KR, d_model × d_R.
    pub w_kr: Matrix,
    /// W_O, n_h·d_h × d_model.
    pub w_o: Matrix,
}

impl MlaWeights {
    /// N(0, 1/fan_in) weights, each matrix from its own stream ("mla_w_dq", "mla_w_uq", …).
    pub fn seeded(d_model: usize, cfg: &MlaConfig, seed: u64) -> Result<Self, HeadsError> {
        cfg.validate()?;
        positive(d_model, "d_model")?;
        let draw = |label: &str, rows: usize, cols: usize| {
            normal_matrix(&mut stream(seed, label), rows, cols, 1.0 / (rows as f32).sqrt())
        };
        let q_in = cfg.d_cq.unwrap_or(d_model);
        let (hd, hr) = (cfg.n_heads * cfg.d_head, cfg.n_heads * cfg.d_r);
        Ok(Self {
            w_dq: cfg.d_cq.map(|d_cq| draw("mla_w_dq", d_model, d_cq)),
            w_uq: draw("mla_w_uq", q_in, hd),
            w_qr: draw("mla_w_qr", q_in, hr),
            w_dkv: draw("mla_w_dkv", d_model, cfg.d_c),
            w_uk: draw("mla_w_uk", cfg.d_c, hd),
            w_uv: draw("mla_w_uv", cfg.d_c, hd),
            w_kr: draw("mla_w_kr", d_model, cfg.d_r),
            w_o: draw("mla_w_o", hd, d_model),
        })
    }

    /// Model width d_model (rows of W_DKV).
    pub fn d_model(&self) -> usize {
        self.w_dkv.rows
    }

    /// Checks every weight shape against `cfg`.
    fn check(&self, cfg: &MlaConfig) -> Result<(), HeadsError> {
        cfg.validate()?;
        let d_model = self.d_model();
        let q_in = cfg.d_cq.unwrap_or(d_model);
        let (hd, hr) = (cfg.n_heads * cfg.d_head, cfg.n_heads * cfg.d_r);
        let mut checks = vec![
            ("W_DKV columns", cfg.d_c, self.w_dkv.cols),
            ("W_UQ rows", q_in, self.w_uq.rows),
            ("W_UQ columns", hd, self.w_uq.cols),
            ("W_QR rows", q_in, self.w_qr.rows),
            ("W_QR columns", hr, self.w_qr.cols),
            ("W_UK rows", cfg.d_c, self.w_uk.rows),
            ("W_UK columns", hd, self.w_uk.cols),
            ("W_UV rows", cfg.d_c, self.w_uv.rows),
            ("W_UV columns", hd, self.w_uv.cols),
            ("W_KR rows", d_model, self.w_kr.rows),
            ("W_KR columns", cfg.d_r, self.w_kr.cols),
            ("W_O rows", hd, self.w_o.rows),
        ];
        match (&self.w_dq, cfg.d_cq) {
            (Some(w), Some(d_cq)) => {
                checks.push(("W_DQ rows", d_model, w.rows));
                checks.push(("W_DQ columns", d_cq, w.cols));
            }
            (None, None) => {}
            (Some(w), None) => checks.push(("W_DQ columns (config has no d_c')", 0, w.cols)),
            (None, Some(d_cq)) => checks.push(("W_DQ columns (weights have no W_DQ)", d_cq, 0)),
        }
        for (what, expected, got) in checks {
            if expected != got {
                return Err(HeadsError::WidthMismatch { what, expected, got });
            }
        }
        Ok(())
    }
}

/// What an MLA layer caches for each token: the latent c_KV (N × d_c) and the shared RoPE key
/// k_R (N × d_R).
#[derive(Clone, Debug, PartialEq)]
pub struct MlaCache {
    pub c_kv: Matrix,
    pub k_r: Matrix,
}

impl MlaCache {
    /// Numbers cached per token: d_c + d_R.
    pub fn elements_per_token(&self) -> usize {
        self.c_kv.cols + self.k_r.cols
    }

    /// The cache rows [c_KV | k_R], N × (d_c + d_R): the single key every head attends to in the
    /// absorbed form.
    pub fn joined(&self) -> Matrix {
        let (dc, dr) = (self.c_kv.cols, self.k_r.cols);
        Matrix::from_fn(self.c_kv.rows, dc + dr, |i, j| {
            if j < dc {
                self.c_kv.get(i, j)
            } else {
                self.k_r.get(i, j - dc)
            }
        })
    }
}

/// Every intermediate of the naive form: queries q_C (N × n_h·d_h) and rotated q_R (N × n_h·d_R),
/// the cache, and the rebuilt keys k_C and values v (N × n_h·d_h).
#[derive(Clone, Debug, PartialEq)]
pub struct MlaProjections {
    pub cfg: MlaConfig,
    pub q_c: Matrix,
    pub q_r: Matrix,
    pub cache: MlaCache,
    pub k_c: Matrix,
    pub v: Matrix,
}

/// c_Q (or x itself without query compression), the rotated per-head q_R and the cache.
fn queries_and_cache(x: &Matrix, w: &MlaWeights, cfg: &MlaConfig) -> Result<(Matrix, Matrix, MlaCache), HeadsError> {
    w.check(cfg)?;
    if x.cols != w.d_model() {
        return Err(HeadsError::WidthMismatch {
            what: "input X",
            expected: w.d_model(),
            got: x.cols,
        });
    }
    let rope = cfg.rope()?;
    let q_in = match &w.w_dq {
        Some(w_dq) => x.matmul(w_dq),
        None => x.clone(),
    };
    let mut q_r = q_in.matmul(&w.w_qr);
    rope.rotate_heads(&mut q_r, 0)?;
    let mut k_r = x.matmul(&w.w_kr);
    rope.rotate_rows(&mut k_r, 0, 0)?;
    let cache = MlaCache {
        c_kv: x.matmul(&w.w_dkv),
        k_r,
    };
    Ok((q_in, q_r, cache))
}

/// Side-by-side columns [a | b] of two matrices with the same rows.
fn hstack(a: &Matrix, b: &Matrix) -> Matrix {
    Matrix::from_fn(a.rows, a.cols + b.cols, |i, j| {
        if j < a.cols {
            a.get(i, j)
        } else {
            b.get(i, j - a.cols)
        }
    })
}

impl MlaProjections {
    /// The naive form's projections (see the module doc).
    pub fn compute(x: &Matrix, w: &MlaWeights, cfg: &MlaConfig) -> Result<Self, HeadsError> {
        let (q_in, q_r, cache) = queries_and_cache(x, w, cfg)?;
        Ok(Self {
            cfg: *cfg,
            q_c: q_in.matmul(&w.w_uq),
            q_r,
            k_c: cache.c_kv.matmul(&w.w_uk),
            v: cache.c_kv.matmul(&w.w_uv),
            cache,
        })
    }

    /// Head h's full query [q_C,h | q_R,h], N × (d_h + d_R); h is clamped to the last head.
    pub fn head_query(&self, h: usize) -> Matrix {
        let h = h.min(self.cfg.n_heads.saturating_sub(1));
        let (d, r) = (self.cfg.d_head, self.cfg.d_r);
        hstack(
            &Matrix::from_view(self.q_c.columns(h * d, d)),
            &Matrix::from_view(self.q_r.columns(h * r, r)),
        )
    }

    /// Head h's full key [k_C,h | k_R], N × (d_h + d_R); h is clamped to the last head.
    pub fn head_key(&self, h: usize) -> Matrix {
        let h = h.min(self.cfg.n_heads.saturating_sub(1));
        let d = self.cfg.d_head;
        hstack(&Matrix::from_view(self.k_c.columns(h * d, d)), &self.cache.k_r)
    }

    /// Head h's attention weights softmax(s_h + M), N × N (for the heatmaps).
    pub fn head_weights(&self, h: usize) -> Matrix {
        attention_weights(
            self.head_query(h).view(),
            self.head_key(h).view(),
            self.cfg.scale(),
            causal_or_full(self.cfg.causal),
        )
    }
}

/// An MLA layer's result: the cache it wrote, the per-head outputs side by side, and the layer output.
#[derive(Clone, Debug, PartialEq)]
pub struct MlaOutput {
    pub cache: MlaCache,
    /// Naive form: values o_h, N × n_h·d_h. Absorbed form: latent outputs softmax·c_KV, N × n_h·d_c.
    pub heads: Matrix,
    /// The layer output, N × d_model.
    pub out: Matrix,
}

/// MLA computed the naive way: rebuild k_C and v from the latent, attend per head, concat, ·W_O.
pub fn mla_naive(x: &Matrix, w: &MlaWeights, cfg: &MlaConfig) -> Result<MlaOutput, HeadsError> {
    Ok(MlaProjections::compute(x, w, cfg)?.naive_output(&w.w_o))
}

impl MlaProjections {
    /// The naive form's output from these projections: o_h = softmax(s_h + M)·v_h, concat, ·W_O
    /// (`w_o` must be n_h·d_h × d_model, as checked by [`MlaProjections::compute`]'s weights).
    pub fn naive_output(&self, w_o: &Matrix) -> MlaOutput {
        let cfg = &self.cfg;
        let d = cfg.d_head;
        let n = self.q_c.rows;
        let mut heads = Matrix::zeros(n, cfg.n_heads * d);
        for h in 0..cfg.n_heads {
            let o = attend(
                self.head_query(h).view(),
                self.head_key(h).view(),
                self.v.columns(h * d, d),
                cfg.scale(),
                causal_or_full(cfg.causal),
            );
            for i in 0..n {
                heads.row_mut(i)[h * d..(h + 1) * d].copy_from_slice(o.row(i));
            }
        }
        let out = matmul(heads.view(), w_o.view());
        MlaOutput {
            cache: self.cache.clone(),
            heads,
            out,
        }
    }
}

/// The folded matrices of the absorbed form, one per head: W_UQ,h·W_UK,hᵀ (q_in × d_c) maps the query
/// input into latent space, W_UV,h·W_O,h (d_c × d_model) maps a latent output to the model.
#[derive(Clone, Debug, PartialEq)]
pub struct MlaAbsorbed {
    pub query_to_latent: Vec<Matrix>,
    pub latent_to_out: Vec<Matrix>,
}

/// Folds W_UK into the query side and W_UV into the output side (see the module doc).
pub fn absorb(w: &MlaWeights, cfg: &MlaConfig) -> Result<MlaAbsorbed, HeadsError> {
    w.check(cfg)?;
    let d = cfg.d_head;
    let query_to_latent = (0..cfg.n_heads)
        .map(|h| matmul_transb(w.w_uq.columns(h * d, d), w.w_uk.columns(h * d, d)))
        .collect();
    let latent_to_out = (0..cfg.n_heads)
        .map(|h| matmul(w.w_uv.columns(h * d, d), w.w_o.rows_view(h * d, d)))
        .collect();
    Ok(MlaAbsorbed {
        query_to_latent,
        latent_to_out,
    })
}

/// MLA computed the absorbed way: every head attends over the cached rows [c_KV | k_R] with the query
/// [q_in·W_UQ,h·W_UK,hᵀ | q_R,h], averages latents, and out = Σ_h (softmax·c_KV)·W_UV,h·W_O,h.
pub fn mla_absorbed(x: &Matrix, w: &MlaWeights, cfg: &MlaConfig) -> Result<MlaOutput, HeadsError> {
    let folded = absorb(w, cfg)?;
    let (q_in, q_r, cache) = queries_and_cache(x, w, cfg)?;
    let keys = cache.joined();
    let values = cache.c_kv.view();
    let (dc, r) = (cfg.d_c, cfg.d_r);
    let mut heads = Matrix::zeros(x.rows, cfg.n_heads * dc);
    let mut out = Matrix::zeros(x.rows, w.d_model());
    for h in 0..cfg.n_heads {
        let q_latent = q_in.matmul(&folded.query_to_latent[h]);
        let query = hstack(&q_latent, &Matrix::from_view(q_r.columns(h * r, r)));
        let o = attend(
            query.view(),
            keys.view(),
            values,
            cfg.scale(),
            causal_or_full(cfg.causal),
        );
        matmul_acc_into(o.view(), folded.latent_to_out[h].view(), &mut out.data);
        for i in 0..x.rows {
            heads.row_mut(i)[h * dc..(h + 1) * dc].copy_from_slice(o.row(i));
        }
    }
    Ok(MlaOutput { cache, heads, out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::embedding::embed;
    use crate::attention::tokenizer::example_tokens;

    fn cfg(d_cq: Option<usize>, causal: bool) -> MlaConfig {
        MlaConfig {
            n_heads: 4,
            d_head: 8,
            d_c: 12,
            d_r: 4,
            d_cq,
            rope_base: 10_000.0,
            causal,
        }
    }

    #[test]
    fn absorbed_form_equals_naive_form() {
        let x = embed(&example_tokens(19), 32, 6);
        for d_cq in [None, Some(16)] {
            for causal in [false, true] {
                let c = cfg(d_cq, causal);
                let w = MlaWeights::seeded(32, &c, 6).unwrap();
                let naive = mla_naive(&x, &w, &c).unwrap();
                let absorbed = mla_absorbed(&x, &w, &c).unwrap();
                let diff = naive.out.max_abs_diff(&absorbed.out);
                assert!(diff < 1e-4, "d_cq {d_cq:?} causal {causal}: {diff}");
                assert_eq!(naive.cache, absorbed.cache);
                assert_eq!(absorbed.heads.cols, 4 * 12);
            }
        }
    }

    #[test]
    fn cache_holds_d_c_plus_d_r_per_token() {
        let c = cfg(None, true);
        let x = embed(&example_tokens(9), 32, 1);
        let w = MlaWeights::seeded(32, &c, 1).unwrap();
        let out = mla_naive(&x, &w, &c).unwrap();
        // d_c + d_R = 12 + 4 = 16; MHA would cache 2·4·8 = 64; naive MLA keys 4·(8+4) + values 4·8 = 80.
        assert_eq!(out.cache.elements_per_token(), 16);
        assert_eq!(c.cache_elements_per_token(), 16);
        assert_eq!(c.mha_cache_elements_per_token(), 64);
        assert_eq!(c.naive_cache_elements_per_token(), 80);
        assert_eq!((out.cache.c_kv.rows, out.cache.k_r.rows), (9, 9));
        // DeepSeek-V2/V3: 512 + 64 = 576 vs 2·128·128 = 32,768.
        let ds = MlaConfig {
            n_heads: 128,
            d_head: 128,
            d_c: 512,
            d_r: 64,
            d_cq: Some(1536),
            rope_base: 10_000.0,
            causal: true,
        };
        assert_eq!(ds.cache_elements_per_token(), 576);
        assert_eq!(ds.mha_cache_elements_per_token(), 32_768);
        assert!((ds.scale() - 1.0 / 192f32.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn head_weights_rows_sum_to_one_and_every_head_shares_k_r() {
        let c = cfg(Some(16), true);
        let x = embed(&example_tokens(10), 32, 2);
        let w = MlaWeights::seeded(32, &c, 2).unwrap();
        let p = MlaProjections::compute(&x, &w, &c).unwrap();
        for h in 0..4 {
            let wts = p.head_weights(h);
            for i in 0..10 {
                assert!((wts.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
            let k = p.head_key(h);
            assert_eq!(Matrix::from_view(k.columns(8, 4)), p.cache.k_r);
        }
    }

    #[test]
    fn bad_configs_are_typed_errors() {
        let odd = MlaConfig {
            d_r: 3,
            ..cfg(None, false)
        };
        assert_eq!(odd.validate(), Err(HeadsError::OddRopeWidth(3)));
        let c = cfg(None, false);
        let w = MlaWeights::seeded(32, &c, 0).unwrap();
        // Weights built without query compression do not fit a config with it.
        assert!(mla_naive(&Matrix::zeros(2, 32), &w, &cfg(Some(8), false)).is_err());
        assert_eq!(
            mla_absorbed(&Matrix::zeros(2, 31), &w, &c).unwrap_err(),
            HeadsError::WidthMismatch {
                what: "input X",
                expected: 32,
                got: 31
            }
        );
    }
}
