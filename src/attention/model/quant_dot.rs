//! The one-input products y = W·x of [`super::quant`] in portable Rust: native builds, and wasm
//! without `simd128` ([`super::quant_simd`] is the explicit wasm kernel).
//!
//! Per row, block by block, without writing the dequantised row:
//!
//! - **Q4_1**: Σ_j (d·q_j + m)·x_j = d·Σ_j q_j·x_j + m·s with s = Σ_j x_j, the block sums of x
//!   computed once per call.
//! - **Q8_0**: Σ_j d·q_j·x_j = d·Σ_j q_j·x_j.
//!
//! The inner loops run over fixed-size lane arrays with independent accumulators so that LLVM
//! vectorises them (SSE/AVX natively); the scales d and m are read through
//! [`super::quant::half_table`].

use super::quant::{half_table, QK};

/// The little-endian f16 at `b[i..i + 2]`, as f32.
#[inline(always)]
fn scale(table: &[f32; 65536], b: &[u8], i: usize) -> f32 {
    table[u16::from_le_bytes([b[i], b[i + 1]]) as usize]
}

/// y = W·x for a Q4_1 matrix (`bytes`: `y.len()` rows of `x.len()` values).
pub fn matvec_q4_1(bytes: &[u8], x: &[f32], y: &mut [f32]) {
    let table = half_table();
    let sums: Vec<f32> = x.chunks_exact(QK).map(|c| c.iter().sum()).collect();
    let row_bytes = sums.len() * 20;
    assert_eq!(bytes.len(), y.len() * row_bytes, "Q4_1 matrix bytes");
    for (row, out) in bytes.chunks_exact(row_bytes).zip(y) {
        *out = dot_q4_1(table, row, x, &sums);
    }
}

/// y = W·x for a Q8_0 matrix (`bytes`: `y.len()` rows of `x.len()` values).
pub fn matvec_q8_0(bytes: &[u8], x: &[f32], y: &mut [f32]) {
    let table = half_table();
    let row_bytes = x.len() / QK * 34;
    assert_eq!(bytes.len(), y.len() * row_bytes, "Q8_0 matrix bytes");
    for (row, out) in bytes.chunks_exact(row_bytes).zip(y) {
        *out = dot_q8_0(table, row, x);
    }
}

/// Σ_j W_j·x_j over one Q8_0 row: Σ_blocks d·Σ_j q_j·x_j, accumulated lane-wise.
#[inline]
fn dot_q8_0(table: &[f32; 65536], row: &[u8], x: &[f32]) -> f32 {
    let mut acc = [0.0f32; QK];
    for (b, xb) in row.chunks_exact(34).zip(x.chunks_exact(QK)) {
        let d = scale(table, b, 0);
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
fn dot_q4_1(table: &[f32; 65536], row: &[u8], x: &[f32], block_sums: &[f32]) -> f32 {
    let mut acc = [0.0f32; QK / 2];
    let mut offsets = 0.0f32;
    for ((b, xb), s) in row.chunks_exact(20).zip(x.chunks_exact(QK)).zip(block_sums) {
        let (d, m) = (scale(table, b, 0), scale(table, b, 2));
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
