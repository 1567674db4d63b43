//! What a sparse pattern saves and what it loses.
//!
//! For an N_q × N_k pattern with nnz allowed pairs and head width d (multiply-add = 2 FLOPs):
//! - scores: 2·nnz·d FLOPs instead of 2·N_q·N_k·d; weights·V: 2·nnz·d instead of 2·N_q·N_k·d;
//! - memory of the materialised scores: nnz f32 values plus a u32 column index each and N_q + 1 u32
//!   row offsets (CSR), i.e. 8·nnz + 4·(N_q + 1) bytes, instead of 4·N_q·N_k bytes dense;
//! - attention mass kept: (1/N_q)·Σ_i Σ_{j allowed} W_ij with W the exact softmax of a reference
//!   mask (full or causal) — the share of the exact attention weight the pattern still covers;
//! - tiles: a block-sparse kernel (FlashAttention's tiles, FlexAttention's block mask) must compute
//!   every B×B tile that holds at least one allowed pair, so the real work is occupied tiles · B²·…,
//!   not nnz.

use crate::attention::exact::attention_rows;
use crate::attention::mask::AttentionMask;
use crate::attention::matrix::MatRef;
use crate::attention::sparse::csr::SparsePattern;

/// Tile edges the block view compares (FlashAttention uses 64–128; FlexAttention's default is 128).
pub const TILE_SIZES: [usize; 4] = [16, 32, 64, 128];

/// Counts and costs of a pattern for head width d (module doc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatternStats {
    pub n_queries: usize,
    pub n_keys: usize,
    /// nnz.
    pub allowed: usize,
    /// 100 · nnz / (N_q·N_k).
    pub density_percent: f64,
    /// 4·nnz·d (scores plus weights·V).
    pub flops_sparse: f64,
    /// 4·N_q·N_k·d.
    pub flops_dense: f64,
    /// 8·nnz + 4·(N_q + 1) bytes.
    pub bytes_sparse: f64,
    /// 4·N_q·N_k bytes.
    pub bytes_dense: f64,
}

impl PatternStats {
    /// Statistics of `pattern` for head width `d_head`.
    pub fn new(pattern: &SparsePattern, d_head: usize) -> Self {
        let nnz = pattern.nnz() as f64;
        let dense = pattern.n_queries as f64 * pattern.n_keys as f64;
        let d = d_head as f64;
        Self {
            n_queries: pattern.n_queries,
            n_keys: pattern.n_keys,
            allowed: pattern.nnz(),
            density_percent: 100.0 * pattern.density(),
            flops_sparse: 4.0 * nnz * d,
            flops_dense: 4.0 * dense * d,
            bytes_sparse: 8.0 * nnz + 4.0 * (pattern.n_queries as f64 + 1.0),
            bytes_dense: 4.0 * dense,
        }
    }
}

/// (1/N_q)·Σ_i Σ_{j ∈ pattern row i} W_ij where W = softmax(Q·Kᵀ·scale + M_reference), computed
/// block by block without storing W (0 when there are no queries or the shapes disagree).
pub fn mass_kept(
    q: MatRef<'_>,
    k: MatRef<'_>,
    scale: f32,
    pattern: &SparsePattern,
    reference: &dyn AttentionMask,
) -> f64 {
    if q.rows == 0 {
        return 0.0;
    }
    mass_kept_rows(q, k, scale, pattern, reference, 0..q.rows) / q.rows as f64
}

/// Σ over query rows `rows` of Σ_{j ∈ pattern row i} W_ij (not averaged), so a caller can spread
/// [`mass_kept`] over slices; 0 when the shapes disagree or the range is out of bounds.
pub fn mass_kept_rows(
    q: MatRef<'_>,
    k: MatRef<'_>,
    scale: f32,
    pattern: &SparsePattern,
    reference: &dyn AttentionMask,
    rows: std::ops::Range<usize>,
) -> f64 {
    if q.cols != k.cols || (pattern.n_queries, pattern.n_keys) != (q.rows, k.rows) || rows.end > q.rows {
        return 0.0;
    }
    // Only the weights are needed: a zero-width V makes the output product free.
    let no_values = MatRef::no_columns(k.rows);
    let mut kept = 0.0f64;
    attention_rows(q, k, no_values, scale, reference, rows, 64, &mut [], |block| {
        for r in 0..block.rows() {
            let w = &block.weights[r * block.n_keys..(r + 1) * block.n_keys];
            kept += pattern.row(block.start + r).iter().map(|&j| w[j] as f64).sum::<f64>();
        }
    });
    kept
}

/// Which B×B tiles of the score matrix hold at least one allowed pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileGrid {
    /// Tile edge B (≥ 1).
    pub block: usize,
    /// ⌈N_q / B⌉.
    pub tile_rows: usize,
    /// ⌈N_k / B⌉.
    pub tile_cols: usize,
    /// Row-major `tile_rows × tile_cols` occupancy.
    pub occupied: Vec<bool>,
}

impl TileGrid {
    /// Occupancy of `pattern` at tile edge `block` (0 is treated as 1); O(nnz + tiles).
    pub fn new(pattern: &SparsePattern, block: usize) -> Self {
        let block = block.max(1);
        let tile_rows = pattern.n_queries.div_ceil(block);
        let tile_cols = pattern.n_keys.div_ceil(block);
        let mut occupied = vec![false; tile_rows * tile_cols];
        for i in 0..pattern.n_queries {
            let base = (i / block) * tile_cols;
            for &j in pattern.row(i) {
                occupied[base + j / block] = true;
            }
        }
        Self {
            block,
            tile_rows,
            tile_cols,
            occupied,
        }
    }

    /// Number of tiles a block-sparse kernel must compute.
    pub fn count(&self) -> usize {
        self.occupied.iter().filter(|o| **o).count()
    }

    /// All tiles, ⌈N_q/B⌉·⌈N_k/B⌉.
    pub fn total(&self) -> usize {
        self.occupied.len()
    }

    /// Pairs inside occupied tiles (clipped at the matrix edge) — the pairs a tiled kernel scores.
    pub fn covered_pairs(&self, n_queries: usize, n_keys: usize) -> usize {
        let edge = |t: usize, n: usize| ((t + 1) * self.block).min(n) - t * self.block;
        (0..self.tile_rows)
            .flat_map(|r| (0..self.tile_cols).map(move |c| (r, c)))
            .filter(|(r, c)| self.occupied[r * self.tile_cols + c])
            .map(|(r, c)| edge(r, n_queries) * edge(c, n_keys))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::mask::{Causal, Full};
    use crate::attention::matrix::Matrix;
    use crate::attention::rng::{normal_matrix, stream};
    use crate::attention::sparse::window::{causal, local_window, Direction};

    #[test]
    fn stats_by_hand_for_a_window() {
        // N = 100, w = 2 symmetric: 100·5 − 6 = 494 pairs; d = 64 → 4·494·64 = 126,464 FLOPs.
        let p = local_window(100, 2, Direction::Symmetric).value;
        let s = PatternStats::new(&p, 64);
        assert_eq!(s.allowed, 494);
        assert!((s.density_percent - 4.94).abs() < 1e-12);
        assert_eq!(s.flops_sparse, 126_464.0);
        assert_eq!(s.flops_dense, 4.0 * 10_000.0 * 64.0);
        assert_eq!(s.bytes_sparse, 8.0 * 494.0 + 404.0);
        assert_eq!(s.bytes_dense, 40_000.0);
    }

    #[test]
    fn mass_kept_is_one_for_the_reference_itself_and_matches_a_direct_sum() {
        let mut rng = stream(8, "mass");
        let q = normal_matrix(&mut rng, 70, 5, 1.0);
        let k = normal_matrix(&mut rng, 70, 5, 1.0);
        assert!((mass_kept(q.view(), k.view(), 0.5, &causal(70), &Causal) - 1.0).abs() < 1e-6);
        let p = local_window(70, 4, Direction::Symmetric).value;
        let w = crate::attention::exact::attention_weights(q.view(), k.view(), 0.5, &Full);
        let direct: f64 = (0..70)
            .map(|i| p.row(i).iter().map(|&j| w.get(i, j) as f64).sum::<f64>())
            .sum::<f64>()
            / 70.0;
        assert!((mass_kept(q.view(), k.view(), 0.5, &p, &Full) - direct).abs() < 1e-6);
        assert_eq!(mass_kept(Matrix::zeros(0, 5).view(), k.view(), 0.5, &p, &Full), 0.0);
        let halves = mass_kept_rows(q.view(), k.view(), 0.5, &p, &Full, 0..30)
            + mass_kept_rows(q.view(), k.view(), 0.5, &p, &Full, 30..70);
        assert!((halves / 70.0 - direct).abs() < 1e-6);
    }

    #[test]
    fn causal_tiles_are_the_lower_triangle_of_tiles() {
        // N = 256, B = 64: 4 tile rows → 4·5/2 = 10 of 16 tiles; B = 16: 16·17/2 = 136 of 256.
        let p = causal(256);
        assert_eq!((TileGrid::new(&p, 64).count(), TileGrid::new(&p, 64).total()), (10, 16));
        assert_eq!(TileGrid::new(&p, 16).count(), 136);
        // A width-1 window at N = 100, B = 32: 4 diagonal tiles + 3 + 3 off-diagonal neighbours = 10.
        let band = local_window(100, 1, Direction::Symmetric).value;
        let g = TileGrid::new(&band, 32);
        assert_eq!((g.count(), g.total()), (10, 16));
        // Covered pairs: 3 full diagonal tiles 3·1024, last 4×4 = 16, 6 neighbours: 4·1024 + 2·128.
        assert_eq!(g.covered_pairs(100, 100), 3 * 1024 + 16 + 4 * 1024 + 2 * 128);
    }
}
