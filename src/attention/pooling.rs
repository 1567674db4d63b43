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
#[derive(Clone, Debug)]
pub struct Pooler {
    n_rows: usize,
    n_cols: usize,
    out_rows: usize,
    out_cols: usize,
    mode: PoolMode,
    acc: Vec<f32>,
    counts: Vec<u32>,
    col_bin: Vec<u32>,
}

impl Pooler {
    /// A pooler from `n_rows × n_cols` to at most `max_rows × max_cols`.
    pub fn new(n_rows: usize, n_cols: usize, max_rows: usize, max_cols: usize, mode: PoolMode) -> Self {
        let out_rows = n_rows.min(max_rows.max(1));
        let out_cols = n_cols.min(max_cols.max(1));
        let init = match mode {
            PoolMode::Max => f32::NEG_INFINITY,
            PoolMode::Mean => 0.0,
        };
        let col_bin = (0..n_cols).map(|j| (j * out_cols / n_cols.max(1)) as u32).collect();
        Self {
            n_rows,
            n_cols,
            out_rows,
            out_cols,
            mode,
            acc: vec![init; out_rows * out_cols],
            counts: vec![0; out_rows * out_cols],
            col_bin,
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
        let base = r * self.out_cols;
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let c = base + self.col_bin[j] as usize;
            match self.mode {
                PoolMode::Max => self.acc[c] = self.acc[c].max(*v),
                PoolMode::Mean => self.acc[c] += *v,
            }
            self.counts[c] += 1;
        }
    }

    /// Folds a row-major block of rows starting at source row `start`.
    pub fn add_block(&mut self, start: usize, block: &[f32]) {
        for (r, row) in block.chunks_exact(self.n_cols.max(1)).enumerate() {
            self.add_row(start + r, row);
        }
    }

    /// The pooled matrix; cells that received no finite value are NaN (masked).
    pub fn finish(self) -> Matrix {
        if self.is_identity() {
            let data = self
                .acc
                .into_iter()
                .map(|v| if v.is_finite() { v } else { f32::NAN })
                .collect();
            return Matrix::from_vec(self.out_rows, self.out_cols, data);
        }
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
    fn small_matrices_pass_through_and_uneven_sizes_cover_every_cell() {
        let m = Matrix::from_fn(3, 5, |i, j| (i + j) as f32);
        assert_eq!(pool(&m, 10, 10, PoolMode::Max), m);
        let big = Matrix::from_fn(7, 7, |_, _| 1.0);
        let p = pool(&big, 3, 3, PoolMode::Mean);
        assert!(p.data.iter().all(|v| *v == 1.0));
    }
}
