//! The "Sparse attention zoo" view's parameters: its schema ([`SCHEMA`]), the parser and the canonical
//! URL writer. Every key is declared once below; the field names say what they hold, the URL keys stay
//! the short ones links already use.

use std::sync::Arc;

use crate::attention::sparse::zoo::{PatternKind, PatternSettings};
use crate::attention::tokenizer::example_tokens;
use crate::view_model::params::{Notice, NoticeReason, ParamReader};
use crate::view_model::schema::{
    ChoiceParam, CustomParam, FlagParam, FloatParam, IntParam, QueryWriter, Schema, UrlChoice,
};
pub use crate::view_model::sparse::choices::{definition_id, TileEdge};

/// Largest N the view accepts: every stage then stays within a few tens of milliseconds.
pub const MAX_N: usize = 512;

/// `vs=` value that turns compare mode off (also the meaning of an absent or empty `vs`).
pub const VS_OFF: &str = "off";

pub const PATTERN: ChoiceParam<PatternKind> = ChoiceParam {
    key: "pattern",
    label: "sparse.pattern",
    doc: "the pattern",
    default: PatternKind::BigBird,
};
pub const N: IntParam = IntParam::new("n", "sparse.n", "tokens N", 256, 2, MAX_N as i64).log();
pub const D: IntParam = IntParam::new("d", "sparse.d", "head width d", 64, 2, 256).log();
pub const SEED: IntParam = IntParam::new(
    "seed",
    "sparse.seed",
    "seed of the input, random blocks, rotations and sort net",
    1,
    0,
    u32::MAX as i64,
);
pub const CAUSAL: FlagParam = FlagParam {
    key: "causal",
    label: "sparse.causal",
    doc: "no future keys (local, strided, fixed, lsh)",
    default: false,
};
pub const WINDOW: IntParam = IntParam::new(
    "w",
    "sparse.w",
    "window (local: one-sided; Longformer: ½w per side); at most N − 1 is used",
    4,
    0,
    MAX_N as i64,
);
pub const STRIDE: IntParam = IntParam::new("s", "sparse.s", "stride (strided, fixed)", 8, 1, MAX_N as i64).log();
pub const SUMMARY: IntParam = IntParam::new("c", "sparse.c", "summary columns per block (fixed)", 1, 0, MAX_N as i64);
pub const DILATION: IntParam = IntParam::new("dil", "sparse.dil", "Longformer dilation δ", 1, 1, 64);
pub const GLOBALS: IntParam = IntParam::new(
    "g",
    "sparse.g",
    "global tokens (global, Longformer), spread evenly at ⌊t·N/g⌋",
    1,
    0,
    64,
);
pub const BLOCK: IntParam = IntParam::new("b", "sparse.b", "block size (BigBird, Sinkhorn)", 8, 1, MAX_N as i64).log();
pub const GLOBAL_BLOCKS: IntParam = IntParam::new("gb", "sparse.gb", "BigBird global blocks", 2, 0, 64);
pub const RANDOM_BLOCKS: IntParam = IntParam::new("r", "sparse.r", "BigBird random blocks per block row", 2, 0, 64);
pub const BUCKETS: IntParam = IntParam::new("buckets", "sparse.buckets", "Reformer LSH buckets", 8, 2, 64).log();
pub const HASHES: IntParam = IntParam::new("hashes", "sparse.hashes", "Reformer LSH hash rounds", 2, 1, 8);
pub const CHUNK: IntParam = IntParam::new(
    "chunk",
    "sparse.chunk",
    "Reformer LSH chunk length",
    16,
    1,
    MAX_N as i64,
)
.log();
pub const ITERATIONS: IntParam = IntParam::new("k", "sparse.k", "Sinkhorn iterations", 5, 0, 50);
pub const TEMPERATURE: FloatParam = FloatParam {
    key: "tau",
    label: "sparse.tau",
    doc: "Sinkhorn temperature τ",
    default: 0.75,
    min: 0.01,
    max: 10.0,
};
/// The temperature slider, in hundredths of τ: exactly the 0.01 … 10 the parser accepts.
pub const TEMPERATURE_HUNDREDTHS: IntParam =
    IntParam::new("tau", "sparse.tau", "Sinkhorn temperature τ × 100", 75, 1, 1000).log();
pub const LAYERS: IntParam = IntParam::new(
    "layers",
    "sparse.layers",
    "stacked layers L for the reach map",
    2,
    1,
    32,
);
pub const VS: CustomParam = CustomParam {
    key: "vs",
    label: "sparse.vs",
    doc:
        "second pattern compared side by side on the same input (same other parameters); `off` or empty = no comparison",
    values: "`off` or a `pattern` value",
    default_doc: "`off`",
};
pub const TILE: ChoiceParam<TileEdge> = ChoiceParam {
    key: "tile",
    label: "sparse.tile",
    doc: "tile edge B of the tile picture",
    default: TileEdge::T32,
};

/// The view's schema, in README order.
pub const SCHEMA: Schema = Schema {
    view: "sparse",
    params: &[
        &PATTERN,
        &N,
        &D,
        &SEED,
        &CAUSAL,
        &WINDOW,
        &STRIDE,
        &SUMMARY,
        &DILATION,
        &GLOBALS,
        &BLOCK,
        &GLOBAL_BLOCKS,
        &RANDOM_BLOCKS,
        &BUCKETS,
        &HASHES,
        &CHUNK,
        &ITERATIONS,
        &TEMPERATURE,
        &LAYERS,
        &VS,
        &TILE,
    ],
};

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseParams {
    pub pattern: PatternKind,
    pub n: usize,
    /// Head width d (Q, K, V are N × d).
    pub d: usize,
    /// What the pattern generators read: window, stride, blocks, buckets, … and the seed (of the
    /// input too).
    pub settings: PatternSettings,
    /// Stacked layers shown in the reach map.
    pub layers: usize,
    /// Second pattern compared side by side on the same input (`vs=`; None = off).
    pub vs: Option<PatternKind>,
    /// Tile edge of the tile picture.
    pub tile: TileEdge,
}

/// Parameters, the tokens they imply, and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSparse {
    pub params: SparseParams,
    pub tokens: Arc<Vec<String>>,
    pub notices: Vec<Notice>,
}

/// Reads `vs`: absent, empty or `off` = no comparison; an unknown word → off with a notice.
fn read_vs(r: &mut ParamReader<'_>) -> Option<PatternKind> {
    let raw = r.raw(VS.key)?;
    if raw.eq_ignore_ascii_case(VS_OFF) {
        return None;
    }
    let kind = PatternKind::from_word(&raw);
    if kind.is_none() {
        let mut allowed = PatternKind::words();
        allowed.push(VS_OFF);
        r.note(VS.key, raw, VS_OFF.into(), NoticeReason::UnknownChoice { allowed });
    }
    kind
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSparse {
    let mut r = ParamReader::new(get);
    let pattern = PATTERN.read(&mut r);
    let n = N.read_usize(&mut r);
    let d = D.read_usize(&mut r);
    let seed = SEED.read(&mut r) as u64;
    let settings = PatternSettings {
        causal: CAUSAL.read(&mut r),
        window: WINDOW.read_usize(&mut r),
        stride: STRIDE.read_usize(&mut r),
        summary: SUMMARY.read_usize(&mut r),
        dilation: DILATION.read_usize(&mut r),
        globals: GLOBALS.read_usize(&mut r),
        block: BLOCK.read_usize(&mut r),
        global_blocks: GLOBAL_BLOCKS.read_usize(&mut r),
        random_blocks: RANDOM_BLOCKS.read_usize(&mut r),
        buckets: BUCKETS.read_usize(&mut r),
        hashes: HASHES.read_usize(&mut r),
        chunk: CHUNK.read_usize(&mut r),
        iterations: ITERATIONS.read_usize(&mut r),
        temperature: TEMPERATURE.read(&mut r) as f32,
        seed,
    };
    let params = SparseParams {
        pattern,
        n,
        d,
        settings,
        layers: LAYERS.read_usize(&mut r),
        vs: read_vs(&mut r),
        tile: TILE.read(&mut r),
    };
    ParsedSparse {
        tokens: Arc::new(example_tokens(n)),
        params,
        notices: r.notices,
    }
}

/// The canonical query that reproduces `p` (every key, so a permalink is complete).
pub fn to_query(p: &SparseParams) -> Vec<(&'static str, String)> {
    let s = &p.settings;
    QueryWriter::new(SCHEMA.view)
        .choice(&PATTERN, p.pattern)
        .size(&N, p.n)
        .size(&D, p.d)
        .int(&SEED, s.seed as i64)
        .flag(&CAUSAL, s.causal)
        .size(&WINDOW, s.window)
        .size(&STRIDE, s.stride)
        .size(&SUMMARY, s.summary)
        .size(&DILATION, s.dilation)
        .size(&GLOBALS, s.globals)
        .size(&BLOCK, s.block)
        .size(&GLOBAL_BLOCKS, s.global_blocks)
        .size(&RANDOM_BLOCKS, s.random_blocks)
        .size(&BUCKETS, s.buckets)
        .size(&HASHES, s.hashes)
        .size(&CHUNK, s.chunk)
        .size(&ITERATIONS, s.iterations)
        // As an f32 (what the engine uses), so the link reads tau=0.3, not 0.30000001192092896.
        .raw(TEMPERATURE.key, s.temperature.clamp(0.01, 10.0).to_string())
        .size(&LAYERS, p.layers)
        .raw(VS.key, p.vs.map_or(VS_OFF, |k| k.word()))
        .choice(&TILE, p.tile)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::sparse::stats::TILE_SIZES;
    use crate::view_model::params::{pairs_lookup, parse_written};

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedSparse {
        parse(&pairs_lookup(pairs))
    }

    fn reparse(p: &SparseParams) -> ParsedSparse {
        parse_written(&to_query(p), parse)
    }

    #[test]
    fn defaults_need_no_notice_and_round_trip() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        assert_eq!(
            (p.params.pattern, p.params.n, p.params.settings.block),
            (PatternKind::BigBird, 256, 8)
        );
        let again = reparse(&p.params);
        assert_eq!(again.params, p.params);
        assert!(again.notices.is_empty());
    }

    #[test]
    fn garbage_query_is_clamped_with_notices() {
        let p = parse_pairs(&[
            ("pattern", "zigzag"),
            ("n", "100000"),
            ("w", "x"),
            ("tau", "-3"),
            ("s", "0"),
        ]);
        assert_eq!(p.params.pattern, PatternKind::BigBird);
        assert_eq!(
            (p.params.n, p.params.settings.window, p.params.settings.stride),
            (MAX_N, 4, 1)
        );
        assert_eq!(p.params.settings.temperature, 0.01);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["pattern", "n", "w", "s", "tau"]);
        assert!(matches!(p.notices[0].reason, NoticeReason::UnknownChoice { .. }));
        assert_eq!(p.notices[0].used, "bigbird");
    }

    #[test]
    fn every_setting_round_trips_without_notices() {
        let p = parse_pairs(&[
            ("pattern", "SINKHORN"),
            ("n", "97"),
            ("d", "48"),
            ("seed", "4294967295"),
            ("causal", "yes"),
            ("w", "512"),
            ("s", "3"),
            ("c", "2"),
            ("dil", "5"),
            ("g", "7"),
            ("b", "16"),
            ("gb", "3"),
            ("r", "1"),
            ("buckets", "16"),
            ("hashes", "4"),
            ("chunk", "9"),
            ("k", "50"),
            ("tau", "0.3"),
            ("layers", "32"),
            ("vs", "lsh"),
            ("tile", "128"),
        ]);
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        let q = &p.params;
        assert_eq!(
            (q.pattern, q.settings.seed, q.settings.window, q.vs),
            (PatternKind::Sinkhorn, u32::MAX as u64, 512, Some(PatternKind::Lsh))
        );
        assert_eq!((q.tile.size(), q.settings.temperature), (128, 0.3));
        let again = reparse(q);
        assert_eq!(&again.params, q);
        assert!(again.notices.is_empty());
        for kind in PatternKind::ALL {
            let p = SparseParams {
                pattern: *kind,
                vs: Some(*kind),
                ..q.clone()
            };
            assert_eq!(reparse(&p).params, p);
        }
    }

    #[test]
    fn the_writer_writes_exactly_the_schema_keys() {
        let p = parse_pairs(&[("pattern", "local"), ("vs", "causal")]).params;
        let pairs = to_query(&p);
        assert_eq!(pairs[0], ("view", "sparse".to_string()));
        let written: Vec<&str> = pairs.iter().skip(1).map(|(k, _)| *k).collect();
        assert_eq!(written, SCHEMA.keys());
    }

    #[test]
    fn vs_and_tile_parse_with_notices_and_round_trip() {
        let p = parse_pairs(&[("vs", "local"), ("tile", "64")]);
        assert!(p.notices.is_empty());
        assert_eq!((p.params.vs, p.params.tile.size()), (Some(PatternKind::Local), 64));
        let again = reparse(&p.params);
        assert_eq!(again.params, p.params);
        // Absent, empty and "off" all mean compare mode off, without a notice.
        for q in [vec![], vec![("vs", "")], vec![("vs", "off")]] {
            let off = parse_pairs(&q);
            assert_eq!(
                (off.params.vs, off.params.tile.size(), off.notices.len()),
                (None, 32, 0)
            );
        }
        let bad = parse_pairs(&[("vs", "zigzag"), ("tile", "48")]);
        assert_eq!((bad.params.vs, bad.params.tile.size()), (None, 32));
        let keys: Vec<&str> = bad.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["vs", "tile"]);
    }

    #[test]
    fn every_integer_key_accepts_both_ends_of_its_range_without_a_notice() {
        // The sliders span exactly these bounds (they are made from the same constants): the window
        // reaches 512 and the seed 2³² − 1, as the parser allows.
        let ints = [
            &N,
            &D,
            &SEED,
            &WINDOW,
            &STRIDE,
            &SUMMARY,
            &DILATION,
            &GLOBALS,
            &BLOCK,
            &GLOBAL_BLOCKS,
            &RANDOM_BLOCKS,
            &BUCKETS,
            &HASHES,
            &CHUNK,
            &ITERATIONS,
            &LAYERS,
        ];
        assert_eq!((WINDOW.max, SEED.max), (512, u32::MAX as i64));
        for spec in ints {
            for v in [spec.min, spec.max] {
                let text = v.to_string();
                let p = parse_pairs(&[(spec.key, text.as_str())]);
                assert!(p.notices.is_empty(), "{}={v}: {:?}", spec.key, p.notices);
                let written = to_query(&p.params);
                assert!(
                    written.contains(&(spec.key, text.clone())),
                    "{}={v} is written back",
                    spec.key
                );
            }
            let over = (spec.max + 1).to_string();
            assert_eq!(
                parse_pairs(&[(spec.key, over.as_str())]).notices.len(),
                1,
                "{} above its max",
                spec.key
            );
        }
    }

    #[test]
    fn the_tile_choices_are_the_engines_tile_sizes_and_the_temperature_slider_spans_the_parser() {
        let sizes: Vec<usize> = TileEdge::ALL.iter().map(|t| t.size()).collect();
        assert_eq!(sizes, TILE_SIZES.to_vec());
        assert_eq!(TEMPERATURE_HUNDREDTHS.min as f64 / 100.0, TEMPERATURE.min);
        assert_eq!(TEMPERATURE_HUNDREDTHS.max as f64 / 100.0, TEMPERATURE.max);
        assert_eq!(TEMPERATURE_HUNDREDTHS.default as f64 / 100.0, TEMPERATURE.default);
    }
}

/// The chapter's figures (`fig=<id>`), with the controls each needs alone and its file-name keys.
pub const FIGURES: &[crate::view_model::figures::FigureDef] = &[
    crate::view_model::figures::FigureDef {
        id: "sparse-mask",
        controls: &[
            "pattern", "n", "causal", "w", "s", "c", "dil", "g", "b", "gb", "r", "buckets", "hashes", "chunk", "k",
            "tau", "seed",
        ],
        name_keys: &["pattern", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sparse-attention",
        controls: &["pattern", "n", "d", "seed", "causal", "w", "b"],
        name_keys: &["pattern", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sparse-compare",
        controls: &["pattern", "vs", "n", "w", "b"],
        name_keys: &["pattern", "vs", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sparse-reach",
        controls: &["pattern", "n", "layers", "w", "b"],
        name_keys: &["pattern", "layers", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sparse-detail",
        controls: &["pattern", "n", "tile"],
        name_keys: &["pattern", "tile", "n"],
    },
    crate::view_model::figures::FigureDef {
        id: "sparse-heads",
        controls: &["pattern", "n", "seed"],
        name_keys: &["pattern", "n"],
    },
];
