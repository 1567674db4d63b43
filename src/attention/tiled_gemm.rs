//! C = A·B for row-major views in 4 × 8 register tiles of [`F4`]: the product the layer projections
//! (X·W_Q, X·W_K, X·W_V, 128 × d_model × d_model per step of the SDPA job) take under wasm `simd128`.
//!
//! The same tile as the exact kernel's E·V ([`crate::attention::fast_exact`]): eight `v128`
//! accumulators, two 8-float loads of B's row and one splat-load of A's scalar per row and k, so 32
//! multiply-adds take 6 loads and no shuffle. `matrixmultiply`'s portable kernel, which wasm gets,
//! splats with a lane shuffle per multiply-add and packs both operands on every call (about
//! 10 GFLOP/s in the page for a 512² weight). B is walked in panels of [`KC`] rows × 8 columns
//! (4 KiB, in L1 while every row tile uses it).
//!
//! Sums run over k in order, as the naive loop does (no FMA): within float rounding of `matmul`.

use crate::attention::lanes::F4;
use crate::attention::matrix::{MatRef, Matrix};

/// Rows of a register tile.
const MR: usize = 4;
/// Columns of a register tile (two `F4`).
const NR: usize = 8;
/// Rows of B per panel.
const KC: usize = 128;

/// C = A·B (`a.rows × b.cols`), A `m × k` and B `k × n` row-major views (any row strides).
pub fn matmul_tiled(a: MatRef<'_>, b: MatRef<'_>) -> Matrix {
    assert_eq!(
        a.cols, b.rows,
        "matmul_tiled: {}×{} · {}×{}",
        a.rows, a.cols, b.rows, b.cols
    );
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let mut c = Matrix::zeros(m, n);
    let (m4, n8) = (m / MR * MR, n / NR * NR);
    let a_at = |i: usize, kk: usize| a.offset + i * a.row_stride + kk;
    let b_at = |kk: usize, j: usize| b.offset + kk * b.row_stride + j;
    // The tiles only read inside A's and B's views and write inside C (bounds asserted once here).
    assert!(m == 0 || k == 0 || a_at(m - 1, k - 1) < a.data.len(), "A out of bounds");
    assert!(k == 0 || n == 0 || b_at(k - 1, n - 1) < b.data.len(), "B out of bounds");
    for k0 in (0..k).step_by(KC) {
        let kc = KC.min(k - k0);
        for j0 in (0..n8).step_by(NR) {
            for i0 in (0..m4).step_by(MR) {
                // SAFETY: rows i0..i0+4 < m and columns k0..k0+kc ≤ k of A, rows k0..k0+kc of B at
                // columns j0..j0+8 ≤ n, and C's rows i0..i0+4 at j0..j0+8 are inside the views and C
                // (asserted above; C is m × n contiguous and exclusively ours).
                unsafe {
                    let ap = a.data.as_ptr();
                    let bp = b.data.as_ptr().add(b_at(k0, j0));
                    let cp = c.data.as_mut_ptr();
                    let rows: [*const f32; MR] = std::array::from_fn(|r| ap.add(a_at(i0 + r, k0)));
                    let mut acc: [[F4; 2]; MR] = std::array::from_fn(|r| {
                        let o = cp.add((i0 + r) * n + j0);
                        [F4::load(o), F4::load(o.add(4))]
                    });
                    for kk in 0..kc {
                        let row = bp.add(kk * b.row_stride);
                        let (b0, b1) = (F4::load(row), F4::load(row.add(4)));
                        for r in 0..MR {
                            let x = F4::load_splat(rows[r].add(kk));
                            acc[r][0] = acc[r][0].mul_acc(x, b0);
                            acc[r][1] = acc[r][1].mul_acc(x, b1);
                        }
                    }
                    for (r, [lo, hi]) in acc.iter().enumerate() {
                        let o = cp.add((i0 + r) * n + j0);
                        lo.store(o);
                        hi.store(o.add(4));
                    }
                }
            }
        }
    }
    // The edges the tiles leave: rows past the last multiple of 4, columns past the last of 8.
    for i in 0..m {
        let cols = if i < m4 { n8..n } else { 0..n };
        for j in cols {
            let mut s = 0.0f32;
            for kk in 0..k {
                s += a.data[a_at(i, kk)] * b.data[b_at(kk, j)];
            }
            c.data[i * n + j] = s;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn tiles_and_edges_equal_the_naive_product() {
        let mut rng = stream(3, "tiled");
        for &(m, k, n) in &[
            (1, 1, 1),
            (4, 8, 8),
            (5, 130, 9),
            (128, 512, 64),
            (7, 3, 17),
            (0, 4, 8),
            (6, 0, 8),
        ] {
            let a = normal_matrix(&mut rng, m, k, 1.0);
            let b = normal_matrix(&mut rng, k, n, 1.0);
            let want = Matrix::from_fn(m, n, |i, j| (0..k).map(|t| a.get(i, t) * b.get(t, j)).sum());
            let got = matmul_tiled(a.view(), b.view());
            assert_eq!((got.rows, got.cols), (m, n));
            assert!(
                got.max_abs_diff(&want) < 1e-4,
                "{m}×{k}·{k}×{n}: {}",
                got.max_abs_diff(&want)
            );
        }
    }

    #[test]
    fn strided_views_are_read_where_they_are() {
        let mut rng = stream(4, "tiled-views");
        let wide = normal_matrix(&mut rng, 20, 40, 1.0);
        let w = normal_matrix(&mut rng, 16, 24, 1.0);
        // Rows 3..15 and columns 8..24 of `wide` times W.
        let a = wide.columns(8, 16).rows_range(3, 12);
        let dense = Matrix::from_view(a);
        let want = Matrix::from_fn(12, 24, |i, j| (0..16).map(|t| dense.get(i, t) * w.get(t, j)).sum());
        assert!(matmul_tiled(a, w.view()).max_abs_diff(&want) < 1e-4);
    }
}
