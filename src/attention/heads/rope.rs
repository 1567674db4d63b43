//! Rotary position embedding (RoPE; Su et al. 2021, "RoFormer"), as used by LLaMA.
//!
//! A width-d query or key vector at position p is split into d/2 coordinate pairs; pair i is rotated by
//! the angle φ_i(p) = p·θ^(−2i/d), where θ is the base:
//!
//!   (a, b) ↦ (a·cos φ − b·sin φ,  a·sin φ + b·cos φ).
//!
//! Rotations compose, R(m)ᵀR(n) = R(n − m), so ⟨R(m)·q, R(n)·k⟩ depends on the positions only through
//! n − m: attention scores see relative position. Low pairs turn fast (wavelength 2π), high pairs
//! slowly (wavelength 2π·θ^((d−2)/d)).
//!
//! Two layouts pair the coordinates differently; both apply the same angle to pair i:
//! - [`RopeLayout::Interleaved`]: pair i is (x_{2i}, x_{2i+1}), read as the complex number
//!   x_{2i} + i·x_{2i+1} and multiplied by e^{iφ_i}. This is Meta's original LLaMA code
//!   (`apply_rotary_emb` with `torch.view_as_complex`).
//! - [`RopeLayout::RotateHalf`]: pair i is (x_i, x_{i+d/2}); HF transformers computes
//!   x·cos + rotate_half(x)·sin with rotate_half(x) = [−x_{d/2..d}, x_{0..d/2}]. HF's LLaMA conversion
//!   script permutes the rows of W_Q and W_K so the two layouts give the same scores
//!   (see [`interleaved_to_half_order`]).
//!
//! Base θ: 10000 in RoFormer and LLaMA-1/2 (`rope_theta` 10000.0 in Llama-2 config.json), 500000 in
//! LLaMA-3/3.1 (`rope_theta` 500000.0), which lengthens the slowest wavelengths for long contexts.

use std::f64::consts::TAU;

use crate::attention::heads::error::{positive, HeadsError};
use crate::attention::matrix::Matrix;

/// RoPE base of RoFormer and LLaMA-1/2 (`rope_theta` in meta-llama/Llama-2-7b-hf config.json).
pub const LLAMA2_ROPE_THETA: f64 = 10_000.0;
/// RoPE base of LLaMA-3/3.1 (`rope_theta` in meta-llama/Llama-3.1-8B config.json; Llama 3 paper §3.2).
pub const LLAMA3_ROPE_THETA: f64 = 500_000.0;

/// Which coordinates form a rotated pair (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RopeLayout {
    /// Pair i = (x_i, x_{i+d/2}): HF transformers' `rotate_half`.
    RotateHalf,
    /// Pair i = (x_{2i}, x_{2i+1}): Meta's original complex-number implementation.
    Interleaved,
}

/// A rotary embedding of even width `dim` with base `base`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rope {
    pub dim: usize,
    pub base: f64,
    pub layout: RopeLayout,
}

impl Rope {
    /// A RoPE of width `dim` (must be even and positive) and base θ (clamped to at least 1; NaN → 1).
    pub fn new(dim: usize, base: f64, layout: RopeLayout) -> Result<Self, HeadsError> {
        positive(dim, "RoPE width")?;
        if !dim.is_multiple_of(2) {
            return Err(HeadsError::OddRopeWidth(dim));
        }
        Ok(Self {
            dim,
            base: base.max(1.0),
            layout,
        })
    }

    /// Number of rotated pairs, d/2.
    pub fn pairs(&self) -> usize {
        self.dim / 2
    }

    /// Frequency of pair i: θ^(−2i/d) radians per position.
    pub fn inv_freq(&self, i: usize) -> f64 {
        self.base.powf(-2.0 * i as f64 / self.dim as f64)
    }

    /// Angle of pair i at position p: φ_i(p) = p·θ^(−2i/d), unwrapped.
    pub fn angle(&self, pos: usize, i: usize) -> f64 {
        pos as f64 * self.inv_freq(i)
    }

    /// Wavelength of pair i in positions: 2π·θ^(2i/d).
    pub fn wavelength(&self, i: usize) -> f64 {
        TAU / self.inv_freq(i)
    }

    /// Angles φ_i(p) wrapped to [0, 2π), `n_positions × d/2` (row p, column i) — the dial picture.
    pub fn angle_table(&self, n_positions: usize) -> Matrix {
        Matrix::from_fn(n_positions, self.pairs(), |p, i| {
            self.angle(p, i).rem_euclid(TAU) as f32
        })
    }

    /// The two coordinates rotated together as pair i.
    pub fn pair(&self, i: usize) -> (usize, usize) {
        match self.layout {
            RopeLayout::RotateHalf => (i, i + self.dim / 2),
            RopeLayout::Interleaved => (2 * i, 2 * i + 1),
        }
    }

    /// Rotates `x` (length d) in place as the vector at position `pos`.
    pub fn rotate(&self, x: &mut [f32], pos: usize) -> Result<(), HeadsError> {
        if x.len() != self.dim {
            return Err(HeadsError::WidthMismatch {
                what: "RoPE input",
                expected: self.dim,
                got: x.len(),
            });
        }
        self.rotate_unchecked(x, pos);
        Ok(())
    }

    /// The rotation itself; `x.len()` is `dim`.
    fn rotate_unchecked(&self, x: &mut [f32], pos: usize) {
        self.apply(x, &self.sin_cos(pos));
    }

    /// (sin φ_i(p), cos φ_i(p)) for every pair i at position p.
    fn sin_cos(&self, pos: usize) -> Vec<(f64, f64)> {
        (0..self.pairs()).map(|i| self.angle(pos, i).sin_cos()).collect()
    }

    /// Rotates `x` (length d) by precomputed (sin, cos) pairs.
    fn apply(&self, x: &mut [f32], table: &[(f64, f64)]) {
        for (i, (sin, cos)) in table.iter().enumerate() {
            let (ia, ib) = self.pair(i);
            let (a, b) = (x[ia] as f64, x[ib] as f64);
            x[ia] = (a * cos - b * sin) as f32;
            x[ib] = (a * sin + b * cos) as f32;
        }
    }

    /// RoFormer's long-term decay curve: the score of two all-ones vectors at distance Δ, divided by
    /// d: (2/d)·Σ_i cos(Δ·θ^(−2i/d)). It is 1 at Δ = 0 and oscillates with a shrinking envelope as Δ grows.
    pub fn ones_score(&self, distance: usize) -> f64 {
        let sum: f64 = (0..self.pairs()).map(|i| self.angle(distance, i).cos()).sum();
        2.0 * sum / self.dim as f64
    }

    /// Rotates columns `col_start .. col_start + d` of every row, row i as position `first_pos + i`
    /// (one head's slice of Q or K).
    pub fn rotate_rows(&self, m: &mut Matrix, col_start: usize, first_pos: usize) -> Result<(), HeadsError> {
        if col_start + self.dim > m.cols {
            return Err(HeadsError::WidthMismatch {
                what: "RoPE column window end",
                expected: m.cols,
                got: col_start + self.dim,
            });
        }
        for i in 0..m.rows {
            let row = &mut m.row_mut(i)[col_start..col_start + self.dim];
            self.rotate_unchecked(row, first_pos + i);
        }
        Ok(())
    }

    /// Rotates every d-wide column window of every row (all heads of a Q or K matrix laid side by
    /// side), row i as position `first_pos + i`; the angles are computed once per row. The width must
    /// be a multiple of d.
    pub fn rotate_heads(&self, m: &mut Matrix, first_pos: usize) -> Result<(), HeadsError> {
        if !m.cols.is_multiple_of(self.dim) {
            return Err(HeadsError::WidthMismatch {
                what: "RoPE input (a multiple of the RoPE width)",
                expected: m.cols.div_ceil(self.dim) * self.dim,
                got: m.cols,
            });
        }
        for i in 0..m.rows {
            let table = self.sin_cos(first_pos + i);
            for head in m.row_mut(i).chunks_exact_mut(self.dim) {
                self.apply(head, &table);
            }
        }
        Ok(())
    }
}

/// The coordinate order that turns an interleaved-layout vector into a rotate-half one:
/// u = v[order] with order = [0, 2, 4, …, d−2, 1, 3, …, d−1], so u_i = v_{2i} and u_{i+d/2} = v_{2i+1}.
/// Then RotateHalf(u) = (Interleaved(v))[order]; HF applies this permutation to W_Q and W_K rows.
pub fn interleaved_to_half_order(dim: usize) -> Vec<usize> {
    (0..dim / 2)
        .map(|i| 2 * i)
        .chain((0..dim / 2).map(|i| 2 * i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_vec, stream};

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    fn rotated(rope: &Rope, x: &[f32], pos: usize) -> Vec<f32> {
        let mut y = x.to_vec();
        rope.rotate(&mut y, pos).unwrap();
        y
    }

    #[test]
    fn score_after_rope_depends_only_on_the_position_difference() {
        let q = normal_vec(&mut stream(3, "q"), 16, 1.0);
        let k = normal_vec(&mut stream(3, "k"), 16, 1.0);
        for layout in [RopeLayout::RotateHalf, RopeLayout::Interleaved] {
            for base in [LLAMA2_ROPE_THETA, LLAMA3_ROPE_THETA] {
                let rope = Rope::new(16, base, layout).unwrap();
                for (m, n) in [(3, 11), (20, 4), (0, 0)] {
                    let s = dot(&rotated(&rope, &q, m), &rotated(&rope, &k, n));
                    for t in [1, 57, 1000] {
                        let s_t = dot(&rotated(&rope, &q, m + t), &rotated(&rope, &k, n + t));
                        assert!(
                            (s - s_t).abs() < 1e-4,
                            "{layout:?} θ={base} ({m},{n})+{t}: {s} vs {s_t}"
                        );
                    }
                }
                // And it does depend on the difference.
                let s1 = dot(&rotated(&rope, &q, 0), &rotated(&rope, &k, 1));
                let s5 = dot(&rotated(&rope, &q, 0), &rotated(&rope, &k, 5));
                assert!((s1 - s5).abs() > 1e-3);
            }
        }
    }

    #[test]
    fn angle_of_pair_i_at_position_p_is_p_times_base_to_minus_2i_over_d() {
        let rope = Rope::new(8, 10_000.0, RopeLayout::RotateHalf).unwrap();
        // d = 8, i = 1: 10000^(−2/8) = 10000^(−1/4) = 0.1, so φ at p = 3 is 0.3.
        assert!((rope.angle(3, 1) - 0.3).abs() < 1e-12);
        assert!((rope.inv_freq(2) - 0.01).abs() < 1e-12);
        assert!((rope.wavelength(0) - TAU).abs() < 1e-12);
        let table = rope.angle_table(10);
        // Position 7, pair 0: 7 rad wraps to 7 − 2π.
        assert!((table.get(7, 0) as f64 - (7.0 - TAU)).abs() < 1e-6);
        assert!((table.get(3, 1) - 0.3).abs() < 1e-6);
    }

    #[test]
    fn rotation_keeps_norm_and_position_zero_is_identity() {
        let x = normal_vec(&mut stream(1, "x"), 12, 1.0);
        for layout in [RopeLayout::RotateHalf, RopeLayout::Interleaved] {
            let rope = Rope::new(12, 10_000.0, layout).unwrap();
            assert_eq!(rotated(&rope, &x, 0), x);
            let y = rotated(&rope, &x, 42);
            assert!((dot(&y, &y) - dot(&x, &x)).abs() < 1e-4);
        }
    }

    #[test]
    fn interleaved_equals_rotate_half_after_the_hf_permutation() {
        let v = normal_vec(&mut stream(2, "v"), 10, 1.0);
        let order = interleaved_to_half_order(10);
        assert_eq!(order, vec![0, 2, 4, 6, 8, 1, 3, 5, 7, 9]);
        let u: Vec<f32> = order.iter().map(|&j| v[j]).collect();
        let inter = Rope::new(10, 10_000.0, RopeLayout::Interleaved).unwrap();
        let half = Rope::new(10, 10_000.0, RopeLayout::RotateHalf).unwrap();
        let a = rotated(&half, &u, 9);
        let b = rotated(&inter, &v, 9);
        let b_perm: Vec<f32> = order.iter().map(|&j| b[j]).collect();
        for (x, y) in a.iter().zip(&b_perm) {
            assert!((x - y).abs() < 1e-6);
        }
    }

    #[test]
    fn ones_score_is_the_normalised_dot_product_of_rotated_ones() {
        let ones = vec![1.0f32; 16];
        for layout in [RopeLayout::RotateHalf, RopeLayout::Interleaved] {
            let rope = Rope::new(16, 10_000.0, layout).unwrap();
            assert!((rope.ones_score(0) - 1.0).abs() < 1e-12);
            for (m, n) in [(0, 3), (5, 40), (2, 900)] {
                let s = dot(&rotated(&rope, &ones, m), &rotated(&rope, &ones, n)) as f64 / 16.0;
                assert!((s - rope.ones_score(n - m)).abs() < 1e-5, "{layout:?} Δ = {}", n - m);
            }
        }
    }

    #[test]
    fn rotate_heads_rotates_every_window_like_rotate_rows() {
        let rope = Rope::new(4, 100.0, RopeLayout::Interleaved).unwrap();
        let m = Matrix::from_fn(3, 12, |i, j| ((i * 12 + j) as f32 * 0.37).sin());
        let mut all = m.clone();
        rope.rotate_heads(&mut all, 2).unwrap();
        let mut one_by_one = m.clone();
        for h in 0..3 {
            rope.rotate_rows(&mut one_by_one, 4 * h, 2).unwrap();
        }
        assert_eq!(all, one_by_one);
        assert!(rope.rotate_heads(&mut Matrix::zeros(2, 6), 0).is_err());
    }

    #[test]
    fn bad_widths_are_typed_errors() {
        assert_eq!(
            Rope::new(7, 10_000.0, RopeLayout::RotateHalf),
            Err(HeadsError::OddRopeWidth(7))
        );
        assert_eq!(
            Rope::new(0, 10_000.0, RopeLayout::RotateHalf),
            Err(HeadsError::Zero("RoPE width"))
        );
        let rope = Rope::new(4, f64::NAN, RopeLayout::Interleaved).unwrap();
        assert_eq!(rope.base, 1.0);
        assert!(rope.rotate(&mut [0.0; 3], 1).is_err());
        let mut m = Matrix::zeros(2, 5);
        assert!(rope.rotate_rows(&mut m, 2, 0).is_err());
        assert!(rope.rotate_rows(&mut m, 1, 0).is_ok());
    }

    #[test]
    fn rotate_rows_uses_row_index_as_position() {
        let rope = Rope::new(4, 100.0, RopeLayout::RotateHalf).unwrap();
        let mut m = Matrix::from_fn(3, 6, |i, j| (i * 6 + j) as f32 * 0.1);
        let orig = m.clone();
        rope.rotate_rows(&mut m, 2, 5).unwrap();
        for i in 0..3 {
            assert_eq!(&m.row(i)[..2], &orig.row(i)[..2]);
            assert_eq!(m.row(i)[2..6].to_vec(), rotated(&rope, &orig.row(i)[2..6], 5 + i));
        }
    }
}
