//! Chapter "Sparse attention zoo": which (query, key) pairs a sparse pattern keeps, what that saves,
//! what attention mass it loses, and how many stacked layers it needs to connect every position.
//!
//! Every generator returns a [`csr::SparsePattern`] (convertible to a
//! [`crate::attention::mask::DenseMask`]) wrapped in [`notes::Clamped`] with a note for each
//! out-of-range parameter it had to clamp; nothing here panics on a bad parameter.

pub mod bigbird;
pub mod csr;
pub mod global;
pub mod heads;
pub mod kernel;
pub mod longformer;
pub mod lsh;
pub mod masked;
pub mod notes;
pub mod pooled;
pub mod reach;
pub mod sinkhorn;
pub mod stats;
pub mod strided;
pub mod tiles;
pub mod window;
pub mod zoo;
