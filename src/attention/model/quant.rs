//! Quantised weight blocks and the products that read them without expanding the whole matrix.
//!
//! Block layouts exactly as ggml stores them (`ggml/src/ggml-common.h`; the dequantisers are
//! `dequantize_row_q8_0` and `dequantize_row_q4_1` in `ggml/src/ggml-quants.c`); `ggml_half` is an
//! IEEE 754 binary16, little-endian:
//!
//! - **Q8_0**, 34 bytes per 32 values: `{ d: f16, qs: [i8; 32] }`, x_j = d·q_j.
//! - **Q4_1**, 20 bytes per 32 values: `{ d: f16, m: f16, qs: [u8; 16] }`, x_j = d·q_j + m with
//!   q_j = qs[j] & 0x0F for j < 16 (the low nibbles are elements 0..16) and q_{j+16} = qs[j] >> 4
//!   (the high nibbles are elements 16..32).
//! - **F32** (4 bytes a value) and **F16** (2 bytes), one "block" per value.
//!
//! A weight `ne = [n_in, n_out]` is n_out rows of n_in values (see [`super::gguf`]), so y = W·x is one
//! dot product per row. [`QMatrix::matvec`] does it block by block without writing the dequantised
//! row: for Q4_1, Σ_j (d·q_j + m)·x_j = d·Σ_j q_j·x_j + m·Σ_j x_j with the block sums of x computed once.
//! [`QMatrix::matmul_rows`] (a batch of inputs, the prompt) dequantises a tile of rows into a small
//! f32 buffer and multiplies the whole batch by it with the atlas's gemm, so each weight block is
//! decoded once per batch instead of once per token. The weights stay in their quantised bytes; only one
//! tile (at most [`TILE_ROWS`] rows) is ever expanded. The inner loops work on fixed-size arrays with
//! independent accumulators so LLVM vectorises them (SSE/AVX natively, `simd128` in wasm).

use crate::attention::matrix::{matmul_transb_into_strided, MatRef};

/// Weight rows dequantised at a time by the batched product (32 × 1536 f32 = 192 KiB at most here).
pub const TILE_ROWS: usize = 32;

/// Values per quantisation block of the block formats (`QK8_0 = QK4_1 = 32` in ggml).
pub const QK: usize = 32;

/// The ggml tensor types this engine reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TensorType {
    F32,
    F16,
    Q4_1,
    Q8_0,
}

impl TensorType {
    /// From a ggml type id (`enum ggml_type`: F32 0, F16 1, Q4_1 3, Q8_0 8); None for the others.
    pub fn from_ggml(id: u32) -> Option<Self> {
        Some(match id {
            0 => TensorType::F32,
            1 => TensorType::F16,
            3 => TensorType::Q4_1,
            8 => TensorType::Q8_0,
            _ => return None,
        })
    }

    /// Values per block.
    pub fn block_elements(self) -> usize {
        match self {
            TensorType::F32 | TensorType::F16 => 1,
            TensorType::Q4_1 | TensorType::Q8_0 => QK,
        }
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> usize {
        match self {
            TensorType::F32 => 4,
            TensorType::F16 => 2,
            TensorType::Q4_1 => 20,
            TensorType::Q8_0 => 34,
        }
    }

    /// Bytes of a row of `n` values (`n` a multiple of the block size).
    pub fn row_bytes(self, n: usize) -> usize {
        n / self.block_elements() * self.block_bytes()
    }
}

/// IEEE 754 binary16 → binary32, exactly (subnormals, infinities and NaN included).
#[inline]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = if exp == 0x1f {
        sign | 0x7f80_0000 | (man << 13)
    } else if exp != 0 {
        sign | ((exp + 112) << 23) | (man << 13)
    } else if man == 0 {
        sign
    } else {
        // Subnormal: man·2^−24, exact in f32.
        let v = man as f32 * (1.0 / 16_777_216.0);
        return if sign != 0 { -v } else { v };
    };
    f32::from_bits(bits)
}

#[inline(always)]
fn half_at(b: &[u8], i: usize) -> f32 {
    f16_to_f32(u16::from_le_bytes([b[i], b[i + 1]]))
}

/// Dequantises one row (`bytes` = its blocks) into `out` (its `n` values).
pub fn dequantize_row(kind: TensorType, bytes: &[u8], out: &mut [f32]) {
    debug_assert_eq!(bytes.len(), kind.row_bytes(out.len()));
    match kind {
        TensorType::F32 => {
            for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            }
        }
        TensorType::F16 => {
            for (o, c) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = f16_to_f32(u16::from_le_bytes([c[0], c[1]]));
            }
        }
        TensorType::Q8_0 => {
            for (o, b) in out.chunks_exact_mut(QK).zip(bytes.chunks_exact(34)) {
                let d = half_at(b, 0);
                for (o, q) in o.iter_mut().zip(&b[2..34]) {
                    *o = d * (*q as i8) as f32;
                }
            }
        }
        TensorType::Q4_1 => {
            for (o, b) in out.chunks_exact_mut(QK).zip(bytes.chunks_exact(20)) {
                let (d, m) = (half_at(b, 0), half_at(b, 2));
                let (lo, hi) = o.split_at_mut(QK / 2);
                for j in 0..QK / 2 {
                    let q = b[4 + j];
                    lo[j] = d * (q & 0x0f) as f32 + m;
                    hi[j] = d * (q >> 4) as f32 + m;
                }
            }
        }
    }
}

/// A weight matrix of `rows` rows × `cols` values in its GGUF bytes (row-major, rows contiguous).
#[derive(Clone, Copy, Debug)]
pub struct QMatrix<'a> {
    pub kind: TensorType,
    pub bytes: &'a [u8],
    pub rows: usize,
    pub cols: usize,
}

impl<'a> QMatrix<'a> {
    /// A view of `bytes` as `rows × cols` of `kind`; panics when the sizes disagree.
    pub fn new(kind: TensorType, bytes: &'a [u8], rows: usize, cols: usize) -> Self {
        assert!(
            cols.is_multiple_of(kind.block_elements()),
            "row length {cols} is not whole blocks"
        );
        assert_eq!(
            bytes.len(),
            rows * kind.row_bytes(cols),
            "{rows}×{cols} {kind:?} byte length"
        );
        Self {
            kind,
            bytes,
            rows,
            cols,
        }
    }

    /// The bytes of row r.
    #[inline]
    pub fn row_bytes(&self, r: usize) -> &'a [u8] {
        let n = self.kind.row_bytes(self.cols);
        &self.bytes[r * n..(r + 1) * n]
    }

    /// Row r dequantised into `out` (length `cols`).
    pub fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        dequantize_row(self.kind, self.row_bytes(r), out);
    }

    /// y = W·x: `x` has `cols` values, `y` gets `rows`.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
        assert_eq!(x.len(), self.cols, "matvec input width");
        assert_eq!(y.len(), self.rows, "matvec output height");
        match self.kind {
            TensorType::Q4_1 => {
                let sums: Vec<f32> = x.chunks_exact(QK).map(|c| c.iter().sum()).collect();
                for (r, out) in y.iter_mut().enumerate() {
                    *out = dot_q4_1(self.row_bytes(r), x, &sums);
                }
            }
            TensorType::Q8_0 => {
                for (r, out) in y.iter_mut().enumerate() {
                    *out = dot_q8_0(self.row_bytes(r), x);
                }
            }
            TensorType::F32 | TensorType::F16 => {
                let mut row = vec![0.0; self.cols];
                for (r, out) in y.iter_mut().enumerate() {
                    self.dequantize_row(r, &mut row);
                    *out = crate::attention::reduce::dot(&row, x);
                }
            }
        }
    }

    /// Y = X·Wᵀ for a batch: `x` is `n × cols` row-major, `y` is `n × rows` row-major. One input row
    /// takes [`Self::matvec`]; more dequantise [`TILE_ROWS`] weight rows at a time and multiply the
    /// batch by the tile.
    pub fn matmul_rows(&self, x: &[f32], n: usize, y: &mut [f32]) {
        assert_eq!(x.len(), n * self.cols, "matmul input must be n × cols");
        assert_eq!(y.len(), n * self.rows, "matmul output must be n × rows");
        if n == 1 {
            return self.matvec(x, y);
        }
        let mut tile = vec![0.0f32; TILE_ROWS * self.cols];
        let xs = MatRef {
            data: x,
            offset: 0,
            rows: n,
            cols: self.cols,
            row_stride: self.cols,
        };
        let mut r0 = 0;
        while r0 < self.rows {
            let t = TILE_ROWS.min(self.rows - r0);
            for (i, row) in tile.chunks_exact_mut(self.cols).take(t).enumerate() {
                self.dequantize_row(r0 + i, row);
            }
            let w = MatRef {
                data: &tile,
                offset: 0,
                rows: t,
                cols: self.cols,
                row_stride: self.cols,
            };
            matmul_transb_into_strided(1.0, xs, w, &mut y[r0..], self.rows);
            r0 += t;
        }
    }
}

/// Σ_j W_j·x_j over one Q8_0 row: Σ_blocks d·Σ_j q_j·x_j, accumulated lane-wise.
#[inline]
fn dot_q8_0(row: &[u8], x: &[f32]) -> f32 {
    let mut acc = [0.0f32; QK];
    for (b, xb) in row.chunks_exact(34).zip(x.chunks_exact(QK)) {
        let d = half_at(b, 0);
        let qs: &[u8; QK] = b[2..34].try_into().expect("32 quants");
        let xb: &[f32; QK] = xb.try_into().expect("32 inputs");
        for j in 0..QK {
            acc[j] += d * ((qs[j] as i8) as f32 * xb[j]);
        }
    }
    acc.iter().sum()
}

/// Σ_j W_j·x_j over one Q4_1 row: Σ_blocks d·Σ_j q_j·x_j + m·Σ_j x_j, with the block sums of x given.
#[inline]
fn dot_q4_1(row: &[u8], x: &[f32], block_sums: &[f32]) -> f32 {
    let mut acc = [0.0f32; QK / 2];
    let mut offsets = 0.0f32;
    for ((b, xb), s) in row.chunks_exact(20).zip(x.chunks_exact(QK)).zip(block_sums) {
        let (d, m) = (half_at(b, 0), half_at(b, 2));
        let qs: &[u8; QK / 2] = b[4..20].try_into().expect("16 bytes of nibbles");
        let (lo, hi) = xb.split_at(QK / 2);
        let lo: &[f32; QK / 2] = lo.try_into().expect("16 inputs");
        let hi: &[f32; QK / 2] = hi.try_into().expect("16 inputs");
        for j in 0..QK / 2 {
            let q = qs[j];
            acc[j] += d * ((q & 0x0f) as f32 * lo[j] + (q >> 4) as f32 * hi[j]);
        }
        offsets += m * s;
    }
    acc.iter().sum::<f32>() + offsets
}

/// f32 → nearest binary16 bits (round to nearest even; for building test blocks).
pub fn f32_to_f16(v: f32) -> u16 {
    let bits = v.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let round = (rem > mid || (rem == mid && half & 1 == 1)) as u32;
        return sign | (half + round) as u16;
    }
    let half = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    let round = (rem > 0x1000 || (rem == 0x1000 && half & 1 == 1)) as u32;
    sign | (half + round) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Q4_1 block with scale d, min m and quants q (0..16), packed as ggml packs them.
    fn q4_1_block(d: f32, m: f32, q: &[u8; 32]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&f32_to_f16(d).to_le_bytes());
        b.extend_from_slice(&f32_to_f16(m).to_le_bytes());
        for j in 0..16 {
            b.push(q[j] | (q[j + 16] << 4));
        }
        b
    }

    fn q8_0_block(d: f32, q: &[i8; 32]) -> Vec<u8> {
        let mut b = f32_to_f16(d).to_le_bytes().to_vec();
        b.extend(q.iter().map(|v| *v as u8));
        b
    }

    #[test]
    fn half_floats_convert_exactly_both_ways() {
        for (h, v) in [
            (0x3c00u16, 1.0f32),
            (0xc000, -2.0),
            (0x0001, 5.960_464_5e-8),
            (0x7bff, 65504.0),
            (0, 0.0),
        ] {
            assert_eq!(f16_to_f32(h), v);
            assert_eq!(f32_to_f16(v), h);
        }
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        for h in 0..0x7c00u16 {
            assert_eq!(f32_to_f16(f16_to_f32(h)), h, "round trip of {h:#x}");
        }
    }

    #[test]
    fn q4_1_low_nibbles_are_the_first_half_of_the_block() {
        let q: [u8; 32] = std::array::from_fn(|j| (j % 16) as u8 ^ if j >= 16 { 0x5 } else { 0 });
        let block = q4_1_block(0.5, -1.0, &q);
        // Element 0 is the low nibble of byte 0, element 16 its high nibble.
        assert_eq!(block[4] & 0x0f, q[0]);
        assert_eq!(block[4] >> 4, q[16]);
        let mut out = [0.0f32; 32];
        dequantize_row(TensorType::Q4_1, &block, &mut out);
        for j in 0..32 {
            assert_eq!(out[j], 0.5 * q[j] as f32 - 1.0, "element {j}");
        }
    }

    #[test]
    fn q8_0_is_scale_times_signed_byte() {
        let q: [i8; 32] = std::array::from_fn(|j| (j as i8 - 16) * 7);
        let mut out = [0.0f32; 32];
        dequantize_row(TensorType::Q8_0, &q8_0_block(0.25, &q), &mut out);
        for j in 0..32 {
            assert_eq!(out[j], 0.25 * q[j] as f32);
        }
    }

    fn random_matrix(kind: TensorType, rows: usize, cols: usize, seed: u32) -> Vec<u8> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            s >> 8
        };
        let mut bytes = Vec::new();
        for _ in 0..rows * cols / 32 {
            let d = (next() % 1000) as f32 / 10_000.0 + 0.001;
            match kind {
                TensorType::Q4_1 => {
                    let q: [u8; 32] = std::array::from_fn(|_| (next() % 16) as u8);
                    bytes.extend(q4_1_block(d, -((next() % 100) as f32) / 1000.0, &q));
                }
                TensorType::Q8_0 => {
                    let q: [i8; 32] = std::array::from_fn(|_| (next() % 255) as i32 as i8);
                    bytes.extend(q8_0_block(d, &q));
                }
                _ => unreachable!(),
            }
        }
        bytes
    }

    #[test]
    fn blockwise_products_equal_dequantise_then_multiply() {
        for kind in [TensorType::Q4_1, TensorType::Q8_0] {
            let (rows, cols) = (45, 96);
            let bytes = random_matrix(kind, rows, cols, 7);
            let w = QMatrix::new(kind, &bytes, rows, cols);
            let mut dense = vec![0.0f32; rows * cols];
            for r in 0..rows {
                w.dequantize_row(r, &mut dense[r * cols..(r + 1) * cols]);
            }
            for n in [1, 3, 40] {
                let x: Vec<f32> = (0..n * cols).map(|i| (i * 37 % 101) as f32 / 50.0 - 1.0).collect();
                let mut y = vec![0.0f32; n * rows];
                w.matmul_rows(&x, n, &mut y);
                for i in 0..n {
                    for r in 0..rows {
                        let want: f64 = (0..cols)
                            .map(|c| dense[r * cols + c] as f64 * x[i * cols + c] as f64)
                            .sum();
                        let got = y[i * rows + r] as f64;
                        assert!(
                            (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                            "{kind:?} n={n} ({i},{r}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
