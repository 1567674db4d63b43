//! Multi-head self-attention, LLaMA-style: Q = X·W_Q, K = X·W_K, V = X·W_V, split into n_heads heads
//! of width d_head = d_model / n_heads, O_h = softmax(Q_h·K_hᵀ·scale + M)·V_h, concat, then ·W_O.
//!
//! Weights are row-vector convention (x·W), d_model × d_model, drawn N(0, 1/d_model) so projections
//! keep unit-variance entries.

use crate::attention::message::{Explain, Message};
use std::fmt;

use crate::attention::exact::attention_rows;
use crate::attention::exact::DEFAULT_BLOCK_ROWS;
use crate::attention::flash::{flash_attend, Tiles};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::scale::Scale;

/// Why a configuration cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// n_heads must divide d_model.
    HeadsDoNotDivide { d_model: usize, n_heads: usize },
    /// A size that must be positive is zero.
    Zero(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::HeadsDoNotDivide { d_model, n_heads } => {
                write!(f, "n_heads = {n_heads} does not divide d_model = {d_model}")
            }
            ConfigError::Zero(what) => write!(f, "{what} must be at least 1"),
        }
    }
}

impl Explain for ConfigError {
    fn message(&self) -> Message {
        match self {
            ConfigError::HeadsDoNotDivide { d_model, n_heads } => Message::new("error.heads_divide")
                .arg("heads", n_heads)
                .arg("d_model", d_model),
            ConfigError::Zero(what) => Message::new("error.zero").arg("what", what),
        }
    }
}

/// The projection matrices of one attention layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerWeights {
    pub w_q: Matrix,
    pub w_k: Matrix,
    pub w_v: Matrix,
    pub w_o: Matrix,
}

impl LayerWeights {
    /// The streams of W_Q, W_K, W_V, W_O, in that order.
    pub const LABELS: [&'static str; 4] = ["w_q", "w_k", "w_v", "w_o"];

    /// W_Q, W_K, W_V, W_O with N(0, 1/d_model) entries from the streams "w_q", "w_k", "w_v", "w_o".
    pub fn seeded(d_model: usize, seed: u64) -> Self {
        let [w_q, w_k, w_v, w_o] = Self::LABELS.map(|label| Self::seeded_one(d_model, seed, label));
        Self { w_q, w_k, w_v, w_o }
    }

    /// One of [`LayerWeights::seeded`]'s matrices (`label` one of [`LayerWeights::LABELS`]): each has
    /// its own stream, so they can be drawn separately (one per step of a job) with the same numbers.
    pub fn seeded_one(d_model: usize, seed: u64, label: &str) -> Matrix {
        let std = 1.0 / (d_model.max(1) as f32).sqrt();
        normal_matrix(&mut stream(seed, label), d_model, d_model, std)
    }

    /// Matrix `LABELS[label]` of [`LayerWeights::seeded`] and, when `x` is given, X·W through packed
    /// panels ([`crate::attention::matrix::matmul_packed`]): what a Web Worker computes of the SDPA
    /// view's layer, with the same numbers as the view's own blocks of rows.
    pub fn seeded_projection(
        x: Option<MatRef<'_>>,
        d_model: usize,
        seed: u64,
        label: usize,
    ) -> (Matrix, Option<Matrix>) {
        use crate::attention::matrix::{matmul_packed, pack};
        let w = Self::seeded_one(d_model, seed, Self::LABELS[label.min(3)]);
        let xw = x.map(|x| matmul_packed(x, &pack(w.view())));
        (w, xw)
    }

    /// The four matrices in [`LayerWeights::LABELS`] order.
    pub fn from_array([w_q, w_k, w_v, w_o]: [Matrix; 4]) -> Self {
        Self { w_q, w_k, w_v, w_o }
    }
}

/// Head count, scale and mask of a multi-head layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadConfig {
    pub n_heads: usize,
    pub scale: Scale,
    pub causal: bool,
}

impl HeadConfig {
    /// d_head = d_model / n_heads, or why it is not an integer.
    pub fn d_head(&self, d_model: usize) -> Result<usize, ConfigError> {
        if d_model == 0 {
            return Err(ConfigError::Zero("d_model"));
        }
        if self.n_heads == 0 {
            return Err(ConfigError::Zero("n_heads"));
        }
        if !d_model.is_multiple_of(self.n_heads) {
            return Err(ConfigError::HeadsDoNotDivide {
                d_model,
                n_heads: self.n_heads,
            });
        }
        Ok(d_model / self.n_heads)
    }
}

/// Q, K and V of a layer, each N × d_model; head h is columns h·d_head .. (h+1)·d_head.
#[derive(Clone, Debug, PartialEq)]
pub struct Projections {
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
    pub d_head: usize,
}

impl Projections {
    /// Q = X·W_Q, K = X·W_K, V = X·W_V.
    pub fn compute(x: &Matrix, w: &LayerWeights, d_head: usize) -> Self {
        Self {
            q: x.matmul(&w.w_q),
            k: x.matmul(&w.w_k),
            v: x.matmul(&w.w_v),
            d_head,
        }
    }

    /// Number of heads.
    pub fn n_heads(&self) -> usize {
        self.q.cols / self.d_head
    }

    /// (Q_h, K_h, V_h) as column windows, no copy.
    pub fn head(&self, h: usize) -> (MatRef<'_>, MatRef<'_>, MatRef<'_>) {
        let s = h * self.d_head;
        (
            self.q.columns(s, self.d_head),
            self.k.columns(s, self.d_head),
            self.v.columns(s, self.d_head),
        )
    }
}

/// Which exact kernel computes each head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    /// Blocked two-pass softmax (materialises a block of rows at a time).
    Exact,
    /// FlashAttention-style online softmax over key tiles.
    Flash(Tiles),
}

/// Output of a multi-head layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerOutput {
    /// Heads side by side, N × d_model.
    pub concat: Matrix,
    /// concat · W_O, N × d_model.
    pub out: Matrix,
}

/// Writes head h's output O_h into its columns of `concat`.
pub fn head_into_concat(concat: &mut Matrix, h: usize, head_out: &Matrix) {
    let d = head_out.cols;
    for i in 0..head_out.rows {
        concat.row_mut(i)[h * d..(h + 1) * d].copy_from_slice(head_out.row(i));
    }
}

/// Computes head h's output with the chosen kernel.
pub fn head_output(p: &Projections, h: usize, cfg: &HeadConfig, kernel: Kernel) -> Matrix {
    let (q, k, v) = p.head(h);
    let scale = cfg.scale.factor(p.d_head);
    let mask = causal_or_full(cfg.causal);
    match kernel {
        Kernel::Exact => {
            let mut o = Matrix::zeros(q.rows, v.cols);
            attention_rows(q, k, v, scale, mask, 0..q.rows, DEFAULT_BLOCK_ROWS, &mut o.data, |_| {});
            o
        }
        Kernel::Flash(t) => flash_attend(q, k, v, scale, mask, t),
    }
}

/// The whole layer: heads, concat, W_O.
pub fn multi_head_attention(
    x: &Matrix,
    w: &LayerWeights,
    cfg: &HeadConfig,
    kernel: Kernel,
) -> Result<LayerOutput, ConfigError> {
    let d_head = cfg.d_head(x.cols)?;
    let p = Projections::compute(x, w, d_head);
    let mut concat = Matrix::zeros(x.rows, x.cols);
    for h in 0..cfg.n_heads {
        head_into_concat(&mut concat, h, &head_output(&p, h, cfg, kernel));
    }
    let out = matmul(concat.view(), w.w_o.view());
    Ok(LayerOutput { concat, out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::embedding::embed;
    use crate::attention::tokenizer::example_tokens;

    #[test]
    fn heads_must_divide_d_model() {
        let cfg = HeadConfig {
            n_heads: 3,
            scale: Scale::InvSqrtDHead,
            causal: false,
        };
        assert_eq!(
            cfg.d_head(64),
            Err(ConfigError::HeadsDoNotDivide {
                d_model: 64,
                n_heads: 3
            })
        );
        assert_eq!(
            HeadConfig { n_heads: 0, ..cfg }.d_head(64),
            Err(ConfigError::Zero("n_heads"))
        );
        assert_eq!(HeadConfig { n_heads: 4, ..cfg }.d_head(64), Ok(16));
    }

    #[test]
    fn output_does_not_depend_on_the_kernel() {
        let x = embed(&example_tokens(70), 32, 9);
        let w = LayerWeights::seeded(32, 9);
        for causal in [false, true] {
            let cfg = HeadConfig {
                n_heads: 4,
                scale: Scale::InvSqrtDHead,
                causal,
            };
            let a = multi_head_attention(&x, &w, &cfg, Kernel::Exact).unwrap();
            let b = multi_head_attention(&x, &w, &cfg, Kernel::Flash(Tiles { queries: 16, keys: 16 })).unwrap();
            assert!(a.out.max_abs_diff(&b.out) < 1e-5);
        }
    }
}
