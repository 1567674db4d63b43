//! Which (query, key) pairs attention may use.
//!
//! A mask is a predicate `allows(i, j)`; a disallowed pair gets score −∞ before the softmax, so its
//! weight is exactly 0. The sparse-pattern chapter adds its generators on top of [`DenseMask`].

/// A predicate over (query index i, key index j).
pub trait AttentionMask {
    /// True when query i may attend to key j.
    fn allows(&self, i: usize, j: usize) -> bool;

    /// The smallest range of keys that can contain every allowed key of query i among `n_keys`
    /// (kernels skip key tiles outside it). The default is all keys.
    fn key_range(&self, _i: usize, n_keys: usize) -> std::ops::Range<usize> {
        0..n_keys
    }
}

/// Every pair allowed (bidirectional attention, as in an encoder).
#[derive(Clone, Copy, Debug, Default)]
pub struct Full;

impl AttentionMask for Full {
    fn allows(&self, _i: usize, _j: usize) -> bool {
        true
    }
}

/// Causal (autoregressive) mask: query i sees keys j ≤ i.
#[derive(Clone, Copy, Debug, Default)]
pub struct Causal;

impl AttentionMask for Causal {
    fn allows(&self, i: usize, j: usize) -> bool {
        j <= i
    }
    fn key_range(&self, i: usize, n_keys: usize) -> std::ops::Range<usize> {
        0..(i + 1).min(n_keys)
    }
}

/// Causal when `causal` is set, full otherwise — the foundation view's toggle.
pub fn causal_or_full(causal: bool) -> &'static dyn AttentionMask {
    if causal {
        &Causal
    } else {
        &Full
    }
}

/// An explicit boolean mask, row-major `n_queries × n_keys`.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseMask {
    pub n_queries: usize,
    pub n_keys: usize,
    pub allowed: Vec<bool>,
}

impl DenseMask {
    /// Materialises any mask predicate.
    pub fn from_mask(mask: &dyn AttentionMask, n_queries: usize, n_keys: usize) -> Self {
        let mut allowed = Vec::with_capacity(n_queries * n_keys);
        for i in 0..n_queries {
            for j in 0..n_keys {
                allowed.push(mask.allows(i, j));
            }
        }
        Self {
            n_queries,
            n_keys,
            allowed,
        }
    }

    /// Number of allowed pairs.
    pub fn count(&self) -> usize {
        self.allowed.iter().filter(|a| **a).count()
    }

    /// Allowed pairs / all pairs.
    pub fn density(&self) -> f64 {
        if self.allowed.is_empty() {
            0.0
        } else {
            self.count() as f64 / self.allowed.len() as f64
        }
    }
}

impl AttentionMask for DenseMask {
    fn allows(&self, i: usize, j: usize) -> bool {
        self.allowed[i * self.n_keys + j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_mask_allows_the_lower_triangle_including_the_diagonal() {
        let m = DenseMask::from_mask(&Causal, 5, 5);
        assert_eq!(m.count(), 5 * 6 / 2);
        assert!(m.allows(3, 3) && m.allows(3, 0) && !m.allows(3, 4));
        assert_eq!(Causal.key_range(2, 5), 0..3);
    }
}
