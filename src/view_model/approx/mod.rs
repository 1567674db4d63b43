//! The "Approximations" view's pure side: its parameters ([`params`]), the comparison of one head's
//! exact attention with the chosen method ([`compare`]), the error sweep ([`sweep`]) — both
//! resumable jobs — and the cost charts ([`cost`]). The input head is engine code
//! (`attention::approx::example_head`).

pub mod choices;
pub mod compare;
pub mod cost;
pub mod params;
pub mod sweep;

#[cfg(test)]
mod compare_tests;

pub use compare::{Comparison, ComparisonJob};
pub use sweep::{sweep_key, SweepJob, SweepKey, SweepKind, SweepSeries};
