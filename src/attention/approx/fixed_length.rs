//! The one input error of fixed-length token mixers (Synthesizer, MLP-Mixer).

use crate::attention::message::{Explain, Message};
use std::fmt;

/// A Synthesizer or token-mixing MLP has weights for at most `max_len` positions, because its
/// parameters index positions rather than compare tokens; a longer sequence cannot be mixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceTooLong {
    /// The sequence length asked for.
    pub n: usize,
    /// The length the weights were drawn for.
    pub max_len: usize,
}

impl fmt::Display for SequenceTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sequence length {} exceeds the {} positions these position-indexed weights were drawn for",
            self.n, self.max_len
        )
    }
}

impl std::error::Error for SequenceTooLong {}

impl Explain for SequenceTooLong {
    fn message(&self) -> Message {
        Message::new("error.too_long").arg("n", self.n).arg("max", self.max_len)
    }
}

/// `Ok(())` when `n ≤ max_len`, otherwise the error.
pub fn check_length(n: usize, max_len: usize) -> Result<(), SequenceTooLong> {
    if n <= max_len {
        Ok(())
    } else {
        Err(SequenceTooLong { n, max_len })
    }
}
