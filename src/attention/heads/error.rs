//! Why a heads-chapter configuration cannot be computed. Every public kernel of this chapter checks its
//! sizes up front and returns one of these instead of panicking on user input.

use crate::attention::message::{Explain, Message};
use std::fmt;

/// A configuration the GQA, RoPE or MLA kernels refuse, with the numbers that make it invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeadsError {
    /// A size that must be positive is zero.
    Zero(&'static str),
    /// n_kv_heads must divide n_heads so every K/V head serves the same number of query heads.
    KvHeadsDoNotDivide { n_heads: usize, n_kv_heads: usize },
    /// RoPE rotates pairs of coordinates, so its width must be even.
    OddRopeWidth(usize),
    /// An input's width does not match the weights it is multiplied with.
    WidthMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },
    /// The singular value decomposition got a non-finite entry or did not converge.
    SvdFailed,
}

impl fmt::Display for HeadsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadsError::Zero(what) => write!(f, "{what} must be at least 1"),
            HeadsError::KvHeadsDoNotDivide { n_heads, n_kv_heads } => {
                write!(f, "n_kv_heads = {n_kv_heads} does not divide n_heads = {n_heads}")
            }
            HeadsError::OddRopeWidth(d) => write!(f, "RoPE width {d} is odd; it rotates pairs of coordinates"),
            HeadsError::WidthMismatch { what, expected, got } => {
                write!(f, "{what} has width {got}, expected {expected}")
            }
            HeadsError::SvdFailed => write!(f, "the SVD failed (non-finite input or no convergence)"),
        }
    }
}

impl std::error::Error for HeadsError {}

impl Explain for HeadsError {
    fn message(&self) -> Message {
        match self {
            HeadsError::Zero(what) => Message::new("error.zero").arg("what", what),
            HeadsError::KvHeadsDoNotDivide { n_heads, n_kv_heads } => Message::new("error.kv_divide")
                .arg("kv", n_kv_heads)
                .arg("heads", n_heads),
            HeadsError::OddRopeWidth(d) => Message::new("error.odd_rope").arg("d", d),
            HeadsError::WidthMismatch { what, expected, got } => Message::new("error.width")
                .arg("what", what)
                .arg("expected", expected)
                .arg("got", got),
            HeadsError::SvdFailed => Message::new("error.svd"),
        }
    }
}

/// `Err(Zero(what))` when `value` is 0.
pub(crate) fn positive(value: usize, what: &'static str) -> Result<usize, HeadsError> {
    if value == 0 {
        Err(HeadsError::Zero(what))
    } else {
        Ok(value)
    }
}
