//! The exact-attention worker's wasm (simd128): the exports in `exports.rs`, loaded by
//! `assets/atlas-worker.js` where relaxed SIMD is missing.

mod exports;

fn main() {}
