//! C ← α·A·B + β·C in 4 × 8 register tiles of [`F4`]: the engine's dense products under wasm
//! `simd128` (projections X·W, scores Q·Kᵀ, P·V, W_O), where it is faster than `matrixmultiply`'s
//! generic wasm kernel.
//!
//! The same scheme as the exact kernel's tiles ([`crate::attention::fast_exact`]): B is packed once
//! per call into panels of 8 columns (k rows of 8 floats, k-major, columns past n zero); a tile
//! holds 4 rows × 8 columns in eight accumulators, and each of its k steps loads one panel row
//! (two `F4`) and *splat-loads* one scalar of each A row (`v128.load32_splat`): 16 multiply-adds for
//! 6 loads and no lane shuffle. Panels are the outer loop so the one in use (k · 32 bytes, 16 KiB at
//! k = 512) stays in L1 while every row tile streams past it.
//!
//! Each c_ij is Σ_p a_ip·b_pj summed in p order, rounded twice per step (no FMA), then α·c + β·c_old:
//! the naive triple loop's numbers, natively and in the browser.

use crate::attention::lanes::F4;

/// Rows of a register tile.
const MR: usize = 4;
/// Columns of a register tile and of a packed panel of B (two `F4`).
const NR: usize = 8;

/// A strided operand: element (i, j) is `data[offset + i·rs + j·cs]`.
#[derive(Clone, Copy)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub offset: usize,
    pub rs: usize,
    pub cs: usize,
}

impl Strided<'_> {
    /// True when a `rows × cols` operand with these strides stays inside the slice.
    pub fn fits(&self, rows: usize, cols: usize) -> bool {
        rows == 0 || cols == 0 || self.offset + (rows - 1) * self.rs + (cols - 1) * self.cs < self.data.len()
    }
}

/// B (`k × n`) packed for [`gemm_panels`]: ⌈n/8⌉ panels of `k × 8` floats, panel p's row c holding
/// b_{c, 8p+l} at lane l and the columns past n zero. Pack a matrix once to multiply it many times
/// (a weight matrix against row blocks of X).
#[derive(Clone, Debug)]
pub struct Panels {
    k: usize,
    n: usize,
    data: Vec<f32>,
}

impl Panels {
    /// Packs B; reads along B's unit stride (rows of a plain B, columns of a transposed one).
    ///
    /// # Panics
    /// When B does not fit its slice.
    pub fn pack(b: Strided<'_>, k: usize, n: usize) -> Panels {
        assert!(b.fits(k, n), "gemm: B out of bounds");
        let mut data = vec![0.0f32; n.div_ceil(NR) * k * NR];
        if k > 0 {
            for (p, panel) in data.chunks_exact_mut(k * NR).enumerate() {
                let cols = NR.min(n - p * NR);
                let at = |row: usize, l: usize| b.offset + row * b.rs + (p * NR + l) * b.cs;
                if b.cs == 1 {
                    for (row, dst) in panel.chunks_exact_mut(NR).enumerate() {
                        dst[..cols].copy_from_slice(&b.data[at(row, 0)..][..cols]);
                    }
                } else {
                    for l in 0..cols {
                        for row in 0..k {
                            panel[row * NR + l] = b.data[at(row, l)];
                        }
                    }
                }
            }
        }
        Panels { k, n, data }
    }

    /// B's shape `(k, n)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.k, self.n)
    }
}

/// The 4 × 8 tile Σ_p a_r[p·cs]·panel[p][l] for the A rows starting at `a[r]`.
///
/// # Safety
/// Each `a[r]` must be readable at `p·cs` for p < k, and `panel` for `k · 8` floats.
#[inline(always)]
unsafe fn tile(a: [*const f32; MR], cs: usize, panel: *const f32, k: usize) -> [[F4; 2]; MR] {
    let mut acc = [[F4::splat(0.0); 2]; MR];
    for p in 0..k {
        let (b0, b1) = unsafe { (F4::load(panel.add(p * NR)), F4::load(panel.add(p * NR + 4))) };
        for r in 0..MR {
            let x = unsafe { F4::load_splat(a[r].add(p * cs)) };
            acc[r][0] = acc[r][0].mul_acc(x, b0);
            acc[r][1] = acc[r][1].mul_acc(x, b1);
        }
    }
    acc
}

/// C ← α·A·B + β·C with A `m × k`, B `k × n` and C's rows `ldc` apart in `c` (β = 0 ignores C's old
/// values, NaN included, as BLAS does).
///
/// # Panics
/// When A, B or C does not fit its slice, or n > ldc.
#[allow(clippy::too_many_arguments)] // the BLAS signature: shapes, α, A, B, β, C
pub fn gemm_tiled(
    m: usize,
    k: usize,
    n: usize,
    alpha: f32,
    a: Strided<'_>,
    b: Strided<'_>,
    beta: f32,
    c: &mut [f32],
    ldc: usize,
) {
    gemm_panels(m, alpha, a, &Panels::pack(b, k, n), beta, c, ldc);
}

/// [`gemm_tiled`] with B already packed: C ← α·A·B + β·C, A `m × k`, B `k × n`.
///
/// # Panics
/// When A or C does not fit its slice, or n > ldc.
pub fn gemm_panels(m: usize, alpha: f32, a: Strided<'_>, b: &Panels, beta: f32, c: &mut [f32], ldc: usize) {
    let (k, n) = b.shape();
    assert!(a.fits(m, k), "gemm: A out of bounds");
    assert!(
        n <= ldc && (m == 0 || n == 0 || (m - 1) * ldc + n <= c.len()),
        "gemm: C out of bounds"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n]
                .iter_mut()
                .for_each(|v| *v = if beta == 0.0 { 0.0 } else { *v * beta });
        }
        return;
    }
    let alpha_v = F4::splat(alpha);
    let mut tile_row = [0.0f32; NR];
    for (p, panel) in b.data.chunks_exact(k * NR).enumerate() {
        let j0 = p * NR;
        let cols = NR.min(n - j0);
        for i0 in (0..m).step_by(MR) {
            let rows = MR.min(m - i0);
            // Rows past m repeat the last row; their sums are computed and dropped.
            let a_rows: [*const f32; MR] =
                std::array::from_fn(|r| a.data[a.offset + (i0 + r.min(rows - 1)) * a.rs..].as_ptr());
            // SAFETY: `a.fits(m, k)` makes p·cs readable from each row start for p < k, and the
            // panel holds k · 8 floats.
            let acc = unsafe { tile(a_rows, a.cs, panel.as_ptr(), k) };
            for (r, acc) in acc.iter().enumerate().take(rows) {
                // SAFETY: `tile_row` holds 8 floats.
                unsafe {
                    acc[0].mul(alpha_v).store(tile_row.as_mut_ptr());
                    acc[1].mul(alpha_v).store(tile_row.as_mut_ptr().add(4));
                }
                let out = &mut c[(i0 + r) * ldc + j0..][..cols];
                if beta == 0.0 {
                    out.copy_from_slice(&tile_row[..cols]);
                } else {
                    out.iter_mut().zip(&tile_row).for_each(|(o, &t)| *o = t + beta * *o);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(data: &[f32], cols: usize) -> Strided<'_> {
        Strided {
            data,
            offset: 0,
            rs: cols,
            cs: 1,
        }
    }

    fn naive(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Vec<f32> {
        let mut c = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    fn values(len: usize, salt: f32) -> Vec<f32> {
        (0..len).map(|i| ((i as f32) * 0.37 + salt).sin()).collect()
    }

    #[test]
    fn every_edge_shape_equals_the_naive_loop_bit_for_bit() {
        for (m, k, n) in [
            (1, 1, 1),
            (3, 5, 7),
            (4, 8, 8),
            (5, 3, 9),
            (9, 17, 15),
            (16, 64, 24),
            (7, 0, 5),
        ] {
            let (a, b) = (values(m * k, 0.1), values(k * n, 0.7));
            let mut c = vec![f32::NAN; m * n];
            gemm_tiled(m, k, n, 1.0, op(&a, k), op(&b, n), 0.0, &mut c, n);
            assert_eq!(c, naive(m, k, n, &a, &b), "{m}×{k}·{k}×{n}");
        }
    }

    #[test]
    fn transposed_operands_alpha_beta_and_a_wider_c() {
        let (m, k, n, ldc) = (6, 10, 11, 14);
        let (a, b) = (values(m * k, 0.2), values(k * n, 1.3));
        // Aᵀ stored k × m and Bᵀ stored n × k, read through swapped strides.
        let at: Vec<f32> = (0..k * m).map(|t| a[(t % m) * k + t / m]).collect();
        let bt: Vec<f32> = (0..n * k).map(|t| b[(t % k) * n + t / k]).collect();
        let mut c = vec![2.0f32; m * ldc];
        let a_op = Strided {
            data: &at,
            offset: 0,
            rs: 1,
            cs: m,
        };
        let b_op = Strided {
            data: &bt,
            offset: 0,
            rs: 1,
            cs: k,
        };
        gemm_tiled(m, k, n, 0.5, a_op, b_op, 3.0, &mut c, ldc);
        let want = naive(m, k, n, &a, &b);
        for i in 0..m {
            for j in 0..ldc {
                let got = c[i * ldc + j];
                if j < n {
                    assert!((got - (0.5 * want[i * n + j] + 6.0)).abs() < 1e-5, "({i}, {j})");
                } else {
                    assert_eq!(got, 2.0, "columns past n are untouched");
                }
            }
        }
    }

    #[test]
    #[should_panic(expected = "B out of bounds")]
    fn an_operand_too_short_for_its_shape_panics_before_any_read() {
        let a = [0.0f32; 6];
        let mut c = [0.0f32; 4];
        gemm_tiled(2, 3, 2, 1.0, op(&a, 3), op(&a[..5], 2), 0.0, &mut c, 2);
    }
}
