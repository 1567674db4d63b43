//! Linformer (Wang, Li, Khabsa, Fang & Ma 2020, "Linformer: Self-Attention with Linear Complexity").
//!
//! Two k × N matrices E and F compress keys and values along the sequence axis:
//!
//!   P = softmax(Q·(E·K)ᵀ·scale)   (N × k)        O = P·(F·V)   (N × d_v)
//!
//! Cost O(N·k·d) instead of O(N²·d); the largest buffer is P, N·k values. The paper's argument is that
//! the N × N attention matrix is approximately low rank, so k ≪ N rows of "summary keys" suffice; by
//! Johnson–Lindenstrauss, random E, F with N(0, 1/k) entries keep the products accurate (their
//! Theorem 2). Mean pooling over contiguous segments is the simplest deterministic choice.
//!
//! Why keys and values, never queries: row i of O answers query i, so the output must keep N rows.
//! Projecting Q along the sequence would leave k outputs for N positions. Projecting K and V only
//! shrinks what every query looks at (k summary positions), so each of the N queries still gets its
//! own row. The price: a summary position mixes all N tokens, including future ones, so this form has
//! no causal mask.

use crate::attention::approx::output::ApproxOutput;
use crate::attention::exact::attention_weights;
use crate::attention::mask::Full;
use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};

/// How the k × N sequence projections E and F are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectionKind {
    /// Independent N(0, 1/k) entries (the paper's JL projection), E from stream "linformer_e",
    /// F from "linformer_f".
    Gaussian,
    /// Row r averages the contiguous segment ⌊r·N/k⌋ .. ⌊(r+1)·N/k⌋ of positions (E = F).
    MeanPool,
}

/// The projections E (for keys) and F (for values), both k × N.
#[derive(Clone, Debug, PartialEq)]
pub struct LinformerProjections {
    /// E, k × N: compresses the keys, K ↦ E·K.
    pub e: Matrix,
    /// F, k × N: compresses the values, V ↦ F·V.
    pub f: Matrix,
}

impl LinformerProjections {
    /// E and F of the given kind for sequence length `n`; `k` is clamped to 1 ..= max(n, 1).
    pub fn new(kind: ProjectionKind, n: usize, k: usize, seed: u64) -> Self {
        let k = k.clamp(1, n.max(1));
        match kind {
            ProjectionKind::Gaussian => Self::gaussian(n, k, seed),
            ProjectionKind::MeanPool => Self::mean_pool(n, k),
        }
    }

    /// E, F with independent N(0, 1/k) entries (std 1/√k), seeded.
    pub fn gaussian(n: usize, k: usize, seed: u64) -> Self {
        let std = 1.0 / (k.max(1) as f32).sqrt();
        Self {
            e: normal_matrix(&mut stream(seed, "linformer_e"), k, n, std),
            f: normal_matrix(&mut stream(seed, "linformer_f"), k, n, std),
        }
    }

    /// E = F: row r holds 1/|S_r| on its segment S_r = ⌊r·N/k⌋ .. ⌊(r+1)·N/k⌋ and 0 elsewhere
    /// (needs 1 ≤ k ≤ N for every segment to be non-empty; [`LinformerProjections::new`] clamps).
    pub fn mean_pool(n: usize, k: usize) -> Self {
        let k = k.max(1);
        let mut e = Matrix::zeros(k, n);
        for r in 0..k {
            let (start, end) = (r * n / k, (r + 1) * n / k);
            let w = 1.0 / (end - start).max(1) as f32;
            e.row_mut(r)[start..end].fill(w);
        }
        Self { f: e.clone(), e }
    }

    /// E = F = I_N: no compression, so Linformer reduces to exact attention.
    pub fn identity(n: usize) -> Self {
        Self {
            e: Matrix::identity(n),
            f: Matrix::identity(n),
        }
    }

    /// The projected length k.
    pub fn k(&self) -> usize {
        self.e.rows
    }
}

/// Linformer's result: the output and its N × k attention weights P over the k summary positions.
#[derive(Clone, Debug, PartialEq)]
pub struct LinformerOutput {
    /// O = P·(F·V) and the peak buffer.
    pub attended: ApproxOutput,
    /// P = softmax(Q(EK)ᵀ·scale), N × k; each row sums to 1.
    pub weights: Matrix,
}

/// P = softmax(Q·(E·K)ᵀ·scale) and O = P·(F·V). Panics if E, F were drawn for another length than
/// K's (the view always draws them for the current N).
pub fn linformer_attend(
    q: MatRef<'_>,
    k: MatRef<'_>,
    v: MatRef<'_>,
    scale: f32,
    proj: &LinformerProjections,
) -> LinformerOutput {
    assert_eq!(proj.e.cols, k.rows, "E was drawn for another sequence length");
    assert_eq!(proj.f.cols, v.rows, "F was drawn for another sequence length");
    let ek = matmul(proj.e.view(), k); // k × d
    let fv = matmul(proj.f.view(), v); // k × d_v
    let weights = attention_weights(q, ek.view(), scale, &Full);
    let output = matmul(weights.view(), fv.view());
    let peak = ek.data.len().max(fv.data.len()).max(weights.data.len());
    LinformerOutput {
        attended: ApproxOutput {
            output,
            peak_intermediate_len: peak,
        },
        weights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::exact::attend;
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn identity_projection_with_k_equal_n_is_exact_attention() {
        let mut rng = stream(1, "linformer-test");
        let (n, d) = (23, 8);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, 5, 1.0);
        let scale = 1.0 / (d as f32).sqrt();
        let lin = linformer_attend(q.view(), k.view(), v.view(), scale, &LinformerProjections::identity(n));
        let exact = attend(q.view(), k.view(), v.view(), scale, &Full);
        assert!(lin.attended.output.max_abs_diff(&exact) < 1e-5);
    }

    #[test]
    fn mean_pool_rows_average_contiguous_segments() {
        // N = 7, k = 3: segments ⌊r·7/3⌋..⌊(r+1)·7/3⌋ = 0..2, 2..4, 4..7 → weights 1/2, 1/2, 1/3.
        let p = LinformerProjections::new(ProjectionKind::MeanPool, 7, 3, 0);
        assert_eq!(p.e.row(0), &[0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(p.e.row(1), &[0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.0]);
        let third = 1.0 / 3.0;
        assert_eq!(p.e.row(2), &[0.0, 0.0, 0.0, 0.0, third, third, third]);
        assert_eq!(p.e, p.f);
    }

    #[test]
    fn k_is_clamped_to_the_sequence_length_and_gaussian_entries_have_variance_one_over_k() {
        assert_eq!(LinformerProjections::new(ProjectionKind::Gaussian, 5, 99, 1).k(), 5);
        assert_eq!(LinformerProjections::new(ProjectionKind::MeanPool, 5, 0, 1).k(), 1);
        let p = LinformerProjections::gaussian(4000, 16, 3);
        let var = p.e.data.iter().map(|x| x * x).sum::<f32>() / p.e.data.len() as f32;
        assert!((var - 1.0 / 16.0).abs() < 0.003, "variance {var}");
    }

    #[test]
    fn mean_pool_with_a_constant_value_row_returns_that_row_and_weights_sum_to_one() {
        // F·V of a constant V is constant, and P's rows sum to 1, so every output row is the constant.
        let mut rng = stream(2, "linformer-const");
        let q = normal_matrix(&mut rng, 10, 4, 1.0);
        let k = normal_matrix(&mut rng, 10, 4, 1.0);
        let v = Matrix::from_fn(10, 2, |_, c| if c == 0 { 3.0 } else { -1.0 });
        let out = linformer_attend(
            q.view(),
            k.view(),
            v.view(),
            0.5,
            &LinformerProjections::mean_pool(10, 4),
        );
        assert_eq!((out.weights.rows, out.weights.cols), (10, 4));
        for i in 0..10 {
            assert!((out.weights.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
            assert!((out.attended.output.get(i, 0) - 3.0).abs() < 1e-5);
            assert!((out.attended.output.get(i, 1) + 1.0).abs() < 1e-5);
        }
        // Largest buffer: P, 10 × 4 = 40 values (E·K is 4 × 4, F·V is 4 × 2).
        assert_eq!(out.attended.peak_intermediate_len, 40);
    }
}
