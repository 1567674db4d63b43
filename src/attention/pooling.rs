//! Pooling a large matrix down to display resolution, row by row, without storing it.
//!
//! Source row i falls in output row ⌊i·R/N⌋ and column j in output column ⌊j·C/M⌋, so every output
//! cell covers a block of ⌈N/R⌉ × ⌈M/C⌉ (or one fewer) source cells. When the source is smaller than
//! the output the matrix is returned as it is (the renderer upscales with nearest neighbour).
//!
//! Non-finite values (NaN, ±∞) mark masked or undefined cells: they are skipped, and an output cell
//! that received no finite value is NaN, which the renderer draws as "masked".

use crate::attention::matrix::Matrix;

/// How a block of cells becomes one pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolMode {
    /// The largest value in the block: keeps sharp peaks visible (the default for weights).
    Max,
    /// The mean of the block: preserves total attention mass per block.
    Mean,
}

/// Streams rows of an `n_rows × n_cols` matrix into at most `out_rows × out_cols` cells.
///
/// Both poolings are separable, so rows are first combined column by column into a buffer for the
/// current output row (a plain elementwise loop the compiler vectorises), and that buffer is folded
/// into output cells once per output row instead of once per source row.
#[derive(Clone, Debug)]
pub struct Pooler {
    n_rows: usize,
    n_cols: usize,
    out_rows: usize,
    out_cols: usize,
    mode: PoolMode,
    acc: Vec<f32>,
    counts: Vec<u32>,
    /// Output column of each source column, ⌊j·C/M⌋.
    col_bin: Vec<u32>,
    /// Column-wise max or sum (and count of finite values) of the rows of output row `pending`.
    row_acc: Vec<f32>,
    row_counts: Vec<u32>,
    pending: Option<usize>,
}

impl Pooler {
    /// A pooler from `n_rows × n_cols` to at most `max_rows × max_cols`.
    pub fn new(n_rows: usize, n_cols: usize, max_rows: usize, max_cols: usize, mode: PoolMode) -> Self {
        let out_rows = n_rows.min(max_rows.max(1));
        let out_cols = n_cols.min(max_cols.max(1));
        let col_bin = (0..n_cols).map(|j| (j * out_cols / n_cols.max(1)) as u32).collect();
        let identity = out_rows == n_rows && out_cols == n_cols;
        let buffer = if identity { 0 } else { n_cols };
        // Max needs no per-column counts (a column with no finite value stays −∞).
        let counted = if mode == PoolMode::Mean { buffer } else { 0 };
        Self {
            n_rows,
            n_cols,
            out_rows,
            out_cols,
            mode,
            acc: vec![mode.init(); out_rows * out_cols],
            counts: vec![0; if identity { 0 } else { out_rows * out_cols }],
            col_bin,
            row_acc: vec![mode.init(); buffer],
            row_counts: vec![0; counted],
            pending: None,
        }
    }

    /// True when the output has the source's shape (no pooling at all).
    pub fn is_identity(&self) -> bool {
        self.out_rows == self.n_rows && self.out_cols == self.n_cols
    }

    /// Output shape (rows, cols).
    pub fn shape(&self) -> (usize, usize) {
        (self.out_rows, self.out_cols)
    }

    /// Folds source row `i` in.
    pub fn add_row(&mut self, i: usize, row: &[f32]) {
        debug_assert_eq!(row.len(), self.n_cols);
        if self.is_identity() {
            // No pooling: the cell is the value (NaN for masked); `finish` returns it as it is.
            self.acc[i * self.n_cols..(i + 1) * self.n_cols].copy_from_slice(row);
            return;
        }
        let r = i * self.out_rows / self.n_rows.max(1);
        if self.pending.is_some_and(|p| p != r) {
            self.flush();
        }
        self.pending = Some(r);
        // Compare-and-select rather than f32::max, which compiles to a call in wasm. Max needs no
        // counts: a column that saw no finite value is still −∞.
        match self.mode {
            PoolMode::Max => {
                for (a, &v) in self.row_acc.iter_mut().zip(row) {
                    *a = if v.is_finite() && v > *a { v } else { *a };
                }
            }
            PoolMode::Mean => {
                let cells = self.row_acc.iter_mut().zip(self.row_counts.iter_mut()).zip(row);
                for ((a, n), &v) in cells {
                    let finite = v.is_finite();
                    *a += if finite { v } else { 0.0 };
                    *n += finite as u32;
                }
            }
        }
    }

    /// Folds the row buffer into its output row's cells and clears it. Columns that saw no finite
    /// value hold the neutral element (−∞ for max, 0 for a sum), so they fold in without tests.
    fn flush(&mut self) {
        let Some(r) = self.pending.take() else { return };
        let cells = r * self.out_cols..(r + 1) * self.out_cols;
        let (acc, counts) = (&mut self.acc[cells.clone()], &mut self.counts[cells]);
        let max = self.mode == PoolMode::Max;
        // One pass over the source columns, each folded into its cell: no per-cell set-up, which
        // dominates when runs are two or three columns long (256 → 100).
        let bins = self.col_bin.iter().map(|&c| c as usize);
        if self.out_cols == self.n_cols && !max {
            // Rows pooled, columns kept (P·W): an elementwise add that vectorises.
            acc.iter_mut().zip(&self.row_acc).for_each(|(a, v)| *a += v);
            counts.iter_mut().zip(&self.row_counts).for_each(|(n, k)| *n += k);
        } else if max {
            for (&v, c) in self.row_acc.iter().zip(bins) {
                let a = &mut acc[c];
                *a = if v > *a { v } else { *a };
            }
            // For max a count only marks "received a finite value".
            for (a, n) in acc.iter().zip(counts.iter_mut()) {
                *n = (*a > f32::NEG_INFINITY) as u32;
            }
        } else {
            for ((&v, &k), c) in self.row_acc.iter().zip(&self.row_counts).zip(bins) {
                acc[c] += v;
                counts[c] += k;
            }
        }
        self.row_acc.fill(self.mode.init());
        if !max {
            self.row_counts.fill(0);
        }
    }

    /// Folds a row-major block of rows starting at source row `start`.
    pub fn add_block(&mut self, start: usize, block: &[f32]) {
        for (r, row) in block.chunks_exact(self.n_cols.max(1)).enumerate() {
            self.add_row(start + r, row);
        }
    }

    /// The pooled matrix; cells that received no finite value are NaN (masked).
    pub fn finish(mut self) -> Matrix {
        if self.is_identity() {
            let data = self
                .acc
                .into_iter()
                .map(|v| if v.is_finite() { v } else { f32::NAN })
                .collect();
            return Matrix::from_vec(self.out_rows, self.out_cols, data);
        }
        self.flush();
        let data = self
            .acc
            .iter()
            .zip(&self.counts)
            .map(|(a, n)| match (self.mode, *n) {
                (_, 0) => f32::NAN,
                (PoolMode::Max, _) => *a,
                (PoolMode::Mean, n) => *a / n as f32,
            })
            .collect();
        Matrix::from_vec(self.out_rows, self.out_cols, data)
    }
}

impl PoolMode {
    /// The empty block's accumulator: −∞ for max, 0 for the sum behind a mean.
    fn init(self) -> f32 {
        match self {
            PoolMode::Max => f32::NEG_INFINITY,
            PoolMode::Mean => 0.0,
        }
    }
}

/// Pools a whole matrix (see [`Pooler`]).
pub fn pool(m: &Matrix, max_rows: usize, max_cols: usize, mode: PoolMode) -> Matrix {
    let mut p = Pooler::new(m.rows, m.cols, max_rows, max_cols, mode);
    p.add_block(0, &m.data);
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pooling_a_product_is_the_product_of_the_pooled_factors() {
        // Mean pooling is linear: pool(A·B) = (P_r·A)·(B·P_c), which is how the views show products
        // at display resolution without forming them.
        let a = Matrix::from_fn(37, 20, |i, j| ((i * 7 + j * 3) % 11) as f32 * 0.1 - 0.5);
        let b = Matrix::from_fn(20, 29, |i, j| ((i * 5 + j) % 13) as f32 * 0.07 - 0.4);
        let want = pool(&a.matmul(&b), 8, 6, PoolMode::Mean);
        let got = pool(&a, 8, a.cols, PoolMode::Mean).matmul(&pool(&b, b.rows, 6, PoolMode::Mean));
        assert_eq!((got.rows, got.cols), (8, 6));
        assert!(got.max_abs_diff(&want) < 1e-5, "{}", got.max_abs_diff(&want));
        // Below the display size nothing is pooled: the product itself.
        let whole = pool(&a, 100, a.cols, PoolMode::Mean).matmul(&pool(&b, b.rows, 100, PoolMode::Mean));
        assert!(whole.max_abs_diff(&a.matmul(&b)) < 1e-5);
    }

    #[test]
    fn pooling_takes_block_max_and_mean() {
        let m = Matrix::from_fn(4, 4, |i, j| (i * 4 + j) as f32);
        let max = pool(&m, 2, 2, PoolMode::Max);
        assert_eq!(max.data, vec![5.0, 7.0, 13.0, 15.0]);
        let mean = pool(&m, 2, 2, PoolMode::Mean);
        assert_eq!(mean.data, vec![2.5, 4.5, 10.5, 12.5]);
    }

    #[test]
    fn masked_cells_are_skipped_and_fully_masked_blocks_are_nan() {
        let inf = f32::NEG_INFINITY;
        let m = Matrix::from_vec(2, 4, vec![1.0, inf, inf, inf, 3.0, 5.0, inf, f32::NAN]);
        let mean = pool(&m, 1, 2, PoolMode::Mean);
        assert_eq!(mean.data[0], 3.0, "mean of the finite cells 1, 3, 5");
        assert!(mean.data[1].is_nan(), "a block with nothing allowed is masked");
        assert_eq!(pool(&m, 1, 2, PoolMode::Max).data[0], 5.0);
    }

    #[test]
    fn each_output_cell_is_the_block_of_source_cells_that_maps_to_it() {
        for (n, m, r, c) in [(7, 13, 3, 5), (64, 50, 24, 24), (40, 37, 40, 10), (64, 20, 24, 30)] {
            let src = Matrix::from_fn(n, m, |i, j| ((i * 31 + j * 17) % 23) as f32 - 11.0);
            for mode in [PoolMode::Max, PoolMode::Mean] {
                let got = pool(&src, r, c, mode);
                let (out_r, out_c) = (n.min(r), m.min(c));
                for oi in 0..out_r {
                    for oj in 0..out_c {
                        let cells: Vec<f32> = (0..n * m)
                            .filter(|t| (t / m) * out_r / n == oi && (t % m) * out_c / m == oj)
                            .map(|t| src.data[t])
                            .collect();
                        let want = match mode {
                            PoolMode::Max => cells.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                            PoolMode::Mean => cells.iter().sum::<f32>() / cells.len() as f32,
                        };
                        assert!(
                            (got.get(oi, oj) - want).abs() < 1e-5,
                            "{n}×{m} → {r}×{c} at ({oi}, {oj})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn small_matrices_pass_through_and_uneven_sizes_cover_every_cell() {
        let m = Matrix::from_fn(3, 5, |i, j| (i + j) as f32);
        assert_eq!(pool(&m, 10, 10, PoolMode::Max), m);
        let big = Matrix::from_fn(7, 7, |_, _| 1.0);
        let p = pool(&big, 3, 3, PoolMode::Mean);
        assert!(p.data.iter().all(|v| *v == 1.0));
    }
}
