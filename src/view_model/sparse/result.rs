//! What the sparse view draws: the [`SparseResult`] of a job, the compare-mode [`Compared`] pattern,
//! the mixed layer's [`HeadView`]s, and the engine's clamp notes as view notices.

use std::sync::Arc;

use crate::attention::matrix::Matrix;
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{ClampNote, Param};
use crate::attention::sparse::reach::ReachProfile;
use crate::attention::sparse::stats::PatternStats;
use crate::attention::sparse::tiles::{TilePicture, TileRow};
use crate::attention::sparse::zoo::{Detail, PatternKind};
use crate::view_model::params::{Notice, NoticeReason};
use crate::view_model::sparse::params::{
    BLOCK, BUCKETS, CHUNK, DILATION, GLOBALS, GLOBAL_BLOCKS, HASHES, ITERATIONS, RANDOM_BLOCKS, STRIDE, SUMMARY,
    TEMPERATURE, WINDOW,
};

/// Largest pooled map side, in pixels.
pub const MAP_PX: usize = 512;
/// Side of the per-head small multiples.
pub const SMALL_PX: usize = 110;
/// Query rows of the dense masked reference computed to check the sparse kernel.
pub const CHECK_ROWS: usize = 64;

/// The URL key a pattern parameter is set with.
fn url_key(p: Param) -> &'static str {
    match p {
        Param::Window => WINDOW.key,
        Param::Stride => STRIDE.key,
        Param::SummaryColumns => SUMMARY.key,
        Param::Dilation => DILATION.key,
        Param::GlobalIndex => GLOBALS.key,
        Param::BlockSize => BLOCK.key,
        Param::GlobalBlocks => GLOBAL_BLOCKS.key,
        Param::RandomBlocks => RANDOM_BLOCKS.key,
        Param::Buckets => BUCKETS.key,
        Param::Hashes => HASHES.key,
        Param::ChunkLength => CHUNK.key,
        Param::Iterations => ITERATIONS.key,
        Param::Temperature => TEMPERATURE.key,
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
    pub kind: PatternKind,
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
    /// Largest |sparse − dense masked| over the first CHECK_ROWS output rows (NaN if the kernel
    /// refused the shapes).
    pub kernel_diff: f32,
    pub tiles: Vec<TileRow>,
    /// Share of exact attention mass inside the mask (reference: causal for causal patterns).
    pub mass: f64,
    /// Coverage per layer (empty, never full, when the engine refused the pattern).
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
