//! Token mixing as in MLP-Mixer (Tolstikhin et al. 2021, "MLP-Mixer: An all-MLP Architecture for
//! Vision"): attention-free, a fixed MLP along the sequence axis, shared by every channel.
//!
//! For each channel c, the column x_{·c} ∈ R^N (one value per token) is mixed by
//!
//!   y_{·c} = W2 · gelu(W1 · x_{·c}),   W1 ∈ R^{h×N}, W2 ∈ R^{N×h},
//!
//! i.e. Y = W2·gelu(W1·X) for X ∈ R^{N×d}. The paper's block also has a LayerNorm before and a skip
//! connection around this; they are left out so the view shows the mixing alone. Like the
//! Synthesizer, the weights index positions, so they are drawn for a maximum length ℓ and a sequence
//! of N ≤ ℓ uses the first N columns of W1 and rows of W2. GELU is the tanh form (JAX's
//! `nn.gelu(approximate=True)`, the reference implementation's default).
//!
//! There is no softmax and no data-dependent weighting: the same mixing applies to every input.

use crate::attention::approx::fixed_length::{check_length, SequenceTooLong};
use crate::attention::approx::output::ApproxOutput;
use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};

/// √(2/π), the constant of the tanh form of GELU.
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
/// The cubic coefficient of the tanh form of GELU (Hendrycks & Gimpel 2016).
const GELU_CUBIC: f32 = 0.044_715;

/// gelu(x) ≈ ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh())
}

/// d gelu/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(√(2/π)(x + 0.044715x³)).
pub fn gelu_slope(x: f32) -> f32 {
    let t = (SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)).tanh();
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_CUBIC * x * x)
}

/// A token-mixing MLP for sequences of at most `max_len` tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenMixer {
    /// h × ℓ, N(0, 1/ℓ); stream "mixer_w1".
    pub w1: Matrix,
    /// ℓ × h, N(0, 1/h); stream "mixer_w2".
    pub w2: Matrix,
    /// ℓ, the number of positions the weights cover.
    pub max_len: usize,
}

impl TokenMixer {
    /// Draws W1, W2 for length ℓ = `max_len` and hidden width h = `hidden` (both clamped to ≥ 1).
    pub fn draw(max_len: usize, hidden: usize, seed: u64) -> Self {
        let (l, h) = (max_len.max(1), hidden.max(1));
        Self {
            w1: normal_matrix(&mut stream(seed, "mixer_w1"), h, l, 1.0 / (l as f32).sqrt()),
            w2: normal_matrix(&mut stream(seed, "mixer_w2"), l, h, 1.0 / (h as f32).sqrt()),
            max_len: l,
        }
    }

    /// Y = W2·gelu(W1·X) for X of N ≤ ℓ tokens (N × d); the largest buffer is the h × d hidden layer.
    pub fn mix(&self, x: MatRef<'_>) -> Result<ApproxOutput, SequenceTooLong> {
        let hidden = self.hidden(x)?;
        let activated = Matrix::from_vec(hidden.rows, hidden.cols, hidden.data.iter().map(|h| gelu(*h)).collect());
        Ok(ApproxOutput {
            output: matmul(self.w2.rows_view(0, x.rows), activated.view()),
            peak_intermediate_len: hidden.data.len(),
        })
    }

    /// The channel-averaged Jacobian J_ij = (1/d) Σ_c ∂y_ic/∂x_jc = Σ_r W2_ir·s_r·W1_rj with
    /// s_r = (1/d) Σ_c gelu′((W1·X)_rc): the N × N "mixing matrix" at this input. Not a softmax:
    /// entries can be negative and rows need not sum to 1.
    pub fn mean_jacobian(&self, x: MatRef<'_>) -> Result<Matrix, SequenceTooLong> {
        let hidden = self.hidden(x)?;
        let n = x.rows;
        let d = hidden.cols.max(1) as f32;
        let slope: Vec<f32> = (0..hidden.rows)
            .map(|r| hidden.row(r).iter().map(|h| gelu_slope(*h)).sum::<f32>() / d)
            .collect();
        let scaled_w1 = Matrix::from_fn(hidden.rows, n, |r, j| slope[r] * self.w1.get(r, j));
        Ok(matmul(self.w2.rows_view(0, n), scaled_w1.view()))
    }

    /// W1·X with the first N columns of W1: h × d.
    fn hidden(&self, x: MatRef<'_>) -> Result<Matrix, SequenceTooLong> {
        check_length(x.rows, self.max_len)?;
        Ok(matmul(self.w1.columns(0, x.rows), x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gelu_by_hand() {
        // gelu(0) = 0, slope ½; gelu(1) = ½(1 + tanh(0.79788·1.044715)) = ½(1 + tanh(0.833554)) ≈ 0.841192.
        assert_eq!(gelu(0.0), 0.0);
        assert!((gelu_slope(0.0) - 0.5).abs() < 1e-7);
        assert!((gelu(1.0) - 0.841_192).abs() < 1e-5);
        // Slope against a central difference.
        for x in [-2.0f32, -0.3, 0.7, 1.5] {
            let fd = (gelu(x + 1e-3) - gelu(x - 1e-3)) / 2e-3;
            assert!((gelu_slope(x) - fd).abs() < 1e-3, "x = {x}");
        }
    }

    #[test]
    fn one_channel_jacobian_matches_finite_differences() {
        // With d = 1 the channel average is the exact Jacobian ∂y_i/∂x_j.
        let mixer = TokenMixer::draw(10, 12, 3);
        let x = Matrix::from_fn(7, 1, |i, _| (i as f32 * 0.9).cos());
        let j = mixer.mean_jacobian(x.view()).unwrap();
        let eps = 1e-2;
        for col in 0..7 {
            let (mut up, mut down) = (x.clone(), x.clone());
            up.data[col] += eps;
            down.data[col] -= eps;
            let (yu, yd) = (
                mixer.mix(up.view()).unwrap().output,
                mixer.mix(down.view()).unwrap().output,
            );
            for row in 0..7 {
                let fd = (yu.get(row, 0) - yd.get(row, 0)) / (2.0 * eps);
                assert!(
                    (j.get(row, col) - fd).abs() < 2e-3,
                    "({row},{col}): {} vs {fd}",
                    j.get(row, col)
                );
            }
        }
    }

    #[test]
    fn channels_are_mixed_independently_and_long_sequences_are_rejected() {
        let mixer = TokenMixer::draw(8, 8, 1);
        let x = Matrix::from_fn(8, 3, |i, c| (i * 3 + c) as f32 * 0.1);
        let y = mixer.mix(x.view()).unwrap();
        // Channel 1 alone gives the same column as channel 1 inside the batch.
        let col = Matrix::from_fn(8, 1, |i, _| x.get(i, 1));
        let y1 = mixer.mix(col.view()).unwrap().output;
        for i in 0..8 {
            assert!((y.output.get(i, 1) - y1.get(i, 0)).abs() < 1e-6);
        }
        // Hidden layer h × d = 8 × 3.
        assert_eq!(y.peak_intermediate_len, 24);
        let long = Matrix::zeros(9, 3);
        assert_eq!(mixer.mix(long.view()), Err(SequenceTooLong { n: 9, max_len: 8 }));
    }
}
