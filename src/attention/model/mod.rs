//! A real model computed by the atlas's kernels: SmolLM2-135M (LLaMA architecture, GQA 9 : 3, RoPE,
//! RMSNorm, SwiGLU) read from a llama.cpp GGUF file.
//!
//! [`gguf`] parses the container, [`quant`] multiplies by its Q4_1 / Q8_0 blocks without expanding
//! them, [`tokenizer`] is the byte-level BPE from its metadata, [`config`] its architecture,
//! [`weights`] the loaded model, [`forward`] the forward pass with a [`kv_cache`], and [`hook`] the
//! per-layer attention function the interventions replace. Everything works on bytes in memory: the
//! browser hands over the file it fetched.

pub mod config;
pub mod forward;
pub mod gguf;
pub mod hook;
pub mod kv_cache;
pub mod quant;
mod quant_dot;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod quant_simd;
pub mod tokenizer;
pub mod weights;

pub use forward::{ForwardOptions, ForwardOutput, ForwardPass, Logits};
pub use kv_cache::KvCache;
pub use weights::Model;
