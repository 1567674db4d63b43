//! A model re-shaped as MHA, GQA, MQA or MLA: the "what if" shapes the KV-cache calculator compares.
//!
//! MHA keeps one K/V head per query head, MQA one K/V head in all (Shazeer 2019), GQA groups of query
//! heads sharing a K/V head (Ainslie et al. 2023, who convert MHA checkpoints by mean-pooling heads),
//! MLA a latent of width d_c plus a decoupled RoPE key of width d_R per token (DeepSeek-V2, 2024).

use crate::attention::heads::kv_cache::{AttentionKind, ModelShape, DEEPSEEK_D_C, DEEPSEEK_D_R};
use crate::attention::heads::presets::ModelPreset;

/// Which "what if" variant of a preset a chart series or bar shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The model as configured.
    AsIs,
    /// Every query head with its own K/V head.
    Mha,
    /// The model's own K/V heads if it uses GQA, else [`gqa_kv_heads`].
    Gqa,
    /// One K/V head.
    Mqa,
    /// The model's own MLA, else DeepSeek's d_c = 512, d_R = 64.
    Mla,
}

impl Variant {
    /// Short stable id (test hooks).
    pub fn id(self) -> &'static str {
        match self {
            Variant::AsIs => "asis",
            Variant::Mha => "mha",
            Variant::Gqa => "gqa",
            Variant::Mqa => "mqa",
            Variant::Mla => "mla",
        }
    }
}

/// The four re-shapings compared in the calculator's bars and table.
pub const VARIANTS: [Variant; 4] = [Variant::Mha, Variant::Gqa, Variant::Mqa, Variant::Mla];

/// K/V heads of the GQA variant: the model's own count if it uses GQA; otherwise the divisor of n_h
/// strictly between 1 and n_h closest to 8 (8 for 32, 64 or 128 heads; 6 for GPT-2's 12), or 8
/// clamped to n_h when n_h has no such divisor (Falcon-7B's 71 heads). Eight K/V heads is the choice
/// of LLaMA-2 70B and the GQA paper's main setting.
pub fn gqa_kv_heads(s: &ModelShape) -> usize {
    if s.kind == AttentionKind::Gqa {
        return s.n_kv_heads;
    }
    let h = s.n_heads.max(1);
    (2..h)
        .filter(|d| h.is_multiple_of(*d))
        .min_by_key(|d| (d.abs_diff(8), *d))
        .unwrap_or(8.min(h))
}

/// The model shape of a variant.
pub fn variant_shape(preset: &ModelPreset, v: Variant) -> ModelShape {
    let s = preset.shape;
    match v {
        Variant::AsIs => s,
        Variant::Mha => s.with_kv_heads(s.n_heads),
        Variant::Gqa => s.with_kv_heads(gqa_kv_heads(&s)),
        Variant::Mqa => s.with_kv_heads(1),
        Variant::Mla => match s.kind {
            AttentionKind::Mla { .. } => s,
            _ => s.with_mla(DEEPSEEK_D_C, DEEPSEEK_D_R),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::heads::presets::preset_by_id;

    #[test]
    fn gqa_variant_uses_the_divisor_nearest_eight_or_the_models_own() {
        let gpt2 = preset_by_id("gpt2").unwrap();
        assert_eq!(variant_shape(gpt2, Variant::Gqa).n_kv_heads, 6);
        let falcon = preset_by_id("falcon-7b").unwrap();
        assert_eq!(variant_shape(falcon, Variant::Gqa).n_kv_heads, 8);
        let llama2 = preset_by_id("llama2-7b").unwrap();
        assert_eq!(gqa_kv_heads(&llama2.shape), 8);
        let gemma = preset_by_id("gemma2-9b").unwrap();
        assert_eq!(variant_shape(gemma, Variant::Gqa), gemma.shape, "already GQA: as built");
    }

    #[test]
    fn mha_mqa_and_mla_variants_reshape_the_kv_heads_only() {
        let llama2 = preset_by_id("llama2-7b").unwrap();
        assert_eq!(variant_shape(llama2, Variant::Mha), llama2.shape);
        assert_eq!(variant_shape(llama2, Variant::AsIs), llama2.shape);
        let mqa = variant_shape(llama2, Variant::Mqa);
        assert_eq!((mqa.n_kv_heads, mqa.layers, mqa.head_dim), (1, 32, 128));
        let mla = variant_shape(llama2, Variant::Mla);
        assert!(matches!(mla.kind, AttentionKind::Mla { d_c: 512, d_r: 64, .. }));
        let ds = preset_by_id("deepseek-v3").unwrap();
        assert_eq!(variant_shape(ds, Variant::Mla), ds.shape);
        assert_eq!(Variant::Gqa.id(), "gqa");
    }
}
