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
//! dot product per row. [`QMatrix::matvec`] (one input, a decoded token) does it block by block without
//! writing the dequantised row: for Q4_1, Σ_j (d·q_j + m)·x_j = d·Σ_j q_j·x_j + m·Σ_j x_j with the block
//! sums of x computed once. Its kernels are [`super::quant_simd`] (explicit wasm `simd128`, the
//! browser) and [`super::quant_dot`] (portable Rust, native). [`QMatrix::matmul_rows`] (a batch of
//! inputs, the prompt) dequantises a tile of rows into a small f32 buffer and multiplies the whole batch
//! by it with the atlas's gemm, so each weight block is decoded once per batch instead of once per
//! token. The weights stay in their quantised bytes; only one tile (at most [`TILE_ROWS`] rows) is ever
//! expanded.

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

/// IEEE 754 binary16 → binary32, exactly (subnormals, infinities and NaN included), without branches.
///
/// The 15 bits below the sign, shifted left by 13, are an f32 whose exponent is the half's minus 112
/// (a subnormal half becomes a subnormal f32 of the same digits); one exact multiplication by 2^112
/// restores the value. Exponent 31 (infinity, NaN) is then forced to 255, keeping the payload.
#[inline(always)]
pub fn f16_to_f32(h: u16) -> f32 {
    const TWO_POW_112: f32 = f32::from_bits((112 + 127) << 23);
    let h = h as u32;
    let magnitude = f32::from_bits((h & 0x7fff) << 13) * TWO_POW_112;
    let special = if h & 0x7c00 == 0x7c00 { 0x7f80_0000 } else { 0 };
    f32::from_bits(magnitude.to_bits() | special | ((h & 0x8000) << 16))
}

/// Every binary16 bit pattern's f32 value (256 KiB, built on first use): the row products read block
/// scales through it, a load instead of a conversion in their inner loops.
pub fn half_table() -> &'static [f32; 65536] {
    static TABLE: std::sync::OnceLock<Box<[f32; 65536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let all: Box<[f32]> = (0..=u16::MAX).map(f16_to_f32).collect();
        all.try_into().expect("65536 halves")
    })
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

    /// y = W·x: `x` has `cols` values, `y` gets `rows`. Q4_1 and Q8_0 take the explicit `simd128`
    /// kernels of [`super::quant_simd`] in wasm, [`super::quant_dot`]'s elsewhere.
    pub fn matvec(&self, x: &[f32], y: &mut [f32]) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            self.check_matvec(x, y);
            match self.kind {
                TensorType::Q4_1 => super::quant_simd::matvec_q4_1(self.bytes, x, y),
                TensorType::Q8_0 => super::quant_simd::matvec_q8_0(self.bytes, x, y),
                TensorType::F32 | TensorType::F16 => self.matvec_portable(x, y),
            }
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        self.matvec_portable(x, y)
    }

    /// y = W·x by the portable kernels ([`super::quant_dot`]): what [`Self::matvec`] runs without wasm
    /// `simd128`; public so that the wasm measurement can compare the two.
    pub fn matvec_portable(&self, x: &[f32], y: &mut [f32]) {
        self.check_matvec(x, y);
        match self.kind {
            TensorType::Q4_1 => super::quant_dot::matvec_q4_1(self.bytes, x, y),
            TensorType::Q8_0 => super::quant_dot::matvec_q8_0(self.bytes, x, y),
            TensorType::F32 | TensorType::F16 => {
                let mut row = vec![0.0; self.cols];
                for (r, out) in y.iter_mut().enumerate() {
                    self.dequantize_row(r, &mut row);
                    *out = crate::attention::reduce::dot(&row, x);
                }
            }
        }
    }

    fn check_matvec(&self, x: &[f32], y: &[f32]) {
        assert_eq!(x.len(), self.cols, "matvec input width");
        assert_eq!(y.len(), self.rows, "matvec output height");
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

    /// binary16 → binary32 by cases, the definition (IEEE 754 §3.4).
    fn f16_to_f32_by_cases(h: u16) -> f32 {
        let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
        let (exp, man) = ((h >> 10) & 0x1f, (h & 0x3ff) as u32);
        match exp {
            0x1f if man == 0 => sign * f32::INFINITY,
            0x1f => f32::from_bits(((h as u32 & 0x8000) << 16) | 0x7f80_0000 | (man << 13)),
            0 => sign * man as f32 * (1.0 / 16_777_216.0),
            e => sign * (1.0 + man as f32 / 1024.0) * 2f32.powi(e as i32 - 15),
        }
    }

    #[test]
    fn branch_free_half_conversion_and_its_table_equal_the_definition_for_all_65536_halves() {
        let table = half_table();
        for h in 0..=u16::MAX {
            assert_eq!(f16_to_f32(h).to_bits(), f16_to_f32_by_cases(h).to_bits(), "{h:#06x}");
            assert_eq!(
                table[h as usize].to_bits(),
                f16_to_f32(h).to_bits(),
                "table at {h:#06x}"
            );
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
