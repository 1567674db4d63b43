//! Exact attention on one thread, tiled for wasm `simd128`: O = softmax(Q·Kᵀ·scale + M)·V for a mask
//! whose allowed keys of row i are a prefix 0..hᵢ (full: hᵢ = N, causal: hᵢ = i + 1).
//!
//! Why the blocked kernel ([`crate::attention::exact`]) is slower under wasm — read from
//! `matrixmultiply` 0.3's wasm kernel and the blocked loop, and measured only as whole kernels
//! (tests/e2e/bench-ort.mjs: 1.35–1.75× faster in Chromium) — and what this one does instead:
//! - **register tiles without shuffles**: S = Q·Kᵀ and E·V in 4 × 8 tiles held in eight `v128`
//!   accumulators; each step loads 8 values of the other operand and *splat-loads* each row's scalar
//!   (`v128.load32_splat`), so 16 multiply-adds need 6 loads and no lane shuffle (the general gemm
//!   splats with a shuffle per multiply-add and packs both operands again on every call);
//! - **Kᵀ packed once per head** into panels of 8 keys (d × 8, k-major), not once per row block;
//! - **one softmax pass**: m = maxⱼ sⱼ on the raw scores (scale > 0), then eⱼ = e^((sⱼ − m)·scale) and
//!   Z = Σⱼ eⱼ in the same vector loop; the weights are never normalised — the output row is
//!   (Σⱼ eⱼ·vⱼ)/Z, N·d multiplies fewer than normalising N weights and then multiplying;
//! - **small blocks** (16 query rows, 128 KiB of scores at N = 2048) so scores stay in cache between
//!   the softmax and E·V, and E·V walks V in chunks of 64 keys that stay in L1 for all 16 rows;
//! - **causal work only where allowed**: each 4-row tile multiplies only the key panels up to its
//!   last row (hᵢ), not the block's, in both products.
//!
//! Natively this kernel is slower than the blocked one (its `F4` is 128 bits, `matrixmultiply` uses
//! 256-bit AVX2/FMA there), so [`crate::attention::exact::attend`] uses it only under `simd128`.
//!
//! Results equal the reference within float rounding (sums in the same key order; the scale is
//! applied after subtracting the max and the division after the product, a few ulp apart).

use crate::attention::lanes::F4;
use crate::attention::mask::AttentionMask;
use crate::attention::matrix::MatRef;
use crate::attention::softmax::exp_nonpositive;

/// Query rows per block.
pub const BLOCK: usize = 16;
/// Rows of a register tile.
const MR: usize = 4;
/// Keys of a Kᵀ panel, and output columns of an E·V tile (two `F4`).
const NR: usize = 8;
/// Keys per chunk of E·V (V's rows 64 × d stay in L1 while the block's tiles use them).
const KC: usize = 64;

/// Kᵀ in panels of [`NR`] keys: panel p is k_{8p … 8p+7} as d rows of 8 floats (row c holds
/// k_{8p+l, c} at lane l), the keys past N zero.
fn pack_key_panels(k: MatRef<'_>) -> Vec<f32> {
    let d = k.cols;
    let mut out = vec![0.0f32; k.rows.div_ceil(NR) * d * NR];
    for j in 0..k.rows {
        let base = (j / NR) * d * NR + j % NR;
        for (c, &x) in k.row(j).iter().enumerate() {
            out[base + c * NR] = x;
        }
    }
    out
}

/// acc + a·b in the tiles: rounded twice (a multiply, then an add, as the reference) in the
/// simd128 build; one `f32x4.relaxed_madd` (fused where the CPU has FMA) in the relaxed-SIMD build.
#[inline(always)]
fn madd(acc: F4, a: F4, b: F4) -> F4 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd"))]
    // SAFETY: the relaxed build is loaded only where relaxed SIMD validates, and the tiles inline
    // into `attend_fast_relaxed`, compiled with the target feature.
    return unsafe { acc.relaxed_madd(a, b) };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd")))]
    acc.mul_acc(a, b)
}

/// S-tile: s_{r, l} = Σ_c q_r[c]·panel[c][l] for 4 query rows and the 8 keys of one panel.
///
/// # Safety
/// Each `q[r]` must be readable for `d` floats and `panel` for `d · 8`.
#[inline(always)]
unsafe fn qk_tile(q: [*const f32; MR], panel: *const f32, d: usize) -> [[F4; 2]; MR] {
    let mut acc = [[F4::splat(0.0); 2]; MR];
    for c in 0..d {
        let (b0, b1) = unsafe { (F4::load(panel.add(c * NR)), F4::load(panel.add(c * NR + 4))) };
        for r in 0..MR {
            let a = unsafe { F4::load_splat(q[r].add(c)) };
            acc[r][0] = madd(acc[r][0], a, b0);
            acc[r][1] = madd(acc[r][1], a, b1);
        }
    }
    acc
}

/// O-tile: o_r[0..8] += Σ_{j < keys} e_r[j]·v_j[0..8] for 4 rows, `v` at column c₀ of key j₀'s row
/// (rows `ldv` apart) and `o[r]` the output rows at column c₀.
///
/// # Safety
/// `e[r]` readable for `keys` floats, `v` for `keys` rows of 8 floats `ldv` apart, `o[r]` 8 floats
/// readable and writable (distinct rows, or the same row only when its results are discarded).
#[inline(always)]
unsafe fn pv_tile(e: [*const f32; MR], v: *const f32, ldv: usize, keys: usize, o: [*mut f32; MR]) {
    let mut acc = [[F4::splat(0.0); 2]; MR];
    for r in 0..MR {
        acc[r] = unsafe { [F4::load(o[r]), F4::load(o[r].add(4))] };
    }
    for j in 0..keys {
        let (b0, b1) = unsafe { (F4::load(v.add(j * ldv)), F4::load(v.add(j * ldv + 4))) };
        for r in 0..MR {
            let a = unsafe { F4::load_splat(e[r].add(j)) };
            acc[r][0] = madd(acc[r][0], a, b0);
            acc[r][1] = madd(acc[r][1], a, b1);
        }
    }
    for r in (0..MR).rev() {
        unsafe {
            acc[r][0].store(o[r]);
            acc[r][1].store(o[r].add(4));
        }
    }
}

/// One score row in place: with m = max_{j < h} s_j, s_j ← e^((s_j − m)·scale) for j < h and 0 for
/// h ≤ j < len; returns Z = Σ_j e_j (0 for h = 0), or None when m is not finite (±∞ or NaN scores).
fn exp_row(row: &mut [f32], h: usize, scale: f32) -> Option<f32> {
    let (live, dead) = row.split_at_mut(h);
    dead.fill(0.0);
    if h == 0 {
        return Some(0.0);
    }
    let chunks = live.len() / 4;
    let p = live.as_mut_ptr();
    let mut mv = F4::splat(f32::NEG_INFINITY);
    for c in 0..chunks {
        mv = mv.max(unsafe { F4::load(p.add(4 * c)) });
    }
    let mut m = mv.max_lane();
    for &x in &live[4 * chunks..] {
        m = if x > m { x } else { m };
    }
    if !m.is_finite() {
        return None;
    }
    let (mv, sv) = (F4::splat(m), F4::splat(scale));
    let mut zv = F4::splat(0.0);
    for c in 0..chunks {
        // SAFETY: 4·c + 3 < h = live.len().
        unsafe {
            let e = F4::load(p.add(4 * c)).sub(mv).mul(sv).exp_nonpositive();
            e.store(p.add(4 * c));
            zv = zv.add(e);
        }
    }
    let mut z = zv.sum();
    for x in &mut live[4 * chunks..] {
        *x = exp_nonpositive((*x - m) * scale);
        z += *x;
    }
    Some(z)
}

/// The prefix length hᵢ of every row's allowed keys, or None when some row's keys do not start at 0
/// or the mask is not contiguous (then [`attend_fast`] does not apply).
fn prefix_lengths(mask: &dyn AttentionMask, n_queries: usize, n_keys: usize) -> Option<Vec<usize>> {
    if !mask.is_contiguous() {
        return None;
    }
    (0..n_queries)
        .map(|i| {
            let r = mask.key_range(i, n_keys);
            (r.start == 0 || r.is_empty()).then_some(r.end.min(n_keys) * usize::from(!r.is_empty()))
        })
        .collect()
}

/// Writes O = softmax(Q·Kᵀ·scale + M)·V into `out` (row-major `q.rows × v.cols`) and returns true,
/// or returns false without a usable result when this kernel does not apply: a mask that is not a
/// prefix per row, scale ≤ 0 or not finite, d_v not a multiple of 8, or a row whose scores are
/// not all finite. Callers then use [`crate::attention::exact::attention_rows`].
///
/// In the relaxed-SIMD build (feature `relaxed-simd`) the two products use fused multiply-adds:
/// results then differ from the reference by rounding, within 1e-4.
pub fn attend_fast(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    out: &mut [f32],
) -> bool {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd"))]
    // SAFETY: this build runs only where `WebAssembly.validate` accepted relaxed SIMD
    // (assets/atlas-worker.js), so the target feature is present.
    return unsafe { attend_fast_relaxed(q, k, v, scale, mask, out) };
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd")))]
    attend_fast_body(q, k, v, scale, mask, out)
}

/// [`attend_fast_body`] compiled with relaxed SIMD, so the tiles' `relaxed_madd` inline.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd"))]
#[target_feature(enable = "relaxed-simd")]
unsafe fn attend_fast_relaxed(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    out: &mut [f32],
) -> bool {
    attend_fast_body(q, k, v, scale, mask, out)
}

#[inline(always)]
fn attend_fast_body(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    out: &mut [f32],
) -> bool {
    assert_eq!(q.cols, k.cols, "q and k widths differ");
    assert_eq!(k.rows, v.rows, "k and v lengths differ");
    assert_eq!(out.len(), q.rows * v.cols, "output buffer must be n_queries × d_v");
    let (n_q, n_k, d, d_v) = (q.rows, k.rows, q.cols, v.cols);
    if !(scale > 0.0 && scale.is_finite()) || d_v % NR != 0 {
        return false;
    }
    let Some(h) = prefix_lengths(mask, n_q, n_k) else {
        return false;
    };
    out.fill(0.0);
    if n_q == 0 || n_k == 0 || d_v == 0 {
        return true;
    }
    // Bounds: the last rows exist (row() panics otherwise), so every row pointer below is in range.
    let _ = (q.row(n_q - 1), v.row(n_k - 1));
    let panels = pack_key_panels(k);
    let ld = n_k.div_ceil(NR) * NR;
    let mut s = vec![0.0f32; BLOCK * ld];
    let mut inv = [0.0f32; BLOCK];
    let v_ptr = v.data[v.offset..].as_ptr();
    let mut i0 = 0;
    while i0 < n_q {
        let rows = BLOCK.min(n_q - i0);
        let tiles = rows.div_ceil(MR);
        // Keys each tile needs: the largest prefix of its rows.
        let mut tile_keys = [0usize; BLOCK / MR];
        for (t, keys) in tile_keys.iter_mut().enumerate().take(tiles) {
            *keys = (t * MR..rows.min(t * MR + MR)).map(|r| h[i0 + r]).max().unwrap_or(0);
        }
        let block_panels = tile_keys[..tiles].iter().max().unwrap_or(&0).div_ceil(NR);
        // Row pointers of a tile; rows past the block repeat its last row (results discarded).
        let row_of = |t: usize, r: usize| (t * MR + r).min(rows - 1);
        // S = Q·Kᵀ, panel by panel (one panel in L1 for every tile of the block).
        for p in 0..block_panels {
            let panel = panels[p * d * NR..].as_ptr();
            for t in 0..tiles {
                if p * NR >= tile_keys[t] {
                    continue;
                }
                let qp = std::array::from_fn(|r| q.row(i0 + row_of(t, r)).as_ptr());
                // SAFETY: rows of width d, a panel of d · 8 floats.
                let acc = unsafe { qk_tile(qp, panel, d) };
                for (r, a) in acc.iter().enumerate().take(rows.min(t * MR + MR) - t * MR) {
                    let dst = &mut s[(t * MR + r) * ld + p * NR..][..NR];
                    // SAFETY: dst holds 8 floats.
                    unsafe {
                        a[0].store(dst.as_mut_ptr());
                        a[1].store(dst.as_mut_ptr().add(4));
                    }
                }
            }
        }
        // Softmax numerators in place, up to the tile's key count (zeros past each row's prefix).
        for r in 0..rows {
            let keys = tile_keys[r / MR];
            let row = &mut s[r * ld..r * ld + keys];
            inv[r] = match exp_row(row, h[i0 + r], scale) {
                Some(z) if z > 0.0 => 1.0 / z,
                Some(_) => 0.0,
                None => return false,
            };
        }
        // O = E·V by chunks of KC keys, accumulated in the output rows.
        let out_b = &mut out[i0 * d_v..(i0 + rows) * d_v];
        let o_base = out_b.as_mut_ptr();
        let mut j0 = 0;
        let block_keys = tile_keys[..tiles].iter().copied().max().unwrap_or(0);
        while j0 < block_keys {
            for t in 0..tiles {
                let keys = tile_keys[t].min(j0 + KC).saturating_sub(j0);
                if keys == 0 {
                    continue;
                }
                let ep = std::array::from_fn(|r| s[row_of(t, r) * ld + j0..].as_ptr());
                for c0 in (0..d_v).step_by(NR) {
                    // SAFETY: rows j0..j0 + keys of V exist (keys ≤ n_k − j0) and hold columns
                    // c0..c0 + 8 ≤ d_v; the output rows are the block's (repeated rows of a short
                    // tile are written last by the real row, see pv_tile's store order).
                    unsafe {
                        let op = std::array::from_fn(|r| o_base.add(row_of(t, r) * d_v + c0));
                        pv_tile(ep, v_ptr.add(j0 * v.row_stride + c0), v.row_stride, keys, op);
                    }
                }
            }
            j0 += KC;
        }
        for (r, row) in out_b.chunks_exact_mut(d_v).enumerate() {
            row.iter_mut().for_each(|o| *o *= inv[r]);
        }
        i0 += rows;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::exact::attention_rows;
    use crate::attention::mask::{Causal, DenseMask, Full};
    use crate::attention::matrix::Matrix;
    use crate::attention::rng::{normal_matrix, stream};

    fn reference(q: &Matrix, k: &Matrix, v: &Matrix, scale: f32, mask: &dyn AttentionMask) -> Matrix {
        let mut out = Matrix::zeros(q.rows, v.cols);
        attention_rows(
            q.view(),
            k.view(),
            v.view(),
            scale,
            mask,
            0..q.rows,
            64,
            &mut out.data,
            |_| {},
        );
        out
    }

    #[test]
    fn equals_the_blocked_kernel_within_1e_5_for_ragged_shapes_full_and_causal() {
        let mut rng = stream(3, "fast");
        for &(nq, nk, d, dv) in &[
            (1, 1, 1, 8),
            (5, 5, 3, 8),
            (17, 17, 64, 64),
            (33, 70, 16, 24),
            (130, 130, 64, 64),
            (64, 9, 7, 16),
        ] {
            let q = normal_matrix(&mut rng, nq, d, 1.5);
            let k = normal_matrix(&mut rng, nk, d, 1.5);
            let v = normal_matrix(&mut rng, nk, dv, 1.0);
            for mask in [&Full as &dyn AttentionMask, &Causal] {
                let want = reference(&q, &k, &v, 0.3, mask);
                let mut got = Matrix::zeros(nq, dv);
                assert!(attend_fast(q.view(), k.view(), v.view(), 0.3, mask, &mut got.data));
                let err = got.max_abs_diff(&want);
                assert!(err < 1e-5, "{nq}×{nk}, d {d}, d_v {dv}: {err}");
            }
        }
    }

    #[test]
    fn head_windows_of_a_wider_matrix_work_and_other_cases_decline() {
        let mut rng = stream(4, "fast");
        let (q, k, v) = (
            normal_matrix(&mut rng, 40, 32, 1.0),
            normal_matrix(&mut rng, 40, 32, 1.0),
            normal_matrix(&mut rng, 40, 32, 1.0),
        );
        let (qh, kh, vh) = (q.columns(16, 16), k.columns(16, 16), v.columns(8, 16));
        let mut want = Matrix::zeros(40, 16);
        attention_rows(qh, kh, vh, 0.25, &Causal, 0..40, 64, &mut want.data, |_| {});
        let mut got = Matrix::zeros(40, 16);
        assert!(attend_fast(qh, kh, vh, 0.25, &Causal, &mut got.data));
        assert!(got.max_abs_diff(&want) < 1e-5);
        let mut out = vec![0.0; 40 * 16];
        let dense = DenseMask::from_mask(&Causal, 40, 40);
        assert!(!attend_fast(qh, kh, vh, 0.25, &dense, &mut out), "not contiguous");
        assert!(!attend_fast(qh, kh, vh, -1.0, &Full, &mut out), "negative scale");
        let mut odd = vec![0.0; 40 * 5];
        assert!(!attend_fast(qh, kh, v.columns(0, 5), 0.25, &Full, &mut odd), "d_v = 5");
        let mut inf = q.clone();
        inf.set(3, 20, f32::INFINITY);
        assert!(
            !attend_fast(inf.columns(16, 16), kh, vh, 0.25, &Full, &mut out),
            "infinite score"
        );
    }
}
