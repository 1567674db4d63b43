//! The N × N attention matrix each approximation implies, for display next to the exact one.
//!
//! Every method here computes O = A·V for some N × N matrix A, even when it never builds A; this file
//! builds it (O(N²) — for views of N ≤ a few hundred, never in a kernel's compute path):
//! - Linear attention: A_ij = φ(q_i)·φ(k_j) / Σ_j′ φ(q_i)·φ(k_j′), φ = elu + 1 — rows are probability
//!   distributions (φ > 0).
//! - Performer: the same with its random features; rows sum to 1, and with trigonometric features
//!   entries can be negative.
//! - Linformer: O = P·(F·V) = (P·F)·V with P = softmax(Q(EK)ᵀ·scale) (N × k), so A = P·F (N × k times
//!   k × N). With mean pooling E = F and A = P·E, a row-stochastic map that spreads each summary
//!   position's weight evenly over its segment. With Gaussian F, entries are signed and rows do not
//!   sum to 1 — A is still the exact linear map from values to outputs.
//! - Synthesizer: softmax of its logits ([`crate::attention::approx::synthesizer::Synthesizer::weights_for`]).
//! - Token mixer: not a softmax and not linear in V; its channel-averaged Jacobian
//!   ([`crate::attention::approx::mixer::TokenMixer::mean_jacobian`]) plays the role of A.

use crate::attention::approx::linear::{elu_features, normalised_kernel_matrix};
use crate::attention::approx::linformer::LinformerProjections;
use crate::attention::approx::performer::RandomFeatures;
use crate::attention::matrix::{matmul, MatRef, Matrix};

/// What kind of matrix an implied A is, so a view can pick its colour scale and legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImpliedKind {
    /// Non-negative rows summing to 1, like softmax weights (linear attention, positive Performer,
    /// mean-pooled Linformer, Synthesizer).
    Probabilities,
    /// Rows sum to 1 but entries can be negative (trigonometric Performer features).
    SignedNormalised,
    /// A signed linear map with no row constraint (Gaussian Linformer P·F, the mixer's Jacobian).
    SignedMap,
}

/// Linear attention's A = row-normalised φ(Q)φ(K)ᵀ (lower triangle when `causal`).
pub fn linear_implied(q: MatRef<'_>, k: MatRef<'_>, causal: bool) -> Matrix {
    normalised_kernel_matrix(&elu_features(q), &elu_features(k), causal)
}

/// The Performer's A = row-normalised φ(Q)φ(K)ᵀ with its random features.
pub fn performer_implied(q: MatRef<'_>, k: MatRef<'_>, features: &RandomFeatures, causal: bool) -> Matrix {
    normalised_kernel_matrix(&features.queries(q), &features.keys(k), causal)
}

/// Linformer's A = P·F from its N × k weights P (see the module doc).
pub fn linformer_implied(weights: &Matrix, proj: &LinformerProjections) -> Matrix {
    matmul(weights.view(), proj.f.view())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::approx::linear::linear_attend;
    use crate::attention::approx::linformer::{linformer_attend, ProjectionKind};
    use crate::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig};
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn implied_matrices_reproduce_each_kernels_output() {
        let mut rng = stream(1, "implied-test");
        let (n, d) = (20, 8);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let v = normal_matrix(&mut rng, n, 4, 1.0);
        for causal in [false, true] {
            let a = linear_implied(q.view(), k.view(), causal);
            let o = linear_attend(q.view(), k.view(), v.view(), causal).output;
            assert!(a.matmul(&v).max_abs_diff(&o) < 1e-4);
            let f = RandomFeatures::draw(
                d,
                PerformerConfig {
                    features: 32,
                    kind: FeatureKind::Trigonometric,
                    seed: 2,
                },
            );
            let a = performer_implied(q.view(), k.view(), &f, causal);
            let o = performer_attend(q.view(), k.view(), v.view(), &f, causal).output;
            assert!(a.matmul(&v).max_abs_diff(&o) < 1e-3 * (1.0 + o.frobenius()));
        }
        for kind in [ProjectionKind::Gaussian, ProjectionKind::MeanPool] {
            let p = LinformerProjections::new(kind, n, 6, 3);
            let lin = linformer_attend(q.view(), k.view(), v.view(), 0.35, &p);
            let a = linformer_implied(&lin.weights, &p);
            assert!(a.matmul(&v).max_abs_diff(&lin.attended.output) < 1e-4);
        }
    }

    #[test]
    fn linear_and_mean_pool_linformer_rows_are_distributions() {
        let mut rng = stream(2, "implied-rows");
        let q = normal_matrix(&mut rng, 15, 4, 1.0);
        let k = normal_matrix(&mut rng, 15, 4, 1.0);
        let v = normal_matrix(&mut rng, 15, 4, 1.0);
        let p = LinformerProjections::mean_pool(15, 5);
        let lin = linformer_attend(q.view(), k.view(), v.view(), 0.5, &p);
        for a in [
            linear_implied(q.view(), k.view(), false),
            linformer_implied(&lin.weights, &p),
        ] {
            for i in 0..15 {
                assert!((a.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
                assert!(a.row(i).iter().all(|x| *x >= 0.0));
            }
        }
    }
}
