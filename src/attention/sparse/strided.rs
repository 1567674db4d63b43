//! The factorized patterns of the Sparse Transformer (Child et al. 2019, "Generating Long Sequences
//! with Sparse Transformers", §4.2), merged into one head (their "one head attends to both" variant).
//!
//! - Strided, stride s: (i, j) allowed iff |i − j| < s (the previous s − 1 positions and itself) or
//!   s divides i − j (every s-th position). Causal: additionally j ≤ i, giving min(i+1, s) + ⌊i/s⌋ keys
//!   for row i (local part plus the ⌊i/s⌋ earlier multiples; j = i is counted once).
//! - Fixed, block length s with c summary columns: (i, j) allowed iff ⌊i/s⌋ = ⌊j/s⌋ (same block) or
//!   j mod s ≥ s − c (j is one of the last c columns of its block, a "summary" cell). Causal:
//!   additionally j ≤ i, giving (i mod s) + 1 + ⌊i/s⌋·c keys for row i.
//!
//! The paper uses the causal forms; the symmetric forms drop j ≤ i. s = 0 is clamped to 1 and s > N
//! to N; c is clamped to s.

use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{clamp_usize, Clamped, Param};

/// The strided pattern with stride s (module doc). Clamps s into 1..=N.
pub fn strided(n: usize, s: usize, causal: bool) -> Clamped<SparsePattern> {
    let mut notes = Vec::new();
    let s = clamp_usize(&mut notes, Param::Stride, s, 1, n);
    let value = SparsePattern::from_row_fn(n, n, |i, out| {
        let hi = if causal { i } else { (i + s - 1).min(n - 1) };
        out.extend(i.saturating_sub(s - 1)..=hi);
        out.extend((i % s..=i).step_by(s));
        if !causal {
            out.extend((i..n).step_by(s));
        }
    });
    Clamped { value, notes }
}

/// The fixed pattern with block length s and c summary columns per block (module doc). Clamps s
/// into 1..=N and c into 0..=s.
pub fn fixed(n: usize, s: usize, c: usize, causal: bool) -> Clamped<SparsePattern> {
    let mut notes = Vec::new();
    let s = clamp_usize(&mut notes, Param::Stride, s, 1, n);
    let c = clamp_usize(&mut notes, Param::SummaryColumns, c, 0, s);
    let value = SparsePattern::from_row_fn(n, n, |i, out| {
        let block_start = i / s * s;
        let block_end = if causal { i + 1 } else { (block_start + s).min(n) };
        out.extend(block_start..block_end);
        // Summary columns of every block (causal: of the earlier blocks); keys ≥ N are dropped.
        let limit = if causal { block_start } else { n };
        for start in (0..limit).step_by(s) {
            out.extend(start + s - c..start + s);
        }
    });
    Clamped { value, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_strided_rows_have_min_i_plus_1_s_plus_floor_i_over_s_keys() {
        for &(n, s) in &[(1, 1), (12, 3), (33, 4), (40, 7)] {
            let p = strided(n, s, true).value;
            assert!(p.is_causal());
            for i in 0..n {
                assert_eq!(p.row_len(i), (i + 1).min(s) + i / s, "n={n} s={s} i={i}");
            }
        }
        // N = 12, s = 3: row 7 = local {5,6,7} ∪ multiples {1,4,7} = {1,4,5,6,7}.
        assert_eq!(strided(12, 3, true).value.row(7), &[1, 4, 5, 6, 7]);
    }

    #[test]
    fn symmetric_strided_is_symmetric_and_matches_its_predicate() {
        let (n, s) = (23, 4);
        let p = strided(n, s, false).value;
        assert!(p.is_symmetric());
        for i in 0..n {
            for j in 0..n {
                let d = i.abs_diff(j);
                assert_eq!(p.contains(i, j), d < s || d % s == 0);
            }
        }
    }

    #[test]
    fn causal_fixed_rows_have_own_block_prefix_plus_c_per_earlier_block() {
        for &(n, s, c) in &[(16, 4, 1), (30, 5, 2), (9, 9, 3)] {
            let p = fixed(n, s, c, true).value;
            assert!(p.is_causal());
            for i in 0..n {
                assert_eq!(p.row_len(i), i % s + 1 + (i / s) * c, "n={n} s={s} c={c} i={i}");
            }
        }
    }

    #[test]
    fn symmetric_fixed_matches_its_predicate_with_a_short_last_block() {
        let (n, s, c) = (14, 4, 1);
        let p = fixed(n, s, c, false).value;
        for i in 0..n {
            for j in 0..n {
                assert_eq!(p.contains(i, j), i / s == j / s || j % s >= s - c, "i={i} j={j}");
            }
        }
    }

    #[test]
    fn zero_stride_and_oversized_summary_are_clamped() {
        let z = strided(5, 0, true);
        assert_eq!(z.notes[0].used, Some(1.0));
        assert_eq!(z.value.nnz(), 15); // s = 1: every earlier position is a multiple → causal
        let f = fixed(6, 2, 5, false);
        assert_eq!(f.notes.len(), 1);
        assert_eq!(f.value.nnz(), 36); // c = s: every column is a summary column
        assert_eq!(strided(0, 3, false).value.nnz(), 0);
    }
}
