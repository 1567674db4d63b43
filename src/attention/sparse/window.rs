//! Causal and local-window patterns.
//!
//! - Causal: query i sees keys j ≤ i (N(N+1)/2 pairs).
//! - Local window of one-sided width w (as in the local attention of Parmar et al. 2018, "Image
//!   Transformer", and the sliding window of Longformer):
//!   symmetric: |i − j| ≤ w  → 2w + 1 keys in the interior, N(2w+1) − w(w+1) pairs for w ≤ N − 1;
//!   causal:    0 ≤ i − j ≤ w → w + 1 keys in the interior, N(w+1) − w(w+1)/2 pairs for w ≤ N − 1.
//!   So w = 0 is the diagonal alone, and w counts the neighbours on each allowed side.
//!   w > N − 1 is clamped to N − 1 (noted), which is the full (or causal) pattern.

use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{clamp_usize, Clamped, Param};

/// Which side(s) of the diagonal a window extends to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// |i − j| ≤ w.
    Symmetric,
    /// 0 ≤ i − j ≤ w (no future keys).
    Causal,
}

/// The causal pattern of an N-token sequence: (i, j) allowed iff j ≤ i.
pub fn causal(n: usize) -> SparsePattern {
    SparsePattern::from_row_fn(n, n, |i, out| out.extend(0..=i))
}

/// The local window of one-sided width w (see the module doc for the exact rule and pair counts).
/// w is clamped to N − 1.
pub fn local_window(n: usize, w: usize, direction: Direction) -> Clamped<SparsePattern> {
    let mut notes = Vec::new();
    let w = clamp_usize(&mut notes, Param::Window, w, 0, n.saturating_sub(1));
    let value = SparsePattern::from_row_fn(n, n, |i, out| {
        let lo = i.saturating_sub(w);
        let hi = match direction {
            Direction::Symmetric => (i + w).min(n - 1),
            Direction::Causal => i,
        };
        out.extend(lo..=hi);
    });
    Clamped { value, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_pair_counts_match_the_closed_forms() {
        for &(n, w) in &[(1, 0), (10, 0), (10, 3), (17, 5), (64, 63)] {
            let sym = local_window(n, w, Direction::Symmetric).value;
            assert_eq!(sym.nnz(), n * (2 * w + 1) - w * (w + 1), "n={n} w={w}");
            assert!(sym.is_symmetric());
            let cau = local_window(n, w, Direction::Causal).value;
            assert_eq!(cau.nnz(), n * (w + 1) - w * (w + 1) / 2, "n={n} w={w}");
            assert!(cau.is_causal());
        }
    }

    #[test]
    fn a_window_wider_than_the_sequence_is_clamped_to_full() {
        let c = local_window(8, 100, Direction::Causal);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].used, Some(7.0));
        assert_eq!(c.value, causal(8));
        assert_eq!(local_window(8, 100, Direction::Symmetric).value.nnz(), 64);
        assert_eq!(local_window(0, 3, Direction::Symmetric).value.nnz(), 0);
    }
}
