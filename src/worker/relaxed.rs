//! The exact-attention worker's wasm built with the engine's `relaxed-simd` feature (the exact
//! kernel's multiply-adds fused): the same exports (`exports.rs`), loaded by
//! `assets/atlas-worker.js` where `WebAssembly.validate` accepts a relaxed-SIMD module.

mod exports;

fn main() {}
