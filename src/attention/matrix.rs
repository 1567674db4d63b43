//! Row-major dense matrices and the few BLAS-like products the engine needs.
//!
//! Score matrices are kept row-major so a row softmax walks contiguous memory. Products take
//! explicit strides, so no product copies or transposes its operands (head slices are column
//! windows): in the browser they run the engine's `simd128` tiles ([`crate::attention::gemm_tiles`]),
//! natively `matrixmultiply` (the gemm behind nalgebra, AVX2/FMA kernels).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::attention::gemm_tiles::gemm_tiled as gemm_strided;
use crate::attention::gemm_tiles::{gemm_panels, Panels, Strided};

/// A dense `rows × cols` matrix of `f32`, stored row-major: element (i, j) is `data[i * cols + j]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

/// A borrowed, possibly strided, row-major window onto a matrix: element (i, j) is
/// `data[offset + i * row_stride + j]`. Used to take one head's columns of Q, K or V without copying.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    pub data: &'a [f32],
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
}

impl Matrix {
    /// The all-zero `rows × cols` matrix.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Builds a matrix from row-major data; panics if the length is not `rows * cols`.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f32>) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "Matrix::from_vec: {rows}×{cols} needs {} values",
            rows * cols
        );
        Self { rows, cols, data }
    }

    /// Builds a matrix from a function of (row, column).
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Self { rows, cols, data }
    }

    /// The identity matrix of size `n`.
    pub fn identity(n: usize) -> Self {
        Self::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
    }

    /// Element (i, j).
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.cols + j]
    }

    /// Sets element (i, j).
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, v: f32) {
        self.data[i * self.cols + j] = v;
    }

    /// Row i as a slice.
    #[inline]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row i as a mutable slice.
    #[inline]
    pub fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The whole matrix as a view.
    pub fn view(&self) -> MatRef<'_> {
        MatRef {
            data: &self.data,
            offset: 0,
            rows: self.rows,
            cols: self.cols,
            row_stride: self.cols,
        }
    }

    /// Columns `start..start + width` as a view (one head's slice of Q, K or V).
    pub fn columns(&self, start: usize, width: usize) -> MatRef<'_> {
        assert!(
            start + width <= self.cols,
            "columns {start}..{} of a {}-column matrix",
            start + width,
            self.cols
        );
        MatRef {
            data: &self.data,
            offset: start,
            rows: self.rows,
            cols: width,
            row_stride: self.cols,
        }
    }

    /// Rows `start..start + count` as a view.
    pub fn rows_view(&self, start: usize, count: usize) -> MatRef<'_> {
        self.view().rows_range(start, count)
    }

    /// Aᵀ, copied.
    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.cols, self.rows, |i, j| self.get(j, i))
    }

    /// A·B.
    pub fn matmul(&self, b: &Matrix) -> Matrix {
        matmul(self.view(), b.view())
    }

    /// Largest absolute element-wise difference to `other` (shapes must match).
    pub fn max_abs_diff(&self, other: &Matrix) -> f32 {
        assert_eq!(
            (self.rows, self.cols),
            (other.rows, other.cols),
            "max_abs_diff: shape mismatch"
        );
        self.data
            .iter()
            .zip(&other.data)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }

    /// Frobenius norm ‖A‖_F = √Σ a_ij².
    pub fn frobenius(&self) -> f32 {
        self.data.iter().map(|v| (*v as f64) * (*v as f64)).sum::<f64>().sqrt() as f32
    }

    /// Copies a view into an owned matrix.
    pub fn from_view(v: MatRef<'_>) -> Matrix {
        let mut m = Matrix::zeros(v.rows, v.cols);
        for i in 0..v.rows {
            m.row_mut(i).copy_from_slice(v.row(i));
        }
        m
    }

    /// Converts to a column-major nalgebra matrix (for SVD, QR and friends).
    pub fn to_nalgebra(&self) -> nalgebra::DMatrix<f32> {
        nalgebra::DMatrix::from_row_slice(self.rows, self.cols, &self.data)
    }
}

impl MatRef<'static> {
    /// A `rows × 0` matrix: as V it makes an attention kernel's output product free, for callers
    /// that only read the weights.
    pub fn no_columns(rows: usize) -> Self {
        MatRef {
            data: &[],
            offset: 0,
            rows,
            cols: 0,
            row_stride: 0,
        }
    }
}

impl<'a> MatRef<'a> {
    /// Row i of the view.
    #[inline]
    pub fn row(&self, i: usize) -> &'a [f32] {
        let s = self.offset + i * self.row_stride;
        &self.data[s..s + self.cols]
    }

    /// Element (i, j) of the view.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.data[self.offset + i * self.row_stride + j]
    }

    /// Rows `start..start + count` of this view.
    pub fn rows_range(&self, start: usize, count: usize) -> MatRef<'a> {
        assert!(
            start + count <= self.rows,
            "rows {start}..{} of a {}-row view",
            start + count,
            self.rows
        );
        MatRef {
            offset: self.offset + start * self.row_stride,
            rows: count,
            ..*self
        }
    }
}

/// An operand of [`gemm`]: a slice with an element offset and (row, column) strides.
type Operand<'a> = Strided<'a>;

impl<'a> MatRef<'a> {
    fn plain(&self) -> Operand<'a> {
        Operand {
            data: self.data,
            offset: self.offset,
            rs: self.row_stride,
            cs: 1,
        }
    }
    fn transposed(&self) -> Operand<'a> {
        Operand {
            data: self.data,
            offset: self.offset,
            rs: 1,
            cs: self.row_stride,
        }
    }
}

/// C ← α·A·B + β·C with A `m × k`, B `k × n` and C row-major `m × n` (contiguous rows).
#[allow(clippy::too_many_arguments)] // the BLAS signature: shapes, α, A, B, β, C
fn gemm(m: usize, k: usize, n: usize, alpha: f32, a: Operand<'_>, b: Operand<'_>, beta: f32, c: &mut [f32]) {
    assert_eq!(c.len(), m * n, "gemm: C must be m × n");
    gemm_strided(m, k, n, alpha, a, b, beta, c, n);
}

/// [`gemm`] with C's rows `ldc` apart in `c` (C may be a column range of a wider matrix), through
/// `matrixmultiply` (its AVX2/FMA kernels natively). Under wasm `simd128` the engine's own 4 × 8
/// tiles ([`crate::attention::gemm_tiles`]) take this name: faster there than `matrixmultiply`'s
/// generic wasm kernel.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[allow(clippy::too_many_arguments)] // the BLAS signature: shapes, α, A, B, β, C
fn gemm_strided(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Operand<'_>,
    b: Operand<'_>,
    beta: f32,
    c: &mut [f32],
    ldc: usize,
) {
    assert!(a.fits(m, k), "gemm: A out of bounds");
    assert!(b.fits(k, n), "gemm: B out of bounds");
    assert!(
        n <= ldc
            && Strided {
                data: c,
                offset: 0,
                rs: ldc,
                cs: 1
            }
            .fits(m, n),
        "gemm: C out of bounds"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].iter_mut().for_each(|v| *v *= beta);
        }
        return;
    }
    // SAFETY: the assertions above keep every index A, B and C are read or written at inside their
    // slices; C is exclusively borrowed and cannot alias A or B.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr().add(a.offset),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr().add(b.offset),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.as_mut_ptr(),
            ldc as isize,
            1,
        );
    }
}

/// C = A·B for row-major views; C is `a.rows × b.cols`.
pub fn matmul(a: MatRef<'_>, b: MatRef<'_>) -> Matrix {
    assert_eq!(a.cols, b.rows, "matmul: {}×{} · {}×{}", a.rows, a.cols, b.rows, b.cols);
    let mut c = Matrix::zeros(a.rows, b.cols);
    gemm(a.rows, a.cols, b.cols, 1.0, a.plain(), b.plain(), 0.0, &mut c.data);
    c
}

/// B packed once for many products A·B ([`matmul_packed`]): a weight matrix against row blocks.
pub fn pack(b: MatRef<'_>) -> Panels {
    Panels::pack(b.plain(), b.rows, b.cols)
}

/// Bᵀ packed once for many products α·A·Bᵀ ([`matmul_packed_into`]): the keys against blocks of
/// queries.
pub fn pack_transposed(b: MatRef<'_>) -> Panels {
    Panels::pack(b.transposed(), b.cols, b.rows)
}

/// C = A·B with B packed by [`pack`] (the engine's tiles on every target); C is `a.rows × n`.
pub fn matmul_packed(a: MatRef<'_>, b: &Panels) -> Matrix {
    let mut c = Matrix::zeros(a.rows, b.shape().1);
    matmul_packed_into(1.0, a, b, &mut c.data);
    c
}

/// C = α·A·B written into `out` (row-major `a.rows × n`), B packed by [`pack`] or
/// [`pack_transposed`].
pub fn matmul_packed_into(alpha: f32, a: MatRef<'_>, b: &Panels, out: &mut [f32]) {
    let (k, n) = b.shape();
    assert_eq!(a.cols, k, "matmul: {}×{} · {}×{}", a.rows, a.cols, k, n);
    assert_eq!(out.len(), a.rows * n, "matmul: C must be {} × {n}", a.rows);
    gemm_panels(a.rows, alpha, a.plain(), b, 0.0, out, n);
}

/// C = α·A·Bᵀ written into `out` (row-major `a.rows × b.rows`); the score product Q·Kᵀ.
pub fn matmul_transb_into(alpha: f32, a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32]) {
    assert_eq!(
        a.cols, b.cols,
        "matmul_transb: inner dimensions {} and {}",
        a.cols, b.cols
    );
    gemm(a.rows, a.cols, b.rows, alpha, a.plain(), b.transposed(), 0.0, out);
}

/// C = α·A·Bᵀ written into the first `b.rows` columns of a row-major buffer whose rows are `ldc`
/// apart (`out[i·ldc + j]`): scores for a range of keys inside a wider score block.
pub fn matmul_transb_into_strided(alpha: f32, a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32], ldc: usize) {
    assert_eq!(
        a.cols, b.cols,
        "matmul_transb: inner dimensions {} and {}",
        a.cols, b.cols
    );
    gemm_strided(a.rows, a.cols, b.rows, alpha, a.plain(), b.transposed(), 0.0, out, ldc);
}

/// C = A·Bᵀ as a new matrix.
pub fn matmul_transb(a: MatRef<'_>, b: MatRef<'_>) -> Matrix {
    let mut c = Matrix::zeros(a.rows, b.rows);
    matmul_transb_into(1.0, a, b, &mut c.data);
    c
}

/// C = Aᵀ·B as a new matrix (`a.cols × b.cols`); used for φ(K)ᵀV-style products.
pub fn matmul_transa(a: MatRef<'_>, b: MatRef<'_>) -> Matrix {
    assert_eq!(a.rows, b.rows, "matmul_transa: {} and {} rows", a.rows, b.rows);
    let mut c = Matrix::zeros(a.cols, b.cols);
    gemm(a.cols, a.rows, b.cols, 1.0, a.transposed(), b.plain(), 0.0, &mut c.data);
    c
}

/// C += A·B into a row-major buffer `out` of shape `a.rows × b.cols` (accumulating).
pub fn matmul_acc_into(a: MatRef<'_>, b: MatRef<'_>, out: &mut [f32]) {
    assert_eq!(a.cols, b.rows, "matmul_acc: inner dimensions");
    gemm(a.rows, a.cols, b.cols, 1.0, a.plain(), b.plain(), 1.0, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &Matrix, b: &Matrix) -> Matrix {
        Matrix::from_fn(a.rows, b.cols, |i, j| {
            (0..a.cols).map(|k| a.get(i, k) * b.get(k, j)).sum()
        })
    }

    #[test]
    fn a_product_can_fill_a_column_range_of_a_wider_buffer() {
        let a = Matrix::from_fn(5, 3, |i, j| (i * 3 + j) as f32 * 0.1);
        let b = Matrix::from_fn(4, 3, |i, j| (i as f32 - j as f32) * 0.2);
        let want = matmul_transb(a.view(), b.view());
        let ldc = 9;
        let mut wide = vec![-7.0f32; 5 * ldc];
        matmul_transb_into_strided(1.0, a.view(), b.view(), &mut wide[2..], ldc);
        for i in 0..5 {
            for j in 0..ldc {
                let got = wide[i * ldc + j];
                if (2..6).contains(&j) {
                    assert!((got - want.get(i, j - 2)).abs() < 1e-6);
                } else {
                    assert_eq!(got, -7.0, "cells outside the range are untouched");
                }
            }
        }
    }

    #[test]
    fn strided_products_match_naive_loops() {
        let a = Matrix::from_fn(7, 9, |i, j| (i as f32 * 0.3 - j as f32 * 0.17).sin());
        let b = Matrix::from_fn(9, 11, |i, j| (i as f32 * 0.11 + j as f32 * 0.5).cos());
        assert!(a.matmul(&b).max_abs_diff(&naive(&a, &b)) < 1e-5);
        let bt = b.transpose();
        assert!(matmul_transb(a.view(), bt.view()).max_abs_diff(&naive(&a, &b)) < 1e-5);
        let at = a.transpose();
        assert!(matmul_transa(at.view(), b.view()).max_abs_diff(&naive(&a, &b)) < 1e-5);
        // A column window (one "head") times a row window.
        let win = Matrix::from_view(a.columns(2, 4));
        let sub = Matrix::from_view(b.rows_view(0, 4));
        assert!(matmul(a.columns(2, 4), b.rows_view(0, 4)).max_abs_diff(&naive(&win, &sub)) < 1e-5);
        // B packed once, then rows of A in blocks.
        let packed = pack(b.view());
        for start in [0, 3] {
            let block = matmul_packed(a.rows_view(start, 4), &packed);
            let want = naive(&Matrix::from_view(a.rows_view(start, 4)), &b);
            assert!(block.max_abs_diff(&want) < 1e-5, "rows {start}..");
        }
        let keys = pack_transposed(bt.view());
        let mut scores = vec![0.0f32; 7 * 11];
        matmul_packed_into(2.0, a.view(), &keys, &mut scores);
        let twice = Matrix::from_fn(7, 11, |i, j| 2.0 * naive(&a, &b).get(i, j));
        assert!(Matrix::from_vec(7, 11, scores).max_abs_diff(&twice) < 1e-5);
    }
}
