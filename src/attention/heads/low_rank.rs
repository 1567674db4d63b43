//! The low-rank lesson behind MLA: how much of a K or V matrix (or the joint [K V]) survives in
//! r dimensions, and what caching r numbers per token instead of all of them saves.
//!
//! With the singular value decomposition M = U·Σ·Vᵀ (σ_1 ≥ σ_2 ≥ … ≥ 0), the best rank-r
//! approximation in Frobenius norm is M_r = U_r·Σ_r·V_rᵀ (Eckart–Young), and
//!   energy kept   E(r) = Σ_{i≤r} σ_i² / Σ_i σ_i²,
//!   relative error ‖M − M_r‖_F / ‖M‖_F = √(Σ_{i>r} σ_i²) / √(Σ_i σ_i²) = √(1 − E(r)).
//! A token row m_t of M is then m_t ≈ c_t·(Σ_r·V_rᵀ) with c_t = (U_r)_t of width r: cache the r-wide
//! c_t instead of the full row, and the fraction of KV memory saved is 1 − r / (row width). MLA
//! learns such a down-projection (d_c = 512 against 2·n_h·d_h = 32,768 numbers in DeepSeek-V2)
//! instead of computing it by SVD.

use nalgebra::{DMatrix, SVD};

use crate::attention::heads::error::HeadsError;
use crate::attention::matrix::Matrix;

/// A matrix's singular values (descending) and singular vectors, kept for reconstructions.
#[derive(Clone, Debug)]
pub struct LowRank {
    /// σ_1 ≥ σ_2 ≥ … ≥ σ_min(rows, cols).
    pub singular_values: Vec<f64>,
    /// Row width of the decomposed matrix (numbers per token).
    pub cols: usize,
    /// U with columns in the order of `singular_values`, rows × k.
    u: DMatrix<f64>,
    /// Vᵀ with rows in the order of `singular_values`, k × cols.
    v_t: DMatrix<f64>,
}

/// One point of the rank curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankPoint {
    /// Rank r (clamped to 0..=max rank).
    pub rank: usize,
    /// E(r) = Σ_{i≤r} σ_i² / Σ σ_i² (1 for the zero matrix).
    pub energy: f64,
    /// √(1 − E(r)): relative Frobenius error of the best rank-r approximation.
    pub relative_error: f64,
    /// 1 − r / cols: fraction of per-token cache saved by storing r numbers instead of cols.
    pub memory_saved: f64,
}

/// Iteration cap for the SVD, so a pathological input returns an error instead of spinning.
const SVD_MAX_ITERATIONS: usize = 100_000;

impl LowRank {
    /// SVD of `m` (in f64). Errors on an empty matrix, a non-finite entry or no convergence.
    pub fn of(m: &Matrix) -> Result<Self, HeadsError> {
        if m.rows == 0 || m.cols == 0 {
            return Err(HeadsError::Zero("matrix size"));
        }
        if m.data.iter().any(|v| !v.is_finite()) {
            return Err(HeadsError::SvdFailed);
        }
        let a = DMatrix::from_row_slice(m.rows, m.cols, &m.data).map(|v| v as f64);
        let svd = SVD::try_new(a, true, true, f64::EPSILON, SVD_MAX_ITERATIONS).ok_or(HeadsError::SvdFailed)?;
        let (u, v_t) = match (svd.u, svd.v_t) {
            (Some(u), Some(v_t)) => (u, v_t),
            _ => return Err(HeadsError::SvdFailed),
        };
        let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
        order.sort_by(|&i, &j| svd.singular_values[j].total_cmp(&svd.singular_values[i]));
        Ok(Self {
            singular_values: order.iter().map(|&i| svd.singular_values[i]).collect(),
            cols: m.cols,
            u: DMatrix::from_fn(u.nrows(), order.len(), |r, c| u[(r, order[c])]),
            v_t: DMatrix::from_fn(order.len(), v_t.ncols(), |r, c| v_t[(order[r], c)]),
        })
    }

    /// The largest meaningful rank, min(rows, cols).
    pub fn max_rank(&self) -> usize {
        self.singular_values.len()
    }

    /// Σ σ_i² = ‖M‖_F².
    fn total_energy(&self) -> f64 {
        self.singular_values.iter().map(|s| s * s).sum()
    }

    /// The curve point at rank r (clamped to 0..=max_rank).
    pub fn at(&self, r: usize) -> RankPoint {
        let rank = r.min(self.max_rank());
        let total = self.total_energy();
        let kept: f64 = self.singular_values[..rank].iter().map(|s| s * s).sum();
        let energy = if total > 0.0 { (kept / total).min(1.0) } else { 1.0 };
        let tail: f64 = self.singular_values[rank..].iter().map(|s| s * s).sum();
        let relative_error = if total > 0.0 { (tail / total).sqrt() } else { 0.0 };
        RankPoint {
            rank,
            energy,
            relative_error,
            memory_saved: 1.0 - rank as f64 / self.cols as f64,
        }
    }

    /// Every point r = 0, 1, …, max_rank.
    pub fn curve(&self) -> Vec<RankPoint> {
        (0..=self.max_rank()).map(|r| self.at(r)).collect()
    }

    /// Where a cache width d_c falls on the curve (d_c clamped to the max rank).
    pub fn place(&self, d_c: usize) -> RankPoint {
        self.at(d_c)
    }

    /// The best rank-r approximation M_r = U_r·Σ_r·V_rᵀ (r clamped).
    pub fn reconstruct(&self, r: usize) -> Matrix {
        let r = r.min(self.max_rank());
        Matrix::from_fn(self.u.nrows(), self.cols, |i, j| {
            (0..r)
                .map(|k| self.u[(i, k)] * self.singular_values[k] * self.v_t[(k, j)])
                .sum::<f64>() as f32
        })
    }
}

/// The joint matrix [K V] (tokens × (d_k + d_v)) whose rank says how well one shared latent can
/// rebuild both keys and values, as MLA's c_KV does.
pub fn joint_kv(k: &Matrix, v: &Matrix) -> Result<Matrix, HeadsError> {
    if k.rows != v.rows {
        return Err(HeadsError::WidthMismatch {
            what: "V rows",
            expected: k.rows,
            got: v.rows,
        });
    }
    Ok(Matrix::from_fn(k.rows, k.cols + v.cols, |i, j| {
        if j < k.cols {
            k.get(i, j)
        } else {
            v.get(i, j - k.cols)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_matrix, stream};

    fn relative_frobenius(a: &Matrix, b: &Matrix) -> f64 {
        let num: f64 = a.data.iter().zip(&b.data).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
        let den: f64 = a.data.iter().map(|x| (*x as f64).powi(2)).sum();
        (num / den).sqrt()
    }

    #[test]
    fn reconstruction_error_matches_the_singular_value_tail_and_never_grows_with_rank() {
        let k = normal_matrix(&mut stream(4, "k"), 20, 12, 1.0);
        let v = normal_matrix(&mut stream(4, "v"), 20, 12, 1.0);
        let m = joint_kv(&k, &v).unwrap();
        let lr = LowRank::of(&m).unwrap();
        assert_eq!(lr.max_rank(), 20);
        let total: f64 = lr.singular_values.iter().map(|s| s * s).sum();
        let mut previous = f64::INFINITY;
        for r in 0..=20 {
            let measured = relative_frobenius(&m, &lr.reconstruct(r));
            let tail: f64 = lr.singular_values[r..].iter().map(|s| s * s).sum();
            let formula = (tail / total).sqrt();
            assert!((measured - formula).abs() < 1e-5, "r = {r}: {measured} vs {formula}");
            assert!((lr.at(r).relative_error - formula).abs() < 1e-12);
            assert!(measured <= previous + 1e-9, "monotone at r = {r}");
            previous = measured;
        }
        assert!(relative_frobenius(&m, &lr.reconstruct(20)) < 1e-5, "full rank is exact");
        assert!(lr.singular_values.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn a_rank_two_matrix_is_exact_at_rank_two_and_saves_memory() {
        // M = a·bᵀ + c·dᵀ has rank 2: E(2) = 1 and the error vanishes.
        let m = Matrix::from_fn(6, 8, |i, j| {
            (i as f32 + 1.0) * (j as f32 - 3.0) + ((i * i) as f32 * 0.5) * if j % 2 == 0 { 1.0 } else { -2.0 }
        });
        let lr = LowRank::of(&m).unwrap();
        let p = lr.place(2);
        assert!((p.energy - 1.0).abs() < 1e-9);
        assert!(p.relative_error < 1e-6);
        // 8 numbers per token → 2: saves 1 − 2/8 = 75 %.
        assert_eq!(p.memory_saved, 0.75);
        assert_eq!(lr.place(99).rank, 6, "d_c is clamped to the max rank");
        assert_eq!(lr.curve().len(), 7);
        assert_eq!(lr.at(0).energy, 0.0);
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert_eq!(
            LowRank::of(&Matrix::zeros(0, 3)).unwrap_err(),
            HeadsError::Zero("matrix size")
        );
        let mut m = Matrix::zeros(2, 2);
        m.set(0, 1, f32::NAN);
        assert_eq!(LowRank::of(&m).unwrap_err(), HeadsError::SvdFailed);
        assert!(joint_kv(&Matrix::zeros(2, 2), &Matrix::zeros(3, 2)).is_err());
        // The zero matrix: nothing to lose.
        let z = LowRank::of(&Matrix::zeros(3, 3)).unwrap();
        assert_eq!(z.at(0).relative_error, 0.0);
        assert_eq!(z.at(0).energy, 1.0);
    }
}
