//! A real model computed by the atlas's kernels: SmolLM2-135M (LLaMA architecture, GQA 9 : 3, RoPE,
//! RMSNorm, SwiGLU) read from a llama.cpp GGUF file.
//!
//! [`gguf`] parses the container, [`quant`] multiplies by its Q4_1 / Q8_0 blocks without expanding
//! them, [`tokenizer`] is the byte-level BPE from its metadata, [`config`] its architecture,
//! [`weights`] the loaded model, [`forward`] the forward pass with a [`kv_cache`], and [`hook`] the
//! per-layer attention function the interventions replace.
//!
//! Interventions ([`intervention`]) put the other chapters inside the model: a sparse pattern made
//! causal ([`causal_pattern`], [`bucket_mask`]), linear or Performer attention ([`kernel_attention`]
//! with its recurrent [`prefix_state`]), and head ablation. [`head_scores`] finds previous-token,
//! induction and sink heads in captured attention, [`divergence`] compares two runs' next-token
//! distributions, and [`sampling`] chooses the next token. Everything works on bytes in memory: the
//! browser hands over the file it fetched.

pub mod bucket_mask;
pub mod causal_pattern;
pub mod config;
pub mod divergence;
pub mod forward;
pub mod gguf;
pub mod head_scores;
pub mod hook;
pub mod intervention;
pub mod kernel_attention;
pub mod kv_cache;
pub mod prefix_state;
pub mod quant;
mod quant_dot;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod quant_simd;
pub mod sampling;
pub mod tokenizer;
pub mod weights;

pub use forward::{ForwardOptions, ForwardOutput, ForwardPass, Logits};
pub use kv_cache::KvCache;
pub use weights::Model;
