//! The "Sparse attention zoo" view's pure side: its parameters ([`params`]), the resumable job that
//! computes every panel ([`job`]) and the result it draws ([`result`]). The pattern generators, their
//! dispatch and the pictures of a pattern are engine code (`attention::sparse`).

pub mod choices;
pub mod job;
pub mod params;
pub mod result;

#[cfg(test)]
mod job_tests;

pub use job::SparseJob;
pub use result::{Compared, HeadView, SparseResult, CHECK_ROWS, MAP_PX, SMALL_PX};
