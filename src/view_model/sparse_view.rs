//! The "Sparse attention zoo" view: its URL parameters and the staged computation behind its panels.
//!
//! Parameters (`pattern`, `n`, `d`, `seed`, `causal`, `w`, `s`, `c`, `dil`, `g`, `b`, `gb`, `r`,
//! `buckets`, `hashes`, `chunk`, `k`, `tau`, `layers`, `vs`, `tile`) are parsed with clamping and
//! notices. The job builds the pattern (and the `vs` comparison pattern) from the engine's generators,
//! then, one stage at a time so the browser can paint in between: the pooled mask, the sparse kernel
//! checked against dense masked attention, counts and tiles (with the fill of every `tile`×`tile`
//! tile), the masked attention weights softmax(QKᵀ/√d + M) beside the unmasked reference, the
//! comparison pattern's weights and numbers, the attention mass kept, the reach over stacked layers,
//! the pattern's own detail (BigBird block kinds, LSH buckets, Sinkhorn iterates) and a mixed-pattern
//! layer's heads.

use std::sync::Arc;

use crate::attention::embedding::embed;
use crate::attention::exact::{attention_rows, attention_weights};
use crate::attention::mask::{causal_or_full, DenseMask};
use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::multi_head::{LayerWeights, Projections};
use crate::attention::pooling::{PoolMode, Pooler};
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig, BlockKind};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::global::global_tokens;
use crate::attention::sparse::heads::{HeadAssignment, HeadPattern};
use crate::attention::sparse::kernel::{sparse_attend, sparse_weights_row};
use crate::attention::sparse::longformer::longformer;
use crate::attention::sparse::lsh::{lsh_attention, unit_rows, LshConfig};
use crate::attention::sparse::notes::{ClampNote, Param};
use crate::attention::sparse::reach::{reach_after, reach_profile, FullReach, ReachProfile};
use crate::attention::sparse::sinkhorn::{sinkhorn_attention, SinkhornConfig};
use crate::attention::sparse::stats::{mass_kept, mass_kept_rows, PatternStats, TileGrid, TILE_SIZES};
use crate::attention::sparse::strided::{fixed, strided};
use crate::attention::sparse::window::{causal, local_window, Direction};
use crate::attention::tokenizer::example_tokens;
use crate::view_model::params::{Notice, NoticeReason, ParamReader};

/// Largest N the view accepts: every stage then stays within a few tens of milliseconds.
pub const MAX_N: usize = 512;
/// Largest pooled map side, in pixels.
pub const MAP_PX: usize = 512;
/// Side of the per-head small multiples.
pub const SMALL_PX: usize = 110;
/// Query rows of the dense masked reference computed to check the sparse kernel.
pub const CHECK_ROWS: usize = 64;

/// `vs=` value that turns compare mode off (also the meaning of an absent or empty `vs`).
pub const VS_OFF: &str = "off";

/// The patterns of the zoo, as named by `pattern=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    Causal,
    Local,
    Strided,
    Fixed,
    Global,
    Longformer,
    BigBird,
    Lsh,
    Sinkhorn,
}

impl PatternKind {
    /// Every pattern, in menu order.
    pub const ALL: [PatternKind; 9] = [
        PatternKind::Local,
        PatternKind::Strided,
        PatternKind::Fixed,
        PatternKind::Global,
        PatternKind::Longformer,
        PatternKind::BigBird,
        PatternKind::Lsh,
        PatternKind::Sinkhorn,
        PatternKind::Causal,
    ];

    /// The `pattern=` value.
    pub fn param(self) -> &'static str {
        match self {
            PatternKind::Causal => "causal",
            PatternKind::Local => "local",
            PatternKind::Strided => "strided",
            PatternKind::Fixed => "fixed",
            PatternKind::Global => "global",
            PatternKind::Longformer => "longformer",
            PatternKind::BigBird => "bigbird",
            PatternKind::Lsh => "lsh",
            PatternKind::Sinkhorn => "sinkhorn",
        }
    }

    /// Whether the `causal` flag changes this pattern.
    pub fn has_causal_flag(self) -> bool {
        matches!(
            self,
            PatternKind::Local | PatternKind::Strided | PatternKind::Fixed | PatternKind::Lsh
        )
    }
}

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseParams {
    pub pattern: PatternKind,
    pub n: usize,
    /// Head width d (Q, K, V are N × d).
    pub d: usize,
    pub seed: u64,
    pub causal: bool,
    /// Local window w (one-sided) or Longformer window w (½w per side).
    pub w: usize,
    /// Stride s (strided, fixed).
    pub s: usize,
    /// Summary columns c (fixed).
    pub c: usize,
    /// Longformer dilation δ.
    pub dil: usize,
    /// Number of global tokens (global, Longformer), spread evenly: positions ⌊t·N/g⌋.
    pub g: usize,
    /// Block size b (BigBird, Sinkhorn).
    pub b: usize,
    /// BigBird global blocks.
    pub gb: usize,
    /// BigBird random blocks per block row.
    pub r: usize,
    pub buckets: usize,
    pub hashes: usize,
    pub chunk: usize,
    /// Sinkhorn iterations k.
    pub k: usize,
    /// Sinkhorn temperature τ.
    pub tau: f32,
    /// Stacked layers shown in the reach map.
    pub layers: usize,
    /// Second pattern compared side by side on the same input (`vs=`; None = off).
    pub vs: Option<PatternKind>,
    /// Tile edge B of the tile picture (one of [`TILE_SIZES`]).
    pub tile: usize,
}

/// Parameters, the tokens they imply, and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSparse {
    pub params: SparseParams,
    pub tokens: Arc<Vec<String>>,
    pub notices: Vec<Notice>,
}

/// Parses the view's query (module doc); never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSparse {
    let mut r = ParamReader::new(get);
    let names: Vec<&'static str> = PatternKind::ALL.iter().map(|p| p.param()).collect();
    let chosen = r.choice("pattern", &names, "bigbird");
    let pattern = PatternKind::ALL
        .into_iter()
        .find(|p| p.param() == chosen)
        .unwrap_or(PatternKind::BigBird);
    let n = r.size("n", 256, 2, MAX_N);
    let params = SparseParams {
        pattern,
        n,
        d: r.size("d", 64, 2, 256),
        seed: r.int("seed", 1, 0, u32::MAX as i64) as u64,
        causal: r.flag("causal", false),
        w: r.size("w", 4, 0, MAX_N),
        s: r.size("s", 8, 1, MAX_N),
        c: r.size("c", 1, 0, MAX_N),
        dil: r.size("dil", 1, 1, 64),
        g: r.size("g", 1, 0, 64),
        b: r.size("b", 8, 1, MAX_N),
        gb: r.size("gb", 2, 0, 64),
        r: r.size("r", 2, 0, 64),
        buckets: r.size("buckets", 8, 2, 64),
        hashes: r.size("hashes", 2, 1, 8),
        chunk: r.size("chunk", 16, 1, MAX_N),
        k: r.size("k", 5, 0, 50),
        tau: r.float("tau", 0.75, 0.01, 10.0) as f32,
        layers: r.size("layers", 2, 1, 32),
        vs: {
            let mut allowed = names.clone();
            allowed.push(VS_OFF);
            let v = r.choice("vs", &allowed, VS_OFF);
            PatternKind::ALL.into_iter().find(|p| p.param() == v)
        },
        tile: {
            let v = r.choice("tile", &["16", "32", "64", "128"], "32");
            v.parse().unwrap_or(32)
        },
    };
    ParsedSparse {
        tokens: Arc::new(example_tokens(n)),
        params,
        notices: r.notices,
    }
}

/// The query pairs that reproduce `p` (all keys, so a permalink is complete).
pub fn to_pairs(p: &SparseParams) -> Vec<(&'static str, String)> {
    vec![
        ("view", "sparse".to_string()),
        ("pattern", p.pattern.param().to_string()),
        ("n", p.n.to_string()),
        ("d", p.d.to_string()),
        ("seed", p.seed.to_string()),
        ("causal", if p.causal { "1" } else { "0" }.to_string()),
        ("w", p.w.to_string()),
        ("s", p.s.to_string()),
        ("c", p.c.to_string()),
        ("dil", p.dil.to_string()),
        ("g", p.g.to_string()),
        ("b", p.b.to_string()),
        ("gb", p.gb.to_string()),
        ("r", p.r.to_string()),
        ("buckets", p.buckets.to_string()),
        ("hashes", p.hashes.to_string()),
        ("chunk", p.chunk.to_string()),
        ("k", p.k.to_string()),
        ("tau", p.tau.to_string()),
        ("layers", p.layers.to_string()),
        ("vs", p.vs.map_or(VS_OFF, |k| k.param()).to_string()),
        ("tile", p.tile.to_string()),
    ]
}

/// Global token positions ⌊t·N/g⌋ for t < g (distinct when g ≤ N).
pub fn global_positions(n: usize, g: usize) -> Vec<usize> {
    let g = g.min(n);
    (0..g).map(|t| t * n / g).collect()
}

/// The URL key a pattern parameter is set with.
fn url_key(p: Param) -> &'static str {
    match p {
        Param::Window => "w",
        Param::Stride => "s",
        Param::SummaryColumns => "c",
        Param::Dilation => "dil",
        Param::GlobalIndex => "g",
        Param::BlockSize => "b",
        Param::GlobalBlocks => "gb",
        Param::RandomBlocks => "r",
        Param::Buckets => "buckets",
        Param::Hashes => "hashes",
        Param::ChunkLength => "chunk",
        Param::Iterations => "k",
        Param::Temperature => "tau",
        Param::Hidden => "hidden",
    }
}

/// An engine clamp note as a view notice (message `sparse.rule.clamped` or `sparse.rule.dropped`).
pub fn note_to_notice(note: &ClampNote) -> Notice {
    let fmt = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v}")
        }
    };
    Notice {
        key: url_key(note.param).to_string(),
        given: fmt(note.requested),
        used: note.used.map(fmt).unwrap_or_else(|| "—".into()),
        reason: NoticeReason::Rule {
            message_id: if note.used.is_some() {
                "sparse.rule.clamped"
            } else {
                "sparse.rule.dropped"
            },
        },
    }
}

/// Pattern-specific detail for the detail panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    None,
    /// N_b × N_b block kinds: 0 none, 1 random, 2 window, 3 global.
    BigBird {
        kinds: Matrix,
        block: usize,
    },
    /// Bucket of each token per round, and the pattern with rows and columns in round 0's sorted
    /// order (pooled), where same-bucket chunks show up as blocks on the diagonal.
    Lsh {
        buckets: Vec<Vec<usize>>,
        chunks: Vec<Vec<usize>>,
        sorted_map: Matrix,
    },
    /// Soft permutations P⁰ … P^k and the chosen partner block of each block.
    Sinkhorn {
        iterations: Vec<Matrix>,
        partner: Vec<usize>,
        block: usize,
    },
}

/// One tile size's occupancy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TileRow {
    pub block: usize,
    pub occupied: usize,
    pub total: usize,
    /// nnz / pairs inside occupied tiles: the useful share of a tiled kernel's work.
    pub useful: f64,
}

/// The pattern at one tile edge B, for the tile picture.
#[derive(Clone, Debug, PartialEq)]
pub struct TilePicture {
    pub block: usize,
    /// ⌈N/B⌉ × ⌈N/B⌉: kept pairs / pairs of the tile (B², clipped at the matrix edge) for computed
    /// tiles, NaN (drawn grey) for skipped tiles.
    pub fill: Arc<Matrix>,
    /// Tiles holding at least one kept pair.
    pub occupied: usize,
    pub total: usize,
}

/// Tile picture of `pattern` at edge `block` (0 is treated as 1), consistent with [`TileGrid`].
pub fn tile_picture(pattern: &SparsePattern, block: usize) -> TilePicture {
    let grid = TileGrid::new(pattern, block);
    let b = grid.block;
    let mut kept = vec![0usize; grid.total()];
    for i in 0..pattern.n_queries {
        for &j in pattern.row(i) {
            kept[(i / b) * grid.tile_cols + j / b] += 1;
        }
    }
    let edge = |t: usize, n: usize| ((t + 1) * b).min(n) - t * b;
    let fill = Matrix::from_fn(grid.tile_rows, grid.tile_cols, |r, c| {
        let count = kept[r * grid.tile_cols + c];
        if count == 0 {
            f32::NAN
        } else {
            count as f32 / (edge(r, pattern.n_queries) * edge(c, pattern.n_keys)) as f32
        }
    });
    TilePicture {
        block: b,
        fill: Arc::new(fill),
        occupied: grid.count(),
        total: grid.total(),
    }
}

/// Masked attention weights W = softmax(Q·Kᵀ·scale + M) as an N_q × N_k matrix, row i computed
/// over the pattern's kept keys only; cells outside the pattern are NaN (drawn "masked" grey).
/// Shapes that do not fit the pattern give an all-NaN matrix.
pub fn masked_weights(q: MatRef<'_>, k: MatRef<'_>, scale: f32, pattern: &SparsePattern) -> Matrix {
    let mut w = Matrix::from_fn(pattern.n_queries, pattern.n_keys, |_, _| f32::NAN);
    for i in 0..pattern.n_queries {
        let Ok(row) = sparse_weights_row(q, k, scale, pattern, i) else {
            break;
        };
        let out = w.row_mut(i);
        pattern.row(i).iter().zip(row).for_each(|(&j, x)| out[j] = x);
    }
    w
}

/// The second pattern of compare mode (`vs=`): same input and other parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    pub kind: PatternKind,
    /// Mask pooled to ≤ MAP_PX² (mean).
    pub mask_map: Matrix,
    /// Its masked attention weights (NaN outside the pattern).
    pub weights: Arc<Matrix>,
    pub stats: PatternStats,
    /// Share of exact attention mass inside it (reference: causal for causal patterns).
    pub mass: f64,
}

/// One head of the mixed layer.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadView {
    /// Message id of the head's pattern name.
    pub name_id: &'static str,
    pub map: Matrix,
    pub nnz: usize,
}

/// Everything the view draws.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseResult {
    pub n: usize,
    pub pattern: Arc<SparsePattern>,
    /// Engine clamps, as notices.
    pub notices: Vec<Notice>,
    /// Mask pooled to ≤ MAP_PX² (mean: share of allowed pairs per pixel).
    pub mask_map: Matrix,
    pub stats: PatternStats,
    /// Largest |sparse − dense masked| over the first CHECK_ROWS output rows.
    pub kernel_diff: f32,
    pub tiles: Vec<TileRow>,
    /// Share of exact attention mass inside the mask (reference: causal for causal patterns).
    pub mass: f64,
    pub reach: ReachProfile,
    /// R_L after `layers` layers, pooled (mean).
    pub reach_map: Matrix,
    pub detail: Detail,
    pub heads: Vec<HeadView>,
    /// Masked attention weights softmax(QKᵀ·scale + M) (NaN outside the pattern), N × N.
    pub weights: Arc<Matrix>,
    /// Exact attention weights of the reference mask (full, or causal for causal patterns), N × N.
    pub reference: Arc<Matrix>,
    /// The pattern at the `tile` edge.
    pub tile_picture: TilePicture,
    /// The `vs` pattern, when compare mode is on.
    pub second: Option<Compared>,
    /// For the hover readout: the projections (LSH: keys are unit-normalised queries).
    pub q: Arc<Matrix>,
    pub k: Arc<Matrix>,
    pub scale: f32,
}

/// A boolean pattern streamed into a pooled map (mean of 0/1 per pixel).
pub fn pool_pattern(p: &SparsePattern, px: usize) -> Matrix {
    let mut pooler = Pooler::new(p.n_queries, p.n_keys, px, px, PoolMode::Mean);
    let mut row = vec![0.0f32; p.n_keys];
    for i in 0..p.n_queries {
        row.fill(0.0);
        p.row(i).iter().for_each(|&j| row[j] = 1.0);
        pooler.add_row(i, &row);
    }
    pooler.finish()
}

/// The mixed layer of the heads panel: local, strided, global and BigBird heads with the current
/// parameters (the point: different heads may use different patterns).
pub fn mixed_heads(p: &SparseParams) -> (HeadAssignment, [&'static str; 4]) {
    let dir = if p.causal {
        Direction::Causal
    } else {
        Direction::Symmetric
    };
    let plan = HeadAssignment {
        heads: vec![
            HeadPattern::Local {
                window: p.w,
                direction: dir,
            },
            HeadPattern::Strided {
                stride: p.s,
                causal: p.causal,
            },
            HeadPattern::Global {
                indices: global_positions(p.n, p.g.max(2)),
            },
            HeadPattern::BigBird(BigBirdConfig {
                block: p.b,
                global_blocks: p.gb,
                random_blocks: p.r,
            }),
        ],
    };
    (
        plan,
        [
            "sparse.pattern.local",
            "sparse.pattern.strided",
            "sparse.pattern.global",
            "sparse.pattern.bigbird",
        ],
    )
}

/// Builds the selected pattern and its detail for queries `x` (LSH, Sinkhorn read them).
fn build(p: &SparseParams, x: MatRef<'_>) -> (SparsePattern, Vec<ClampNote>, Detail) {
    let n = p.n;
    let dir = if p.causal {
        Direction::Causal
    } else {
        Direction::Symmetric
    };
    let plain = |c: crate::attention::sparse::notes::Clamped<SparsePattern>| (c.value, c.notes, Detail::None);
    match p.pattern {
        PatternKind::Causal => (causal(n), Vec::new(), Detail::None),
        PatternKind::Local => plain(local_window(n, p.w, dir)),
        PatternKind::Strided => plain(strided(n, p.s, p.causal)),
        PatternKind::Fixed => plain(fixed(n, p.s, p.c, p.causal)),
        PatternKind::Global => plain(global_tokens(n, &global_positions(n, p.g))),
        PatternKind::Longformer => plain(longformer(n, p.w, p.dil, &global_positions(n, p.g))),
        PatternKind::BigBird => {
            let cfg = BigBirdConfig {
                block: p.b,
                global_blocks: p.gb,
                random_blocks: p.r,
            };
            let c = bigbird(n, &cfg, p.seed, 0);
            let bb = c.value;
            let kinds = Matrix::from_fn(bb.n_blocks, bb.n_blocks, |i, j| match bb.block_kind(i, j) {
                BlockKind::Global => 3.0,
                BlockKind::Window => 2.0,
                BlockKind::Random => 1.0,
                BlockKind::None => 0.0,
            });
            let block = bb.block;
            (bb.pattern, c.notes, Detail::BigBird { kinds, block })
        }
        PatternKind::Lsh => {
            let cfg = LshConfig {
                n_buckets: p.buckets,
                n_hashes: p.hashes,
                chunk: p.chunk,
                causal: p.causal,
            };
            let c = lsh_attention(x, &cfg, p.seed);
            let lsh = c.value;
            let order = lsh.rounds.first().map(|r| r.order.clone()).unwrap_or_default();
            let mut rank = vec![0; n];
            order.iter().enumerate().for_each(|(pos, &t)| rank[t] = pos);
            let sorted = SparsePattern::from_row_fn(n, n, |pos, out| {
                out.extend(lsh.pattern.row(order[pos]).iter().map(|&j| rank[j]));
            });
            let detail = Detail::Lsh {
                buckets: lsh.rounds.iter().map(|r| r.buckets.clone()).collect(),
                chunks: lsh.rounds.iter().map(|r| r.chunk_of.clone()).collect(),
                sorted_map: pool_pattern(&sorted, MAP_PX),
            };
            (lsh.pattern, c.notes, detail)
        }
        PatternKind::Sinkhorn => {
            let cfg = SinkhornConfig {
                block: p.b,
                iterations: p.k,
                temperature: p.tau,
                ..SinkhornConfig::default()
            };
            let c = sinkhorn_attention(x, &cfg, p.seed);
            let s = c.value;
            let detail = Detail::Sinkhorn {
                iterations: s.iterations,
                partner: s.partner,
                block: s.block,
            };
            (s.pattern, c.notes, detail)
        }
    }
}

/// The stages of a [`SparseJob`], in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Kernel check, counts, tiles and the tile picture.
    Counts,
    /// Masked attention weights.
    Weights,
    /// Reference (full or causal) attention weights.
    Reference,
    /// The `vs` pattern's weights and counts.
    Second,
    /// The `vs` pattern's attention mass.
    SecondMass,
    /// One slice of MASS_ROWS query rows of the attention mass.
    Mass,
    ReachProfile,
    ReachMap,
    Heads,
}

/// The computation as a sequence of short stages (module doc).
pub struct SparseJob {
    plan: Vec<Stage>,
    params: SparseParams,
    stage: usize,
    q: Arc<Matrix>,
    k: Arc<Matrix>,
    v: Matrix,
    scale: f32,
    pattern: Arc<SparsePattern>,
    notices: Vec<Notice>,
    detail: Detail,
    mask_map: Matrix,
    stats: Option<PatternStats>,
    kernel_diff: f32,
    tiles: Vec<TileRow>,
    mass_sum: f64,
    mass_rows: usize,
    reach: Option<ReachProfile>,
    reach_map: Matrix,
    heads: Vec<HeadView>,
    weights: Arc<Matrix>,
    reference: Arc<Matrix>,
    tile_picture: Option<TilePicture>,
    /// The `vs` pattern's kind and the projected keys, until the Second stage builds the pattern (so
    /// its build cost does not add to the first pattern's); then the pattern and its keys (LSH keys
    /// are the unit-normalised queries) until the SecondMass stage.
    second_kind: Option<(PatternKind, Matrix)>,
    second_input: Option<(SparsePattern, Matrix)>,
    second: Option<Compared>,
}

/// Query rows per slice of the attention-mass stage.
const MASS_ROWS: usize = 128;

impl SparseJob {
    /// Embeds the tokens (d-wide), projects Q, K, V with seeded weights and builds the pattern.
    pub fn new(params: SparseParams, tokens: &[String]) -> Self {
        let d = params.d.max(1);
        let x = embed(tokens, d, params.seed);
        let proj = Projections::compute(&x, &LayerWeights::seeded(d, params.seed), d);
        let (pattern, notes, detail) = build(&params, proj.q.view());
        let second_kind = params.vs.map(|kind| (kind, proj.k.clone()));
        let k = if params.pattern == PatternKind::Lsh {
            unit_rows(proj.q.view())
        } else {
            proj.k
        };
        let mask_map = pool_pattern(&pattern, MAP_PX);
        let n = pattern.n_queries;
        let mass_slices = n.div_ceil(MASS_ROWS).max(1);
        let mut plan = vec![Stage::Counts, Stage::Weights, Stage::Reference];
        if second_kind.is_some() {
            plan.extend([Stage::Second, Stage::SecondMass]);
        }
        plan.extend(std::iter::repeat_n(Stage::Mass, mass_slices));
        plan.extend([Stage::ReachProfile, Stage::ReachMap, Stage::Heads]);
        Self {
            plan,
            weights: Arc::new(Matrix::zeros(0, 0)),
            reference: Arc::new(Matrix::zeros(0, 0)),
            tile_picture: None,
            second_kind,
            second_input: None,
            second: None,
            scale: 1.0 / (d as f32).sqrt(),
            stage: 0,
            q: Arc::new(proj.q),
            k: Arc::new(k),
            v: proj.v,
            pattern: Arc::new(pattern),
            notices: notes.iter().map(note_to_notice).collect(),
            detail,
            mask_map,
            stats: None,
            kernel_diff: 0.0,
            tiles: Vec::new(),
            mass_sum: 0.0,
            mass_rows: 0,
            reach: None,
            reach_map: Matrix::zeros(0, 0),
            heads: Vec::new(),
            params,
        }
    }

    fn n(&self) -> usize {
        self.pattern.n_queries
    }

    /// Stages: counts, weights, reference, the `vs` pattern (two, if any), mass slices, reach profile,
    /// reach map, heads.
    fn total_stages(&self) -> usize {
        self.plan.len()
    }

    /// Share of the stages done, 0..1.
    pub fn progress(&self) -> f64 {
        self.stage as f64 / self.total_stages() as f64
    }

    /// True when every stage ran.
    pub fn is_done(&self) -> bool {
        self.stage >= self.total_stages()
    }

    /// Runs the next stage.
    pub fn step(&mut self) {
        let Some(&stage) = self.plan.get(self.stage) else {
            return;
        };
        match stage {
            Stage::Counts => self.kernel_and_counts(),
            Stage::Weights => self.weights_stage(),
            Stage::Reference => self.reference_stage(),
            Stage::Second => self.second_stage(),
            Stage::SecondMass => self.second_mass_stage(),
            Stage::Mass => self.mass_slice(),
            Stage::ReachProfile => self.reach = reach_profile(&self.pattern).ok(),
            Stage::ReachMap => self.reach_map_stage(),
            Stage::Heads => self.heads_stage(),
        }
        self.stage += 1;
    }

    fn weights_stage(&mut self) {
        let (q, k) = (self.q.view(), self.k.view());
        self.weights = Arc::new(masked_weights(q, k, self.scale, &self.pattern));
    }

    fn reference_stage(&mut self) {
        let (q, k) = (self.q.view(), self.k.view());
        let reference = causal_or_full(self.pattern.is_causal());
        self.reference = Arc::new(attention_weights(q, k, self.scale, reference));
    }

    fn second_stage(&mut self) {
        let Some((kind, proj_k)) = self.second_kind.take() else {
            return;
        };
        let q = self.q.view();
        let (p2, notes, _) = build(
            &SparseParams {
                pattern: kind,
                ..self.params.clone()
            },
            q,
        );
        for notice in notes.iter().map(note_to_notice) {
            if !self.notices.contains(&notice) {
                self.notices.push(notice);
            }
        }
        let k2 = if kind == PatternKind::Lsh { unit_rows(q) } else { proj_k };
        self.second = Some(Compared {
            kind,
            mask_map: pool_pattern(&p2, MAP_PX),
            weights: Arc::new(masked_weights(q, k2.view(), self.scale, &p2)),
            stats: PatternStats::new(&p2, self.params.d),
            mass: 0.0,
        });
        self.second_input = Some((p2, k2));
    }

    fn second_mass_stage(&mut self) {
        if let (Some((p2, k2)), Some(c)) = (self.second_input.take(), self.second.as_mut()) {
            c.mass = mass_kept(
                self.q.view(),
                k2.view(),
                self.scale,
                &p2,
                causal_or_full(p2.is_causal()),
            );
        }
    }

    fn kernel_and_counts(&mut self) {
        let (q, k, v, p) = (self.q.view(), self.k.view(), self.v.view(), &*self.pattern);
        let n = self.n();
        self.kernel_diff = match sparse_attend(q, k, v, self.scale, p) {
            Ok(sparse) => {
                let rows = n.min(CHECK_ROWS);
                let dense_mask = DenseMask {
                    n_queries: rows,
                    n_keys: n,
                    allowed: (0..rows * n).map(|t| p.contains(t / n, t % n)).collect(),
                };
                let mut dense = Matrix::zeros(rows, v.cols);
                attention_rows(
                    q.rows_range(0, rows),
                    k,
                    v,
                    self.scale,
                    &dense_mask,
                    0..rows,
                    64,
                    &mut dense.data,
                    |_| {},
                );
                let head = Matrix::from_view(sparse.rows_view(0, rows));
                head.max_abs_diff(&dense)
            }
            Err(_) => f32::NAN,
        };
        self.stats = Some(PatternStats::new(p, self.params.d));
        self.tiles = TILE_SIZES
            .iter()
            .map(|&b| {
                let g = TileGrid::new(p, b);
                let covered = g.covered_pairs(n, n);
                TileRow {
                    block: b,
                    occupied: g.count(),
                    total: g.total(),
                    useful: if covered == 0 {
                        0.0
                    } else {
                        p.nnz() as f64 / covered as f64
                    },
                }
            })
            .collect();
        self.tile_picture = Some(tile_picture(p, self.params.tile));
    }

    fn mass_slice(&mut self) {
        let start = self.mass_rows;
        let rows = MASS_ROWS.min(self.n() - start);
        let reference = causal_or_full(self.pattern.is_causal());
        self.mass_sum += mass_kept_rows(
            self.q.view(),
            self.k.view(),
            self.scale,
            &self.pattern,
            reference,
            start..start + rows,
        );
        self.mass_rows += rows;
    }

    fn reach_map_stage(&mut self) {
        if let Ok(r) = reach_after(&self.pattern, self.params.layers) {
            let n = self.n();
            let mut pooler = Pooler::new(n, n, MAP_PX, MAP_PX, PoolMode::Mean);
            let mut row = vec![0.0f32; n];
            for i in 0..n {
                row.iter_mut()
                    .enumerate()
                    .for_each(|(j, v)| *v = r.get(i, j) as u8 as f32);
                pooler.add_row(i, &row);
            }
            self.reach_map = pooler.finish();
        }
    }

    fn heads_stage(&mut self) {
        let (plan, names) = mixed_heads(&self.params);
        self.heads = plan
            .build(self.n(), self.params.seed)
            .into_iter()
            .zip(names)
            .map(|(c, name_id)| HeadView {
                name_id,
                map: pool_pattern(&c.value, SMALL_PX),
                nnz: c.value.nnz(),
            })
            .collect();
    }

    /// Runs every remaining stage.
    pub fn run(mut self) -> SparseResult {
        while !self.is_done() {
            self.step();
        }
        self.finish()
    }

    /// The result (stages not yet run give empty parts).
    pub fn finish(mut self) -> SparseResult {
        let n = self.n();
        let tiles = self
            .tile_picture
            .take()
            .unwrap_or_else(|| tile_picture(&self.pattern, self.params.tile));
        SparseResult {
            n,
            stats: self
                .stats
                .unwrap_or_else(|| PatternStats::new(&self.pattern, self.params.d)),
            mass: if n == 0 { 0.0 } else { self.mass_sum / n as f64 },
            reach: self.reach.unwrap_or(ReachProfile {
                target: crate::attention::sparse::reach::ReachTarget::All,
                coverage: Vec::new(),
                full: FullReach::Never,
            }),
            pattern: self.pattern,
            notices: self.notices,
            mask_map: self.mask_map,
            kernel_diff: self.kernel_diff,
            tiles: self.tiles,
            reach_map: self.reach_map,
            detail: self.detail,
            heads: self.heads,
            weights: self.weights,
            reference: self.reference,
            tile_picture: tiles,
            second: self.second,
            q: self.q,
            k: self.k,
            scale: self.scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedSparse {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn defaults_need_no_notice_and_round_trip() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        assert_eq!(
            (p.params.pattern, p.params.n, p.params.b),
            (PatternKind::BigBird, 256, 8)
        );
        let pairs = to_pairs(&p.params);
        let again = parse_pairs(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
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
        assert_eq!((p.params.n, p.params.w, p.params.s), (MAX_N, 4, 1));
        assert_eq!(p.params.tau, 0.01);
        let keys: Vec<&str> = p.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["pattern", "n", "w", "s", "tau"]);
    }

    #[test]
    fn engine_clamps_become_notices_with_url_keys() {
        // w = 300 on N = 16 tokens: the window is clamped to N − 1 = 15.
        let p = parse_pairs(&[("pattern", "local"), ("n", "16"), ("w", "300")]);
        let r = SparseJob::new(p.params, &p.tokens).run();
        assert_eq!(r.notices.len(), 1);
        assert_eq!((r.notices[0].key.as_str(), r.notices[0].given.as_str()), ("w", "300"));
        assert_eq!(r.notices[0].used, "15");
        assert_eq!(r.stats.allowed, 256);
    }

    #[test]
    fn every_pattern_runs_and_the_sparse_kernel_matches_dense() {
        for kind in PatternKind::ALL {
            let p = parse_pairs(&[("pattern", kind.param()), ("n", "96"), ("d", "16")]);
            let r = SparseJob::new(p.params.clone(), &p.tokens).run();
            assert!(r.kernel_diff < 1e-5, "{kind:?}: {}", r.kernel_diff);
            assert!(r.mass > 0.0 && r.mass <= 1.0 + 1e-6, "{kind:?}: mass {}", r.mass);
            assert_eq!(r.mask_map.rows, 96);
            assert_eq!(r.tiles.len(), 4);
            assert_eq!(r.heads.len(), 4);
            assert!(!r.reach.coverage.is_empty());
            // The pooled mask sums to the allowed pairs (96 ≤ MAP_PX: one pixel per pair).
            let total: f32 = r.mask_map.data.iter().sum();
            assert_eq!(total as usize, r.stats.allowed, "{kind:?}");
        }
    }

    #[test]
    fn causal_pattern_keeps_all_causal_mass_and_reaches_in_one_layer() {
        let p = parse_pairs(&[("pattern", "causal"), ("n", "40")]);
        let r = SparseJob::new(p.params, &p.tokens).run();
        assert!((r.mass - 1.0).abs() < 1e-5);
        assert_eq!(r.reach.full, FullReach::After(1));
        assert_eq!(r.stats.allowed, 40 * 41 / 2);
    }

    #[test]
    fn vs_and_tile_parse_with_notices_and_round_trip() {
        let p = parse_pairs(&[("vs", "local"), ("tile", "64")]);
        assert!(p.notices.is_empty());
        assert_eq!((p.params.vs, p.params.tile), (Some(PatternKind::Local), 64));
        let pairs = to_pairs(&p.params);
        let again = parse_pairs(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        assert_eq!(again.params, p.params);
        // Absent, empty and "off" all mean compare mode off, without a notice.
        for q in [vec![], vec![("vs", "")], vec![("vs", "off")]] {
            let off = parse_pairs(&q);
            assert_eq!((off.params.vs, off.params.tile, off.notices.len()), (None, 32, 0));
        }
        let bad = parse_pairs(&[("vs", "zigzag"), ("tile", "48")]);
        assert_eq!((bad.params.vs, bad.params.tile), (None, 32));
        let keys: Vec<&str> = bad.notices.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, vec!["vs", "tile"]);
    }

    #[test]
    fn tile_picture_of_a_causal_mask_by_hand() {
        // N = 5, B = 2 → 3 × 3 tiles. Tile (0,0) keeps (0,0),(1,0),(1,1): 3/4; tile (0,1) none → NaN;
        // tile (1,0) keeps all 4 of rows 2–3 × keys 0–1: 1; tile (2,2) is the clipped 1×1 corner (4,4): 1;
        // tile (2,1) holds (4,2),(4,3): 2 of its 1×2 pairs = 1.
        let t = tile_picture(&causal(5), 2);
        assert_eq!((t.block, t.occupied, t.total), (2, 6, 9));
        assert_eq!((t.occupied, t.total), (TileGrid::new(&causal(5), 2).count(), 9));
        assert_eq!(t.fill.get(0, 0), 0.75);
        assert!(t.fill.get(0, 1).is_nan());
        assert_eq!(
            (t.fill.get(1, 0), t.fill.get(1, 1), t.fill.get(2, 1), t.fill.get(2, 2)),
            (1.0, 0.75, 1.0, 1.0)
        );
    }

    #[test]
    fn masked_weights_are_nan_outside_the_pattern_and_rows_sum_to_one() {
        let p = parse_pairs(&[("pattern", "local"), ("n", "24"), ("w", "2"), ("d", "16")]);
        let r = SparseJob::new(p.params, &p.tokens).run();
        assert_eq!((r.weights.rows, r.reference.rows), (24, 24));
        for i in 0..24 {
            let row = r.weights.row(i);
            for (j, w) in row.iter().enumerate() {
                assert_eq!(w.is_nan(), !r.pattern.contains(i, j), "({i}, {j})");
            }
            let sum: f32 = row.iter().filter(|w| !w.is_nan()).sum();
            assert!((sum - 1.0).abs() < 1e-5);
            assert!((r.reference.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        // The masked weights are the reference weights renormalised over the kept keys.
        let i = 10;
        let kept: f32 = r.pattern.row(i).iter().map(|&j| r.reference.get(i, j)).sum();
        assert!((r.weights.get(i, 11) - r.reference.get(i, 11) / kept).abs() < 1e-5);
    }

    #[test]
    fn compare_mode_computes_the_second_pattern_on_the_same_input() {
        let p = parse_pairs(&[("pattern", "bigbird"), ("n", "64"), ("vs", "causal"), ("d", "16")]);
        let r = SparseJob::new(p.params.clone(), &p.tokens).run();
        let c = r.second.expect("vs=causal is on");
        assert_eq!(c.kind, PatternKind::Causal);
        assert_eq!(c.stats.allowed, 64 * 65 / 2);
        // Causal keeps all the mass of its causal reference.
        assert!((c.mass - 1.0).abs() < 1e-5);
        assert!(c.weights.get(0, 1).is_nan() && !c.weights.get(1, 0).is_nan());
        let off = SparseJob::new(SparseParams { vs: None, ..p.params }, &p.tokens).run();
        assert!(off.second.is_none());
        assert_eq!(off.stats, r.stats);
    }

    #[test]
    fn compare_mode_reports_the_second_patterns_clamps_once() {
        // vs=local with w = 300 on N = 16: the window is clamped to 15 for the second pattern only.
        let p = parse_pairs(&[("pattern", "causal"), ("vs", "local"), ("n", "16"), ("w", "300")]);
        let r = SparseJob::new(p.params.clone(), &p.tokens).run();
        assert_eq!(r.notices.len(), 1);
        assert_eq!((r.notices[0].key.as_str(), r.notices[0].used.as_str()), ("w", "15"));
        assert_eq!(r.second.map(|c| c.stats.allowed), Some(256));
        // Both patterns clamp the same way: one notice, not two.
        let both = parse_pairs(&[("pattern", "local"), ("vs", "local"), ("n", "16"), ("w", "300")]);
        assert_eq!(SparseJob::new(both.params, &both.tokens).run().notices.len(), 1);
    }

    #[test]
    fn global_positions_are_spread_evenly() {
        assert_eq!(global_positions(10, 3), vec![0, 3, 6]);
        assert_eq!(global_positions(4, 9), vec![0, 1, 2, 3]);
        assert!(global_positions(5, 0).is_empty());
    }
}
