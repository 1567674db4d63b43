//! The real-model view's parameters: its schema ([`SCHEMA`]), the parser and the canonical URL
//! writer. Every key is declared once below; parsing clamps with notices and never fails.

pub use crate::view_model::model::choices::{Change, Input, Sampling, Score};
use crate::view_model::params::{Notice, NoticeReason, ParamReader};
use crate::view_model::schema::{ChoiceParam, CustomParam, FloatParam, IntParam, QueryWriter, Schema, TextParam};

/// SmolLM2-135M's layers and query heads per layer (its `config.json`: `num_hidden_layers` 30,
/// `num_attention_heads` 9); the URL bounds of the layer and head keys.
pub const LAYERS: usize = 30;
pub const HEADS: usize = 9;
/// Most prompt tokens the view analyses (every head's map is kept: 30·9·N² weights, 17.7 MB at 128).
pub const MAX_TOKENS: usize = 128;
/// Most tokens one Generate produces.
pub const MAX_NEW: usize = 64;
/// The prompt a first visit shows: the indirect-object sentence of Wang et al. 2022, whose answer
/// (" Mary") a small model gets right by attending back to the names.
pub const DEFAULT_PROMPT: &str = "When Mary and John went to the store, John gave a drink to";

pub const PROMPT: TextParam = TextParam {
    key: "prompt",
    label: "model.prompt",
    doc: "the prompt (at most 128 tokens are read)",
    max_chars: 2_000,
    default_doc: "“When Mary and John went to the store, John gave a drink to”",
};
pub const INPUT: ChoiceParam<Input> = ChoiceParam {
    key: "input",
    label: "model.input",
    doc: "what the model reads: `prompt`, or `repeat` = a random run of tokens said twice (the induction test)",
    default: Input::Prompt,
};
pub const HALF: IntParam = IntParam::new(
    "half",
    "model.half",
    "tokens in each half of the repeated run",
    24,
    4,
    63,
);
pub const RSEED: IntParam = IntParam::new(
    "rseed",
    "model.rseed",
    "seed of the repeated run's tokens",
    1,
    0,
    u32::MAX as i64,
);
pub const LAYER: IntParam = IntParam::new(
    "layer",
    "model.layer",
    "layer of the head shown large (0-based)",
    3,
    0,
    LAYERS as i64 - 1,
);
pub const HEAD: IntParam = IntParam::new(
    "head",
    "model.head",
    "query head shown large (0-based; heads 3g … 3g+2 share K/V head g)",
    0,
    0,
    HEADS as i64 - 1,
);
pub const SCORE: ChoiceParam<Score> = ChoiceParam {
    key: "score",
    label: "model.score",
    doc: "the head finder's score: `prev`, `induction`, `first` (attention sink) or `self`",
    default: Score::Previous,
};
pub const GEN: IntParam = IntParam::new("gen", "model.gen", "tokens to generate", 16, 1, MAX_NEW as i64);
pub const SAMPLE: ChoiceParam<Sampling> = ChoiceParam {
    key: "sample",
    label: "model.sample",
    doc: "next-token choice: `greedy` (argmax) or `sample` (softmax(logits/T) over the top 40, seeded)",
    default: Sampling::Greedy,
};
pub const TEMP: FloatParam = FloatParam {
    key: "temp",
    label: "model.temp",
    doc: "sampling temperature T",
    default: 0.8,
    min: 0.05,
    max: 2.0,
};
pub const SEED: IntParam = IntParam::new("seed", "model.seed", "sampling seed", 1, 0, u32::MAX as i64);
pub const CHANGE: ChoiceParam<Change> = ChoiceParam {
    key: "change",
    label: "model.change",
    doc: "what replaces exact causal attention in layers `from` … `to`: a sparse chapter pattern \
          (`local`, `strided`, `longformer`, `bigbird`, `lsh`, each kept causal), `linear` or `performer`",
    default: Change::None,
};
pub const WINDOW: IntParam = IntParam::new(
    "w",
    "model.w",
    "window: earlier tokens each token still sees (local, strided, Longformer, BigBird block)",
    32,
    1,
    MAX_TOKENS as i64,
)
.log();
pub const STRIDE: IntParam = IntParam::new("s", "model.s", "stride of the strided pattern", 8, 1, 64).log();
pub const FEATURES: IntParam = IntParam::new("m", "model.m", "Performer random features m", 64, 1, 256).log();
pub const FROM: IntParam = IntParam::new("from", "model.from", "first changed layer", 0, 0, LAYERS as i64 - 1);
pub const TO: IntParam = IntParam::new(
    "to",
    "model.to",
    "last changed layer (at least `from`)",
    LAYERS as i64 - 1,
    0,
    LAYERS as i64 - 1,
);
pub const ABLATE: CustomParam = CustomParam {
    key: "ablate",
    label: "model.ablate",
    doc: "a head whose output is set to zero, as `layer.head` (e.g. `4.7`), or `none`",
    values: "`none` or `L.H` with L < 30, H < 9",
    default_doc: "none",
};

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "model",
    params: &[
        &PROMPT, &INPUT, &HALF, &RSEED, &LAYER, &HEAD, &SCORE, &GEN, &SAMPLE, &TEMP, &SEED, &CHANGE, &WINDOW, &STRIDE,
        &FEATURES, &FROM, &TO, &ABLATE,
    ],
};

/// What the model reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The prompt's text.
    Prompt(String),
    /// `half` random tokens (from `seed`) said twice.
    Repeat { half: usize, seed: u64 },
}

/// One change to the model's attention (what the intervention panel sets).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeSpec {
    pub change: Change,
    pub window: usize,
    pub stride: usize,
    pub features: usize,
    /// Changed layers, first ..= last.
    pub first_layer: usize,
    pub last_layer: usize,
    /// A (layer, head) whose output is zeroed.
    pub ablate: Option<(usize, usize)>,
}

impl ChangeSpec {
    /// True when the model runs as trained.
    pub fn is_identity(&self) -> bool {
        self.change == Change::None && self.ablate.is_none()
    }
}

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelParams {
    /// The prompt as given (the default when absent), also kept while `input=repeat`.
    pub prompt: String,
    pub input: Input,
    pub repeat_half: usize,
    pub repeat_seed: u64,
    /// The head shown large.
    pub layer: usize,
    pub head: usize,
    pub score: Score,
    pub new_tokens: usize,
    pub sampling: Sampling,
    pub temperature: f64,
    pub sample_seed: u64,
    pub change: ChangeSpec,
}

impl ModelParams {
    /// The tokens' source.
    pub fn source(&self) -> Source {
        match self.input {
            Input::Prompt => Source::Prompt(self.prompt.clone()),
            Input::Repeat => Source::Repeat {
                half: self.repeat_half,
                seed: self.repeat_seed,
            },
        }
    }
}

/// Parameters and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedModel {
    pub params: ModelParams,
    pub notices: Vec<Notice>,
}

/// Reads `L.H` (a head to ablate); None for absent, empty or `none`, with a notice when malformed.
fn read_ablate(r: &mut ParamReader<'_>) -> Option<(usize, usize)> {
    let raw = r.raw(ABLATE.key)?;
    let text = raw.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return None;
    }
    let parsed = text
        .split_once('.')
        .and_then(|(l, h)| Some((l.trim().parse::<usize>().ok()?, h.trim().parse::<usize>().ok()?)));
    match parsed {
        Some((l, h)) if l < LAYERS && h < HEADS => Some((l, h)),
        Some((l, h)) => {
            let used = (l.min(LAYERS - 1), h.min(HEADS - 1));
            r.note(
                ABLATE.key,
                raw.clone(),
                format!("{}.{}", used.0, used.1),
                NoticeReason::OutOfRange {
                    min: "0.0".into(),
                    max: format!("{}.{}", LAYERS - 1, HEADS - 1),
                },
            );
            Some(used)
        }
        None => {
            r.note(
                ABLATE.key,
                raw.clone(),
                "none".into(),
                NoticeReason::NotAllowed {
                    allowed: ABLATE.values.into(),
                },
            );
            None
        }
    }
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedModel {
    let mut r = ParamReader::new(get);
    let prompt = PROMPT.read(&mut r).unwrap_or_else(|| DEFAULT_PROMPT.to_string());
    let input = INPUT.read(&mut r);
    let repeat_half = HALF.read_usize(&mut r);
    let repeat_seed = RSEED.read(&mut r) as u64;
    let layer = LAYER.read_usize(&mut r);
    let head = HEAD.read_usize(&mut r);
    let score = SCORE.read(&mut r);
    let new_tokens = GEN.read_usize(&mut r);
    let sampling = SAMPLE.read(&mut r);
    let temperature = TEMP.read(&mut r);
    let sample_seed = SEED.read(&mut r) as u64;
    let change = CHANGE.read(&mut r);
    let window = WINDOW.read_usize(&mut r);
    let stride = STRIDE.read_usize(&mut r);
    let features = FEATURES.read_usize(&mut r);
    let first_layer = FROM.read_usize(&mut r);
    let last_given = TO.read_usize(&mut r);
    let last_layer = last_given.max(first_layer);
    if last_layer != last_given {
        r.rule(TO.key, last_given, last_layer, "model.rule.to");
    }
    let ablate = read_ablate(&mut r);
    let params = ModelParams {
        prompt,
        input,
        repeat_half,
        repeat_seed,
        layer,
        head,
        score,
        new_tokens,
        sampling,
        temperature,
        sample_seed,
        change: ChangeSpec {
            change,
            window,
            stride,
            features,
            first_layer,
            last_layer,
            ablate,
        },
    };
    ParsedModel {
        params,
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key, so a permalink is complete).
pub fn to_query(p: &ModelParams) -> Vec<(&'static str, String)> {
    let c = &p.change;
    QueryWriter::new(SCHEMA.view)
        .raw(PROMPT.key, p.prompt.clone())
        .choice(&INPUT, p.input)
        .size(&HALF, p.repeat_half)
        .int(&RSEED, p.repeat_seed as i64)
        .size(&LAYER, p.layer)
        .size(&HEAD, p.head)
        .choice(&SCORE, p.score)
        .size(&GEN, p.new_tokens)
        .choice(&SAMPLE, p.sampling)
        .float(&TEMP, p.temperature)
        .int(&SEED, p.sample_seed as i64)
        .choice(&CHANGE, c.change)
        .size(&WINDOW, c.window)
        .size(&STRIDE, c.stride)
        .size(&FEATURES, c.features)
        .size(&FROM, c.first_layer)
        .size(&TO, c.last_layer)
        .raw(
            ABLATE.key,
            c.ablate.map_or("none".to_string(), |(l, h)| format!("{l}.{h}")),
        )
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::{pairs_lookup, parse_written};

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedModel {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn defaults_need_no_notice_and_read_the_default_prompt() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        let q = &p.params;
        assert_eq!(q.source(), Source::Prompt(DEFAULT_PROMPT.into()));
        assert_eq!(
            (q.layer, q.head, q.new_tokens, q.sampling),
            (3, 0, 16, Sampling::Greedy)
        );
        assert!(q.change.is_identity());
        assert_eq!(
            (q.change.first_layer, q.change.last_layer, q.change.window),
            (0, 29, 32)
        );
    }

    #[test]
    fn hostile_values_are_clamped_with_one_notice_each() {
        let p = parse_pairs(&[
            ("layer", "99"),
            ("head", "-1"),
            ("gen", "1e9"),
            ("temp", "0"),
            ("change", "magic"),
            ("from", "20"),
            ("to", "5"),
            ("ablate", "31.2"),
            ("half", "NaN"),
        ]);
        let q = &p.params;
        assert_eq!((q.layer, q.head, q.new_tokens), (29, 0, MAX_NEW));
        assert_eq!(q.temperature, 0.05);
        assert_eq!(q.change.change, Change::None);
        assert_eq!(
            (q.change.first_layer, q.change.last_layer),
            (20, 20),
            "to is raised to from"
        );
        assert_eq!(q.change.ablate, Some((29, 2)));
        assert_eq!(q.repeat_half, 24);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["half", "layer", "head", "gen", "temp", "change", "to", "ablate"]
        );
        let bad = parse_pairs(&[("ablate", "<script>")]);
        assert_eq!(bad.params.change.ablate, None);
        assert_eq!(bad.notices.len(), 1);
        assert!(parse_pairs(&[("ablate", "none")]).notices.is_empty());
    }

    #[test]
    fn the_canonical_query_round_trips() {
        let p = parse_pairs(&[
            ("prompt", "Hello & <b>world</b> 你好 👋🏽"),
            ("input", "repeat"),
            ("half", "10"),
            ("layer", "7"),
            ("head", "8"),
            ("change", "performer"),
            ("m", "16"),
            ("from", "2"),
            ("to", "4"),
            ("ablate", "4.7"),
            ("sample", "sample"),
            ("temp", "1.25"),
        ])
        .params;
        let again = parse_written(&to_query(&p), parse);
        assert!(again.notices.is_empty(), "{:?}", again.notices);
        assert_eq!(again.params, p);
        assert_eq!(p.change.ablate, Some((4, 7)));
        assert_eq!(p.source(), Source::Repeat { half: 10, seed: 1 });
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "model-prompt",
        controls: &["prompt", "input", "half", "rseed"],
        name_keys: &["input"],
    },
    crate::view_model::figures::FigureDef {
        id: "model-generate",
        controls: &["gen", "sample", "temp", "seed"],
        name_keys: &["gen", "sample"],
    },
    crate::view_model::figures::FigureDef {
        id: "model-heads",
        controls: &["layer", "head"],
        name_keys: &["layer", "head"],
    },
    crate::view_model::figures::FigureDef {
        id: "model-finder",
        controls: &["score", "layer", "head"],
        name_keys: &["score"],
    },
    crate::view_model::figures::FigureDef {
        id: "model-change",
        controls: &["change", "w", "s", "m", "from", "to", "ablate"],
        name_keys: &["change", "from", "to"],
    },
];
