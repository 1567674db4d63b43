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

    /// True when the allowed keys of every query are exactly its `key_range` (full and causal
    /// masks), so kernels can skip the per-pair `allows` test.
    fn is_contiguous(&self) -> bool {
        false
    }
}

/// Writes the masked, scaled logits of query row i: dst_j = src_j·scale where (i, j) is allowed,
/// −∞ elsewhere. Contiguous masks take a branch-free path.
pub fn scale_and_mask_row(mask: &dyn AttentionMask, i: usize, src: &[f32], scale: f32, dst: &mut [f32]) {
    debug_assert_eq!(src.len(), dst.len());
    if mask.is_contiguous() {
        let r = mask.key_range(i, src.len());
        dst[..r.start].fill(f32::NEG_INFINITY);
        for (d, s) in dst[r.clone()].iter_mut().zip(&src[r.clone()]) {
            *d = s * scale;
        }
        dst[r.end..].fill(f32::NEG_INFINITY);
    } else {
        for (j, (d, s)) in dst.iter_mut().zip(src).enumerate() {
            *d = if mask.allows(i, j) {
                s * scale
            } else {
                f32::NEG_INFINITY
            };
        }
    }
}

/// Every pair allowed (bidirectional attention, as in an encoder).
#[derive(Clone, Copy, Debug, Default)]
pub struct Full;

impl AttentionMask for Full {
    fn allows(&self, _i: usize, _j: usize) -> bool {
        true
    }
    fn is_contiguous(&self) -> bool {
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
    fn is_contiguous(&self) -> bool {
        true
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

    #[test]
    fn the_contiguous_fast_path_equals_the_pairwise_test() {
        let src = [1.0, 2.0, 3.0, 4.0];
        let dense = DenseMask::from_mask(&Causal, 4, 4);
        for i in 0..4 {
            let (mut fast, mut slow) = ([0.0; 4], [0.0; 4]);
            scale_and_mask_row(&Causal, i, &src, 0.5, &mut fast);
            scale_and_mask_row(&dense, i, &src, 0.5, &mut slow);
            assert_eq!(fast, slow);
        }
    }
}
