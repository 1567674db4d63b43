//! KV-cache and decode-step accounting for real model shapes.
//!
//! Numbers cached per token per layer (DeepSeek-V2 paper, Table 1):
//!   MHA 2·n_h·d_h,  GQA 2·n_g·d_h (n_g K/V heads),  MQA 2·d_h,  MLA d_c + d_R.
//! Bytes = numbers × bytes per number (fp32 4, fp16/bf16 2, fp8 1, int4 ½), summed over layers, times
//! the tokens each layer keeps, times the batch. A sliding-window layer keeps only its last W tokens
//! (Mistral 7B's rolling buffer, W = 4096; Gemma 2's local layers, W = 4096), so its cache stops
//! growing at W; a global layer keeps the whole context.
//!
//! One decode step (one new token, context L, batch 1), per layer with L' = min(L, W) keys:
//! - attention core: scores q·k and the weighted sum of values, 2 FLOPs per multiply-add:
//!   MHA/GQA/MQA 2·n_h·d_h·L' + 2·n_h·d_h·L' = 4·n_h·d_h·L';
//!   MLA in absorbed form 2·n_h·(d_c + d_R)·L' + 2·n_h·d_c·L' (every head reads the latent cache);
//! - projections ≈ 2 FLOPs per attention weight (Q, K, V, O, or MLA's down/up projections);
//! - KV bytes read: the whole cache of the layer, L'·(numbers per token)·(bytes per number).
//!
//! Arithmetic intensity = core FLOPs / KV bytes. For fp16 MHA it is 4·n_h·d_h·L / (2·2·n_h·d_h·L) = 1
//! FLOP per byte, far below what a GPU needs to be compute-bound (hundreds), so decoding is bound by
//! memory bandwidth; GQA multiplies it by the group size n_h/n_g, MQA by n_h.

/// How a model's attention stores keys and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttentionKind {
    /// Multi-head: one K/V head per query head.
    Mha,
    /// Grouped-query: n_kv_heads K/V heads, 1 < n_kv_heads < n_heads.
    Gqa,
    /// Multi-query: a single K/V head.
    Mqa,
    /// Multi-head latent attention: a d_c latent plus a d_R RoPE key per token; d_cq is the query
    /// latent width (None when queries are not compressed).
    Mla {
        d_c: usize,
        d_r: usize,
        d_cq: Option<usize>,
    },
}

impl AttentionKind {
    /// Short label: "MHA", "GQA", "MQA" or "MLA".
    pub fn label(&self) -> &'static str {
        match self {
            AttentionKind::Mha => "MHA",
            AttentionKind::Gqa => "GQA",
            AttentionKind::Mqa => "MQA",
            AttentionKind::Mla { .. } => "MLA",
        }
    }
}

/// Layers that attend only to the last `window` tokens: `count` of the model's layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalLayers {
    pub window: usize,
    pub count: usize,
}

/// The architecture numbers that decide KV-cache size and decode cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelShape {
    pub layers: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub head_dim: usize,
    pub kind: AttentionKind,
    /// Sliding-window layers, if any (the rest are global).
    pub local: Option<LocalLayers>,
}

/// Storage format of one cached number or weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F16,
    Bf16,
    Fp8,
    Int4,
}

impl Dtype {
    /// Every format, widest first.
    pub const ALL: [Dtype; 5] = [Dtype::F32, Dtype::F16, Dtype::Bf16, Dtype::Fp8, Dtype::Int4];

    /// Bytes per number: 4, 2, 2, 1, ½.
    pub fn bytes(self) -> f64 {
        match self {
            Dtype::F32 => 4.0,
            Dtype::F16 | Dtype::Bf16 => 2.0,
            Dtype::Fp8 => 1.0,
            Dtype::Int4 => 0.5,
        }
    }

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "fp32",
            Dtype::F16 => "fp16",
            Dtype::Bf16 => "bf16",
            Dtype::Fp8 => "fp8",
            Dtype::Int4 => "int4",
        }
    }
}

/// Bytes in one GiB, 2³⁰.
pub const GIB: f64 = 1_073_741_824.0;

/// bytes / 2³⁰.
pub fn to_gib(bytes: f64) -> f64 {
    bytes / GIB
}

/// Weight memory: parameter count × bytes per parameter.
pub fn weight_bytes(params: f64, dtype: Dtype) -> f64 {
    params.max(0.0) * dtype.bytes()
}

/// Cost of generating one token at a given context length (batch 1, all layers).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeCost {
    /// Scores and weighted values, summed over layers.
    pub attention_flops: f64,
    /// Attention projections (≈ 2 FLOPs per attention weight), summed over layers.
    pub projection_flops: f64,
    /// Bytes of KV cache read, summed over layers.
    pub kv_bytes_read: f64,
}

impl DecodeCost {
    /// attention_flops / kv_bytes_read (0 when nothing is read).
    pub fn intensity(&self) -> f64 {
        if self.kv_bytes_read > 0.0 {
            self.attention_flops / self.kv_bytes_read
        } else {
            0.0
        }
    }
}

impl ModelShape {
    /// Numbers cached per token in one layer: 2·n_kv·d_h (MHA, GQA, MQA) or d_c + d_R (MLA).
    pub fn kv_elements_per_token_per_layer(&self) -> f64 {
        match self.kind {
            AttentionKind::Mla { d_c, d_r, .. } => (d_c + d_r) as f64,
            _ => 2.0 * self.n_kv_heads as f64 * self.head_dim as f64,
        }
    }

    /// Bytes per token over all layers, ignoring sliding windows (the cost of one more token of
    /// context while every layer still grows).
    pub fn kv_bytes_per_token(&self, dtype: Dtype) -> f64 {
        self.layers as f64 * self.kv_elements_per_token_per_layer() * dtype.bytes()
    }

    /// (local layers, their window, global layers), with the local count capped at `layers`.
    fn layer_split(&self) -> (usize, usize, usize) {
        match self.local {
            Some(l) => {
                let local = l.count.min(self.layers);
                (local, l.window, self.layers - local)
            }
            None => (0, 0, self.layers),
        }
    }

    /// Tokens the cache holds, summed over layers: local layers min(L, W) each, global layers L each.
    pub fn cached_token_layers(&self, context: usize) -> f64 {
        let (local, window, global) = self.layer_split();
        local as f64 * context.min(window) as f64 + global as f64 * context as f64
    }

    /// KV-cache bytes for `batch` sequences of `context` tokens.
    pub fn kv_cache_bytes(&self, context: usize, batch: usize, dtype: Dtype) -> f64 {
        self.cached_token_layers(context) * self.kv_elements_per_token_per_layer() * dtype.bytes() * batch as f64
    }

    /// Attention weights in one layer (no biases): Q and O d_model·n_h·d_h each, K and V
    /// d_model·n_kv·d_h each; for MLA W_DQ, W_UQ, W_QR (or W_Q), W_DKV, W_KR, W_UK, W_UV and W_O.
    pub fn attention_params_per_layer(&self) -> f64 {
        let (d, h, dh) = (self.d_model as f64, self.n_heads as f64, self.head_dim as f64);
        match self.kind {
            AttentionKind::Mla { d_c, d_r, d_cq } => {
                let (dc, dr) = (d_c as f64, d_r as f64);
                let query = match d_cq {
                    Some(q) => d * q as f64 + q as f64 * h * (dh + dr),
                    None => d * h * (dh + dr),
                };
                query + d * (dc + dr) + dc * h * 2.0 * dh + h * dh * d
            }
            _ => 2.0 * d * h * dh + 2.0 * d * self.n_kv_heads as f64 * dh,
        }
    }

    /// Core FLOPs of one layer for one new token attending over `keys` cached tokens.
    fn core_flops(&self, keys: usize) -> f64 {
        let (h, l) = (self.n_heads as f64, keys as f64);
        match self.kind {
            AttentionKind::Mla { d_c, d_r, .. } => 2.0 * h * (d_c + d_r) as f64 * l + 2.0 * h * d_c as f64 * l,
            _ => 4.0 * h * self.head_dim as f64 * l,
        }
    }

    /// FLOPs and bytes of one decode step at context length `context` (see the module doc).
    pub fn decode_step(&self, context: usize, dtype: Dtype) -> DecodeCost {
        let (local, window, global) = self.layer_split();
        let local_keys = context.min(window);
        let per_token = self.kv_elements_per_token_per_layer() * dtype.bytes();
        DecodeCost {
            attention_flops: local as f64 * self.core_flops(local_keys) + global as f64 * self.core_flops(context),
            projection_flops: 2.0 * self.layers as f64 * self.attention_params_per_layer(),
            kv_bytes_read: self.cached_token_layers(context) * per_token,
        }
    }

    /// The longest context whose KV cache for `batch` sequences fits in `budget_bytes`, or None when
    /// every context fits (all layers are sliding-window and their full windows fit). Inverts
    /// bytes(L) = b·(local·min(L, W) + global·L) with b the bytes per token-layer for the batch.
    pub fn max_context_within(&self, budget_bytes: f64, batch: usize, dtype: Dtype) -> Option<usize> {
        let per = self.kv_elements_per_token_per_layer() * dtype.bytes() * batch as f64;
        let budget = budget_bytes.max(0.0);
        if per <= 0.0 || self.layers == 0 {
            return None;
        }
        let (local, window, global) = self.layer_split();
        let tokens = budget / per;
        let all_layers = tokens / self.layers as f64;
        if all_layers <= window as f64 {
            return Some(all_layers.floor() as usize);
        }
        if global == 0 {
            return None;
        }
        Some(((tokens - local as f64 * window as f64) / global as f64).floor() as usize)
    }

    /// The same model with `n_kv_heads` K/V heads (clamped to 1..=n_heads) and the matching kind —
    /// MHA, GQA or MQA — for "what if" comparisons; an MLA model becomes a plain GQA/MHA/MQA one.
    pub fn with_kv_heads(&self, n_kv_heads: usize) -> ModelShape {
        let n_heads = self.n_heads.max(1);
        let n_kv = n_kv_heads.clamp(1, n_heads);
        let kind = if n_kv == n_heads {
            AttentionKind::Mha
        } else if n_kv == 1 {
            AttentionKind::Mqa
        } else {
            AttentionKind::Gqa
        };
        ModelShape {
            n_kv_heads: n_kv,
            kind,
            ..*self
        }
    }
}

/// DeepSeek-V2/V3's MLA widths: `kv_lora_rank` d_c = 512 and `qk_rope_head_dim` d_R = 64
/// (deepseek-ai/DeepSeek-V3 config.json; DeepSeek-V2 paper, Section 2.1).
pub const DEEPSEEK_D_C: usize = 512;
/// See [`DEEPSEEK_D_C`].
pub const DEEPSEEK_D_R: usize = 64;

impl ModelShape {
    /// The same model with multi-head latent attention caching d_c + d_R numbers per token per layer
    /// (queries uncompressed, every head kept, sliding windows kept) for "what if" comparisons. Its
    /// decode step uses the absorbed form: 2·n_h·(d_c + d_R)·L + 2·n_h·d_c·L FLOPs per layer.
    pub fn with_mla(&self, d_c: usize, d_r: usize) -> ModelShape {
        ModelShape {
            n_kv_heads: self.n_heads,
            kind: AttentionKind::Mla { d_c, d_r, d_cq: None },
            ..*self
        }
    }
}

/// A GPU memory reference line for the charts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Accelerator {
    pub name: &'static str,
    /// Nominal memory as sold ("24 GB"). These cards' capacities are binary in practice (a 24 GB card
    /// has 24 GiB), so the charts draw the line at this number on a GiB axis.
    pub memory_gb: f64,
}

/// Reference lines: RTX 3090/4090 24 GB, A100 40 GB, A100/H100 80 GB, H200 141 GB (NVIDIA datasheets).
pub const ACCELERATORS: [Accelerator; 4] = [
    Accelerator {
        name: "RTX 3090 / RTX 4090",
        memory_gb: 24.0,
    },
    Accelerator {
        name: "A100 40GB",
        memory_gb: 40.0,
    },
    Accelerator {
        name: "A100 / H100 80GB",
        memory_gb: 80.0,
    },
    Accelerator {
        name: "H200",
        memory_gb: 141.0,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn llama2_7b() -> ModelShape {
        ModelShape {
            layers: 32,
            d_model: 4096,
            n_heads: 32,
            n_kv_heads: 32,
            head_dim: 128,
            kind: AttentionKind::Mha,
            local: None,
        }
    }

    #[test]
    fn elements_per_token_follow_the_deepseek_table() {
        let mha = llama2_7b();
        // MHA 2·32·128 = 8192; GQA(8) 2·8·128 = 2048; MQA 2·128 = 256.
        assert_eq!(mha.kv_elements_per_token_per_layer(), 8192.0);
        assert_eq!(mha.with_kv_heads(8).kv_elements_per_token_per_layer(), 2048.0);
        assert_eq!(mha.with_kv_heads(1).kv_elements_per_token_per_layer(), 256.0);
        assert_eq!(mha.with_kv_heads(8).kind, AttentionKind::Gqa);
        assert_eq!(mha.with_kv_heads(0).kind, AttentionKind::Mqa);
        assert_eq!(mha.with_kv_heads(99).kind, AttentionKind::Mha);
        let mla = ModelShape {
            kind: AttentionKind::Mla {
                d_c: 512,
                d_r: 64,
                d_cq: None,
            },
            ..mha
        };
        assert_eq!(mla.kv_elements_per_token_per_layer(), 576.0);
    }

    #[test]
    fn cache_bytes_by_hand() {
        let m = llama2_7b();
        // fp16: 2·32 layers·32 heads·128·2 bytes = 524,288 B per token; 4096 tokens, batch 1 = 2 GiB.
        assert_eq!(m.kv_bytes_per_token(Dtype::F16), 524_288.0);
        assert_eq!(m.kv_cache_bytes(4096, 1, Dtype::F16), 2.0 * GIB);
        assert_eq!(to_gib(m.kv_cache_bytes(4096, 8, Dtype::Int4)), 4.0);
        assert_eq!(weight_bytes(7.0e9, Dtype::Bf16), 14.0e9);
        assert_eq!(weight_bytes(-1.0, Dtype::F32), 0.0);
    }

    #[test]
    fn sliding_window_layers_stop_growing_at_the_window() {
        // Gemma-2-9B-like: 42 layers, half local (W = 4096). At L = 8192:
        // 21·4096 + 21·8192 = 258,048 token-layers; 2·8·256·2 bytes = 8192 B per token-layer.
        let m = ModelShape {
            layers: 42,
            d_model: 3584,
            n_heads: 16,
            n_kv_heads: 8,
            head_dim: 256,
            kind: AttentionKind::Gqa,
            local: Some(LocalLayers {
                window: 4096,
                count: 21,
            }),
        };
        assert_eq!(m.cached_token_layers(8192), 258_048.0);
        assert_eq!(m.kv_cache_bytes(8192, 1, Dtype::F16), 258_048.0 * 8192.0);
        // Below the window every layer holds the whole context.
        assert_eq!(m.cached_token_layers(1000), 42_000.0);
        // A local count above the layer count is capped.
        let all = ModelShape {
            local: Some(LocalLayers { window: 10, count: 99 }),
            ..m
        };
        assert_eq!(all.cached_token_layers(1000), 420.0);
    }

    #[test]
    fn decode_intensity_is_one_for_fp16_mha_and_grows_with_the_group() {
        let m = llama2_7b();
        let c = m.decode_step(1000, Dtype::F16);
        // Core: 32 layers · 4·32·128·1000 = 524,288,000 FLOPs; KV: 32·1000·8192·2 = 524,288,000 B.
        assert_eq!(c.attention_flops, 524_288_000.0);
        assert_eq!(c.kv_bytes_read, 524_288_000.0);
        assert_eq!(c.intensity(), 1.0);
        // Projections: 32 layers · 2 · 4·4096² = 4,294,967,296 FLOPs.
        assert_eq!(c.projection_flops, 4_294_967_296.0);
        assert_eq!(m.with_kv_heads(8).decode_step(1000, Dtype::F16).intensity(), 4.0);
        assert_eq!(m.with_kv_heads(1).decode_step(1000, Dtype::F16).intensity(), 32.0);
        assert_eq!(m.decode_step(0, Dtype::F16).intensity(), 0.0);
    }

    #[test]
    fn absorbed_mla_decode_reads_the_latent_cache_with_every_head() {
        // DeepSeek-V3 attention, one layer: core 2·128·576·L + 2·128·512·L = 278,528·L FLOPs,
        // bytes 576·2·L = 1152·L, intensity 278,528 / 1152 ≈ 241.8.
        let m = ModelShape {
            layers: 1,
            d_model: 7168,
            n_heads: 128,
            n_kv_heads: 128,
            head_dim: 128,
            kind: AttentionKind::Mla {
                d_c: 512,
                d_r: 64,
                d_cq: Some(1536),
            },
            local: None,
        };
        let c = m.decode_step(100, Dtype::Bf16);
        assert_eq!(c.attention_flops, 27_852_800.0);
        assert_eq!(c.kv_bytes_read, 115_200.0);
        assert!((c.intensity() - 278_528.0 / 1152.0).abs() < 1e-9);
        // Weights: 7168·1536 + 1536·128·192 + 7168·576 + 512·128·256 + 128·128·7168
        //        = 11,010,048 + 37,748,736 + 4,128,768 + 16,777,216 + 117,440,512 = 187,105,280.
        assert_eq!(m.attention_params_per_layer(), 187_105_280.0);
    }

    #[test]
    fn llama2_7b_reshaped_as_mla_caches_576_numbers_and_decodes_at_higher_intensity() {
        let m = llama2_7b().with_mla(DEEPSEEK_D_C, DEEPSEEK_D_R);
        // 512 + 64 = 576 numbers per token per layer; fp16 over 32 layers: 576·2·32 = 36,864 B per token.
        assert_eq!(m.kv_elements_per_token_per_layer(), 576.0);
        assert_eq!(m.kv_bytes_per_token(Dtype::F16), 36_864.0);
        // 4096 tokens, batch 2: 36,864·4096·2 = 301,989,888 B.
        assert_eq!(m.kv_cache_bytes(4096, 2, Dtype::F16), 301_989_888.0);
        let c = m.decode_step(1000, Dtype::F16);
        // Per layer: 2·32·576·1000 + 2·32·512·1000 = 36,864,000 + 32,768,000 = 69,632,000; × 32 layers
        // = 2,228,224,000 FLOPs. Bytes: 32·1000·576·2 = 36,864,000. Intensity 69,632/1,152 = 60.44.
        assert_eq!(c.attention_flops, 2_228_224_000.0);
        assert_eq!(c.kv_bytes_read, 36_864_000.0);
        assert!((c.intensity() - 69_632.0 / 1_152.0).abs() < 1e-12);
        // MHA reads 524,288 B per token; MLA 36,864 B: 14.2× less.
        assert_eq!(
            llama2_7b().kv_bytes_per_token(Dtype::F16) / m.kv_bytes_per_token(Dtype::F16),
            524_288.0 / 36_864.0
        );
        // Windows survive the reshaping: 16 local layers of W = 1000 at L = 3000 hold
        // 16·1000 + 16·3000 = 64,000 token-layers.
        let windowed = ModelShape {
            local: Some(LocalLayers {
                window: 1000,
                count: 16,
            }),
            ..llama2_7b()
        }
        .with_mla(DEEPSEEK_D_C, DEEPSEEK_D_R);
        assert_eq!(windowed.cached_token_layers(3000), 64_000.0);
    }

    #[test]
    fn max_context_inverts_the_cache_size() {
        let m = llama2_7b();
        // 2 GiB at 524,288 B per token (fp16) is 4096 tokens; at batch 4, 1024.
        assert_eq!(m.max_context_within(2.0 * GIB, 1, Dtype::F16), Some(4096));
        assert_eq!(m.max_context_within(2.0 * GIB, 4, Dtype::F16), Some(1024));
        assert_eq!(m.max_context_within(-5.0, 1, Dtype::F16), Some(0));
        let half_local = ModelShape {
            local: Some(LocalLayers {
                window: 1000,
                count: 16,
            }),
            ..m
        };
        // Past the window: 16·1000 + 16·L token-layers of 16,384 B. Budget 16,384·(16,000 + 16·3000)
        // gives L = 3000.
        let budget = 16_384.0 * (16_000.0 + 16.0 * 3000.0);
        assert_eq!(half_local.max_context_within(budget, 1, Dtype::F16), Some(3000));
        assert_eq!(half_local.cached_token_layers(3000) * 16_384.0, budget);
        // Every layer local and the full windows fit: any context fits.
        let all_local = ModelShape {
            local: Some(LocalLayers {
                window: 1000,
                count: 32,
            }),
            ..m
        };
        assert_eq!(all_local.max_context_within(1e12, 1, Dtype::F16), None);
    }

    #[test]
    fn dtype_sizes_and_accelerator_lines() {
        let bytes: Vec<f64> = Dtype::ALL.iter().map(|d| d.bytes()).collect();
        assert_eq!(bytes, vec![4.0, 2.0, 2.0, 1.0, 0.5]);
        let gb: Vec<f64> = ACCELERATORS.iter().map(|a| a.memory_gb).collect();
        assert_eq!(gb, vec![24.0, 40.0, 80.0, 141.0]);
    }
}
