//! Sparse Sinkhorn attention (Tay, Bahri, Yang, Metzler & Juan 2020, "Sparse Sinkhorn Attention",
//! §3) as a pattern.
//!
//! 1. Cut the N tokens into N_b = ⌈N/b⌉ blocks of b (the last block is shorter when b ∤ N) and take
//!    each block's mean embedding, M ∈ R^{N_b × d}.
//! 2. A small seeded sort net scores block pairs: R = relu(M·W₁)·W₂ with W₁ ∈ R^{d × h} ~ N(0, 1/d)
//!    and W₂ ∈ R^{h × N_b} ~ N(0, 1/h) (the paper's two-layer SortNet, without biases), then
//!    standardised to mean 0 and standard deviation 1 over all entries (a random untrained net gives
//!    tiny scores; standardising lets τ alone set how sharp the sorting is).
//! 3. Sinkhorn normalisation in log space at temperature τ: S⁰ = R/τ; each iteration subtracts the
//!    row log-sum-exp, then the column log-sum-exp. P^t = exp(S^t) tends to a doubly stochastic
//!    matrix, and to a permutation as τ → 0. For display, P⁰ is exp(S⁰) scaled to total mass N_b.
//! 4. Block I attends to its own block and to its sorted partner block argmax_J P^k_IJ
//!    (the hard version of attending to the softly sorted key blocks).
//!
//! Clamps: b into 1..=N; h into 1..=[`MAX_HIDDEN`]; k into 0..=[`MAX_ITERATIONS`]; τ that is not a
//! positive finite number becomes [`MIN_TEMPERATURE`] (and τ below it is raised to it).

use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{clamp_usize, ClampNote, Clamped, Param};

/// Most Sinkhorn iterations the view may ask for (convergence is long reached for a few blocks).
pub const MAX_ITERATIONS: usize = 100;
/// Smallest temperature; log-space normalisation stays finite at any τ, this keeps the picture sane.
pub const MIN_TEMPERATURE: f32 = 0.01;
/// Widest sort-net hidden layer.
pub const MAX_HIDDEN: usize = 256;

/// Sinkhorn parameters. The paper's defaults (Tay et al. 2020, §4): τ = 0.75, a handful of
/// Sinkhorn iterations (they sweep k ∈ {2, 5, 10, 20}) and blocks of 16–64 tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SinkhornConfig {
    pub block: usize,
    pub hidden: usize,
    pub iterations: usize,
    pub temperature: f32,
}

impl Default for SinkhornConfig {
    fn default() -> Self {
        Self {
            block: 16,
            hidden: 16,
            iterations: 5,
            temperature: 0.75,
        }
    }
}

/// The Sinkhorn pattern with the sort net's scores and the soft permutation after every iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkhornAttention {
    pub pattern: SparsePattern,
    /// Block size actually used.
    pub block: usize,
    /// N_b = ⌈N / b⌉.
    pub n_blocks: usize,
    /// Sort-net scores R, N_b × N_b.
    pub scores: Matrix,
    /// P⁰ … P^k, each N_b × N_b.
    pub iterations: Vec<Matrix>,
    /// argmax_J P^k_IJ for each block I.
    pub partner: Vec<usize>,
}

/// log Σ_j e^{x_j}, stable; −∞ for an empty or all −∞ input.
fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + values.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Sinkhorn normalisation of log-scores S⁰ = `log_alpha` (square), returning P⁰ … P^k (module doc:
/// each iteration normalises rows then columns in log space; P⁰ is scaled to total mass = size).
pub fn sinkhorn_iterations(log_alpha: &Matrix, iterations: usize) -> Vec<Matrix> {
    let n = log_alpha.rows.min(log_alpha.cols);
    let mut s: Vec<f64> = (0..n * n).map(|t| log_alpha.get(t / n, t % n) as f64).collect();
    let to_matrix = |s: &[f64]| Matrix::from_fn(n, n, |i, j| s[i * n + j].exp() as f32);
    let mut out = Vec::with_capacity(iterations + 1);
    let shift = log_sum_exp(s.iter().copied()) - (n as f64).ln();
    out.push(to_matrix(&s.iter().map(|v| v - shift).collect::<Vec<_>>()));
    for _ in 0..iterations {
        for i in 0..n {
            let lse = log_sum_exp(s[i * n..(i + 1) * n].iter().copied());
            s[i * n..(i + 1) * n].iter_mut().for_each(|v| *v -= lse);
        }
        for j in 0..n {
            let lse = log_sum_exp((0..n).map(|i| s[i * n + j]));
            (0..n).for_each(|i| s[i * n + j] -= lse);
        }
        out.push(to_matrix(&s));
    }
    out
}

/// x ← (x − mean) / std over all entries (left centred only when the std is 0).
fn standardise(values: &mut [f32]) {
    if values.is_empty() {
        return;
    }
    let len = values.len() as f64;
    let mean = values.iter().map(|v| *v as f64).sum::<f64>() / len;
    let var = values.iter().map(|v| (*v as f64 - mean).powi(2)).sum::<f64>() / len;
    let inv = if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 };
    values.iter_mut().for_each(|v| *v = ((*v as f64 - mean) * inv) as f32);
}

/// Mean embedding of each block of `block` consecutive rows of `x` (the last block may be shorter).
pub fn block_means(x: MatRef<'_>, block: usize) -> Matrix {
    let block = block.max(1);
    let nb = x.rows.div_ceil(block);
    let mut m = Matrix::zeros(nb, x.cols);
    for b in 0..nb {
        let rows = b * block..((b + 1) * block).min(x.rows);
        let inv = 1.0 / rows.len() as f32;
        for i in rows {
            m.row_mut(b).iter_mut().zip(x.row(i)).for_each(|(a, v)| *a += v * inv);
        }
    }
    m
}

/// The Sinkhorn pattern of token embeddings `x` (module doc); W₁ and W₂ come from
/// `stream(seed, "sinkhorn_w1")` and `stream(seed, "sinkhorn_w2")`.
pub fn sinkhorn_attention(x: MatRef<'_>, config: &SinkhornConfig, seed: u64) -> Clamped<SinkhornAttention> {
    let n = x.rows;
    let mut notes = Vec::new();
    let b = clamp_usize(&mut notes, Param::BlockSize, config.block, 1, n);
    let hidden = clamp_usize(&mut notes, Param::Hidden, config.hidden, 1, MAX_HIDDEN);
    let k = clamp_usize(&mut notes, Param::Iterations, config.iterations, 0, MAX_ITERATIONS);
    let tau = if config.temperature.is_finite() && config.temperature >= MIN_TEMPERATURE {
        config.temperature
    } else {
        notes.push(ClampNote {
            param: Param::Temperature,
            requested: config.temperature as f64,
            used: Some(MIN_TEMPERATURE as f64),
        });
        MIN_TEMPERATURE
    };
    let nb = n.div_ceil(b);
    let means = block_means(x, b);
    let d = x.cols.max(1);
    let w1 = normal_matrix(
        &mut stream(seed, "sinkhorn_w1"),
        x.cols,
        hidden,
        1.0 / (d as f32).sqrt(),
    );
    let w2 = normal_matrix(
        &mut stream(seed, "sinkhorn_w2"),
        hidden,
        nb,
        1.0 / (hidden as f32).sqrt(),
    );
    let mut h = matmul(means.view(), w1.view());
    h.data.iter_mut().for_each(|v| *v = v.max(0.0));
    let mut scores = matmul(h.view(), w2.view());
    standardise(&mut scores.data);
    let log_alpha = Matrix::from_fn(nb, nb, |i, j| scores.get(i, j) / tau);
    let iterations = sinkhorn_iterations(&log_alpha, k);
    let last = &iterations[iterations.len() - 1];
    let partner: Vec<usize> = (0..nb)
        .map(|i| {
            let row = last.row(i);
            (0..nb).fold(0, |best, j| if row[j] > row[best] { j } else { best })
        })
        .collect();
    let block_range = |blk: usize| blk * b..((blk + 1) * b).min(n);
    let pattern = SparsePattern::from_row_fn(n, n, |i, out| {
        out.extend(block_range(i / b));
        out.extend(block_range(partner[i / b]));
    });
    Clamped {
        value: SinkhornAttention {
            pattern,
            block: b,
            n_blocks: nb,
            scores,
            iterations,
            partner,
        },
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::normal_matrix;

    #[test]
    fn rows_and_columns_sum_to_one_after_enough_iterations() {
        let r = normal_matrix(&mut stream(2, "r"), 6, 6, 1.0);
        let ps = sinkhorn_iterations(&r, 30);
        assert_eq!(ps.len(), 31);
        let total0: f32 = ps[0].data.iter().sum();
        assert!((total0 - 6.0).abs() < 1e-4, "P⁰ has total mass N_b");
        let p = &ps[30];
        for i in 0..6 {
            let row: f32 = p.row(i).iter().sum();
            let col: f32 = (0..6).map(|r| p.get(r, i)).sum();
            assert!((row - 1.0).abs() < 1e-4, "row {i} sums to {row}");
            assert!((col - 1.0).abs() < 1e-5, "column {i} sums to {col}");
        }
    }

    #[test]
    fn low_temperature_turns_a_dominant_assignment_into_a_permutation() {
        // Scores favour the cyclic shift I → I + 1 (mod 4) by a margin of 1; at τ = 0.05 that is e^20.
        let r = Matrix::from_fn(4, 4, |i, j| (if j == (i + 1) % 4 { 1.0 } else { 0.0 }) / 0.05);
        let p = &sinkhorn_iterations(&r, 10)[10];
        for i in 0..4 {
            assert!(p.get(i, (i + 1) % 4) > 0.999);
        }
    }

    #[test]
    fn each_block_attends_to_itself_and_its_partner() {
        let x = normal_matrix(&mut stream(5, "x"), 50, 8, 1.0);
        let cfg = SinkhornConfig {
            block: 8,
            ..SinkhornConfig::default()
        };
        let s = sinkhorn_attention(x.view(), &cfg, 3).value;
        assert_eq!((s.n_blocks, s.iterations.len()), (7, 6));
        for i in 0..50 {
            let (own, partner) = (i / 8, s.partner[i / 8]);
            let len = |b: usize| ((b + 1) * 8).min(50) - b * 8;
            let expect = if own == partner {
                len(own)
            } else {
                len(own) + len(partner)
            };
            assert_eq!(s.pattern.row_len(i), expect, "row {i}");
        }
        assert_eq!(s, sinkhorn_attention(x.view(), &cfg, 3).value);
        let mean = s.scores.data.iter().sum::<f32>() / 49.0;
        let var = s.scores.data.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / 49.0;
        assert!(mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4, "standardised scores");
    }

    #[test]
    fn bad_temperature_and_block_are_clamped() {
        let x = normal_matrix(&mut stream(5, "x"), 10, 4, 1.0);
        let cfg = SinkhornConfig {
            block: 0,
            hidden: 0,
            iterations: 1000,
            temperature: f32::NAN,
        };
        let c = sinkhorn_attention(x.view(), &cfg, 0);
        assert_eq!(c.notes.len(), 4);
        assert_eq!(c.value.iterations.len(), MAX_ITERATIONS + 1);
        assert!(c.value.iterations.iter().all(|p| p.data.iter().all(|v| v.is_finite())));
        let empty = Matrix::zeros(0, 4);
        assert_eq!(
            sinkhorn_attention(empty.view(), &SinkhornConfig::default(), 0)
                .value
                .n_blocks,
            0
        );
    }
}
