//! The "MHA · GQA · MLA" view's parameters and the pure data behind its panels.
//!
//! URL keys: `n`, `d_model`, `heads`, `kv`, `head`, `causal`, `seed` (the toy layer); `d_c`, `d_r`
//! (its MLA version); `theta`, `layout` (RoPE); `model`, `ctx`, `batch`, `dtype` (the KV-cache
//! calculator); `part` (which panels to show, for embedding one alone). Parsing clamps with notices and never fails. The toy layer is small (N ≤ 96,
//! d_model ≤ 64, d_c ≤ 64), so every panel recomputes synchronously well under a frame.

use crate::attention::embedding::embed;
use crate::attention::heads::error::HeadsError;
use crate::attention::heads::grouped::{grouped_query_attention_with_maps, GqaConfig, GqaProjections, GqaWeights};
use crate::attention::heads::kv_cache::{
    to_gib, weight_bytes, AttentionKind, Dtype, ModelShape, ACCELERATORS, DEEPSEEK_D_C, DEEPSEEK_D_R,
};
use crate::attention::heads::low_rank::{joint_kv, LowRank, RankPoint};
use crate::attention::heads::mla::{mla_absorbed, MlaConfig, MlaProjections, MlaWeights};
use crate::attention::heads::presets::{default_preset, preset_by_id, ModelPreset, PRESETS};
use crate::attention::heads::rope::{
    interleaved_to_half_order, Rope, RopeLayout, LLAMA2_ROPE_THETA, LLAMA3_ROPE_THETA,
};
use crate::attention::matrix::Matrix;
use crate::attention::rng::{normal_vec, stream};
use crate::attention::tokenizer::example_tokens;
use crate::view_model::params::{Notice, ParamReader};

/// Largest toy sequence length (keeps every panel synchronous).
pub const MAX_N: usize = 96;
/// The toy layer's model widths.
pub const D_MODELS: [usize; 3] = [16, 32, 64];
/// Most query heads in the toy layer.
pub const MAX_HEADS: usize = 16;
/// Largest MLA latent width d_c.
pub const MAX_D_C: usize = 64;
/// Largest decoupled RoPE width d_R.
pub const MAX_D_R: usize = 32;
/// Longest context of the calculator (2²⁰ tokens).
pub const MAX_CTX: usize = 1 << 20;
/// Largest batch of the calculator.
pub const MAX_BATCH: usize = 512;
/// Width of the RoPE pictures: LLaMA's head_dim.
pub const ROPE_DIM: usize = 128;
/// Positions in the RoPE angle picture.
pub const ROPE_POSITIONS: usize = 256;

/// Which panels the view shows (`part=`): all of them, or one alone for an embed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    All,
    /// The KV-cache calculator with its bars, table and chart.
    Memory,
    /// The K/V sharing diagram and maps.
    Sharing,
    /// Latent attention and the low-rank curve.
    Mla,
    /// The RoPE panel.
    Rope,
}

impl Part {
    /// Every part with its URL value.
    pub const ALL: [(Part, &'static str); 5] = [
        (Part::All, "all"),
        (Part::Memory, "memory"),
        (Part::Sharing, "sharing"),
        (Part::Mla, "mla"),
        (Part::Rope, "rope"),
    ];

    /// The URL value.
    pub fn param(self) -> &'static str {
        Part::ALL.iter().find(|(p, _)| *p == self).map_or("all", |(_, v)| v)
    }

    /// Whether panel `panel` is shown under this setting.
    pub fn shows(self, panel: Part) -> bool {
        self == Part::All || self == panel
    }

    /// Whether the toy layer's controls are needed (the sharing and MLA panels use them).
    pub fn needs_toy_controls(self) -> bool {
        matches!(self, Part::All | Part::Sharing | Part::Mla)
    }
}

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadsParams {
    /// Tokens in the toy layer.
    pub n: usize,
    pub d_model: usize,
    /// Query heads n_h (divides d_model).
    pub heads: usize,
    /// K/V heads n_kv (divides n_h).
    pub kv: usize,
    /// Selected query head.
    pub head: usize,
    pub causal: bool,
    pub seed: u64,
    /// MLA latent width d_c.
    pub d_c: usize,
    /// MLA decoupled RoPE width d_R (even).
    pub d_r: usize,
    /// RoPE base θ.
    pub theta: f64,
    pub layout: RopeLayout,
    /// Calculator preset id.
    pub model: &'static str,
    /// Calculator context length.
    pub ctx: usize,
    pub batch: usize,
    pub dtype: Dtype,
    /// Panels shown.
    pub part: Part,
}

impl HeadsParams {
    /// d_head = d_model / n_h.
    pub fn d_head(&self) -> usize {
        self.d_model / self.heads.max(1)
    }

    /// The calculator's preset.
    pub fn preset(&self) -> &'static ModelPreset {
        preset_by_id(self.model).unwrap_or_else(default_preset)
    }

    /// The toy layer's grouped-query config.
    pub fn gqa(&self) -> GqaConfig {
        GqaConfig {
            n_heads: self.heads,
            n_kv_heads: self.kv,
            d_head: self.d_head(),
            causal: self.causal,
        }
    }

    /// The toy layer's MLA config (same heads and d_head, no query compression).
    pub fn mla(&self) -> MlaConfig {
        MlaConfig {
            n_heads: self.heads,
            d_head: self.d_head(),
            d_c: self.d_c,
            d_r: self.d_r,
            d_cq: None,
            rope_base: self.theta,
            causal: self.causal,
        }
    }
}

/// Parameters and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedHeads {
    pub params: HeadsParams,
    pub notices: Vec<Notice>,
}

/// The divisor of `n` (at most `cap`) closest to `want` (ties go to the smaller).
pub fn nearest_divisor(n: usize, want: usize, cap: usize) -> usize {
    (1..=n.min(cap).max(1))
        .filter(|d| n.is_multiple_of(*d))
        .min_by_key(|d| (d.abs_diff(want), *d))
        .unwrap_or(1)
}

/// The URL value of a dtype.
pub fn dtype_param(d: Dtype) -> &'static str {
    d.name()
}

/// The URL value of a RoPE layout.
pub fn layout_param(l: RopeLayout) -> &'static str {
    match l {
        RopeLayout::RotateHalf => "half",
        RopeLayout::Interleaved => "interleaved",
    }
}

/// Parses the view's query (see the module doc); never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedHeads {
    let mut r = ParamReader::new(get);
    let n = r.size("n", 24, 2, MAX_N);
    let d_given = r.size("d_model", 64, 1, 1 << 20);
    let d_model = *D_MODELS
        .iter()
        .min_by_key(|d| (d.abs_diff(d_given), **d))
        .unwrap_or(&64);
    if d_model != d_given {
        r.rule("d_model", d_given, d_model, "heads.rule.d_model");
    }
    let heads_given = r.size("heads", 8, 1, MAX_HEADS);
    let heads = nearest_divisor(d_model, heads_given, MAX_HEADS);
    if heads != heads_given {
        r.rule("heads", heads_given, heads, "heads.rule.heads");
    }
    let kv_given = r.size("kv", 2, 1, MAX_HEADS);
    let kv = nearest_divisor(heads, kv_given, heads);
    if kv != kv_given {
        r.rule("kv", kv_given, kv, "heads.rule.kv");
    }
    let head_given = r.size("head", 0, 0, 1 << 30);
    let head = head_given.min(heads - 1);
    if head != head_given {
        r.rule("head", head_given, head, "heads.rule.head");
    }
    let causal = r.flag("causal", true);
    let seed = r.int("seed", 1, 0, u32::MAX as i64) as u64;
    let d_c = r.size("d_c", 16, 1, MAX_D_C);
    let d_r_given = r.size("d_r", 8, 2, MAX_D_R);
    let d_r = d_r_given & !1;
    if d_r != d_r_given {
        r.rule("d_r", d_r_given, d_r, "heads.rule.d_r");
    }
    let theta = match r.choice("theta", &["10000", "500000"], "10000") {
        "500000" => LLAMA3_ROPE_THETA,
        _ => LLAMA2_ROPE_THETA,
    };
    let layout = match r.choice("layout", &["half", "interleaved"], "half") {
        "interleaved" => RopeLayout::Interleaved,
        _ => RopeLayout::RotateHalf,
    };
    let ids: Vec<&'static str> = PRESETS.iter().map(|p| p.id).collect();
    let model = r.choice("model", &ids, default_preset().id);
    let ctx = r.size("ctx", 4096, 1, MAX_CTX);
    let batch = r.size("batch", 1, 1, MAX_BATCH);
    let names: Vec<&'static str> = Dtype::ALL.iter().map(|d| d.name()).collect();
    let dtype_name = r.choice("dtype", &names, Dtype::F16.name());
    let dtype = Dtype::ALL
        .into_iter()
        .find(|d| d.name() == dtype_name)
        .unwrap_or(Dtype::F16);
    let part_values: Vec<&'static str> = Part::ALL.iter().map(|(_, v)| *v).collect();
    let part_value = r.choice("part", &part_values, "all");
    let part = Part::ALL
        .into_iter()
        .find(|(_, v)| *v == part_value)
        .map_or(Part::All, |(p, _)| p);
    let params = HeadsParams {
        n,
        d_model,
        heads,
        kv,
        head,
        causal,
        seed,
        d_c,
        d_r,
        theta,
        layout,
        model,
        ctx,
        batch,
        dtype,
        part,
    };
    ParsedHeads {
        params,
        notices: r.notices,
    }
}

/// The query pairs that reproduce `p` (all keys, so a permalink is complete).
pub fn to_pairs(p: &HeadsParams) -> Vec<(&'static str, String)> {
    vec![
        ("view", "heads".to_string()),
        ("n", p.n.to_string()),
        ("d_model", p.d_model.to_string()),
        ("heads", p.heads.to_string()),
        ("kv", p.kv.to_string()),
        ("head", p.head.to_string()),
        ("causal", if p.causal { "1" } else { "0" }.to_string()),
        ("seed", p.seed.to_string()),
        ("d_c", p.d_c.to_string()),
        ("d_r", p.d_r.to_string()),
        ("theta", format!("{}", p.theta)),
        ("layout", layout_param(p.layout).to_string()),
        ("model", p.model.to_string()),
        ("ctx", p.ctx.to_string()),
        ("batch", p.batch.to_string()),
        ("dtype", dtype_param(p.dtype).to_string()),
        ("part", p.part.param().to_string()),
    ]
}

/// The toy layer's inputs: the built-in passage's first n tokens, embedded.
fn toy_input(p: &HeadsParams) -> (Vec<String>, Matrix) {
    let tokens = example_tokens(p.n);
    let x = embed(&tokens, p.d_model, p.seed);
    (tokens, x)
}

/// The toy layer computed as MHA and as GQA with mean-pooled K/V heads (the GQA paper's conversion),
/// from the same seeded weights, so the two differ only by the sharing.
#[derive(Clone, Debug)]
pub struct Sharing {
    pub tokens: Vec<String>,
    pub cfg: GqaConfig,
    /// Each query head's GQA attention weights, N × N.
    pub gqa_maps: Vec<Matrix>,
    /// Each head's MHA attention weights, N × N.
    pub mha_maps: Vec<Matrix>,
    /// Per head: mean over query rows of the total-variation distance ½·Σ_j |w_gqa − w_mha|.
    pub tv: Vec<f64>,
    /// ‖out_gqa − out_mha‖_F / ‖out_mha‖_F.
    pub out_rel_diff: f64,
}

/// ½·Σ|a − b| averaged over rows.
fn mean_tv(a: &Matrix, b: &Matrix) -> f64 {
    if a.rows == 0 {
        return 0.0;
    }
    let total: f64 = (0..a.rows)
        .map(|i| {
            0.5 * a
                .row(i)
                .iter()
                .zip(b.row(i))
                .map(|(x, y)| (x - y).abs() as f64)
                .sum::<f64>()
        })
        .sum();
    total / a.rows as f64
}

/// Computes the [`Sharing`] panel's data.
pub fn sharing(p: &HeadsParams) -> Result<Sharing, HeadsError> {
    let (tokens, x) = toy_input(p);
    let mha_cfg = GqaConfig {
        n_kv_heads: p.heads,
        ..p.gqa()
    };
    let w = GqaWeights::seeded(p.d_model, &mha_cfg, p.seed)?;
    let (w_g, cfg) = w.mean_pooled(&mha_cfg, p.kv)?;
    let (mha, mha_maps) = grouped_query_attention_with_maps(&x, &w, &mha_cfg)?;
    let (gqa, gqa_maps) = grouped_query_attention_with_maps(&x, &w_g, &cfg)?;
    let tv = gqa_maps.iter().zip(&mha_maps).map(|(a, b)| mean_tv(a, b)).collect();
    let diff = Matrix::from_fn(x.rows, x.cols, |i, j| gqa.out.get(i, j) - mha.out.get(i, j));
    let denom = mha.out.frobenius() as f64;
    let out_rel_diff = if denom > 0.0 {
        diff.frobenius() as f64 / denom
    } else {
        0.0
    };
    Ok(Sharing {
        tokens,
        cfg,
        gqa_maps,
        mha_maps,
        tv,
        out_rel_diff,
    })
}

/// The toy layer as MLA: the selected head's weights, naive vs absorbed agreement, and the cache.
#[derive(Clone, Debug)]
pub struct MlaToy {
    pub cfg: MlaConfig,
    /// The selected head's attention weights, N × N.
    pub head_map: Matrix,
    /// max |out_naive − out_absorbed|.
    pub absorbed_diff: f32,
    /// Numbers cached per token per layer: MHA, GQA (with `kv` heads), MLA.
    pub cache_mha: usize,
    pub cache_gqa: usize,
    pub cache_mla: usize,
}

/// Computes the MLA panel's data.
pub fn mla_toy(p: &HeadsParams) -> Result<MlaToy, HeadsError> {
    let (_, x) = toy_input(p);
    let cfg = p.mla();
    let w = MlaWeights::seeded(p.d_model, &cfg, p.seed)?;
    let proj = MlaProjections::compute(&x, &w, &cfg)?;
    let naive = proj.naive_output(&w.w_o);
    let absorbed = mla_absorbed(&x, &w, &cfg)?;
    Ok(MlaToy {
        cfg,
        head_map: proj.head_weights(p.head),
        absorbed_diff: naive.out.max_abs_diff(&absorbed.out),
        cache_mha: cfg.mha_cache_elements_per_token(),
        cache_gqa: 2 * p.kv * p.d_head(),
        cache_mla: cfg.cache_elements_per_token(),
    })
}

/// The low-rank curve of the toy MHA layer's joint [K V] (N × 2·d_model) and where d_c falls on it.
#[derive(Clone, Debug)]
pub struct LowRankCurve {
    pub points: Vec<RankPoint>,
    /// The point at rank d_c (clamped to the max rank).
    pub at_d_c: RankPoint,
    /// Numbers per token in [K V]: 2·d_model.
    pub width: usize,
}

/// Computes the low-rank panel's data.
pub fn low_rank_curve(p: &HeadsParams) -> Result<LowRankCurve, HeadsError> {
    let (_, x) = toy_input(p);
    let cfg = GqaConfig {
        n_kv_heads: p.heads,
        ..p.gqa()
    };
    let w = GqaWeights::seeded(p.d_model, &cfg, p.seed)?;
    let proj = GqaProjections::compute(&x, &w, &cfg)?;
    let kv = joint_kv(&proj.k, &proj.v)?;
    let lr = LowRank::of(&kv)?;
    Ok(LowRankCurve {
        points: lr.curve(),
        at_d_c: lr.place(p.d_c),
        width: kv.cols,
    })
}

/// RoPE pictures and checks for the view's θ and layout, at width [`ROPE_DIM`].
#[derive(Clone, Debug, PartialEq)]
pub struct RopeDemo {
    /// Angles φ_i(p) wrapped to [0, 2π): rows are pairs i, columns positions p.
    pub angles: Matrix,
    /// q·k with q at m = 3, k at n = 10, then both shifted by t = 1000.
    pub score: f64,
    pub score_shifted: f64,
    /// max |RotateHalf(P·v) − P·Interleaved(v)| for the HF permutation P.
    pub layout_gap: f64,
    /// Wavelengths of the fastest and slowest pairs, in positions.
    pub fastest: f64,
    pub slowest: f64,
}

/// Computes the RoPE panel's data.
pub fn rope_demo(p: &HeadsParams) -> Result<RopeDemo, HeadsError> {
    let rope = Rope::new(ROPE_DIM, p.theta, p.layout)?;
    let angles = rope.angle_table(ROPE_POSITIONS).transpose();
    let q = normal_vec(&mut stream(p.seed, "rope_q"), ROPE_DIM, 1.0);
    let k = normal_vec(&mut stream(p.seed, "rope_k"), ROPE_DIM, 1.0);
    let score_at = |m: usize, n: usize| -> Result<f64, HeadsError> {
        let (mut a, mut b) = (q.clone(), k.clone());
        rope.rotate(&mut a, m)?;
        rope.rotate(&mut b, n)?;
        Ok(a.iter().zip(&b).map(|(x, y)| (*x as f64) * (*y as f64)).sum())
    };
    let order = interleaved_to_half_order(ROPE_DIM);
    let half = Rope::new(ROPE_DIM, p.theta, RopeLayout::RotateHalf)?;
    let inter = Rope::new(ROPE_DIM, p.theta, RopeLayout::Interleaved)?;
    let mut u: Vec<f32> = order.iter().map(|&j| q[j]).collect();
    half.rotate(&mut u, 77)?;
    let mut v = q.clone();
    inter.rotate(&mut v, 77)?;
    let layout_gap = order
        .iter()
        .zip(&u)
        .map(|(&j, a)| (a - v[j]).abs() as f64)
        .fold(0.0, f64::max);
    Ok(RopeDemo {
        angles,
        score: score_at(3, 10)?,
        score_shifted: score_at(1003, 1010)?,
        layout_gap,
        fastest: rope.wavelength(0),
        slowest: rope.wavelength(rope.pairs() - 1),
    })
}

/// RoFormer's decay curve (2/d)·Σ cos(Δ·θ_i) at distances 1, 2, 4, … 2¹⁷ for base θ.
pub fn decay_curve(theta: f64) -> Vec<(f64, f64)> {
    match Rope::new(ROPE_DIM, theta, RopeLayout::RotateHalf) {
        Ok(rope) => (0..=34)
            .map(|k| {
                let d = 2f64.powf(k as f64 / 2.0).round() as usize;
                (d as f64, rope.ones_score(d))
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

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
    let preset = p.preset();
    let s = preset.shape;
    let kv_bytes = s.kv_cache_bytes(p.ctx, p.batch, p.dtype);
    let weights = weight_bytes(preset.params, p.dtype);
    let step = s.decode_step(p.ctx, p.dtype);
    let total_gib = to_gib(kv_bytes + weights);
    let gib = crate::attention::heads::kv_cache::GIB;
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
        max_ctx_80gb: s.max_context_within(80.0 * gib - weights, p.batch, p.dtype),
    }
}

/// Which "what if" variant of the preset a chart series or bar shows.
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

/// The four re-shapings compared in the calculator's bars and table.
pub const VARIANTS: [Variant; 4] = [Variant::Mha, Variant::Gqa, Variant::Mqa, Variant::Mla];

/// K/V heads of the GQA variant: the model's own count if it uses GQA; otherwise the divisor of n_h
/// strictly between 1 and n_h closest to 8 (8 for 32, 64 or 128 heads; 6 for GPT-2's 12), or 8
/// clamped to n_h when n_h has no such divisor (Falcon-7B's 71 heads).
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
    let preset = p.preset();
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
            let kv_bytes = s.kv_cache_bytes(p.ctx, p.batch, p.dtype);
            let cache_formula = match s.local.filter(|l| p.ctx > l.window && l.count > 0) {
                Some(l) => {
                    let local = l.count.min(s.layers);
                    format!(
                        "{} × {b} B × ({local}·{} + {}·{}) × {} = {}",
                        grouped(elements),
                        grouped(l.window as f64),
                        s.layers - local,
                        grouped(p.ctx as f64),
                        p.batch,
                        crate::view_model::format::bytes(kv_bytes)
                    )
                }
                None => format!(
                    "{} B × {} × {} = {}",
                    grouped(bytes_per_token),
                    grouped(p.ctx as f64),
                    p.batch,
                    crate::view_model::format::bytes(kv_bytes)
                ),
            };
            let step = s.decode_step(p.ctx, p.dtype);
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
    let s = variant_shape(p.preset(), v);
    chart_contexts(p.ctx)
        .into_iter()
        .map(|c| (c as f64, to_gib(s.kv_cache_bytes(c, p.batch, p.dtype))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedHeads {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        let q = &p.params;
        assert_eq!((q.n, q.d_model, q.heads, q.kv, q.head), (24, 64, 8, 2, 0));
        assert_eq!((q.d_c, q.d_r, q.ctx, q.batch), (16, 8, 4096, 1));
        assert_eq!(
            (q.model, q.dtype, q.layout),
            ("llama2-7b", Dtype::F16, RopeLayout::RotateHalf)
        );
        assert!(q.causal);
    }

    #[test]
    fn garbage_query_is_clamped_with_notices() {
        let p = parse_pairs(&[
            ("n", "-3"),
            ("d_model", "100"),
            ("heads", "6"),
            ("kv", "3"),
            ("head", "42"),
            ("d_r", "7"),
            ("theta", "12"),
            ("model", "gpt-5"),
            ("ctx", "1e12"),
            ("dtype", "fp4"),
        ]);
        let q = &p.params;
        // d_model 100 → 64 (nearest allowed); 6 heads → 4 (divisors of 64 nearest 6: 4 and 8, tie →
        // smaller); kv 3 → 2 (divisors of 4); head 42 → 3; d_r 7 → 6 (even).
        assert_eq!((q.n, q.d_model, q.heads, q.kv, q.head, q.d_r), (2, 64, 4, 2, 3, 6));
        assert_eq!(
            (q.theta, q.model, q.ctx, q.dtype),
            (10_000.0, "llama2-7b", MAX_CTX, Dtype::F16)
        );
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["n", "d_model", "heads", "kv", "head", "d_r", "theta", "model", "ctx", "dtype"]
        );
    }

    #[test]
    fn every_setting_round_trips() {
        let p = parse_pairs(&[
            ("n", "40"),
            ("d_model", "32"),
            ("heads", "4"),
            ("kv", "1"),
            ("head", "2"),
            ("causal", "0"),
            ("seed", "9"),
            ("d_c", "12"),
            ("d_r", "4"),
            ("theta", "500000"),
            ("layout", "interleaved"),
            ("model", "deepseek-v3"),
            ("ctx", "131072"),
            ("batch", "8"),
            ("dtype", "fp8"),
            ("part", "memory"),
        ]);
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(p.params.part, Part::Memory);
        let pairs = to_pairs(&p.params);
        let again = parse_pairs(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        assert_eq!(again.params, p.params);
        assert!(again.notices.is_empty());
    }

    #[test]
    fn mha_setting_of_the_sharing_panel_has_no_difference() {
        let p = parse_pairs(&[("kv", "8"), ("n", "12")]).params;
        let s = sharing(&p).unwrap();
        assert_eq!(s.out_rel_diff, 0.0);
        assert!(s.tv.iter().all(|t| *t == 0.0));
        let g = sharing(&HeadsParams { kv: 1, ..p }).unwrap();
        assert!(g.out_rel_diff > 0.0);
        assert_eq!(g.gqa_maps.len(), 8);
        for m in &g.gqa_maps {
            assert!((m.row(5).iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn mla_panel_agrees_and_counts_the_cache() {
        let p = parse_pairs(&[]).params;
        let m = mla_toy(&p).unwrap();
        assert!(m.absorbed_diff < 1e-4);
        // 8 heads of d_head 8: MHA 2·8·8 = 128, GQA(2) 2·2·8 = 32, MLA 16 + 8 = 24.
        assert_eq!((m.cache_mha, m.cache_gqa, m.cache_mla), (128, 32, 24));
        assert_eq!((m.head_map.rows, m.head_map.cols), (24, 24));
    }

    #[test]
    fn joint_kv_rank_never_exceeds_d_model() {
        // [K V] = X·[W_K W_V] with X of width d_model: rank ≤ d_model, so the error is 0 from there on.
        let p = parse_pairs(&[("n", "90"), ("d_model", "32"), ("d_c", "32")]).params;
        let c = low_rank_curve(&p).unwrap();
        assert_eq!(c.width, 64);
        assert_eq!(c.points.len(), 65);
        assert!(c.at_d_c.relative_error < 1e-4);
        assert_eq!(c.at_d_c.memory_saved, 0.5);
    }

    #[test]
    fn rope_demo_shows_relative_scores_and_equal_layouts() {
        for theta in ["10000", "500000"] {
            let p = parse_pairs(&[("theta", theta), ("layout", "interleaved")]).params;
            let r = rope_demo(&p).unwrap();
            assert!((r.score - r.score_shifted).abs() < 1e-3);
            assert!(r.layout_gap < 1e-5);
            assert_eq!((r.angles.rows, r.angles.cols), (ROPE_DIM / 2, ROPE_POSITIONS));
            assert!((r.fastest - std::f64::consts::TAU).abs() < 1e-9);
        }
        let curve = decay_curve(10_000.0);
        assert_eq!(curve.len(), 35);
        assert_eq!(curve[0].0, 1.0);
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
    fn part_selects_panels_and_unknown_values_fall_back_to_all() {
        assert_eq!(parse_pairs(&[]).params.part, Part::All);
        for (part, value) in Part::ALL {
            let p = parse_pairs(&[("part", value)]);
            assert!(p.notices.is_empty());
            assert_eq!(p.params.part, part);
            assert_eq!(part.param(), value);
        }
        let bad = parse_pairs(&[("part", "bars")]);
        assert_eq!(bad.params.part, Part::All);
        assert_eq!(bad.notices.len(), 1);
        assert_eq!(bad.notices[0].key, "part");
        assert!(Part::Memory.shows(Part::Memory) && !Part::Memory.shows(Part::Rope));
        assert!(Part::All.shows(Part::Sharing));
        assert!(!Part::Memory.needs_toy_controls() && Part::Mla.needs_toy_controls());
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
        // DeepSeek-V3 is its own MLA variant; GPT-2's GQA variant uses 6 of its 12 heads; Falcon's 71.
        let ds = variant_rows(&parse_pairs(&[("model", "deepseek-v3")]).params);
        assert!(ds[3].as_built && !ds[0].as_built);
        assert_eq!(ds[1].n_kv, 8);
        let gpt2 = preset_by_id("gpt2").unwrap();
        assert_eq!(variant_shape(gpt2, Variant::Gqa).n_kv_heads, 6);
        let falcon = preset_by_id("falcon-7b").unwrap();
        assert_eq!(variant_shape(falcon, Variant::Gqa).n_kv_heads, 8);
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
