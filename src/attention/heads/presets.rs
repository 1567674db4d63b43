//! Model presets for the KV-cache calculator, from the models' official configs.
//!
//! Each entry names its Hugging Face `config.json` and its paper or model card; every number was
//! checked against a second source (a checkpoint module dump, a paper table, or the parameter count
//! recomputed from the architecture — see the tests). Discrepancies found while checking are noted next
//! to the entry. `params` is the total parameter count (all experts for MoE models: they all sit in
//! memory); `max_context` is the config's `max_position_embeddings` unless noted.

use crate::attention::heads::kv_cache::{AttentionKind, LocalLayers, ModelShape};

/// A real model's attention shape, context limit and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelPreset {
    /// Short stable identifier for URLs, e.g. "llama2-7b".
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    pub shape: ModelShape,
    /// Longest supported context in tokens.
    pub max_context: usize,
    /// Total parameter count.
    pub params: f64,
    /// Where the numbers come from.
    pub source: &'static str,
}

/// A standard (non-MLA) shape with every layer global.
const fn dense(layers: usize, d_model: usize, n_heads: usize, n_kv_heads: usize, head_dim: usize) -> ModelShape {
    let kind = if n_kv_heads == n_heads {
        AttentionKind::Mha
    } else if n_kv_heads == 1 {
        AttentionKind::Mqa
    } else {
        AttentionKind::Gqa
    };
    ModelShape {
        layers,
        d_model,
        n_heads,
        n_kv_heads,
        head_dim,
        kind,
        local: None,
    }
}

/// The same shape with `count` sliding-window layers of width `window`.
const fn windowed(shape: ModelShape, window: usize, count: usize) -> ModelShape {
    ModelShape {
        local: Some(LocalLayers { window, count }),
        ..shape
    }
}

/// A DeepSeek MLA shape: n_kv_heads is the config's `num_key_value_heads` (= n_heads), head_dim its
/// `qk_nope_head_dim` (= `v_head_dim` = 128).
const fn mla(layers: usize, d_model: usize, n_heads: usize, d_c: usize, d_r: usize, d_cq: usize) -> ModelShape {
    ModelShape {
        layers,
        d_model,
        n_heads,
        n_kv_heads: n_heads,
        head_dim: 128,
        kind: AttentionKind::Mla {
            d_c,
            d_r,
            d_cq: Some(d_cq),
        },
        local: None,
    }
}

/// Every preset, oldest architecture family first.
pub const PRESETS: [ModelPreset; 17] = [
    // GPT-2 paper (Radford et al. 2019) Table 2 says 117M for the smallest model; the released
    // checkpoint has 124,439,808 parameters (recomputed in the tests), the number we use.
    ModelPreset {
        id: "gpt2",
        name: "GPT-2 small",
        shape: dense(12, 768, 12, 12, 64),
        max_context: 1024,
        params: 124_439_808.0,
        source: "openai-community/gpt2 config.json (n_layer 12, n_embd 768, n_head 12, n_positions 1024); Radford et al. 2019",
    },
    // The model the "A real model" chapter runs: 134,515,008 parameters recomputed from the shape
    // (embedding 49,152·576 tied with the output, 30 × 3,540,096 per layer, final norm 576) and checked
    // against the loaded GGUF in tests/smollm2.rs.
    ModelPreset {
        id: "smollm2-135m",
        name: "SmolLM2-135M",
        shape: dense(30, 576, 9, 3, 64),
        max_context: 8192,
        params: 134_515_008.0,
        source: "HuggingFaceTB/SmolLM2-135M config.json (num_hidden_layers 30, hidden_size 576, num_attention_heads 9, num_key_value_heads 3, max_position_embeddings 8192); Allal et al. 2025",
    },
    ModelPreset {
        id: "llama2-7b",
        name: "LLaMA-2 7B",
        shape: dense(32, 4096, 32, 32, 128),
        max_context: 4096,
        params: 6_738_415_616.0,
        source: "meta-llama/Llama-2-7b-hf config.json; Touvron et al. 2023 (Llama 2) Table 1",
    },
    ModelPreset {
        id: "llama2-13b",
        name: "LLaMA-2 13B",
        shape: dense(40, 5120, 40, 40, 128),
        max_context: 4096,
        params: 13_015_864_320.0,
        source: "meta-llama/Llama-2-13b-hf config.json; Touvron et al. 2023 (Llama 2) Table 1",
    },
    // Only the 70B of Llama 2 uses GQA (8 KV heads), per the paper's Table 1.
    ModelPreset {
        id: "llama2-70b",
        name: "LLaMA-2 70B",
        shape: dense(80, 8192, 64, 8, 128),
        max_context: 4096,
        params: 68_976_648_192.0,
        source: "meta-llama/Llama-2-70b-hf config.json; Touvron et al. 2023 (Llama 2) Table 1",
    },
    ModelPreset {
        id: "llama3.1-8b",
        name: "LLaMA-3.1 8B",
        shape: dense(32, 4096, 32, 8, 128),
        max_context: 131_072,
        params: 8_030_261_248.0,
        source: "meta-llama/Llama-3.1-8B config.json; Llama 3 Herd of Models (2024) Table 3",
    },
    // Counting the tensors of Meta's sharded `original/` checkpoints gives 70.56B here and 410.1B for
    // the 405B: the shards replicate some tensors. The architecture gives 70.55B and 405.85B.
    ModelPreset {
        id: "llama3.1-70b",
        name: "LLaMA-3.1 70B",
        shape: dense(80, 8192, 64, 8, 128),
        max_context: 131_072,
        params: 70_553_706_496.0,
        source: "meta-llama/Llama-3.1-70B config.json; Llama 3 Herd of Models (2024) Table 3",
    },
    ModelPreset {
        id: "llama3.1-405b",
        name: "LLaMA-3.1 405B",
        shape: dense(126, 16384, 128, 8, 128),
        max_context: 131_072,
        params: 405_853_388_800.0,
        source: "meta-llama/Llama-3.1-405B config.json; Llama 3 Herd of Models (2024) Table 3",
    },
    // Every layer uses a 4096-token sliding window with a rolling-buffer cache (paper §2). The paper's
    // Table 1 lists context_len 8192; config.json says max_position_embeddings 32768 (used here).
    ModelPreset {
        id: "mistral-7b",
        name: "Mistral 7B v0.1",
        shape: windowed(dense(32, 4096, 32, 8, 128), 4096, 32),
        max_context: 32_768,
        params: 7_241_732_096.0,
        source: "mistralai/Mistral-7B-v0.1 config.json (sliding_window 4096); Jiang et al. 2023 Table 1",
    },
    // config.json has sliding_window null and the paper describes a dense 32k context; some
    // third-party listings wrongly carry over Mistral 7B's 4096 window.
    ModelPreset {
        id: "mixtral-8x7b",
        name: "Mixtral 8x7B",
        shape: dense(32, 4096, 32, 8, 128),
        max_context: 32_768,
        params: 46_702_792_704.0,
        source: "mistralai/Mixtral-8x7B-v0.1 config.json; Jiang et al. 2024 (Mixtral of Experts), 46.7B total",
    },
    // Multi-query: the fused query_key_value projection is 4544 → 4672 = (71 + 2)·64, i.e. 71 query
    // heads plus one K and one V head (some third-party configs list 32 KV heads — wrong). The
    // config has no max_position_embeddings; the model card gives a 2048-token context.
    ModelPreset {
        id: "falcon-7b",
        name: "Falcon-7B",
        shape: dense(32, 4544, 71, 1, 64),
        max_context: 2048,
        params: 6_921_720_704.0,
        source: "tiiuae/falcon-7b config.json (multi_query true, n_head 71); Almazrouei et al. 2023",
    },
    // Base model config: max_position_embeddings 131072; the Instruct config says 32768 and the
    // model card reaches 131,072 with YaRN.
    ModelPreset {
        id: "qwen2.5-7b",
        name: "Qwen2.5 7B",
        shape: dense(28, 3584, 28, 4, 128),
        max_context: 131_072,
        params: 7_615_616_512.0,
        source: "Qwen/Qwen2.5-7B config.json; Qwen2.5 model card (7.61B, 28 Q / 4 KV heads)",
    },
    ModelPreset {
        id: "qwen2.5-72b",
        name: "Qwen2.5 72B",
        shape: dense(80, 8192, 64, 8, 128),
        max_context: 131_072,
        params: 72_706_203_648.0,
        source: "Qwen/Qwen2.5-72B config.json; Qwen2.5 model card (72.7B, 64 Q / 8 KV heads)",
    },
    // Local (4096-window) and global layers alternate, so half the layers are local. head_dim 256
    // is wider than d_model / n_heads = 224. Some listings labelled "gemma-2" give Gemma 1 numbers.
    ModelPreset {
        id: "gemma2-9b",
        name: "Gemma 2 9B",
        shape: windowed(dense(42, 3584, 16, 8, 256), 4096, 21),
        max_context: 8192,
        params: 9_241_705_984.0,
        source: "google/gemma-2-9b config.json (sliding_window 4096); Gemma 2 report (2024) Table 1",
    },
    // Scores are scaled by query_pre_attn_scalar^(−½) = 144^(−½) (d_model / n_heads), not
    // head_dim^(−½); that changes the scores, not the cache.
    ModelPreset {
        id: "gemma2-27b",
        name: "Gemma 2 27B",
        shape: windowed(dense(46, 4608, 32, 16, 128), 4096, 23),
        max_context: 8192,
        params: 27_227_128_320.0,
        source: "google/gemma-2-27b config.json (sliding_window 4096); Gemma 2 report (2024) Table 1",
    },
    // config.json max_position_embeddings 163840; the paper reports a 128K context (YaRN).
    // 236B total, 21B activated per token.
    ModelPreset {
        id: "deepseek-v2",
        name: "DeepSeek-V2",
        shape: mla(60, 5120, 128, 512, 64, 1536),
        max_context: 163_840,
        params: 236e9,
        source: "deepseek-ai/DeepSeek-V2 config.json (kv_lora_rank 512, qk_rope_head_dim 64, q_lora_rank 1536); arXiv 2405.04434",
    },
    // 671B total, 37B activated; the Hugging Face repository holds 685B because it includes the
    // 14B multi-token-prediction module, which is not part of the main model.
    ModelPreset {
        id: "deepseek-v3",
        name: "DeepSeek-V3",
        shape: mla(61, 7168, 128, 512, 64, 1536),
        max_context: 163_840,
        params: 671e9,
        source: "deepseek-ai/DeepSeek-V3 config.json (kv_lora_rank 512, qk_rope_head_dim 64, q_lora_rank 1536); arXiv 2412.19437",
    },
];

/// The preset with this id, if any.
pub fn preset_by_id(id: &str) -> Option<&'static ModelPreset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The preset views start from: LLaMA-2 7B, the classic MHA model.
pub fn default_preset() -> &'static ModelPreset {
    preset_by_id("llama2-7b").expect("LLaMA-2 7B is a preset")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::heads::kv_cache::Dtype;

    fn bytes_per_token_fp16(id: &str) -> f64 {
        preset_by_id(id).unwrap().shape.kv_bytes_per_token(Dtype::F16)
    }

    #[test]
    fn kv_bytes_per_token_of_every_preset_by_hand() {
        // fp16 = 2 bytes. Standard attention: 2 (K and V) · layers · n_kv · head_dim · 2 bytes.
        let want = [
            ("gpt2", 2.0 * 12.0 * 12.0 * 64.0 * 2.0),           // 36,864
            ("smollm2-135m", 2.0 * 30.0 * 3.0 * 64.0 * 2.0),    // 23,040
            ("llama2-7b", 2.0 * 32.0 * 32.0 * 128.0 * 2.0),     // 524,288
            ("llama2-13b", 2.0 * 40.0 * 40.0 * 128.0 * 2.0),    // 819,200
            ("llama2-70b", 2.0 * 80.0 * 8.0 * 128.0 * 2.0),     // 327,680
            ("llama3.1-8b", 2.0 * 32.0 * 8.0 * 128.0 * 2.0),    // 131,072
            ("llama3.1-70b", 2.0 * 80.0 * 8.0 * 128.0 * 2.0),   // 327,680
            ("llama3.1-405b", 2.0 * 126.0 * 8.0 * 128.0 * 2.0), // 516,096
            ("mistral-7b", 2.0 * 32.0 * 8.0 * 128.0 * 2.0),     // 131,072
            ("mixtral-8x7b", 2.0 * 32.0 * 8.0 * 128.0 * 2.0),   // 131,072
            ("falcon-7b", 2.0 * 32.0 * 1.0 * 64.0 * 2.0),       // 8,192
            ("qwen2.5-7b", 2.0 * 28.0 * 4.0 * 128.0 * 2.0),     // 57,344
            ("qwen2.5-72b", 2.0 * 80.0 * 8.0 * 128.0 * 2.0),    // 327,680
            ("gemma2-9b", 2.0 * 42.0 * 8.0 * 256.0 * 2.0),      // 344,064
            ("gemma2-27b", 2.0 * 46.0 * 16.0 * 128.0 * 2.0),    // 376,832
            // MLA: layers · (d_c + d_R) · 2 bytes.
            ("deepseek-v2", 60.0 * (512.0 + 64.0) * 2.0), // 69,120
            ("deepseek-v3", 61.0 * (512.0 + 64.0) * 2.0), // 70,272
        ];
        assert_eq!(want.len(), PRESETS.len(), "every preset is checked");
        for (id, bytes) in want {
            assert_eq!(bytes_per_token_fp16(id), bytes, "{id}");
        }
        assert_eq!(bytes_per_token_fp16("llama2-7b"), 524_288.0);
        assert_eq!(bytes_per_token_fp16("deepseek-v3"), 70_272.0);
    }

    #[test]
    fn windowed_presets_cap_their_local_layers() {
        // Mistral 7B at 32k context: all 32 layers hold 4096 tokens → 32·4096·2·8·128·2 B = 512 MiB.
        let mistral = preset_by_id("mistral-7b").unwrap().shape;
        assert_eq!(mistral.kv_cache_bytes(32_768, 1, Dtype::F16), 32.0 * 4096.0 * 4096.0);
        // Gemma 2 27B at 8192: 23 local layers · 4096 + 23 global · 8192 = 282,624 token-layers,
        // 2·16·128·2 = 8192 B each.
        let gemma = preset_by_id("gemma2-27b").unwrap().shape;
        assert_eq!(gemma.kv_cache_bytes(8192, 1, Dtype::F16), 282_624.0 * 8192.0);
    }

    #[test]
    fn kinds_agree_with_kv_head_counts_and_ids_are_unique() {
        for p in &PRESETS {
            let s = p.shape;
            match s.kind {
                AttentionKind::Mha => assert_eq!(s.n_kv_heads, s.n_heads, "{}", p.id),
                AttentionKind::Mqa => assert_eq!(s.n_kv_heads, 1, "{}", p.id),
                AttentionKind::Gqa => assert!(s.n_kv_heads > 1 && s.n_heads % s.n_kv_heads == 0, "{}", p.id),
                AttentionKind::Mla { d_r, .. } => assert_eq!(d_r % 2, 0, "{}", p.id),
            }
            assert_eq!(PRESETS.iter().filter(|q| q.id == p.id).count(), 1);
        }
        assert_eq!(default_preset().id, "llama2-7b");
        assert!(preset_by_id("nope").is_none());
    }

    /// Parameters of a decoder with gated (3-matrix) MLPs: embeddings (×2 unless tied), per layer the
    /// attention weights (+ QKV biases), `experts` MLPs of width `ffn`, a router, `norms` RMSNorm
    /// vectors of width d, and a final norm.
    #[allow(clippy::too_many_arguments)]
    fn gated_decoder_params(
        p: &ModelPreset,
        vocab: f64,
        ffn: f64,
        experts: f64,
        tied: bool,
        qkv_bias: bool,
        norms: f64,
    ) -> f64 {
        let s = p.shape;
        let d = s.d_model as f64;
        let (q, kv) = ((s.n_heads * s.head_dim) as f64, (s.n_kv_heads * s.head_dim) as f64);
        let attn = 2.0 * d * q + 2.0 * d * kv + if qkv_bias { q + 2.0 * kv } else { 0.0 };
        let router = if experts > 1.0 { d * experts } else { 0.0 };
        let layer = attn + experts * 3.0 * d * ffn + router + norms * d;
        vocab * d * if tied { 1.0 } else { 2.0 } + s.layers as f64 * layer + d
    }

    #[test]
    fn dense_parameter_counts_follow_from_the_architecture() {
        // (id, vocab, MLP width, experts, tied embeddings, QKV bias, norms per layer) from config.json.
        let cases = [
            ("llama2-7b", 32_000.0, 11_008.0, 1.0, false, false, 2.0),
            ("llama2-13b", 32_000.0, 13_824.0, 1.0, false, false, 2.0),
            ("llama2-70b", 32_000.0, 28_672.0, 1.0, false, false, 2.0),
            ("llama3.1-8b", 128_256.0, 14_336.0, 1.0, false, false, 2.0),
            ("llama3.1-70b", 128_256.0, 28_672.0, 1.0, false, false, 2.0),
            ("llama3.1-405b", 128_256.0, 53_248.0, 1.0, false, false, 2.0),
            ("mistral-7b", 32_000.0, 14_336.0, 1.0, false, false, 2.0),
            ("mixtral-8x7b", 32_000.0, 14_336.0, 8.0, false, false, 2.0),
            ("qwen2.5-7b", 152_064.0, 18_944.0, 1.0, false, true, 2.0),
            ("qwen2.5-72b", 152_064.0, 29_568.0, 1.0, false, true, 2.0),
            ("gemma2-9b", 256_000.0, 14_336.0, 1.0, true, false, 4.0),
            ("gemma2-27b", 256_000.0, 36_864.0, 1.0, true, false, 4.0),
        ];
        for (id, vocab, ffn, experts, tied, bias, norms) in cases {
            let p = preset_by_id(id).unwrap();
            assert_eq!(
                gated_decoder_params(p, vocab, ffn, experts, tied, bias, norms),
                p.params,
                "{id}"
            );
        }
        // GPT-2 small: token 50257·768 + positions 1024·768 + 12 layers · (QKV 768·2304 + 2304,
        // proj 768² + 768, MLP 768·3072 + 3072 + 3072·768 + 768, 2 LayerNorms 2·1536) + final LN 1536.
        let layer = 768.0 * 2304.0 + 2304.0 + 768.0 * 768.0 + 768.0 + 2.0 * 768.0 * 3072.0 + 3072.0 + 768.0 + 3072.0;
        let gpt2 = 50_257.0 * 768.0 + 1024.0 * 768.0 + 12.0 * layer + 1536.0;
        assert_eq!(gpt2, preset_by_id("gpt2").unwrap().params);
        // Falcon-7B (tied embeddings, parallel attention/MLP with one LayerNorm per layer):
        // 65024·4544 + 32 · (4544·4672 + 4544² + 2·4544·18176 + 2·4544) + 2·4544.
        let falcon = 65_024.0 * 4544.0
            + 32.0 * (4544.0 * 4672.0 + 4544.0 * 4544.0 + 2.0 * 4544.0 * 18_176.0 + 2.0 * 4544.0)
            + 2.0 * 4544.0;
        assert_eq!(falcon, preset_by_id("falcon-7b").unwrap().params);
    }
}
