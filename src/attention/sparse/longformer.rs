//! Longformer attention (Beltagy, Peters & Cohan 2020, "Longformer: The Long-Document Transformer",
//! §3.1): a sliding window of size w — ½w keys on each side — optionally dilated by δ, plus
//! symmetric global tokens.
//!
//! With h = ⌊w/2⌋: (i, j) allowed iff (|i − j| ≤ h·δ and δ divides i − j) or i ∈ G or j ∈ G. The
//! receptive field of one layer is 2·h·δ + 1 positions while each row keeps at most 2h + 1 window keys.
//! The paper uses different δ per head (small on some heads, larger on others); per-head choices are
//! expressed with [`crate::attention::sparse::heads::HeadPattern::Longformer`]. δ = 0 is clamped to 1
//! and δ > N − 1 to N − 1; w is clamped to 2(N − 1).

use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::global::with_globals;
use crate::attention::sparse::notes::{clamp_usize, Clamped, Param};

/// The Longformer pattern for one head (module doc).
pub fn longformer(n: usize, window: usize, dilation: usize, globals: &[usize]) -> Clamped<SparsePattern> {
    let mut notes = Vec::new();
    let w = clamp_usize(&mut notes, Param::Window, window, 0, 2 * n.saturating_sub(1));
    let d = clamp_usize(&mut notes, Param::Dilation, dilation, 1, n.saturating_sub(1));
    let h = w / 2;
    let band = SparsePattern::from_row_fn(n, n, |i, out| {
        for k in 0..=h {
            if let Some(j) = i.checked_sub(k * d) {
                out.push(j);
            }
            out.push(i + k * d);
        }
    });
    let mut built = with_globals(&band, globals);
    notes.append(&mut built.notes);
    Clamped {
        value: built.value,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undilated_longformer_without_globals_is_the_symmetric_window_of_half_width() {
        // w = 6 → h = 3: N(2h+1) − h(h+1) = 20·7 − 12 = 128.
        let p = longformer(20, 6, 1, &[]).value;
        assert_eq!(p.nnz(), 128);
        assert!(p.is_symmetric());
    }

    #[test]
    fn dilated_rows_skip_by_delta() {
        // N = 30, w = 4 (h = 2), δ = 3: row 15 sees 9, 12, 15, 18, 21.
        let p = longformer(30, 4, 3, &[]).value;
        assert_eq!(p.row(15), &[9, 12, 15, 18, 21]);
        assert_eq!(p.row(1), &[1, 4, 7]);
        // With global token 0: row 15 gains key 0, and row 0 becomes full.
        let g = longformer(30, 4, 3, &[0]).value;
        assert_eq!(g.row(15), &[0, 9, 12, 15, 18, 21]);
        assert_eq!(g.row_len(0), 30);
        assert!(g.is_symmetric());
    }

    #[test]
    fn zero_dilation_is_clamped_to_one() {
        let c = longformer(12, 2, 0, &[99]);
        assert_eq!(c.notes.len(), 2);
        assert_eq!(c.value.nnz(), 12 * 3 - 2);
    }
}
