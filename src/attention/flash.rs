//! Exact attention by the FlashAttention online-softmax recurrence (Dao et al. 2022, Milakov &
//! Gimelshein 2018): keys are visited in tiles and the N×N matrix is never materialised.
//!
//! For each query row i and key tile t, with tile scores s_j = q_i·k_j·scale (masked to −∞):
//!   m' = max(m, max_j s_j)
//!   ℓ' = e^(m − m')·ℓ + Σ_j e^(s_j − m')
//!   o' = e^(m − m')·o + Σ_j e^(s_j − m')·v_j
//! and finally o / ℓ. Memory is O(tile_q · tile_k) for scores, whatever N is. A row with no allowed
//! key keeps ℓ = 0 and yields zeros.

use crate::attention::mask::AttentionMask;
use crate::attention::matrix::{matmul_acc_into, matmul_transb_into, MatRef, Matrix};
use crate::attention::reduce::{max_of, sum_of};
use crate::attention::softmax::exp_nonpositive;

/// Running state of one row's online softmax: the max m so far and the sum ℓ of e^(s − m).
#[derive(Clone, Copy, Debug)]
pub struct OnlineSoftmax {
    pub max: f32,
    pub sum: f32,
}

impl Default for OnlineSoftmax {
    fn default() -> Self {
        Self {
            max: f32::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl OnlineSoftmax {
    /// Folds a tile of scores in: turns `scores` into e^(s − m') in place and returns the factor
    /// e^(m − m') by which earlier accumulations must be rescaled. A tile with no finite score
    /// leaves the state unchanged and returns 1 (its entries become 0).
    pub fn absorb(&mut self, scores: &mut [f32]) -> f32 {
        let tile_max = max_of(scores);
        if tile_max == f32::NEG_INFINITY {
            scores.fill(0.0);
            return 1.0;
        }
        let new_max = self.max.max(tile_max);
        let rescale = if self.max == f32::NEG_INFINITY {
            0.0
        } else {
            exp_nonpositive(self.max - new_max)
        };
        for s in scores.iter_mut() {
            *s = exp_nonpositive(*s - new_max);
        }
        let tile_sum = sum_of(scores);
        self.sum = self.sum * rescale + tile_sum;
        self.max = new_max;
        rescale
    }

    /// 1/ℓ, or 0 for a row that saw no allowed key.
    pub fn inv_sum(&self) -> f32 {
        if self.sum > 0.0 {
            1.0 / self.sum
        } else {
            0.0
        }
    }
}

/// Tile sizes of the online-softmax kernel (query rows × key columns per step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tiles {
    pub queries: usize,
    pub keys: usize,
}

impl Default for Tiles {
    fn default() -> Self {
        Self { queries: 64, keys: 64 }
    }
}

/// O = softmax(Q·Kᵀ·scale + M)·V computed tile by tile with the online softmax (see module doc).
pub fn flash_attend(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    mask: &dyn AttentionMask,
    tiles: Tiles,
) -> Matrix {
    assert_eq!(q.cols, k.cols, "q and k widths differ");
    assert_eq!(k.rows, v.rows, "k and v lengths differ");
    let (bq, bk) = (tiles.queries.max(1), tiles.keys.max(1));
    let d_v = v.cols;
    let mut out = Matrix::zeros(q.rows, d_v);
    let mut s = vec![0.0f32; bq * bk];
    let mut state = vec![OnlineSoftmax::default(); bq];
    let mut q0 = 0;
    while q0 < q.rows {
        let nq = bq.min(q.rows - q0);
        state[..nq].fill(OnlineSoftmax::default());
        // Keys any row of this block may need: skip tiles the mask rules out entirely (causal).
        let key_end = (q0..q0 + nq).map(|i| mask.key_range(i, k.rows).end).max().unwrap_or(0);
        let key_start = (q0..q0 + nq)
            .map(|i| mask.key_range(i, k.rows).start)
            .min()
            .unwrap_or(0);
        let out_b = &mut out.data[q0 * d_v..(q0 + nq) * d_v];
        let mut k0 = key_start;
        while k0 < key_end {
            let nk = bk.min(key_end - k0);
            let s_t = &mut s[..nq * nk];
            matmul_transb_into(scale, q.rows_range(q0, nq), k.rows_range(k0, nk), s_t);
            for r in 0..nq {
                let row = &mut s_t[r * nk..(r + 1) * nk];
                for (c, val) in row.iter_mut().enumerate() {
                    if !mask.allows(q0 + r, k0 + c) {
                        *val = f32::NEG_INFINITY;
                    }
                }
                let rescale = state[r].absorb(row);
                if rescale != 1.0 {
                    out_b[r * d_v..(r + 1) * d_v].iter_mut().for_each(|o| *o *= rescale);
                }
            }
            let p = MatRef {
                data: s_t,
                offset: 0,
                rows: nq,
                cols: nk,
                row_stride: nk,
            };
            matmul_acc_into(p, v.rows_range(k0, nk), out_b);
            k0 += nk;
        }
        for r in 0..nq {
            let inv = state[r].inv_sum();
            out_b[r * d_v..(r + 1) * d_v].iter_mut().for_each(|o| *o *= inv);
        }
        q0 += nq;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::exact::attend;
    use crate::attention::mask::{Causal, DenseMask, Full};
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn online_softmax_equals_the_two_pass_kernel_for_many_shapes_and_tiles() {
        let mut rng = stream(11, "flash");
        for &(n, d) in &[(1, 4), (5, 3), (33, 8), (100, 16), (130, 7)] {
            let q = normal_matrix(&mut rng, n, d, 1.5);
            let k = normal_matrix(&mut rng, n, d, 1.5);
            let v = normal_matrix(&mut rng, n, d + 1, 1.0);
            for tiles in [
                Tiles { queries: 1, keys: 1 },
                Tiles { queries: 16, keys: 7 },
                Tiles::default(),
            ] {
                for mask in [&Full as &dyn AttentionMask, &Causal] {
                    let a = attend(q.view(), k.view(), v.view(), 0.4, mask);
                    let b = flash_attend(q.view(), k.view(), v.view(), 0.4, mask, tiles);
                    assert!(
                        a.max_abs_diff(&b) < 1e-5,
                        "n={n} d={d} tiles={tiles:?}: {}",
                        a.max_abs_diff(&b)
                    );
                }
            }
        }
    }

    #[test]
    fn a_row_with_no_allowed_key_is_zero_not_nan() {
        let mut rng = stream(2, "empty");
        let q = normal_matrix(&mut rng, 4, 3, 1.0);
        let v = normal_matrix(&mut rng, 4, 3, 1.0);
        let mut m = DenseMask::from_mask(&Full, 4, 4);
        for j in 0..4 {
            m.allowed[2 * 4 + j] = false;
        }
        let o = flash_attend(q.view(), q.view(), v.view(), 1.0, &m, Tiles { queries: 2, keys: 2 });
        assert!(o.data.iter().all(|x| x.is_finite()));
        assert_eq!(o.row(2), &[0.0, 0.0, 0.0]);
        let e = attend(q.view(), q.view(), v.view(), 1.0, &m);
        assert!(o.max_abs_diff(&e) < 1e-6);
    }
}
