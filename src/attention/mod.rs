//! The engine room: pure Rust attention math, no web or UI imports.
//!
//! Every kernel works on row-major [`matrix::Matrix`] values; every random quantity comes from a
//! seeded [`rng`] stream, so a view's picture is a function of its URL parameters.

// The engine's files name each other `crate::attention::…`, the path the app reads them by.
extern crate self as attention;

pub mod bench;
pub mod budget;
pub mod chacha4;
pub mod cost;
pub mod embedding;
pub mod exact;
pub mod fast_exact;
pub mod flash;
pub mod gemm_tiles;
pub mod head_summary;
pub mod lanes;
pub mod mask;
pub mod matrix;
pub mod message;
pub mod multi_head;
pub mod packed;
pub mod pooling;
pub mod reduce;
pub mod rng;
pub mod saturation;
pub mod scale;
pub mod softmax;
pub mod split;
pub mod tokenizer;

// Chapters: each owns its folder.
pub mod approx;
pub mod heads;
pub mod model;
pub mod sparse;
