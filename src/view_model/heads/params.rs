//! The "MHA · GQA · MLA" view's parameters: its schema ([`SCHEMA`]), the parser and the canonical URL
//! writer. Every key is declared once below; parsing clamps with notices and never fails.

use crate::attention::heads::kv_cache::Dtype;
use crate::attention::heads::presets::ModelPreset;
use crate::attention::heads::rope::RopeLayout;
pub use crate::view_model::heads::choices::{Part, PresetParam, RopeBase};
use crate::view_model::heads::toy::ToyLayer;
use crate::view_model::params::{Notice, ParamReader};
use crate::view_model::schema::{ChoiceParam, FlagParam, IntParam, QueryWriter, Schema, SnapParam};

/// Largest toy sequence length (keeps every panel well under a frame).
pub const MAX_N: usize = 96;
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

pub const N: IntParam = IntParam::new("n", "heads.n", "tokens in the toy layer", 24, 2, MAX_N as i64);
pub const D_MODEL: SnapParam = SnapParam {
    key: "d_model",
    label: "heads.d_model",
    doc: "toy model width (other values snap to the nearest, with a notice)",
    default: 64,
    allowed: &[16, 32, 64],
};
pub const HEADS: IntParam = IntParam::new(
    "heads",
    "heads.heads",
    "query heads n_h (snapped to the nearest divisor of `d_model`, with a notice)",
    8,
    1,
    MAX_HEADS as i64,
);
pub const KV: IntParam = IntParam::new(
    "kv",
    "heads.kv",
    "key/value heads n_kv, at most `heads` (snapped to the nearest divisor of `heads`; `heads` = MHA, 1 = MQA)",
    2,
    1,
    MAX_HEADS as i64,
);
pub const HEAD: IntParam = IntParam::new(
    "head",
    "heads.head",
    "selected query head (0-based; at most heads − 1)",
    0,
    0,
    MAX_HEADS as i64 - 1,
);
pub const CAUSAL: FlagParam = FlagParam {
    key: "causal",
    label: "heads.causal",
    doc: "causal mask",
    default: true,
};
pub const SEED: IntParam = IntParam::new(
    "seed",
    "heads.seed",
    "seed of the toy layer's embeddings and weights and of the RoPE vectors",
    1,
    0,
    u32::MAX as i64,
);
pub const D_C: IntParam = IntParam::new("d_c", "heads.d_c", "MLA latent width", 16, 1, MAX_D_C as i64);
pub const D_R: IntParam = IntParam::new(
    "d_r",
    "heads.d_r",
    "MLA decoupled RoPE key width (even: an odd value is lowered by one, with a notice)",
    8,
    2,
    MAX_D_R as i64,
);
pub const THETA: ChoiceParam<RopeBase> = ChoiceParam {
    key: "theta",
    label: "heads.rope.theta",
    doc: "RoPE base θ (LLaMA-2, LLaMA-3)",
    default: RopeBase::Llama2,
};
pub const LAYOUT: ChoiceParam<RopeLayout> = ChoiceParam {
    key: "layout",
    label: "heads.rope.layout",
    doc: "RoPE pair layout: `half` = rotate-half (Hugging Face), `interleaved` = Meta's original",
    default: RopeLayout::RotateHalf,
};
pub const MODEL: PresetParam = PresetParam {
    key: "model",
    label: "heads.calc.model",
    doc: "calculator preset (a real model's published shape)",
};
pub const CTX: IntParam = IntParam::new(
    "ctx",
    "heads.calc.ctx",
    "context length in tokens",
    4096,
    1,
    MAX_CTX as i64,
)
.log();
pub const BATCH: IntParam = IntParam::new("batch", "heads.calc.batch", "batch size", 1, 1, MAX_BATCH as i64).log();
pub const DTYPE: ChoiceParam<Dtype> = ChoiceParam {
    key: "dtype",
    label: "heads.calc.dtype",
    doc: "cache and weight format",
    default: Dtype::F16,
};
pub const PART: ChoiceParam<Part> = ChoiceParam {
    key: "part",
    label: "heads.part",
    doc: "panels shown (one alone for an iframe, e.g. `?view=heads&part=memory&embed=1`): `memory` = the \
          KV-cache calculator (bars, table, chart), `sharing`, `mla`, `rope`; unknown → `all`, with a notice",
    default: Part::All,
};

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "heads",
    params: &[
        &N, &D_MODEL, &HEADS, &KV, &HEAD, &CAUSAL, &SEED, &D_C, &D_R, &THETA, &LAYOUT, &MODEL, &CTX, &BATCH, &DTYPE,
        &PART,
    ],
};

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadsParams {
    /// Tokens in the toy layer.
    pub n: usize,
    pub d_model: usize,
    /// Query heads n_h (divides d_model).
    pub n_heads: usize,
    /// K/V heads n_kv (divides n_h).
    pub n_kv_heads: usize,
    /// The query head shown large, 0-based.
    pub selected_head: usize,
    pub causal: bool,
    pub seed: u64,
    /// MLA latent width d_c.
    pub d_c: usize,
    /// MLA decoupled RoPE width d_R (even).
    pub d_r: usize,
    pub rope_base: RopeBase,
    pub rope_layout: RopeLayout,
    /// The calculator's model.
    pub preset: &'static ModelPreset,
    /// The calculator's context length, in tokens.
    pub context: usize,
    pub batch: usize,
    pub dtype: Dtype,
    /// Panels shown.
    pub part: Part,
}

impl HeadsParams {
    /// d_head = d_model / n_h.
    pub fn d_head(&self) -> usize {
        self.d_model / self.n_heads.max(1)
    }

    /// The toy layer's settings (what its panels' job depends on).
    pub fn toy(&self) -> ToyLayer {
        ToyLayer {
            n: self.n,
            d_model: self.d_model,
            n_heads: self.n_heads,
            n_kv_heads: self.n_kv_heads,
            selected_head: self.selected_head,
            causal: self.causal,
            seed: self.seed,
            d_c: self.d_c,
            d_r: self.d_r,
            rope_theta: self.rope_base.theta(),
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

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedHeads {
    let mut r = ParamReader::new(get);
    let n = N.read_usize(&mut r);
    let d_model = D_MODEL.read(&mut r);
    let heads_given = HEADS.read_usize(&mut r);
    let n_heads = nearest_divisor(d_model, heads_given, MAX_HEADS);
    if n_heads != heads_given {
        r.rule(HEADS.key, heads_given, n_heads, "heads.rule.heads");
    }
    let kv_given = KV.read_within(&mut r, n_heads as i64) as usize;
    let n_kv_heads = nearest_divisor(n_heads, kv_given, n_heads);
    if n_kv_heads != kv_given {
        r.rule(KV.key, kv_given, n_kv_heads, "heads.rule.kv");
    }
    let selected_head = HEAD.read_within(&mut r, n_heads as i64 - 1) as usize;
    let causal = CAUSAL.read(&mut r);
    let seed = SEED.read(&mut r) as u64;
    let d_c = D_C.read_usize(&mut r);
    let d_r_given = D_R.read_usize(&mut r);
    let d_r = d_r_given & !1;
    if d_r != d_r_given {
        r.rule(D_R.key, d_r_given, d_r, "heads.rule.d_r");
    }
    let params = HeadsParams {
        n,
        d_model,
        n_heads,
        n_kv_heads,
        selected_head,
        causal,
        seed,
        d_c,
        d_r,
        rope_base: THETA.read(&mut r),
        rope_layout: LAYOUT.read(&mut r),
        preset: MODEL.read(&mut r),
        context: CTX.read_usize(&mut r),
        batch: BATCH.read_usize(&mut r),
        dtype: DTYPE.read(&mut r),
        part: PART.read(&mut r),
    };
    ParsedHeads {
        params,
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key, so a permalink is complete).
pub fn to_query(p: &HeadsParams) -> Vec<(&'static str, String)> {
    QueryWriter::new(SCHEMA.view)
        .size(&N, p.n)
        .snap(&D_MODEL, p.d_model)
        .size(&HEADS, p.n_heads)
        .size(&KV, p.n_kv_heads)
        .size(&HEAD, p.selected_head)
        .flag(&CAUSAL, p.causal)
        .int(&SEED, p.seed as i64)
        .size(&D_C, p.d_c)
        .size(&D_R, p.d_r)
        .choice(&THETA, p.rope_base)
        .choice(&LAYOUT, p.rope_layout)
        .raw(MODEL.key, p.preset.id)
        .size(&CTX, p.context)
        .size(&BATCH, p.batch)
        .choice(&DTYPE, p.dtype)
        .choice(&PART, p.part)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::heads::presets::{preset_by_id, PRESETS};
    use crate::view_model::params::{pairs_lookup, parse_written, NoticeReason};
    use crate::view_model::schema::UrlChoice;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedHeads {
        parse(&pairs_lookup(pairs))
    }

    fn reparse(p: &HeadsParams) -> ParsedHeads {
        parse_written(&to_query(p), parse)
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        let q = &p.params;
        assert_eq!(
            (q.n, q.d_model, q.n_heads, q.n_kv_heads, q.selected_head),
            (24, 64, 8, 2, 0)
        );
        assert_eq!((q.d_c, q.d_r, q.context, q.batch), (16, 8, 4096, 1));
        assert_eq!(
            (q.preset.id, q.dtype, q.rope_layout, q.rope_base),
            ("llama2-7b", Dtype::F16, RopeLayout::RotateHalf, RopeBase::Llama2)
        );
        assert!(q.causal);
        assert_eq!(q.part, Part::All);
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
            ("part", "bars"),
        ]);
        let q = &p.params;
        // d_model 100 → 64 (nearest allowed); 6 heads → 4 (divisors of 64 nearest 6: 4 and 8, tie →
        // smaller); kv 3 → 2 (divisors of 4); head 42 → 3; d_r 7 → 6 (even).
        assert_eq!(
            (q.n, q.d_model, q.n_heads, q.n_kv_heads, q.selected_head, q.d_r),
            (2, 64, 4, 2, 3, 6)
        );
        assert_eq!(
            (q.rope_base.theta(), q.preset.id, q.context, q.dtype, q.part),
            (10_000.0, "llama2-7b", MAX_CTX, Dtype::F16, Part::All)
        );
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["n", "d_model", "heads", "kv", "head", "d_r", "theta", "model", "ctx", "dtype", "part"]
        );
        assert!(matches!(
            p.notices[3].reason,
            NoticeReason::Rule {
                message_id: "heads.rule.kv"
            }
        ));
        assert_eq!(
            p.notices[7].reason,
            NoticeReason::UnknownChoice {
                allowed: PRESETS.iter().map(|p| p.id).collect()
            }
        );
    }

    #[test]
    fn kv_above_the_head_count_is_clamped_to_it_with_one_notice() {
        let p = parse_pairs(&[("heads", "4"), ("kv", "12")]);
        assert_eq!(p.params.n_kv_heads, 4);
        assert_eq!(p.notices.len(), 1, "{:?}", p.notices);
        assert!(matches!(&p.notices[0].reason, NoticeReason::OutOfRange { max, .. } if max == "4"));
        assert_eq!(nearest_divisor(64, 6, 16), 4);
        assert_eq!(nearest_divisor(16, 20, 16), 16);
        assert_eq!(
            nearest_divisor(12, 5, 12),
            4,
            "divisors 4 and 6 are 1 away: the smaller"
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
            ("seed", "4000000000"),
            ("d_c", "12"),
            ("d_r", "4"),
            ("theta", "500000"),
            ("layout", "interleaved"),
            ("model", "DeepSeek-V3"),
            ("ctx", "131072"),
            ("batch", "8"),
            ("dtype", "fp8"),
            ("part", "memory"),
        ]);
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(p.params.part, Part::Memory);
        assert_eq!(p.params.preset, preset_by_id("deepseek-v3").unwrap());
        assert_eq!(p.params.seed, 4_000_000_000);
        let again = reparse(&p.params);
        assert_eq!(again.params, p.params);
        assert!(again.notices.is_empty());
        let defaults = parse_pairs(&[]).params;
        assert_eq!(reparse(&defaults).params, defaults);
    }

    #[test]
    fn the_writer_writes_exactly_the_schema_keys() {
        let p = parse_pairs(&[]).params;
        let pairs = to_query(&p);
        assert_eq!(pairs[0], ("view", "heads".to_string()));
        let written: Vec<&str> = pairs.iter().skip(1).map(|(k, _)| *k).collect();
        assert_eq!(written, SCHEMA.keys());
    }

    #[test]
    fn part_selects_panels_and_unknown_values_fall_back_to_all() {
        assert_eq!(parse_pairs(&[]).params.part, Part::All);
        for &part in Part::ALL {
            let p = parse_pairs(&[("part", part.word())]);
            assert!(p.notices.is_empty());
            assert_eq!(p.params.part, part);
        }
        assert_eq!(Part::words(), vec!["all", "memory", "sharing", "mla", "rope"]);
        let bad = parse_pairs(&[("part", "bars")]);
        assert_eq!(bad.params.part, Part::All);
        assert_eq!(bad.notices.len(), 1);
        assert_eq!(bad.notices[0].key, "part");
        assert!(Part::Memory.shows(Part::Memory) && !Part::Memory.shows(Part::Rope));
        assert!(Part::All.shows(Part::Sharing));
        assert!(!Part::Memory.needs_toy_controls() && Part::Mla.needs_toy_controls());
    }

    #[test]
    fn choices_read_their_url_words() {
        assert_eq!(Dtype::words(), vec!["fp32", "fp16", "bf16", "fp8", "int4"]);
        for &d in Dtype::ALL.iter() {
            assert_eq!(d.word(), d.name(), "the URL word is the engine's name");
        }
        assert_eq!(RopeLayout::words(), vec!["half", "interleaved"]);
        assert_eq!(RopeBase::Llama3.theta(), 500_000.0);
        let table = SCHEMA.markdown_table();
        assert!(table.contains("| `model` |"), "{table}");
        assert!(table.contains("`llama2-7b`, `llama2-13b`"), "{table}");
    }

    #[test]
    fn every_label_is_in_the_catalogue() {
        let known = |id: &'static str| crate::i18n::t(id) != id;
        let labels = [
            N.label,
            D_MODEL.label,
            HEADS.label,
            KV.label,
            HEAD.label,
            CAUSAL.label,
            SEED.label,
            D_C.label,
            D_R.label,
            THETA.label,
            LAYOUT.label,
            MODEL.label,
            CTX.label,
            BATCH.label,
            DTYPE.label,
            PART.label,
        ];
        let choices = Part::ALL
            .iter()
            .map(|c| c.label_id())
            .chain(RopeBase::ALL.iter().map(|c| c.label_id()))
            .chain(<RopeLayout as UrlChoice>::ALL.iter().map(|c| c.label_id()))
            .chain(<Dtype as UrlChoice>::ALL.iter().map(|c| c.label_id()));
        for id in labels.into_iter().chain(choices) {
            assert!(known(id), "no message {id}");
        }
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "heads-sharing",
        controls: &["n", "heads", "kv", "head", "causal", "seed"],
        name_keys: &["heads", "kv", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "heads-mla",
        controls: &["n", "heads", "d_c", "d_r", "seed"],
        name_keys: &["d_c", "d_r", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "heads-rope",
        controls: &["theta", "layout", "seed"],
        name_keys: &["theta", "layout"],
    },
    crate::view_model::figures::FigureDef {
        id: "heads-memory",
        controls: &["model", "ctx", "batch", "dtype"],
        name_keys: &["model", "ctx", "dtype"],
    },
];
