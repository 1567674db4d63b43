//! Compressed sparse row (CSR) storage of an attention pattern.
//!
//! Row i's allowed keys are `cols[row_ptr[i]..row_ptr[i + 1]]`, strictly increasing. Memory is
//! O(N + nnz) instead of the N² booleans of a [`DenseMask`], and a kernel that walks the rows does
//! work proportional to the number of allowed pairs nnz.

use crate::attention::mask::{AttentionMask, DenseMask};

/// An `n_queries × n_keys` boolean pattern in CSR form (columns sorted, no duplicates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparsePattern {
    pub n_queries: usize,
    pub n_keys: usize,
    /// `n_queries + 1` offsets into `cols`.
    pub row_ptr: Vec<usize>,
    /// Column (key) indices, row after row.
    pub cols: Vec<usize>,
}

impl SparsePattern {
    /// Builds a pattern row by row: `fill(i, out)` pushes row i's keys into `out` in any order;
    /// duplicates and keys ≥ `n_keys` are discarded.
    pub fn from_row_fn(n_queries: usize, n_keys: usize, mut fill: impl FnMut(usize, &mut Vec<usize>)) -> Self {
        let mut row_ptr = Vec::with_capacity(n_queries + 1);
        row_ptr.push(0);
        let mut cols = Vec::new();
        let mut row = Vec::new();
        for i in 0..n_queries {
            row.clear();
            fill(i, &mut row);
            row.retain(|&j| j < n_keys);
            row.sort_unstable();
            row.dedup();
            cols.extend_from_slice(&row);
            row_ptr.push(cols.len());
        }
        Self {
            n_queries,
            n_keys,
            row_ptr,
            cols,
        }
    }

    /// The pattern with no allowed pair.
    pub fn empty(n_queries: usize, n_keys: usize) -> Self {
        Self::from_row_fn(n_queries, n_keys, |_, _| {})
    }

    /// The allowed pairs of a dense mask.
    pub fn from_dense(mask: &DenseMask) -> Self {
        Self::from_row_fn(mask.n_queries, mask.n_keys, |i, out| {
            let row = &mask.allowed[i * mask.n_keys..(i + 1) * mask.n_keys];
            out.extend(row.iter().enumerate().filter(|(_, a)| **a).map(|(j, _)| j));
        })
    }

    /// Every pair allowed by a predicate (O(n_queries · n_keys); for small sizes and tests).
    pub fn from_mask(mask: &dyn AttentionMask, n_queries: usize, n_keys: usize) -> Self {
        Self::from_row_fn(n_queries, n_keys, |i, out| {
            out.extend((0..n_keys).filter(|&j| mask.allows(i, j)));
        })
    }

    /// The dense boolean matrix of the same pattern.
    pub fn to_dense(&self) -> DenseMask {
        let mut allowed = vec![false; self.n_queries * self.n_keys];
        for i in 0..self.n_queries {
            for &j in self.row(i) {
                allowed[i * self.n_keys + j] = true;
            }
        }
        DenseMask {
            n_queries: self.n_queries,
            n_keys: self.n_keys,
            allowed,
        }
    }

    /// Number of allowed pairs (nnz).
    pub fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// nnz / (n_queries · n_keys), 0 for an empty shape.
    pub fn density(&self) -> f64 {
        let total = self.n_queries * self.n_keys;
        if total == 0 {
            0.0
        } else {
            self.nnz() as f64 / total as f64
        }
    }

    /// Row i's allowed keys, increasing.
    pub fn row(&self, i: usize) -> &[usize] {
        &self.cols[self.row_ptr[i]..self.row_ptr[i + 1]]
    }

    /// Number of keys query i may attend to.
    pub fn row_len(&self, i: usize) -> usize {
        self.row_ptr[i + 1] - self.row_ptr[i]
    }

    /// True when (i, j) is allowed; false outside the shape. O(log row length).
    pub fn contains(&self, i: usize, j: usize) -> bool {
        i < self.n_queries && self.row(i).binary_search(&j).is_ok()
    }

    /// The pairs allowed by either pattern; the shape is the larger of the two.
    pub fn union(&self, other: &SparsePattern) -> SparsePattern {
        let nq = self.n_queries.max(other.n_queries);
        let nk = self.n_keys.max(other.n_keys);
        SparsePattern::from_row_fn(nq, nk, |i, out| {
            if i < self.n_queries {
                out.extend_from_slice(self.row(i));
            }
            if i < other.n_queries {
                out.extend_from_slice(other.row(i));
            }
        })
    }

    /// The pairs allowed here with j ≤ i (a causal restriction).
    pub fn causal_part(&self) -> SparsePattern {
        SparsePattern::from_row_fn(self.n_queries, self.n_keys, |i, out| {
            out.extend(self.row(i).iter().copied().filter(|&j| j <= i));
        })
    }

    /// True when every allowed pair has j ≤ i.
    pub fn is_causal(&self) -> bool {
        (0..self.n_queries).all(|i| self.row(i).last().is_none_or(|&j| j <= i))
    }

    /// True when the pattern is square and (i, j) allowed ⇔ (j, i) allowed.
    pub fn is_symmetric(&self) -> bool {
        self.n_queries == self.n_keys && (0..self.n_queries).all(|i| self.row(i).iter().all(|&j| self.contains(j, i)))
    }
}

impl AttentionMask for SparsePattern {
    fn allows(&self, i: usize, j: usize) -> bool {
        self.contains(i, j)
    }

    /// From the first to one past the last allowed key of row i (empty for an empty row).
    fn key_range(&self, i: usize, n_keys: usize) -> std::ops::Range<usize> {
        match (self.row(i).first(), self.row(i).last()) {
            (Some(&a), Some(&b)) => a.min(n_keys)..(b + 1).min(n_keys),
            _ => 0..0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::mask::Causal;

    #[test]
    fn dense_round_trip_keeps_every_pair() {
        let dense = DenseMask::from_mask(&Causal, 6, 6);
        let sparse = SparsePattern::from_dense(&dense);
        assert_eq!(sparse.nnz(), 21);
        assert_eq!(sparse.row(3), &[0, 1, 2, 3]);
        assert_eq!(sparse.to_dense(), dense);
        assert!(sparse.is_causal() && !sparse.is_symmetric());
        assert_eq!(sparse.key_range(2, 6), 0..3);
    }

    #[test]
    fn row_builder_sorts_dedups_and_drops_out_of_range_keys() {
        let p = SparsePattern::from_row_fn(2, 4, |i, out| out.extend([3, 1, 1, 9, i]));
        assert_eq!(p.row(0), &[0, 1, 3]);
        assert_eq!(p.row(1), &[1, 3]);
        assert_eq!(p.row_ptr, vec![0, 3, 5]);
        // Union with a 3-row pattern holding key 2: rows {0,1,2,3}, {1,2,3}, {2} → 8 pairs.
        let u = p.union(&SparsePattern::from_row_fn(3, 4, |_, out| out.push(2)));
        assert_eq!((u.n_queries, u.nnz()), (3, 8));
    }
}
