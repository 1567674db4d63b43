//! How far information travels through L stacked layers of one sparse pattern.
//!
//! One layer lets key j influence query i when (i, j) is allowed. The residual connection
//! x ← x + Attn(x) also carries every position's own state forward, so one layer's influence
//! matrix is A = M ∪ I (the pattern plus the identity). After L layers the influence is the boolean
//! power A^L: R₁ = A, R_{L+1}(i) = ∪_{k ∈ A(i)} R_L(k) (query i collects whatever its allowed keys
//! had collected). Because I ⊆ A, R_L only grows and stops changing after at most N − 1 layers.
//!
//! "Full reach" is relative to what the pattern could ever allow: every pair (i, j) for a
//! bidirectional pattern, every j ≤ i for a causal one (all allowed pairs have j ≤ i). A pattern
//! whose closure misses part of that target (e.g. disconnected blocks) never reaches it.
//! Rows are bitsets of u64 words, so a layer costs (nnz + N)·⌈N/64⌉ word operations.

use crate::attention::message::{Explain, Message};
use std::fmt;

use crate::attention::sparse::csr::SparsePattern;

/// Why reachability could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReachError {
    /// Stacking layers needs as many keys as queries.
    NotSquare { n_queries: usize, n_keys: usize },
}

impl fmt::Display for ReachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReachError::NotSquare { n_queries, n_keys } => {
                write!(
                    f,
                    "a {n_queries}×{n_keys} pattern cannot be stacked (it must be square)"
                )
            }
        }
    }
}

impl Explain for ReachError {
    fn message(&self) -> Message {
        match self {
            ReachError::NotSquare { n_queries, n_keys } => Message::new("error.not_square")
                .arg("rows", n_queries)
                .arg("cols", n_keys),
        }
    }
}

impl std::error::Error for ReachError {}

/// A square boolean matrix with each row packed into u64 words (bit j of row i ⇔ (i, j)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitMatrix {
    pub n: usize,
    words: usize,
    bits: Vec<u64>,
}

impl BitMatrix {
    /// The n × n identity.
    pub fn identity(n: usize) -> Self {
        let words = n.div_ceil(64);
        let mut bits = vec![0u64; n * words];
        for i in 0..n {
            bits[i * words + i / 64] |= 1 << (i % 64);
        }
        Self { n, words, bits }
    }

    /// True when bit (i, j) is set (false outside the matrix).
    pub fn get(&self, i: usize, j: usize) -> bool {
        i < self.n && j < self.n && self.bits[i * self.words + j / 64] >> (j % 64) & 1 == 1
    }

    /// Number of set bits in row i.
    pub fn row_count(&self, i: usize) -> usize {
        self.row_words(i).iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of set bits.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn row_words(&self, i: usize) -> &[u64] {
        &self.bits[i * self.words..(i + 1) * self.words]
    }

    /// R' with R'(i) = R(i) ∪ ⋃_{k ∈ pattern row i} R(k): one more layer of A = pattern ∪ I.
    fn step(&self, pattern: &SparsePattern) -> BitMatrix {
        let mut next = self.clone();
        for i in 0..self.n {
            let dst = &mut next.bits[i * self.words..(i + 1) * self.words];
            for &k in pattern.row(i) {
                dst.iter_mut().zip(self.row_words(k)).for_each(|(d, s)| *d |= s);
            }
        }
        next
    }
}

fn square(pattern: &SparsePattern) -> Result<usize, ReachError> {
    if pattern.n_queries == pattern.n_keys {
        Ok(pattern.n_queries)
    } else {
        Err(ReachError::NotSquare {
            n_queries: pattern.n_queries,
            n_keys: pattern.n_keys,
        })
    }
}

/// R_L = (pattern ∪ I)^L; L = 0 gives the identity.
pub fn reach_after(pattern: &SparsePattern, layers: usize) -> Result<BitMatrix, ReachError> {
    let n = square(pattern)?;
    let mut r = BitMatrix::identity(n);
    for _ in 0..layers {
        let next = r.step(pattern);
        if next == r {
            break;
        }
        r = next;
    }
    Ok(r)
}

/// What counts as full reach (module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReachTarget {
    /// All N² pairs.
    All,
    /// The N(N+1)/2 pairs with j ≤ i.
    Causal,
}

/// When full reach happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FullReach {
    /// After this many layers (0 only for N ≤ 1).
    After(usize),
    /// The closure of the pattern misses part of the target.
    Never,
}

/// Layer-by-layer reach of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct ReachProfile {
    pub target: ReachTarget,
    /// coverage[L] = |R_L ∩ target| / |target| for L = 0, 1, … up to the layer where R stops
    /// changing or reaches the target.
    pub coverage: Vec<f64>,
    pub full: FullReach,
}

/// The reach profile of `pattern` (module doc).
pub fn reach_profile(pattern: &SparsePattern) -> Result<ReachProfile, ReachError> {
    let n = square(pattern)?;
    let (target, target_pairs) = if pattern.is_causal() {
        (ReachTarget::Causal, n * (n + 1) / 2)
    } else {
        (ReachTarget::All, n * n)
    };
    // For a causal pattern R_L only holds pairs j ≤ i, so |R_L ∩ target| = |R_L|.
    let share = |r: &BitMatrix| {
        if target_pairs == 0 {
            1.0
        } else {
            r.count() as f64 / target_pairs as f64
        }
    };
    let mut r = BitMatrix::identity(n);
    let mut coverage = vec![share(&r)];
    loop {
        if r.count() == target_pairs {
            return Ok(ReachProfile {
                target,
                full: FullReach::After(coverage.len() - 1),
                coverage,
            });
        }
        let next = r.step(pattern);
        if next == r {
            return Ok(ReachProfile {
                target,
                coverage,
                full: FullReach::Never,
            });
        }
        r = next;
        coverage.push(share(&r));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::sparse::window::{causal, local_window, Direction};

    #[test]
    fn a_window_reaches_everything_after_ceil_n_minus_1_over_w_layers() {
        // Symmetric w: after L layers |i − j| ≤ L·w, full when L·w ≥ N − 1.
        for &(n, w) in &[(10, 1), (64, 3), (130, 64)] {
            let p = local_window(n, w, Direction::Symmetric).value;
            let profile = reach_profile(&p).unwrap();
            assert_eq!(profile.target, ReachTarget::All);
            assert_eq!(profile.full, FullReach::After((n - 1).div_ceil(w)), "n={n} w={w}");
            assert_eq!(*profile.coverage.last().unwrap(), 1.0);
        }
        let r2 = reach_after(&local_window(10, 1, Direction::Symmetric).value, 2).unwrap();
        assert_eq!(r2.row_count(5), 5);
        assert!(r2.get(5, 3) && !r2.get(5, 2));
    }

    #[test]
    fn causal_patterns_are_full_when_they_reach_the_lower_triangle() {
        let profile = reach_profile(&causal(20)).unwrap();
        assert_eq!(
            (profile.target, profile.full),
            (ReachTarget::Causal, FullReach::After(1))
        );
        let band = reach_profile(&local_window(20, 4, Direction::Causal).value).unwrap();
        assert_eq!(band.full, FullReach::After(5)); // 19 / 4 rounded up
    }

    #[test]
    fn disconnected_blocks_never_reach_and_rectangles_are_errors() {
        let blocks = SparsePattern::from_row_fn(8, 8, |i, out| out.extend(i / 4 * 4..i / 4 * 4 + 4));
        let profile = reach_profile(&blocks).unwrap();
        assert_eq!(profile.full, FullReach::Never);
        assert_eq!(profile.coverage, vec![8.0 / 64.0, 0.5]);
        assert_eq!(
            reach_profile(&SparsePattern::empty(2, 3)),
            Err(ReachError::NotSquare {
                n_queries: 2,
                n_keys: 3
            })
        );
        assert_eq!(
            reach_profile(&SparsePattern::empty(1, 1)).unwrap().full,
            FullReach::After(0)
        );
    }
}
