//! The "Approximations" view's parameters: its schema ([`SCHEMA`]), the parser and the canonical URL
//! writer. Every key is declared once below; the field names say what they hold, the URL keys stay
//! the short ones links already use.

use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::method::ApproxMethod;
use crate::attention::approx::performer::{FeatureKind, PerformerConfig};
use crate::attention::approx::synthesizer::{SynthesizerConfig, SynthesizerKind};
pub use crate::view_model::approx::choices::{HeadWidth, MethodChoice};
use crate::view_model::params::{Notice, ParamReader};
use crate::view_model::schema::{ChoiceParam, FlagParam, IntParam, QueryWriter, Schema};

/// Largest N: every method, its N × N implied matrix and the sweeps stay interactive up to here.
pub const MAX_N: usize = 256;
/// Default N.
pub const DEFAULT_N: usize = 128;
/// Largest Performer feature count m.
pub const MAX_M: usize = 1024;
/// Largest Synthesizer/mixer hidden width and factorised rank.
pub const MAX_HIDDEN: usize = 256;

pub const METHOD: ChoiceParam<MethodChoice> = ChoiceParam {
    key: "method",
    label: "approx.method",
    doc: "the approximation",
    default: MethodChoice::Performer,
};
pub const N: IntParam = IntParam::new("n", "approx.n", "tokens N", DEFAULT_N as i64, 1, MAX_N as i64).log();
pub const HEAD_WIDTH: ChoiceParam<HeadWidth> = ChoiceParam {
    key: "d",
    label: "approx.d",
    doc: "head width d",
    default: HeadWidth::D32,
};
pub const SEED: IntParam = IntParam::new(
    "seed",
    "approx.seed",
    "seed of the embedding and W_Q, W_K, W_V",
    1,
    0,
    u32::MAX as i64,
);
pub const QK_PERCENT: IntParam = IntParam::new(
    "qk",
    "approx.qk",
    "scale of Q and K in % (larger = peakier exact attention)",
    100,
    10,
    200,
);
pub const CAUSAL: FlagParam = FlagParam {
    key: "causal",
    label: "approx.causal",
    doc: "causal mask (linear attention and Performer only; otherwise cleared with a notice)",
    default: false,
};
pub const PROJECTED_LEN: IntParam = IntParam::new(
    "k",
    "approx.k",
    "Linformer projected length (capped at N, with a notice)",
    16,
    1,
    MAX_N as i64,
)
.log();
pub const PROJECTION: ChoiceParam<ProjectionKind> = ChoiceParam {
    key: "proj",
    label: "approx.proj",
    doc: "Linformer projections",
    default: ProjectionKind::MeanPool,
};
pub const FEATURE_COUNT: IntParam =
    IntParam::new("m", "approx.m", "Performer random features", 64, 1, MAX_M as i64).log();
pub const FEATURE_MAP: ChoiceParam<FeatureKind> = ChoiceParam {
    key: "features",
    label: "approx.features",
    doc: "Performer feature map",
    default: FeatureKind::Positive,
};
pub const REDRAW_SEED: IntParam = IntParam::new(
    "fseed",
    "approx.redraw",
    "redraw seed of projections, features and synthetic weights",
    0,
    0,
    u32::MAX as i64,
);
pub const SYNTHESIZER: ChoiceParam<SynthesizerKind> = ChoiceParam {
    key: "synth",
    label: "approx.synth",
    doc: "Synthesizer variant",
    default: SynthesizerKind::Dense,
};
pub const RANK: IntParam = IntParam::new(
    "rank",
    "approx.rank",
    "factorised random Synthesizer rank",
    4,
    1,
    MAX_HIDDEN as i64,
);
pub const HIDDEN: IntParam = IntParam::new(
    "hidden",
    "approx.hidden",
    "dense Synthesizer / mixer hidden width",
    64,
    1,
    MAX_HIDDEN as i64,
)
.log();

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "approx",
    params: &[
        &METHOD,
        &N,
        &HEAD_WIDTH,
        &SEED,
        &QK_PERCENT,
        &CAUSAL,
        &PROJECTED_LEN,
        &PROJECTION,
        &FEATURE_COUNT,
        &FEATURE_MAP,
        &REDRAW_SEED,
        &SYNTHESIZER,
        &RANK,
        &HIDDEN,
    ],
};

/// What the input head depends on: (N, d, seed, qk %). Changing anything else reuses it.
pub type InputKey = (usize, usize, u64, u32);

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct ApproxParams {
    /// Tokens N (1 ..= [`MAX_N`]).
    pub n: usize,
    pub head_width: HeadWidth,
    /// Seed of the embeddings and the W_Q, W_K, W_V draw.
    pub seed: u64,
    /// Q and K are multiplied by qk_percent/100 (10 ..= 200): larger makes attention peakier.
    pub qk_percent: u32,
    pub method: MethodChoice,
    /// Causal mask (only for methods that support it; otherwise cleared with a notice).
    pub causal: bool,
    /// Linformer's projected length k (1 ..= N).
    pub projected_len: usize,
    pub projection: ProjectionKind,
    /// Performer features m (1 ..= [`MAX_M`]).
    pub feature_count: usize,
    pub feature_map: FeatureKind,
    /// Seed of the random projections / features / Synthesizer and mixer weights ("redraw").
    pub redraw_seed: u64,
    pub synthesizer: SynthesizerKind,
    /// Rank of the factorised random Synthesizer.
    pub rank: usize,
    /// Hidden width of the dense Synthesizer and the token mixer.
    pub hidden: usize,
}

impl ApproxParams {
    /// d.
    pub fn d(&self) -> usize {
        self.head_width.size()
    }

    /// The engine's description of the chosen method. The Synthesizer and mixer weights are drawn
    /// for [`MAX_N`] positions, so every allowed N fits.
    pub fn method(&self) -> ApproxMethod {
        match self.method {
            MethodChoice::Linear => ApproxMethod::Linear,
            MethodChoice::Performer => ApproxMethod::Performer(PerformerConfig {
                features: self.feature_count,
                kind: self.feature_map,
                seed: self.redraw_seed,
            }),
            MethodChoice::Linformer => ApproxMethod::Linformer {
                kind: self.projection,
                k: self.projected_len,
                seed: self.redraw_seed,
            },
            MethodChoice::Synthesizer => ApproxMethod::Synthesizer(SynthesizerConfig {
                kind: self.synthesizer,
                max_len: MAX_N,
                hidden: self.hidden,
                rank: self.rank,
                seed: self.redraw_seed,
            }),
            MethodChoice::Mixer => ApproxMethod::Mixer {
                hidden: self.hidden,
                max_len: MAX_N,
                seed: self.redraw_seed,
            },
        }
    }

    /// What the input depends on.
    pub fn input_key(&self) -> InputKey {
        (self.n, self.d(), self.seed, self.qk_percent)
    }
}

/// Parameters and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedApprox {
    pub params: ApproxParams,
    pub notices: Vec<Notice>,
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedApprox {
    let mut r = ParamReader::new(get);
    let n = N.read_usize(&mut r);
    let head_width = HEAD_WIDTH.read(&mut r);
    let seed = SEED.read(&mut r) as u64;
    let qk_percent = QK_PERCENT.read(&mut r) as u32;
    let method = METHOD.read(&mut r);
    let causal_given = CAUSAL.read(&mut r);
    let causal = causal_given && method.supports_causal();
    if causal_given && !causal {
        r.rule(CAUSAL.key, "1", "0", "approx.rule.causal");
    }
    let k_given = PROJECTED_LEN.read_usize(&mut r);
    let projected_len = k_given.min(n);
    if projected_len != k_given {
        r.rule(PROJECTED_LEN.key, k_given, projected_len, "approx.rule.k");
    }
    let params = ApproxParams {
        n,
        head_width,
        seed,
        qk_percent,
        method,
        causal,
        projected_len,
        projection: PROJECTION.read(&mut r),
        feature_count: FEATURE_COUNT.read_usize(&mut r),
        feature_map: FEATURE_MAP.read(&mut r),
        redraw_seed: REDRAW_SEED.read(&mut r) as u64,
        synthesizer: SYNTHESIZER.read(&mut r),
        rank: RANK.read_usize(&mut r),
        hidden: HIDDEN.read_usize(&mut r),
    };
    ParsedApprox {
        params,
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key, so a permalink is complete).
pub fn to_query(p: &ApproxParams) -> Vec<(&'static str, String)> {
    QueryWriter::new(SCHEMA.view)
        .choice(&METHOD, p.method)
        .size(&N, p.n)
        .choice(&HEAD_WIDTH, p.head_width)
        .int(&SEED, p.seed as i64)
        .int(&QK_PERCENT, p.qk_percent as i64)
        .flag(&CAUSAL, p.causal)
        .size(&PROJECTED_LEN, p.projected_len)
        .choice(&PROJECTION, p.projection)
        .size(&FEATURE_COUNT, p.feature_count)
        .choice(&FEATURE_MAP, p.feature_map)
        .int(&REDRAW_SEED, p.redraw_seed as i64)
        .choice(&SYNTHESIZER, p.synthesizer)
        .size(&RANK, p.rank)
        .size(&HIDDEN, p.hidden)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::{pairs_lookup, parse_written, NoticeReason};
    use crate::view_model::schema::UrlChoice;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedApprox {
        parse(&pairs_lookup(pairs))
    }

    fn reparse(p: &ApproxParams) -> ParsedApprox {
        parse_written(&to_query(p), parse)
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        let p = p.params;
        assert_eq!(
            (p.n, p.d(), p.qk_percent, p.method, p.feature_count, p.projected_len),
            (DEFAULT_N, 32, 100, MethodChoice::Performer, 64, 16)
        );
    }

    #[test]
    fn garbage_is_clamped_with_notices() {
        let p = parse_pairs(&[
            ("n", "100000"),
            ("d", "12"),
            ("method", "magic"),
            ("m", "-3"),
            ("qk", "abc"),
            ("features", "cos"),
        ]);
        assert_eq!(p.params.n, MAX_N);
        assert_eq!(p.params.d(), 32);
        assert_eq!(p.params.method, MethodChoice::Performer);
        assert_eq!(p.params.feature_count, 1);
        assert_eq!(p.params.qk_percent, 100);
        assert_eq!(p.notices.len(), 6, "{:?}", p.notices);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["n", "d", "qk", "method", "m", "features"]);
        let method = p.notices.iter().find(|n| n.key == "method").expect("method notice");
        assert!(matches!(method.reason, NoticeReason::UnknownChoice { .. }));
        assert_eq!(method.used, "performer");
    }

    #[test]
    fn k_above_n_and_causal_without_a_causal_form_are_corrected_with_rules() {
        let p = parse_pairs(&[("n", "20"), ("k", "64"), ("method", "linformer"), ("causal", "1")]);
        assert_eq!(p.params.projected_len, 20);
        assert!(!p.params.causal);
        let ids: Vec<_> = p
            .notices
            .iter()
            .map(|n| match n.reason {
                NoticeReason::Rule { message_id } => message_id,
                _ => "",
            })
            .collect();
        assert_eq!(ids, vec!["approx.rule.causal", "approx.rule.k"]);
        // Linear attention keeps the causal flag.
        assert!(parse_pairs(&[("method", "linear"), ("causal", "1")]).params.causal);
    }

    #[test]
    fn parameters_round_trip_through_the_query() {
        let p = parse_pairs(&[
            ("n", "40"),
            ("d", "16"),
            ("seed", "7"),
            ("qk", "50"),
            ("method", "synthesizer"),
            ("k", "8"),
            ("proj", "gaussian"),
            ("m", "128"),
            ("features", "trig"),
            ("fseed", "3"),
            ("synth", "frandom"),
            ("rank", "2"),
            ("hidden", "32"),
        ]);
        assert!(p.notices.is_empty());
        let again = reparse(&p.params);
        assert!(again.notices.is_empty());
        assert_eq!(again.params, p.params);
        // Every variant of every choice, and the seeds' extremes.
        let base = p.params;
        for method in MethodChoice::ALL {
            for synthesizer in SynthesizerKind::ALL {
                let q = ApproxParams {
                    method: *method,
                    synthesizer: *synthesizer,
                    causal: method.supports_causal(),
                    seed: u32::MAX as u64,
                    redraw_seed: u32::MAX as u64,
                    ..base.clone()
                };
                let again = reparse(&q);
                assert_eq!((&again.params, again.notices.len()), (&q, 0));
            }
        }
        for head_width in HeadWidth::ALL {
            let q = ApproxParams {
                head_width: *head_width,
                ..base.clone()
            };
            assert_eq!(reparse(&q).params, q);
        }
    }

    #[test]
    fn every_integer_key_accepts_both_ends_of_its_range_without_a_notice() {
        // The sliders and the seed box are made from these constants, so they reach exactly this.
        for spec in [
            &N,
            &SEED,
            &QK_PERCENT,
            &PROJECTED_LEN,
            &FEATURE_COUNT,
            &REDRAW_SEED,
            &RANK,
            &HIDDEN,
        ] {
            for v in [spec.min, spec.max] {
                let text = v.to_string();
                // k is capped at N: read k at the largest N, and N with the smallest k.
                let context = if spec.key == "n" { ("k", "1") } else { ("n", "256") };
                let p = parse_pairs(&[(spec.key, text.as_str()), context]);
                assert!(p.notices.is_empty(), "{}={v}: {:?}", spec.key, p.notices);
                assert!(
                    to_query(&p.params).contains(&(spec.key, text.clone())),
                    "{}={v}",
                    spec.key
                );
            }
        }
        assert_eq!(SEED.max, u32::MAX as i64);
    }

    #[test]
    fn the_writer_writes_exactly_the_schema_keys() {
        let p = parse_pairs(&[("method", "linformer")]).params;
        let pairs = to_query(&p);
        assert_eq!(pairs[0], ("view", "approx".to_string()));
        let written: Vec<&str> = pairs.iter().skip(1).map(|(k, _)| *k).collect();
        assert_eq!(written, SCHEMA.keys());
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "approx-matrices",
        controls: &[
            "method", "n", "d", "seed", "qk", "causal", "k", "proj", "m", "features", "fseed",
        ],
        name_keys: &["method", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "approx-sweep",
        controls: &["method", "n", "d", "qk", "causal"],
        name_keys: &["method", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "approx-spectrum",
        controls: &["n", "d", "qk", "seed"],
        name_keys: &["n", "d"],
    },
    crate::view_model::figures::FigureDef {
        id: "approx-cost",
        controls: &["method", "n", "d", "k", "m"],
        name_keys: &["method", "n"],
    },
];
