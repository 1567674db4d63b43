//! Synthesizer (Tay, Bahri, Metzler, Juan, Zhao & Zheng 2021, "Synthesizer: Rethinking Self-Attention
//! in Transformer Models", ICML): attention weights without query–key dot products.
//!
//! Each variant produces an N × N logit matrix L; then O = softmax(L)·V, row by row.
//! - Dense: token i alone predicts its row of logits with a 2-layer MLP,
//!   L_i = relu(x_i·W1)·W2 with W1 ∈ R^{d×h}, W2 ∈ R^{h×ℓ}. Because W2 has one column per *position*,
//!   the weights fix a maximum length ℓ; a sequence of N ≤ ℓ uses the first N columns.
//! - Random: L = R, a fixed ℓ × ℓ matrix independent of the input (top-left N × N block used).
//! - Factorised dense: A = X·W_A ∈ R^{N×a}, B = X·W_B ∈ R^{N×b} with a·b ≥ ℓ; the paper tiles A b times
//!   and B a times and multiplies element-wise, which is the flattened outer product:
//!   L_ij = A_{i,⌊j/b⌋} · B_{i, j mod b}. Here a = ⌈√ℓ⌉, b = ⌈ℓ/a⌉.
//! - Factorised random: L = R₁·R₂ᵀ with R₁, R₂ ∈ R^{ℓ×k}: a rank-k random logit matrix.
//!
//! Weights are seeded, not trained: the view shows what each parametrisation *can* express (dense rows
//! depend on the token only, random rows on nothing), not what training would find. All variants keep
//! an N × N weight matrix, so the cost stays quadratic; the point is dropping the Q·Kᵀ interaction.

use crate::attention::approx::fixed_length::{check_length, SequenceTooLong};
use crate::attention::approx::output::ApproxOutput;
use crate::attention::matrix::{matmul, matmul_transb, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::softmax::softmax_in_place;

/// Which Synthesizer parametrisation produces the logits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SynthesizerKind {
    /// L_i = relu(x_i·W1)·W2: each token predicts its own row.
    Dense,
    /// L = R: one fixed matrix for every input.
    Random,
    /// L_ij = A_{i,⌊j/b⌋}·B_{i, j mod b}: two small projections, outer product.
    FactorizedDense,
    /// L = R₁·R₂ᵀ of rank k.
    FactorizedRandom,
}

/// Shape and seed of a Synthesizer head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthesizerConfig {
    /// Which parametrisation.
    pub kind: SynthesizerKind,
    /// ℓ, the longest sequence the position-indexed weights cover (clamped to ≥ 1).
    pub max_len: usize,
    /// h, the hidden width of the dense MLP (clamped to ≥ 1).
    pub hidden: usize,
    /// k, the rank of the factorised random logits (clamped to 1 ..= ℓ).
    pub rank: usize,
    /// Seed of every weight stream.
    pub seed: u64,
}

/// The drawn weights of each variant.
#[derive(Clone, Debug, PartialEq)]
pub enum SynthesizerWeights {
    /// W1 (d × h, N(0, 1/d)) and W2 (h × ℓ, N(0, 1/h)); streams "synth_w1", "synth_w2".
    Dense { w1: Matrix, w2: Matrix },
    /// R (ℓ × ℓ, N(0, 1)); stream "synth_r".
    Random { r: Matrix },
    /// W_A (d × a) and W_B (d × b), N(0, 1/d); streams "synth_wa", "synth_wb".
    FactorizedDense { wa: Matrix, wb: Matrix },
    /// R₁, R₂ (ℓ × k, N(0, 1/√k) so that (R₁R₂ᵀ)_ij has unit variance); streams "synth_r1", "synth_r2".
    FactorizedRandom { r1: Matrix, r2: Matrix },
}

/// A Synthesizer head: its weights and the length ℓ they cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Synthesizer {
    /// The drawn weights of its variant.
    pub weights: SynthesizerWeights,
    /// ℓ, the number of positions the weights cover.
    pub max_len: usize,
}

/// Softmax-weighted output of a Synthesizer head.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthesizerOutput {
    /// O = softmax(L)·V and the peak buffer.
    pub attended: ApproxOutput,
    /// softmax(L), N × N.
    pub weights: Matrix,
}

impl Synthesizer {
    /// Draws the weights of `config.kind` for inputs of width `d_model`.
    pub fn draw(d_model: usize, config: SynthesizerConfig) -> Self {
        let (d, l) = (d_model.max(1), config.max_len.max(1));
        let seed = config.seed;
        let draw =
            |label: &str, rows: usize, cols: usize, std: f32| normal_matrix(&mut stream(seed, label), rows, cols, std);
        let inv_sqrt = |x: usize| 1.0 / (x as f32).sqrt();
        let weights = match config.kind {
            SynthesizerKind::Dense => {
                let h = config.hidden.max(1);
                SynthesizerWeights::Dense {
                    w1: draw("synth_w1", d, h, inv_sqrt(d)),
                    w2: draw("synth_w2", h, l, inv_sqrt(h)),
                }
            }
            SynthesizerKind::Random => SynthesizerWeights::Random {
                r: draw("synth_r", l, l, 1.0),
            },
            SynthesizerKind::FactorizedDense => {
                let (a, b) = factor_widths(l);
                SynthesizerWeights::FactorizedDense {
                    wa: draw("synth_wa", d, a, inv_sqrt(d)),
                    wb: draw("synth_wb", d, b, inv_sqrt(d)),
                }
            }
            SynthesizerKind::FactorizedRandom => {
                let k = config.rank.clamp(1, l);
                let std = (k as f32).powf(-0.25);
                SynthesizerWeights::FactorizedRandom {
                    r1: draw("synth_r1", l, k, std),
                    r2: draw("synth_r2", l, k, std),
                }
            }
        };
        Self { weights, max_len: l }
    }

    /// The N × N logits L for token representations `x` (N × d_model), or an error when N > ℓ.
    /// Panics if `x` is not d_model wide for the dense variants (a programming error).
    pub fn logits(&self, x: MatRef<'_>) -> Result<Matrix, SequenceTooLong> {
        let n = x.rows;
        check_length(n, self.max_len)?;
        Ok(match &self.weights {
            SynthesizerWeights::Dense { w1, w2 } => {
                let mut hidden = matmul(x, w1.view());
                hidden.data.iter_mut().for_each(|h| *h = h.max(0.0));
                matmul(hidden.view(), w2.columns(0, n))
            }
            SynthesizerWeights::Random { r } => Matrix::from_fn(n, n, |i, j| r.get(i, j)),
            SynthesizerWeights::FactorizedDense { wa, wb } => {
                let (a, b) = (matmul(x, wa.view()), matmul(x, wb.view()));
                let bw = b.cols;
                Matrix::from_fn(n, n, |i, j| a.get(i, j / bw) * b.get(i, j % bw))
            }
            SynthesizerWeights::FactorizedRandom { r1, r2 } => matmul_transb(r1.rows_view(0, n), r2.rows_view(0, n)),
        })
    }

    /// softmax(L) row by row and O = softmax(L)·V. Errors when N > ℓ.
    pub fn attend(&self, x: MatRef<'_>, v: MatRef<'_>) -> Result<SynthesizerOutput, SequenceTooLong> {
        let weights = self.weights_for(x)?;
        Ok(SynthesizerOutput {
            attended: ApproxOutput {
                output: matmul(weights.view(), v),
                peak_intermediate_len: weights.data.len(),
            },
            weights,
        })
    }

    /// softmax(L): the Synthesizer's attention matrix, N × N, rows summing to 1.
    pub fn weights_for(&self, x: MatRef<'_>) -> Result<Matrix, SequenceTooLong> {
        let mut w = self.logits(x)?;
        for i in 0..w.rows {
            softmax_in_place(w.row_mut(i));
        }
        Ok(w)
    }
}

/// (a, b) = (⌈√ℓ⌉, ⌈ℓ/a⌉): the two factor widths of the factorised dense variant, a·b ≥ ℓ.
pub fn factor_widths(max_len: usize) -> (usize, usize) {
    let l = max_len.max(1);
    let a = (l as f64).sqrt().ceil() as usize;
    (a, l.div_ceil(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(kind: SynthesizerKind) -> SynthesizerConfig {
        SynthesizerConfig {
            kind,
            max_len: 16,
            hidden: 8,
            rank: 2,
            seed: 4,
        }
    }

    fn input(n: usize) -> Matrix {
        Matrix::from_fn(n, 6, |i, j| ((i * 7 + j * 3) as f32 * 0.37).sin())
    }

    #[test]
    fn factor_widths_cover_the_length() {
        // ℓ = 16 → 4 × 4; ℓ = 10 → a = ⌈3.16⌉ = 4, b = ⌈10/4⌉ = 3; ℓ = 1 → 1 × 1.
        assert_eq!(factor_widths(16), (4, 4));
        assert_eq!(factor_widths(10), (4, 3));
        assert_eq!(factor_widths(1), (1, 1));
    }

    #[test]
    fn sequences_longer_than_the_drawn_length_are_rejected() {
        for kind in [
            SynthesizerKind::Dense,
            SynthesizerKind::Random,
            SynthesizerKind::FactorizedDense,
            SynthesizerKind::FactorizedRandom,
        ] {
            let s = Synthesizer::draw(6, config(kind));
            assert_eq!(s.logits(input(17).view()), Err(SequenceTooLong { n: 17, max_len: 16 }));
            let out = s.attend(input(9).view(), input(9).view()).expect("9 ≤ 16");
            for i in 0..9 {
                assert!((out.weights.row(i).iter().sum::<f32>() - 1.0).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn random_logits_ignore_the_input_and_dense_rows_depend_only_on_their_token() {
        let random = Synthesizer::draw(6, config(SynthesizerKind::Random));
        let other = Matrix::from_fn(8, 6, |i, j| (i + j) as f32);
        assert_eq!(random.logits(input(8).view()), random.logits(other.view()));
        // Dense: changing token 5 changes row 5 only.
        let dense = Synthesizer::draw(6, config(SynthesizerKind::Dense));
        let x = input(8);
        let mut y = x.clone();
        y.row_mut(5).iter_mut().for_each(|v| *v += 1.0);
        let (lx, ly) = (dense.logits(x.view()).unwrap(), dense.logits(y.view()).unwrap());
        for i in 0..8 {
            assert_eq!(lx.row(i) == ly.row(i), i != 5, "row {i}");
        }
    }

    #[test]
    fn factorised_random_logits_have_the_chosen_rank_and_dense_factors_are_outer_products() {
        let s = Synthesizer::draw(6, config(SynthesizerKind::FactorizedRandom));
        let l = s.logits(input(12).view()).unwrap();
        let sv = l.to_nalgebra().singular_values();
        let rank = sv.iter().filter(|x| **x > 1e-4 * sv[0]).count();
        assert_eq!(rank, 2);
        // Factorised dense with ℓ = 16: a = b = 4, so L_ij = A_i[j/4]·B_i[j%4].
        let f = Synthesizer::draw(6, config(SynthesizerKind::FactorizedDense));
        let SynthesizerWeights::FactorizedDense { wa, wb } = &f.weights else {
            unreachable!("drew the factorised dense variant")
        };
        let x = input(16);
        let (a, b) = (x.matmul(wa), x.matmul(wb));
        let l = f.logits(x.view()).unwrap();
        assert!((l.get(3, 9) - a.get(3, 2) * b.get(3, 1)).abs() < 1e-6);
        assert!((l.get(15, 15) - a.get(15, 3) * b.get(15, 3)).abs() < 1e-6);
    }
}
