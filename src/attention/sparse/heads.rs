//! Per-head pattern assignment: different heads of one layer may use different sparse patterns
//! (Child et al. 2019 split the strided pattern's two parts across heads; Longformer gives heads
//! different dilations; BigBird draws fresh random blocks per head).

use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::global::global_tokens;
use crate::attention::sparse::longformer::longformer;
use crate::attention::sparse::notes::Clamped;
use crate::attention::sparse::strided::{fixed, strided};
use crate::attention::sparse::window::{causal, local_window, Direction};

/// A content-independent pattern one head uses (LSH and Sinkhorn depend on the inputs and are built
/// from them directly).
#[derive(Clone, Debug, PartialEq)]
pub enum HeadPattern {
    /// j ≤ i.
    Causal,
    /// Local window of one-sided width w.
    Local { window: usize, direction: Direction },
    /// Sparse Transformer strided pattern, stride s.
    Strided { stride: usize, causal: bool },
    /// Sparse Transformer fixed pattern, block s with c summary columns.
    Fixed {
        stride: usize,
        summary: usize,
        causal: bool,
    },
    /// Global tokens alone.
    Global { indices: Vec<usize> },
    /// Longformer window w with dilation δ and global tokens.
    Longformer {
        window: usize,
        dilation: usize,
        globals: Vec<usize>,
    },
    /// BigBird ITC.
    BigBird(BigBirdConfig),
}

impl HeadPattern {
    /// The pattern of head `head` for `n` tokens (`seed` and `head` only matter for BigBird).
    pub fn build(&self, n: usize, seed: u64, head: usize) -> Clamped<SparsePattern> {
        match self {
            HeadPattern::Causal => Clamped {
                value: causal(n),
                notes: Vec::new(),
            },
            HeadPattern::Local { window, direction } => local_window(n, *window, *direction),
            HeadPattern::Strided { stride, causal } => strided(n, *stride, *causal),
            HeadPattern::Fixed {
                stride,
                summary,
                causal,
            } => fixed(n, *stride, *summary, *causal),
            HeadPattern::Global { indices } => global_tokens(n, indices),
            HeadPattern::Longformer {
                window,
                dilation,
                globals,
            } => longformer(n, *window, *dilation, globals),
            HeadPattern::BigBird(config) => bigbird(n, config, seed, head).map(|b| b.pattern),
        }
    }
}

/// The pattern of every head of a layer.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadAssignment {
    pub heads: Vec<HeadPattern>,
}

impl HeadAssignment {
    /// Heads cycle through `kinds`: head h uses `kinds[h mod kinds.len()]` (no heads if `kinds` is empty).
    pub fn round_robin(n_heads: usize, kinds: &[HeadPattern]) -> Self {
        let heads = if kinds.is_empty() {
            Vec::new()
        } else {
            (0..n_heads).map(|h| kinds[h % kinds.len()].clone()).collect()
        };
        Self { heads }
    }

    /// Longformer heads with a per-head dilation δ_h (same window and globals on every head).
    pub fn longformer(window: usize, dilations: &[usize], globals: &[usize]) -> Self {
        let heads = dilations
            .iter()
            .map(|&dilation| HeadPattern::Longformer {
                window,
                dilation,
                globals: globals.to_vec(),
            })
            .collect();
        Self { heads }
    }

    /// Every head's pattern for `n` tokens.
    pub fn build(&self, n: usize, seed: u64) -> Vec<Clamped<SparsePattern>> {
        self.heads
            .iter()
            .enumerate()
            .map(|(h, p)| p.build(n, seed, h))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_mixes_local_strided_and_global_heads() {
        let kinds = [
            HeadPattern::Local {
                window: 2,
                direction: Direction::Symmetric,
            },
            HeadPattern::Strided {
                stride: 4,
                causal: false,
            },
            HeadPattern::Global { indices: vec![0] },
        ];
        let plan = HeadAssignment::round_robin(4, &kinds);
        assert_eq!(plan.heads[3], kinds[0]);
        let built = plan.build(16, 0);
        // Local w = 2: 16·5 − 6 = 74; global {0}: 2·16 − 1 = 31.
        assert_eq!(built[0].value.nnz(), 74);
        assert_eq!(built[2].value.nnz(), 31);
        assert_eq!(built[3].value, built[0].value);
        assert!(HeadAssignment::round_robin(3, &[]).heads.is_empty());
    }

    #[test]
    fn longformer_heads_differ_only_in_dilation() {
        let plan = HeadAssignment::longformer(4, &[1, 2], &[]);
        let built = plan.build(20, 0);
        assert_eq!(built[0].value.row(10), &[8, 9, 10, 11, 12]);
        assert_eq!(built[1].value.row(10), &[6, 8, 10, 12, 14]);
    }
}
