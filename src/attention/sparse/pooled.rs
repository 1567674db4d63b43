//! A sparse pattern as a picture: its 0/1 mask mean-pooled to at most `px` × `px` cells, so each
//! pixel holds the share of kept pairs among the (query, key) pairs it covers. The pattern is streamed
//! row by row into the pooler; the dense N × N mask is never built.

use crate::attention::matrix::Matrix;
use crate::attention::pooling::{PoolMode, Pooler};
use crate::attention::sparse::csr::SparsePattern;

/// The pattern's mask pooled (mean of 0/1) to ≤ `px` × `px`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::sparse::window::causal;

    #[test]
    fn one_pixel_per_pair_is_the_mask_and_coarser_pixels_hold_the_kept_share() {
        let p = causal(8);
        let full = pool_pattern(&p, 8);
        assert_eq!((full.rows, full.cols), (8, 8));
        assert_eq!(full.data.iter().sum::<f32>() as usize, p.nnz());
        assert_eq!((full.get(3, 2), full.get(2, 3)), (1.0, 0.0));
        // 2 × 2 pixels of 4 × 4 pairs: the diagonal blocks keep 10 of 16, the lower one all, the upper none.
        let coarse = pool_pattern(&p, 2);
        assert_eq!((coarse.rows, coarse.cols), (2, 2));
        assert_eq!(coarse.data, vec![10.0 / 16.0, 0.0, 1.0, 10.0 / 16.0]);
    }
}
