//! The sparse view's enum-valued keys: each variant with its URL word and its label's message id,
//! declared once (`url_choice!`), and the message id of each pattern's definition.

use crate::attention::sparse::stats::TILE_SIZES;
use crate::attention::sparse::zoo::PatternKind;

crate::url_choice!(PatternKind {
    PatternKind::Local => ("local", "sparse.pattern.local"),
    PatternKind::Strided => ("strided", "sparse.pattern.strided"),
    PatternKind::Fixed => ("fixed", "sparse.pattern.fixed"),
    PatternKind::Global => ("global", "sparse.pattern.global"),
    PatternKind::Longformer => ("longformer", "sparse.pattern.longformer"),
    PatternKind::BigBird => ("bigbird", "sparse.pattern.bigbird"),
    PatternKind::Lsh => ("lsh", "sparse.pattern.lsh"),
    PatternKind::Sinkhorn => ("sinkhorn", "sparse.pattern.sinkhorn"),
    PatternKind::Causal => ("causal", "sparse.pattern.causal"),
});

/// Message id of a pattern's definition (formula and source).
pub fn definition_id(kind: PatternKind) -> &'static str {
    match kind {
        PatternKind::Local => "sparse.def.local",
        PatternKind::Strided => "sparse.def.strided",
        PatternKind::Fixed => "sparse.def.fixed",
        PatternKind::Global => "sparse.def.global",
        PatternKind::Longformer => "sparse.def.longformer",
        PatternKind::BigBird => "sparse.def.bigbird",
        PatternKind::Lsh => "sparse.def.lsh",
        PatternKind::Sinkhorn => "sparse.def.sinkhorn",
        PatternKind::Causal => "sparse.def.causal",
    }
}

/// Tile edge B of the tile picture (one of [`TILE_SIZES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TileEdge {
    T16,
    T32,
    T64,
    T128,
}

crate::url_choice!(TileEdge {
    TileEdge::T16 => ("16", "sparse.tile.16"),
    TileEdge::T32 => ("32", "sparse.tile.32"),
    TileEdge::T64 => ("64", "sparse.tile.64"),
    TileEdge::T128 => ("128", "sparse.tile.128"),
});

impl TileEdge {
    /// B.
    pub fn size(self) -> usize {
        match self {
            TileEdge::T16 => TILE_SIZES[0],
            TileEdge::T32 => TILE_SIZES[1],
            TileEdge::T64 => TILE_SIZES[2],
            TileEdge::T128 => TILE_SIZES[3],
        }
    }
}
