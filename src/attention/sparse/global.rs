//! Global tokens (as in Longformer, Beltagy et al. 2020 §3.1, and BigBird's ITC, Zaheer et al. 2020):
//! a chosen set G of positions attends to every key and is attended to by every query:
//! (i, j) allowed iff i ∈ G or j ∈ G, which is 2·N·|G| − |G|² pairs on its own.

use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{ClampNote, Clamped, Param};

/// Sorted, deduplicated indices below n; each out-of-range index is dropped with a note.
pub fn valid_globals(n: usize, indices: &[usize], notes: &mut Vec<ClampNote>) -> Vec<usize> {
    let mut g: Vec<usize> = Vec::with_capacity(indices.len());
    for &i in indices {
        if i < n {
            g.push(i);
        } else {
            notes.push(ClampNote {
                param: Param::GlobalIndex,
                requested: i as f64,
                used: None,
            });
        }
    }
    g.sort_unstable();
    g.dedup();
    g
}

/// `base` plus global rows and columns for `indices` (the square size is `base.n_queries`).
pub fn with_globals(base: &SparsePattern, indices: &[usize]) -> Clamped<SparsePattern> {
    let n = base.n_queries.min(base.n_keys);
    let mut notes = Vec::new();
    let g = valid_globals(n, indices, &mut notes);
    let value = SparsePattern::from_row_fn(base.n_queries, base.n_keys, |i, out| {
        if g.binary_search(&i).is_ok() {
            out.extend(0..base.n_keys);
        } else {
            out.extend_from_slice(base.row(i));
            out.extend_from_slice(&g);
        }
    });
    Clamped { value, notes }
}

/// Global tokens alone: (i, j) allowed iff i ∈ G or j ∈ G.
pub fn global_tokens(n: usize, indices: &[usize]) -> Clamped<SparsePattern> {
    with_globals(&SparsePattern::empty(n, n), indices)
}

/// `g` global positions spread evenly over `n` tokens: ⌊t·N/g⌋ for t < g (distinct when g ≤ N; g is
/// capped at N). The views place their global tokens (and the global head of a mixed layer) here.
pub fn global_positions(n: usize, g: usize) -> Vec<usize> {
    let g = g.min(n);
    (0..g).map(|t| t * n / g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::sparse::window::{local_window, Direction};

    #[test]
    fn global_positions_are_spread_evenly() {
        assert_eq!(global_positions(10, 3), vec![0, 3, 6]);
        assert_eq!(global_positions(4, 9), vec![0, 1, 2, 3]);
        assert!(global_positions(5, 0).is_empty());
    }

    #[test]
    fn global_pairs_are_2ng_minus_g_squared_and_symmetric() {
        for &(n, ref g) in &[(10, vec![0]), (16, vec![0, 5, 15]), (7, vec![3, 3, 1])] {
            let p = global_tokens(n, g).value;
            let gs = {
                let mut v = g.clone();
                v.sort_unstable();
                v.dedup();
                v.len()
            };
            assert_eq!(p.nnz(), 2 * n * gs - gs * gs, "n={n} g={g:?}");
            assert!(p.is_symmetric());
        }
    }

    #[test]
    fn globals_on_a_window_add_rows_and_columns_and_drop_bad_indices() {
        // N = 10, w = 1 (28 pairs), global token 0: row 0 becomes full (+8), column 0 gains rows 2..9 (+8).
        let base = local_window(10, 1, Direction::Symmetric).value;
        assert_eq!(base.nnz(), 28);
        let c = with_globals(&base, &[0, 42]);
        assert_eq!(c.value.nnz(), 44);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].used, None);
    }
}
