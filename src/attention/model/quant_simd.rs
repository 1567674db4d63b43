//! The one-input products y = W·x of [`super::quant`] with explicit wasm `simd128`: the browser's
//! decode path (one token at a time, every weight read once per token).
//!
//! Per row r, with the block scales folded in after each block's products:
//!
//! - **Q4_1**: y_r = Σ_b d_rb·(Σ_j q_rbj·x_bj) + Σ_b m_rb·s_b, with s_b = Σ_j x_bj computed once per call.
//! - **Q8_0**: y_r = Σ_b d_rb·(Σ_j q_rbj·x_bj).
//!
//! The quants are exact integers in f32 and every product q·x is one f32 rounding, as in the portable
//! code; only the order of the additions differs (four lanes per row, the block's eight product
//! vectors summed pairwise). The per-block integer-times-scale shape is llama.cpp's
//! (`ggml_vec_dot_q4_1_q8_1` in `ggml/src/ggml-cpu/quants.c`), but ggml also quantises x to Q8_1,
//! which this engine does not: x stays f32.
//!
//! **Unpacking without shuffles.** A block's quants are read as 32-bit lanes and isolated with two
//! instructions per four values; x is permuted once per call into the lane order that falls out:
//!
//! - Q4_1: 16 bytes of nibbles = four u32 lanes, lane i holding bytes 4i..4i+4. Nibble k (bits
//!   4k..4k+4) of lane i is element 4i + ⌊k/2⌋ (+16 for odd k, the high nibbles): `(v >> 4k) & 0xF`.
//! - Q8_0: each 16-byte half h is four i32 lanes; byte c of lane i is element 16h + 4i + c, sign-extended
//!   by `(v << (24 − 8c)) >> 24` (arithmetic).
//!
//! **Scales** come from [`super::quant::half_table`], so V8 broadcasts d straight from memory;
//! converting d and m in the loop (scalar, or four blocks at a time in vectors) measured 10–40 % slower.
//!
//! **Small functions.** The two kernels stay out of line (`#[inline(never)]`): inlined together into
//! `QMatrix::matvec` they measured 15–20 % slower in V8.
//!
//! **One row per pass.** Taking 2 or 4 rows per pass so that x is loaded once for all of them was
//! slower here: V8 (Node 20 and Chromium) spills the eight x vectors and the extra accumulators.
//!
//! **Measured** (2-core AMD EPYC (Zen 3) VM; best of interleaved runs, old = the scalar block loops
//! before this file): in Node 20, `tests/wasm_quant.rs`, Q4_1 1536×576 0.294 → 0.169 ms, 576×1536
//! 0.282 → 0.172 ms, Q8_0 49152×576 9.08 → 5.13 ms, SmolLM2-135M decode 19.7 → 33.3 tokens/s; in
//! Chromium 156 (synthetic blocks) Q4_1 1536×576 0.295 → 0.150 ms, Q8_0 7.2 → 4.9 ms.

use core::arch::wasm32::*;

use super::quant::{half_table, QK};

/// Bytes per Q4_1 / Q8_0 block.
const Q4_1_BYTES: usize = 20;
const Q8_0_BYTES: usize = 34;

/// 16 bytes as one vector.
#[inline(always)]
fn load16(b: &[u8; 16]) -> v128 {
    // SAFETY: `b` is 16 readable bytes, and `v128_load` has no alignment requirement.
    unsafe { v128_load(b.as_ptr().cast()) }
}

/// Σ of the four lanes.
#[inline(always)]
fn lane_sum(v: v128) -> f32 {
    f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)
}

/// A row as its `n` blocks of `B` bytes: the row's one bounds check.
#[inline(always)]
fn blocks<const B: usize>(row: &[u8], n: usize) -> &[[u8; B]] {
    let (blocks, rest) = row.as_chunks::<B>();
    assert!(blocks.len() == n && rest.is_empty(), "row of {n} blocks");
    blocks
}

/// The little-endian f16 at `b[i..i + 2]`, as f32.
#[inline(always)]
fn scale(table: &[f32; 65536], b: &[u8], i: usize) -> f32 {
    table[u16::from_le_bytes([b[i], b[i + 1]]) as usize]
}

/// x for [`matvec_q4_1`]: per block, vector k holds in lane i the element 4i + ⌊k/2⌋ + 16·(k mod 2).
fn nibble_order(x: &[f32]) -> Vec<[v128; 8]> {
    x.chunks_exact(QK)
        .map(|b| {
            core::array::from_fn(|k| {
                let e = |i: usize| b[4 * i + k / 2 + 16 * (k % 2)];
                f32x4(e(0), e(1), e(2), e(3))
            })
        })
        .collect()
}

/// x for [`matvec_q8_0`]: per block, vector 4h + c holds in lane i the element 16h + 4i + c.
fn byte_lane_order(x: &[f32]) -> Vec<[v128; 8]> {
    x.chunks_exact(QK)
        .map(|b| {
            core::array::from_fn(|k| {
                let e = |i: usize| b[16 * (k / 4) + 4 * i + k % 4];
                f32x4(e(0), e(1), e(2), e(3))
            })
        })
        .collect()
}

/// y = W·x for a Q4_1 matrix (`bytes`: `y.len()` rows of `x.len()` values).
#[inline(never)]
pub fn matvec_q4_1(bytes: &[u8], x: &[f32], y: &mut [f32]) {
    let table = half_table();
    let xs = nibble_order(x);
    let sums: Vec<f32> = x.chunks_exact(QK).map(|b| b.iter().sum()).collect();
    let n = xs.len();
    assert_eq!(bytes.len(), y.len() * n * Q4_1_BYTES, "Q4_1 matrix bytes");
    for (row, out) in bytes.chunks_exact(n * Q4_1_BYTES).zip(y) {
        let mut acc = f32x4_splat(0.0);
        let mut offsets = 0.0f32;
        for ((b, x), s) in blocks::<Q4_1_BYTES>(row, n).iter().zip(&xs).zip(&sums) {
            let block = nibble_products(load16(b[4..].try_into().expect("16 bytes of nibbles")), x);
            acc = f32x4_add(acc, f32x4_mul(block, f32x4_splat(scale(table, b, 0))));
            offsets += scale(table, b, 2) * s;
        }
        *out = lane_sum(acc) + offsets;
    }
}

/// Σ_j q_j·x_j of one Q4_1 block as four partial sums (`v` its nibbles, `x` in nibble order).
#[inline(always)]
fn nibble_products(v: v128, x: &[v128; 8]) -> v128 {
    let low_nibble = u32x4_splat(0x0f);
    let q = |k: u32| f32x4_convert_i32x4(v128_and(u32x4_shr(v, 4 * k), low_nibble));
    let q7 = f32x4_convert_i32x4(u32x4_shr(v, 28));
    let p01 = f32x4_add(f32x4_mul(q(0), x[0]), f32x4_mul(q(1), x[1]));
    let p23 = f32x4_add(f32x4_mul(q(2), x[2]), f32x4_mul(q(3), x[3]));
    let p45 = f32x4_add(f32x4_mul(q(4), x[4]), f32x4_mul(q(5), x[5]));
    let p67 = f32x4_add(f32x4_mul(q(6), x[6]), f32x4_mul(q7, x[7]));
    f32x4_add(f32x4_add(p01, p23), f32x4_add(p45, p67))
}

/// y = W·x for a Q8_0 matrix (`bytes`: `y.len()` rows of `x.len()` values).
#[inline(never)]
pub fn matvec_q8_0(bytes: &[u8], x: &[f32], y: &mut [f32]) {
    let table = half_table();
    let xs = byte_lane_order(x);
    let n = xs.len();
    assert_eq!(bytes.len(), y.len() * n * Q8_0_BYTES, "Q8_0 matrix bytes");
    for (row, out) in bytes.chunks_exact(n * Q8_0_BYTES).zip(y) {
        let mut acc = f32x4_splat(0.0);
        for (b, x) in blocks::<Q8_0_BYTES>(row, n).iter().zip(&xs) {
            let first = byte_products(load16(b[2..18].try_into().expect("16 quants")), &x[..4]);
            let second = byte_products(load16(b[18..].try_into().expect("16 quants")), &x[4..]);
            acc = f32x4_add(
                acc,
                f32x4_mul(f32x4_add(first, second), f32x4_splat(scale(table, b, 0))),
            );
        }
        *out = lane_sum(acc);
    }
}

/// Σ_j q_j·x_j of 16 signed bytes as four partial sums (`x`: four vectors in byte-lane order).
#[inline(always)]
fn byte_products(v: v128, x: &[v128]) -> v128 {
    let q = |c: u32| f32x4_convert_i32x4(i32x4_shr(i32x4_shl(v, 24 - 8 * c), 24));
    let p01 = f32x4_add(f32x4_mul(q(0), x[0]), f32x4_mul(q(1), x[1]));
    let p23 = f32x4_add(f32x4_mul(q(2), x[2]), f32x4_mul(q(3), x[3]));
    f32x4_add(p01, p23)
}
