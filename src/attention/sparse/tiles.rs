//! A sparse pattern as a tiled kernel sees it (FlashAttention's tiles, FlexAttention's block mask):
//! the N_q × N_k matrix cut into B × B tiles (clipped at the edges), of which every tile holding at
//! least one kept pair must be computed. For each tile edge the occupancy table gives the tiles
//! computed and the useful share nnz / (pairs inside computed tiles); the tile picture gives each
//! computed tile's fill kept / pairs of the tile.

use std::sync::Arc;

use crate::attention::matrix::Matrix;
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::stats::TileGrid;

/// One tile edge's occupancy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TileRow {
    pub block: usize,
    pub occupied: usize,
    pub total: usize,
    /// nnz / pairs inside occupied tiles: the useful share of a tiled kernel's work (0 when no tile
    /// is occupied).
    pub useful: f64,
}

/// The occupancy of `pattern` at each edge of `blocks`.
pub fn tile_rows(pattern: &SparsePattern, blocks: &[usize]) -> Vec<TileRow> {
    blocks
        .iter()
        .map(|&b| {
            let g = TileGrid::new(pattern, b);
            let covered = g.covered_pairs(pattern.n_queries, pattern.n_keys);
            TileRow {
                block: b,
                occupied: g.count(),
                total: g.total(),
                useful: if covered == 0 {
                    0.0
                } else {
                    pattern.nnz() as f64 / covered as f64
                },
            }
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::sparse::window::causal;

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
    fn the_occupancy_table_counts_tiles_and_the_useful_share() {
        // Causal N = 4 at B = 2: tiles (0,0), (1,0), (1,1) computed, 12 pairs covered, 10 kept.
        let rows = tile_rows(&causal(4), &[2, 4]);
        assert_eq!((rows[0].block, rows[0].occupied, rows[0].total), (2, 3, 4));
        assert!((rows[0].useful - 10.0 / 12.0).abs() < 1e-12);
        assert_eq!((rows[1].occupied, rows[1].total), (1, 1));
        assert!((rows[1].useful - 10.0 / 16.0).abs() < 1e-12);
    }
}
