//! The architecture of a LLaMA-family GGUF, read from its metadata and checked.
//!
//! Keys (GGUF spec, "LLM" section; llama.cpp `llama-arch.cpp`), with SmolLM2-135M's values (its HF
//! `config.json`: `num_hidden_layers` 30, `hidden_size` 576, `num_attention_heads` 9,
//! `num_key_value_heads` 3, `intermediate_size` 1536, `rope_theta` 100000, `rms_norm_eps` 1e-5,
//! `vocab_size` 49152, `tie_word_embeddings` true):
//!
//! | key                                      | field         | SmolLM2-135M |
//! |------------------------------------------|---------------|--------------|
//! | `general.architecture`                   | must be llama |              |
//! | `llama.block_count`                      | n_layers      | 30           |
//! | `llama.embedding_length`                 | d_model       | 576          |
//! | `llama.attention.head_count`             | n_heads       | 9            |
//! | `llama.attention.head_count_kv`          | n_kv_heads    | 3            |
//! | `llama.feed_forward_length`              | d_ffn         | 1536         |
//! | `llama.rope.freq_base`                   | rope_base     | 100000       |
//! | `llama.attention.layer_norm_rms_epsilon` | rms_eps       | 1e-5         |
//! | `llama.context_length`                   | n_ctx_train   | 8192         |
//! | `llama.vocab_size` (or the token count)  | vocab         | 49152        |
//!
//! d_head = d_model / n_heads = 64 and `llama.rope.dimension_count` (when present) must equal it: this
//! engine rotates whole heads.

use crate::attention::model::gguf::{Gguf, GgufError};

/// The numbers that fix a LLaMA model's shapes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelConfig {
    pub n_layers: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub d_head: usize,
    pub d_ffn: usize,
    pub rope_base: f64,
    pub rms_eps: f32,
    pub n_ctx_train: usize,
    pub vocab: usize,
}

fn unsupported(what: &str, expected: impl ToString, got: impl ToString) -> GgufError {
    GgufError::Unsupported {
        what: what.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
    }
}

impl ModelConfig {
    /// SmolLM2-135M's architecture, as its config.json states it.
    pub const SMOLLM2_135M: ModelConfig = ModelConfig {
        n_layers: 30,
        d_model: 576,
        n_heads: 9,
        n_kv_heads: 3,
        d_head: 64,
        d_ffn: 1536,
        rope_base: 100_000.0,
        rms_eps: 1e-5,
        n_ctx_train: 8192,
        vocab: 49_152,
    };

    /// Reads and checks the `llama.*` keys.
    pub fn from_gguf(g: &Gguf) -> Result<Self, GgufError> {
        let arch = g.get_str("general.architecture")?;
        if arch != "llama" {
            return Err(unsupported("general.architecture", "llama", arch));
        }
        let int = |k: &str| -> Result<usize, GgufError> {
            let v = g.get_u64(k)?;
            match usize::try_from(v) {
                Ok(v) if v > 0 && v < (1 << 24) => Ok(v),
                _ => Err(unsupported(k, "between 1 and 2^24", v)),
            }
        };
        let n_layers = int("llama.block_count")?;
        let d_model = int("llama.embedding_length")?;
        let n_heads = int("llama.attention.head_count")?;
        let n_kv_heads = int("llama.attention.head_count_kv")?;
        let d_ffn = int("llama.feed_forward_length")?;
        let n_ctx_train = int("llama.context_length")?;
        let vocab = match g.get_u64("llama.vocab_size") {
            Ok(_) => int("llama.vocab_size")?,
            Err(GgufError::MissingKey(_)) => g.get_strings("tokenizer.ggml.tokens")?.len(),
            Err(e) => return Err(e),
        };
        let rope_base = g.get_f64("llama.rope.freq_base")?;
        let rms_eps = g.get_f64("llama.attention.layer_norm_rms_epsilon")? as f32;
        if !d_model.is_multiple_of(n_heads) {
            return Err(unsupported("head_count", "a divisor of embedding_length", n_heads));
        }
        if !n_heads.is_multiple_of(n_kv_heads) {
            return Err(unsupported("head_count_kv", "a divisor of head_count", n_kv_heads));
        }
        let d_head = d_model / n_heads;
        if !d_head.is_multiple_of(2) {
            return Err(unsupported("head width", "even (RoPE rotates pairs)", d_head));
        }
        if let Ok(rot) = g.get_u64("llama.rope.dimension_count") {
            if rot as usize != d_head {
                return Err(unsupported("llama.rope.dimension_count", d_head, rot));
            }
        }
        if !(rope_base.is_finite() && rope_base > 1.0) {
            return Err(unsupported(
                "llama.rope.freq_base",
                "a finite number above 1",
                rope_base,
            ));
        }
        if !(rms_eps.is_finite() && rms_eps > 0.0) {
            return Err(unsupported("layer_norm_rms_epsilon", "a positive number", rms_eps));
        }
        Ok(Self {
            n_layers,
            d_model,
            n_heads,
            n_kv_heads,
            d_head,
            d_ffn,
            rope_base,
            rms_eps,
            n_ctx_train,
            vocab,
        })
    }

    /// Query heads per K/V head, g = n_heads / n_kv_heads (3 for SmolLM2-135M).
    pub fn group_size(&self) -> usize {
        self.n_heads / self.n_kv_heads
    }

    /// Width of K and V, n_kv_heads·d_head (192).
    pub fn kv_width(&self) -> usize {
        self.n_kv_heads * self.d_head
    }

    /// Number of weights: embedding (tied with the output), per layer W_Q, W_K, W_V, W_O, the three
    /// FFN matrices and two norms, and the final norm (134,515,008 for SmolLM2-135M).
    pub fn n_params(&self) -> usize {
        let d = self.d_model;
        let attn = 2 * d * d + 2 * d * self.kv_width();
        let ffn = 3 * d * self.d_ffn;
        self.vocab * d + self.n_layers * (attn + ffn + 2 * d) + d
    }

    /// KV-cache bytes per token (f32 K and V in every layer): 2·n_layers·n_kv_heads·d_head·4.
    pub fn kv_bytes_per_token(&self) -> usize {
        2 * self.n_layers * self.kv_width() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smollm2_135m_has_134_5_million_parameters_and_46_kib_of_cache_per_token() {
        let c = ModelConfig::SMOLLM2_135M;
        assert_eq!(c.n_params(), 134_515_008);
        assert_eq!(c.group_size(), 3);
        assert_eq!(c.kv_bytes_per_token(), 46_080);
    }
}
