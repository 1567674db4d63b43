//! A loaded model: the GGUF bytes, kept as they are, and where each tensor lies in them.
//!
//! Tensor names are llama.cpp's (`llama-arch.cpp`, `LLM_ARCH_LLAMA`): `token_embd.weight` (vocab rows
//! of d_model, Q8_0 here), per layer `blk.{l}.attn_norm.weight`, `attn_q`, `attn_k`, `attn_v`,
//! `attn_output`, `ffn_norm`, `ffn_gate`, `ffn_up`, `ffn_down` (Q4_1 here; norms F32), and
//! `output_norm.weight`. `output.weight` is absent when the output projection is tied to the embedding
//! (SmolLM2: `tie_word_embeddings`), and then logits = E·h. Each matrix is stored as n_out rows of n_in
//! values (ggml `ne = [n_in, n_out]`), the layout [`QMatrix`] multiplies.
//!
//! Memory: the file's bytes (98.4 MB for the Q4_1 SmolLM2-135M) plus the norm vectors as f32 (0.14 MB)
//! plus the tokenizer; no weight matrix is ever expanded to f32.

use crate::attention::model::config::ModelConfig;
use crate::attention::model::gguf::{Gguf, GgufError};
use crate::attention::model::quant::{dequantize_row, QMatrix, TensorType};
use crate::attention::model::tokenizer::Tokenizer;

/// Where a matrix lies in the file's bytes.
#[derive(Clone, Copy, Debug)]
pub struct TensorRef {
    pub kind: TensorType,
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
}

/// The tensors of one transformer block.
#[derive(Clone, Debug)]
pub struct LayerWeights {
    pub attn_norm: Vec<f32>,
    pub ffn_norm: Vec<f32>,
    pub w_q: TensorRef,
    pub w_k: TensorRef,
    pub w_v: TensorRef,
    pub w_o: TensorRef,
    pub w_gate: TensorRef,
    pub w_up: TensorRef,
    pub w_down: TensorRef,
}

/// A LLaMA model read from a GGUF.
pub struct Model {
    bytes: Vec<u8>,
    pub config: ModelConfig,
    pub tokenizer: Tokenizer,
    pub embedding: TensorRef,
    /// The output projection; None when tied to the embedding.
    pub output: Option<TensorRef>,
    pub output_norm: Vec<f32>,
    pub layers: Vec<LayerWeights>,
    /// Metadata `general.name`, for display.
    pub name: String,
}

impl Model {
    /// Parses `bytes` (a whole GGUF file) and checks every tensor the forward pass reads.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Model, GgufError> {
        let g = Gguf::parse(&bytes)?;
        let config = ModelConfig::from_gguf(&g)?;
        let tokenizer = Tokenizer::from_gguf(&g)?;
        if tokenizer.vocab() != config.vocab {
            return Err(GgufError::Unsupported {
                what: "token count".into(),
                expected: config.vocab.to_string(),
                got: tokenizer.vocab().to_string(),
            });
        }
        let c = &config;
        let matrix = |name: &str, rows: usize, cols: usize| -> Result<TensorRef, GgufError> {
            let t = g.tensor(name)?;
            if t.dims != [cols as u64, rows as u64] {
                return Err(GgufError::Unsupported {
                    what: format!("shape of {name}"),
                    expected: format!("[{cols}, {rows}]"),
                    got: format!("{:?}", t.dims),
                });
            }
            Ok(TensorRef {
                kind: t.kind,
                offset: t.offset,
                rows,
                cols,
            })
        };
        let vector = |name: &str, n: usize| -> Result<Vec<f32>, GgufError> {
            let t = g.tensor(name)?;
            if t.dims != [n as u64] {
                return Err(GgufError::Unsupported {
                    what: format!("shape of {name}"),
                    expected: format!("[{n}]"),
                    got: format!("{:?}", t.dims),
                });
            }
            let mut v = vec![0.0; n];
            dequantize_row(t.kind, &bytes[t.offset..t.offset + t.size], &mut v);
            Ok(v)
        };
        let (d, kv) = (c.d_model, c.kv_width());
        let embedding = matrix("token_embd.weight", c.vocab, d)?;
        let output = match g.tensor("output.weight") {
            Ok(_) => Some(matrix("output.weight", c.vocab, d)?),
            Err(_) => None,
        };
        let output_norm = vector("output_norm.weight", d)?;
        let mut layers = Vec::with_capacity(c.n_layers);
        for l in 0..c.n_layers {
            let n = |s: &str| format!("blk.{l}.{s}.weight");
            layers.push(LayerWeights {
                attn_norm: vector(&n("attn_norm"), d)?,
                ffn_norm: vector(&n("ffn_norm"), d)?,
                w_q: matrix(&n("attn_q"), d, d)?,
                w_k: matrix(&n("attn_k"), kv, d)?,
                w_v: matrix(&n("attn_v"), kv, d)?,
                w_o: matrix(&n("attn_output"), d, d)?,
                w_gate: matrix(&n("ffn_gate"), c.d_ffn, d)?,
                w_up: matrix(&n("ffn_up"), c.d_ffn, d)?,
                w_down: matrix(&n("ffn_down"), d, c.d_ffn)?,
            });
        }
        let name = g.get_str("general.name").unwrap_or("").to_string();
        Ok(Model {
            bytes,
            config,
            tokenizer,
            embedding,
            output,
            output_norm,
            layers,
            name,
        })
    }

    /// The quantised matrix `t` refers to.
    pub fn matrix(&self, t: &TensorRef) -> QMatrix<'_> {
        let len = t.rows * t.kind.row_bytes(t.cols);
        QMatrix::new(t.kind, &self.bytes[t.offset..t.offset + len], t.rows, t.cols)
    }

    /// The output projection (the embedding when tied).
    pub fn output_matrix(&self) -> QMatrix<'_> {
        self.matrix(self.output.as_ref().unwrap_or(&self.embedding))
    }

    /// Bytes held: the file plus the f32 norm vectors (the tokenizer's tables are not counted).
    pub fn bytes_held(&self) -> usize {
        self.bytes.len()
            + 4 * (self.output_norm.len()
                + self
                    .layers
                    .iter()
                    .map(|l| l.attn_norm.len() + l.ffn_norm.len())
                    .sum::<usize>())
    }
}
