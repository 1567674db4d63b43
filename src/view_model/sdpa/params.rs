//! The "Scaled dot-product attention" view's parameters: its schema ([`SCHEMA`]), the parser and the
//! canonical URL writer. Every key is declared once below.

use std::sync::Arc;

use crate::attention::pooling::PoolMode;
use crate::attention::scale::Scale;
use crate::attention::tokenizer::{example_tokens, tokenize, MAX_TOKENS};
use crate::view_model::params::{Notice, NoticeReason, ParamReader};
use crate::view_model::schema::{
    ChoiceParam, CustomParam, FlagParam, IntParam, QueryWriter, Schema, SnapParam, TextParam,
};

/// Default N: the first two sentences of the built-in passage.
pub const DEFAULT_N: usize = 24;

crate::url_choice!(PoolMode {
    PoolMode::Max => ("max", "pool.label.max"),
    PoolMode::Mean => ("mean", "pool.label.mean"),
});

pub const TEXT: TextParam = TextParam {
    key: "text",
    label: "sdpa.text",
    doc: "the input sentence, tokenized into words and punctuation (at most 4096 tokens are used)",
    max_chars: 20_000,
    default_doc: "the built-in passage",
};
pub const N: IntParam = IntParam::new(
    "n",
    "sdpa.n",
    "number of tokens when no `text` is given (the passage repeats)",
    DEFAULT_N as i64,
    1,
    MAX_TOKENS as i64,
)
.log();
pub const D_MODEL: SnapParam = SnapParam {
    key: "d_model",
    label: "sdpa.d_model",
    doc: "model width (other values snap to the nearest, with a notice)",
    default: 64,
    allowed: &[8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024],
};
pub const HEADS: IntParam = IntParam::new(
    "heads",
    "sdpa.heads",
    "number of heads; must divide `d_model` (otherwise the nearest divisor is used, with a notice)",
    4,
    1,
    64,
);
pub const HEAD: IntParam = IntParam::new(
    "head",
    "sdpa.head",
    "the head shown large (0-based; at most heads − 1)",
    0,
    0,
    63,
);
pub const SEED: IntParam = IntParam::new(
    "seed",
    "sdpa.seed",
    "seed of the embeddings and of W_Q, W_K, W_V, W_O",
    1,
    0,
    u32::MAX as i64,
);
pub const CAUSAL: FlagParam = FlagParam {
    key: "causal",
    label: "sdpa.causal",
    doc: "causal mask",
    default: false,
};
pub const SCALE: CustomParam = CustomParam {
    key: "scale",
    label: "sdpa.scale",
    doc: "score scale: `sqrt` = 1/√d_head, `none` = raw q·k, or a temperature τ (q·k/τ)",
    values: "`sqrt`, `none`, 0.01 … 1000",
    default_doc: "`sqrt`",
};
/// The temperature slider, in hundredths of τ: exactly the 0.01 … 1000 the parser accepts.
pub const TEMPERATURE: IntParam = IntParam::new("scale", "sdpa.temp", "temperature τ × 100", 200, 1, 100_000).log();
pub const POOL: ChoiceParam<PoolMode> = ChoiceParam {
    key: "pool",
    label: "sdpa.pool",
    doc: "how cells are pooled to pixels when N exceeds the canvas",
    default: PoolMode::Max,
};

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "sdpa",
    params: &[&TEXT, &N, &D_MODEL, &HEADS, &HEAD, &SEED, &CAUSAL, &SCALE, &POOL],
};

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct SdpaParams {
    /// User text, or None for the built-in passage cycled to `n` tokens.
    pub text: Option<String>,
    /// Number of tokens (derived from `text` when it is set).
    pub n: usize,
    pub d_model: usize,
    pub heads: usize,
    pub seed: u64,
    pub causal: bool,
    pub scale: Scale,
    /// Selected head, 0-based.
    pub head: usize,
    pub pool: PoolMode,
}

/// Parameters, the tokens they imply, and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSdpa {
    pub params: SdpaParams,
    pub tokens: Arc<Vec<String>>,
    pub notices: Vec<Notice>,
}

/// The divisor of `d_model` closest to `heads` (ties go to the smaller), at most [`HEADS`]' max.
pub fn nearest_divisor(d_model: usize, heads: usize) -> usize {
    (1..=d_model.min(HEADS.max as usize))
        .filter(|h| d_model.is_multiple_of(*h))
        .min_by_key(|h| (h.abs_diff(heads), *h))
        .unwrap_or(1)
}

/// Parses `scale`: `sqrt` (1/√d_head), `none`, or a temperature τ in 0.01 … 1000.
pub fn scale_from_word(s: &str) -> Option<Scale> {
    match s.trim().to_ascii_lowercase().as_str() {
        "sqrt" => Some(Scale::InvSqrtDHead),
        "none" => Some(Scale::None),
        t => t
            .parse::<f32>()
            .ok()
            .filter(|t| t.is_finite() && *t >= 0.01 && *t <= 1000.0)
            .map(Scale::Temperature),
    }
}

/// The URL form of a scale (inverse of [`scale_from_word`]).
pub fn scale_word(s: Scale) -> String {
    match s {
        Scale::InvSqrtDHead => "sqrt".into(),
        Scale::None => "none".into(),
        Scale::Temperature(t) => format!("{t}"),
    }
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSdpa {
    let mut r = ParamReader::new(get);
    let text = TEXT.read(&mut r);
    let mut tokens = text.as_deref().map(tokenize).unwrap_or_default();
    let text = if text.is_some() && tokens.is_empty() {
        r.rule(TEXT.key, "…", "—", "sdpa.rule.text");
        None
    } else {
        text
    };
    let n_param = N.read_usize(&mut r);
    if text.is_some() {
        if tokens.len() > MAX_TOKENS {
            r.notices.push(Notice {
                key: TEXT.key.into(),
                given: format!("{} tokens", tokens.len()),
                used: format!("{MAX_TOKENS}"),
                reason: NoticeReason::TooLong { max: MAX_TOKENS },
            });
            tokens.truncate(MAX_TOKENS);
        }
    } else {
        tokens = example_tokens(n_param);
    }
    let d_model = D_MODEL.read(&mut r);
    let heads_given = HEADS.read_usize(&mut r);
    let heads = nearest_divisor(d_model, heads_given);
    if heads != heads_given {
        r.rule(HEADS.key, heads_given, heads, "sdpa.rule.heads");
    }
    let seed = SEED.read(&mut r) as u64;
    let causal = CAUSAL.read(&mut r);
    let scale = match r.raw(SCALE.key) {
        None => Scale::InvSqrtDHead,
        Some(s) => scale_from_word(&s).unwrap_or_else(|| {
            let allowed = vec!["sqrt", "none", "τ (0.01…1000)"];
            r.note(SCALE.key, s, "sqrt".into(), NoticeReason::UnknownChoice { allowed });
            Scale::InvSqrtDHead
        }),
    };
    let head = HEAD.read_within(&mut r, heads as i64 - 1) as usize;
    let pool = POOL.read(&mut r);
    let params = SdpaParams {
        n: tokens.len(),
        text,
        d_model,
        heads,
        seed,
        causal,
        scale,
        head,
        pool,
    };
    ParsedSdpa {
        params,
        tokens: Arc::new(tokens),
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key, so a permalink is complete).
pub fn to_query(p: &SdpaParams) -> Vec<(&'static str, String)> {
    let w = QueryWriter::new(SCHEMA.view);
    let w = match &p.text {
        Some(t) => w.raw(TEXT.key, t.clone()),
        None => w.size(&N, p.n),
    };
    w.snap(&D_MODEL, p.d_model)
        .size(&HEADS, p.heads)
        .size(&HEAD, p.head)
        .int(&SEED, p.seed as i64)
        .flag(&CAUSAL, p.causal)
        .raw(SCALE.key, scale_word(p.scale))
        .choice(&POOL, p.pool)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::{pairs_lookup, parse_written};

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedSdpa {
        parse(&pairs_lookup(pairs))
    }

    fn reparse(p: &SdpaParams) -> ParsedSdpa {
        parse_written(&to_query(p), parse)
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        assert_eq!((p.params.n, p.params.d_model, p.params.heads), (DEFAULT_N, 64, 4));
        assert_eq!(p.tokens.len(), DEFAULT_N);
    }

    #[test]
    fn garbage_query_is_clamped_with_notices() {
        let p = parse_pairs(&[
            ("n", "-5"),
            ("heads", "abc"),
            ("scale", "hot"),
            ("head", "99"),
            ("d_model", "100"),
        ]);
        assert_eq!(p.params.n, 1);
        assert_eq!(p.params.heads, 4);
        assert_eq!(p.params.scale, Scale::InvSqrtDHead);
        assert_eq!(p.params.head, 3);
        assert_eq!(p.params.d_model, 96);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["n", "d_model", "heads", "scale", "head"]);
    }

    #[test]
    fn heads_that_do_not_divide_d_model_become_the_nearest_divisor() {
        let p = parse_pairs(&[("d_model", "64"), ("heads", "3")]);
        assert_eq!(p.params.heads, 2);
        assert!(matches!(
            p.notices[0].reason,
            NoticeReason::Rule {
                message_id: "sdpa.rule.heads"
            }
        ));
        assert_eq!(nearest_divisor(48, 5), 4);
        assert_eq!(nearest_divisor(7, 3), 1);
        assert_eq!(
            nearest_divisor(1024, 1000),
            64,
            "never past the schema's largest head count"
        );
    }

    #[test]
    fn text_sets_the_tokens_and_round_trips() {
        let p = parse_pairs(&[
            ("text", "Hello, world!"),
            ("n", "100"),
            ("causal", "1"),
            ("scale", "2.5"),
        ]);
        assert_eq!(*p.tokens, vec!["Hello", ",", "world", "!"]);
        assert_eq!(p.params.n, 4);
        let again = reparse(&p.params);
        assert_eq!(again.params, p.params);
        assert!(again.notices.is_empty());
    }

    #[test]
    fn long_blank_and_hostile_texts_are_cut_or_replaced_with_a_notice() {
        let long = "a ".repeat(10_000);
        let p = parse_pairs(&[("text", &long)]);
        assert_eq!(p.tokens.len(), MAX_TOKENS);
        assert_eq!(p.notices.len(), 1);
        assert_eq!(p.notices[0].reason, NoticeReason::TooLong { max: MAX_TOKENS });
        let p = parse_pairs(&[("text", &"x".repeat(30_000))]);
        assert_eq!(p.notices[0].reason, NoticeReason::TooLong { max: TEXT.max_chars });
        assert_eq!(p.tokens.len(), 1);
        let p = parse_pairs(&[("text", "   \u{200B} ")]);
        assert_eq!(p.params.text, None, "blank text falls back to the passage");
        let p = parse_pairs(&[("text", "<img src=x onerror=alert(1)> 👍🏽")]);
        assert_eq!(p.tokens.first().map(String::as_str), Some("<"));
        assert_eq!(p.tokens.last().map(String::as_str), Some("👍🏽"));
        assert!(p.notices.is_empty());
    }

    #[test]
    fn the_writer_writes_exactly_the_schema_keys() {
        let p = parse_pairs(&[("n", "7"), ("scale", "none")]).params;
        let keys: Vec<&str> = to_query(&p).iter().map(|(k, _)| *k).skip(1).collect();
        let mut schema: Vec<&str> = SCHEMA.keys().into_iter().filter(|k| *k != "text").collect();
        let mut written = keys.clone();
        schema.sort();
        written.sort();
        assert_eq!(written, schema);
        assert_eq!(reparse(&p).params, p);
    }

    #[test]
    fn the_temperature_slider_spans_exactly_what_the_parser_accepts() {
        let lo = TEMPERATURE.min as f32 / 100.0;
        let hi = TEMPERATURE.max as f32 / 100.0;
        assert_eq!(scale_from_word(&lo.to_string()), Some(Scale::Temperature(0.01)));
        assert_eq!(scale_from_word(&hi.to_string()), Some(Scale::Temperature(1000.0)));
        assert_eq!(scale_from_word("0.009"), None);
        assert_eq!(scale_from_word("1000.1"), None);
        assert_eq!(scale_from_word("NONE"), Some(Scale::None));
        assert_eq!(scale_from_word("inf"), None);
        assert_eq!(scale_from_word("NaN"), None);
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "sdpa-weights",
        controls: &[
            "text", "n", "d_model", "heads", "head", "seed", "causal", "scale", "pool",
        ],
        name_keys: &["head", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sdpa-heads",
        controls: &["text", "n", "heads", "seed", "causal", "scale"],
        name_keys: &["heads", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sdpa-pipeline",
        controls: &["text", "n", "d_model", "heads", "head", "seed", "causal"],
        name_keys: &["head", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sdpa-scaling",
        controls: &["d_model", "heads", "scale"],
        name_keys: &["d_model", "heads"],
    },
];
