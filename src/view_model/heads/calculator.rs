//! The KV-cache calculator's numbers: one real model's cache, weights and decode cost at the view's
//! context, batch and number format; the per-variant rows (MHA, GQA, MQA, MLA) with their formulas
//! written out; and the points of the memory chart.

use crate::attention::heads::kv_cache::{to_gib, weight_bytes, AttentionKind, ACCELERATORS, GIB};
use crate::attention::heads::variants::{variant_shape, Variant, VARIANTS};
use crate::view_model::format::bytes;
use crate::view_model::heads::params::{HeadsParams, MAX_CTX};

/// The calculator's numbers for one model at the view's context, batch and dtype.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheNumbers {
    pub bytes_per_token: f64,
    pub kv_bytes: f64,
    pub weight_bytes: f64,
    /// Decode step at `ctx`: attention FLOPs, KV bytes read, FLOPs per byte.
    pub decode_flops: f64,
    pub decode_bytes: f64,
    pub intensity: f64,
    /// Names of the reference GPUs whose memory holds weights + cache (nominal GB read as GiB).
    pub fits_on: Vec<&'static str>,
    /// Longest context whose cache fits next to the weights on an 80 GB card (None: any context,
    /// Some(0): the weights alone do not fit).
    pub max_ctx_80gb: Option<usize>,
}

/// Computes the calculator readouts.
pub fn cache_numbers(p: &HeadsParams) -> CacheNumbers {
    let preset = p.preset;
    let s = preset.shape;
    let kv_bytes = s.kv_cache_bytes(p.context, p.batch, p.dtype);
    let weights = weight_bytes(preset.params, p.dtype);
    let step = s.decode_step(p.context, p.dtype);
    let total_gib = to_gib(kv_bytes + weights);
    CacheNumbers {
        bytes_per_token: s.kv_bytes_per_token(p.dtype),
        kv_bytes,
        weight_bytes: weights,
        decode_flops: step.attention_flops,
        decode_bytes: step.kv_bytes_read,
        intensity: step.intensity(),
        fits_on: ACCELERATORS
            .iter()
            .filter(|a| a.memory_gb >= total_gib)
            .map(|a| a.name)
            .collect(),
        max_ctx_80gb: s.max_context_within(80.0 * GIB - weights, p.batch, p.dtype),
    }
}

/// An integer with thousands separators (`524288` → `"524,288"`); a fractional value keeps one decimal.
pub fn grouped(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let whole = v.trunc().abs() as u128;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let frac = v.abs().fract();
    if frac > 0.0 {
        out.push_str(&format!("{:.1}", frac)[1..]);
    }
    if v < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// One row of the calculator's per-variant table (and one bar of its chart).
#[derive(Clone, Debug, PartialEq)]
pub struct VariantRow {
    pub variant: Variant,
    pub kind: AttentionKind,
    /// K/V heads (standard kinds) — for MLA, the model's query heads.
    pub n_kv: usize,
    /// True when this variant is the model as built.
    pub as_built: bool,
    /// Numbers cached per token per layer and their formula, e.g. "2·n_h·d_h = 2·32·128 = 8,192".
    pub elements: f64,
    pub elements_formula: String,
    /// Bytes per token over all layers and their formula, e.g. "8,192 × 2 B × 32 = 524,288 B".
    pub bytes_per_token: f64,
    pub per_token_formula: String,
    /// KV cache for ctx × batch and its formula, e.g. "524,288 B × 4,096 × 1 = 2.00 GiB".
    pub kv_bytes: f64,
    pub cache_formula: String,
    /// Decode step at ctx (batch 1): attention FLOPs, KV bytes read, their ratio.
    pub decode_flops: f64,
    pub decode_bytes: f64,
    pub intensity: f64,
}

/// The calculator's per-variant rows for the view's model, context, batch and dtype.
pub fn variant_rows(p: &HeadsParams) -> Vec<VariantRow> {
    let preset = p.preset;
    VARIANTS
        .iter()
        .map(|&variant| {
            let s = variant_shape(preset, variant);
            let elements = s.kv_elements_per_token_per_layer();
            let elements_formula = match s.kind {
                AttentionKind::Mla { d_c, d_r, .. } => format!("d_c + d_R = {d_c} + {d_r} = {}", grouped(elements)),
                AttentionKind::Mqa => format!("2·d_h = 2·{} = {}", s.head_dim, grouped(elements)),
                AttentionKind::Mha => format!("2·n_h·d_h = 2·{}·{} = {}", s.n_kv_heads, s.head_dim, grouped(elements)),
                AttentionKind::Gqa => format!("2·n_g·d_h = 2·{}·{} = {}", s.n_kv_heads, s.head_dim, grouped(elements)),
            };
            let b = p.dtype.bytes();
            let bytes_per_token = s.kv_bytes_per_token(p.dtype);
            let per_token_formula = format!(
                "{} × {b} B × {} = {} B",
                grouped(elements),
                s.layers,
                grouped(bytes_per_token)
            );
            let kv_bytes = s.kv_cache_bytes(p.context, p.batch, p.dtype);
            let cache_formula = match s.local.filter(|l| p.context > l.window && l.count > 0) {
                Some(l) => {
                    let local = l.count.min(s.layers);
                    format!(
                        "{} × {b} B × ({local}·{} + {}·{}) × {} = {}",
                        grouped(elements),
                        grouped(l.window as f64),
                        s.layers - local,
                        grouped(p.context as f64),
                        p.batch,
                        bytes(kv_bytes)
                    )
                }
                None => format!(
                    "{} B × {} × {} = {}",
                    grouped(bytes_per_token),
                    grouped(p.context as f64),
                    p.batch,
                    bytes(kv_bytes)
                ),
            };
            let step = s.decode_step(p.context, p.dtype);
            VariantRow {
                variant,
                kind: s.kind,
                n_kv: s.n_kv_heads,
                as_built: s == preset.shape,
                elements,
                elements_formula,
                bytes_per_token,
                per_token_formula,
                kv_bytes,
                cache_formula,
                decode_flops: step.attention_flops,
                decode_bytes: step.kv_bytes_read,
                intensity: step.intensity(),
            }
        })
        .collect()
}

/// Context lengths of the memory chart: powers of two from 2⁸ to 2²⁰, plus the view's context.
pub fn chart_contexts(ctx: usize) -> Vec<usize> {
    let mut xs: Vec<usize> = (8..=20).map(|k| 1usize << k).collect();
    xs.push(ctx.clamp(1, MAX_CTX));
    xs.sort_unstable();
    xs.dedup();
    xs
}

/// (context, KV-cache GiB) points of one variant for the memory chart.
pub fn cache_series(p: &HeadsParams, v: Variant) -> Vec<(f64, f64)> {
    let s = variant_shape(p.preset, v);
    chart_contexts(p.context)
        .into_iter()
        .map(|c| (c as f64, to_gib(s.kv_cache_bytes(c, p.batch, p.dtype))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::heads::params::{parse, ParsedHeads};
    use crate::view_model::params::pairs_lookup;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedHeads {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn calculator_numbers_for_llama2_7b() {
        let p = parse_pairs(&[("ctx", "4096")]).params;
        let c = cache_numbers(&p);
        // 524,288 B/token · 4096 = 2 GiB; weights 6,738,415,616 · 2 B ≈ 12.55 GiB → fits 24 GB and up.
        assert_eq!(c.bytes_per_token, 524_288.0);
        assert_eq!(c.kv_bytes, 2.0 * 1_073_741_824.0);
        assert_eq!(c.fits_on.len(), 4);
        assert_eq!(c.intensity, 1.0);
        // 80 GiB − 13,476,831,232 B of weights = 72,422,514,688 B → ⌊/524,288⌋ = 138,134 tokens.
        assert_eq!(c.max_ctx_80gb, Some(138_134));
        let mha = cache_series(&p, Variant::Mha);
        let mqa = cache_series(&p, Variant::Mqa);
        assert_eq!(mha.len(), 13, "2^8 … 2^20, 4096 already among them");
        assert_eq!(mha[0].1, 32.0 * mqa[0].1);
    }

    #[test]
    fn variant_rows_for_llama2_7b_by_hand() {
        let p = parse_pairs(&[("ctx", "4096"), ("batch", "1")]).params;
        let rows = variant_rows(&p);
        let per_token: Vec<f64> = rows.iter().map(|r| r.bytes_per_token).collect();
        // fp16, 32 layers: MHA 2·32·128·2·32 = 524,288; GQA(8) 2·8·128·2·32 = 131,072;
        // MQA 2·128·2·32 = 16,384; MLA (512 + 64)·2·32 = 36,864 bytes per token.
        assert_eq!(per_token, vec![524_288.0, 131_072.0, 16_384.0, 36_864.0]);
        let built: Vec<bool> = rows.iter().map(|r| r.as_built).collect();
        assert_eq!(built, vec![true, false, false, false]);
        assert_eq!(rows[0].elements_formula, "2·n_h·d_h = 2·32·128 = 8,192");
        assert_eq!(rows[0].per_token_formula, "8,192 × 2 B × 32 = 524,288 B");
        assert_eq!(rows[0].cache_formula, "524,288 B × 4,096 × 1 = 2.00 GiB");
        assert_eq!(rows[1].elements_formula, "2·n_g·d_h = 2·8·128 = 2,048");
        assert_eq!(rows[2].elements_formula, "2·d_h = 2·128 = 256");
        assert_eq!(rows[3].elements_formula, "d_c + d_R = 512 + 64 = 576");
        // Intensity: MHA 1, GQA(8) 4, MQA 32 FLOPs per byte; MLA (2·32·576 + 2·32·512)/(576·2) = 60.4.
        assert_eq!(rows[0].intensity, 1.0);
        assert_eq!(rows[1].intensity, 4.0);
        assert_eq!(rows[2].intensity, 32.0);
        assert!((rows[3].intensity - 69_632.0 / 1_152.0).abs() < 1e-12);
    }

    #[test]
    fn variants_keep_the_models_own_gqa_mla_and_windows() {
        // Gemma 2 9B is its own GQA variant (8 K/V heads of 256): 2·8·256 = 4,096 numbers per
        // token-layer; at 8192 tokens 21 of its 42 layers stop at their 4096-token window:
        // 4,096 · 2 B · (21·4,096 + 21·8,192) = 8,192 · 258,048 = 2,113,929,216 B = 1.96875 GiB.
        let p = parse_pairs(&[("model", "gemma2-9b"), ("ctx", "8192")]).params;
        let rows = variant_rows(&p);
        assert_eq!((rows[1].n_kv, rows[1].as_built), (8, true));
        assert_eq!(
            rows[1].cache_formula,
            "4,096 × 2 B × (21·4,096 + 21·8,192) × 1 = 1.97 GiB"
        );
        assert_eq!(rows[1].kv_bytes, 2_113_929_216.0);
        // DeepSeek-V3 is its own MLA variant; GPT-2's GQA variant uses 6 of its 12 heads; and
        // Falcon-7B is multi-query as built.
        let ds = variant_rows(&parse_pairs(&[("model", "deepseek-v3")]).params);
        assert!(ds[3].as_built && !ds[0].as_built);
        assert_eq!(ds[1].n_kv, 8);
        // (The GQA head counts of GPT-2 and Falcon are tested with `variant_shape` itself.)
        let gpt2 = variant_rows(&parse_pairs(&[("model", "gpt2")]).params);
        assert_eq!(gpt2[1].n_kv, 6);
        assert!(variant_rows(&parse_pairs(&[("model", "falcon-7b")]).params)[2].as_built);
    }

    #[test]
    fn grouped_digits() {
        assert_eq!(grouped(524_288.0), "524,288");
        assert_eq!(grouped(576.0), "576");
        assert_eq!(grouped(1_000.0), "1,000");
        assert_eq!(grouped(2.5), "2.5");
        assert_eq!(grouped(-1_234_567.0), "-1,234,567");
    }
}
