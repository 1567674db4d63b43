//! BigBird block-sparse attention, ITC variant (Zaheer et al. 2020, "Big Bird: Transformers for
//! Longer Sequences", §2 and App. D).
//!
//! The sequence is cut into blocks of b tokens (N_b = ⌈N/b⌉ blocks; when b does not divide N the last
//! block is shorter, N − (N_b − 1)·b tokens). Block rows and columns then combine three parts:
//! - global: g blocks attend to everything and are attended to by everything. As in the reference
//!   implementation (google-research/bigbird, where the first and the last block are global, g = 2),
//!   the global blocks are the first ⌈g/2⌉ and the last ⌊g/2⌋ blocks;
//! - window: block I attends to blocks I − 1, I, I + 1 (3 blocks, fewer at the ends);
//! - random: each non-global block row I attends to r further blocks drawn uniformly without
//!   replacement among the blocks that are neither in its window nor global (the reference
//!   `bigbird_block_rand_mask` excludes exactly those). If fewer than r such blocks exist, all of
//!   them are taken and a note reports the smallest number available.
//!
//! So a token of a non-global block row I attends to Σ_{B ∈ W(I) ∪ G ∪ R(I)} |B| keys, which is
//! b·(|W(I) ∪ G| + r) when b divides N; a token of a global block attends to all N keys.
//! Random blocks are not symmetrised (block row I choosing J does not make J choose I).

use crate::attention::rng::{below, stream};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{clamp_usize, ClampNote, Clamped, Param};

/// BigBird parameters. Reference configuration (bigbird-roberta-base, `config.json`): b = 64,
/// r = 3 random blocks, first and last block global (g = 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BigBirdConfig {
    pub block: usize,
    pub global_blocks: usize,
    pub random_blocks: usize,
}

impl Default for BigBirdConfig {
    fn default() -> Self {
        Self {
            block: 64,
            global_blocks: 2,
            random_blocks: 3,
        }
    }
}

/// Which part of BigBird allows a block pair (for colouring the block view).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Global,
    Window,
    Random,
    None,
}

/// A generated BigBird pattern with its block structure.
#[derive(Clone, Debug, PartialEq)]
pub struct BigBird {
    pub pattern: SparsePattern,
    /// Block size actually used (after clamping).
    pub block: usize,
    /// N_b = ⌈N / b⌉.
    pub n_blocks: usize,
    /// Global block indices, increasing.
    pub global_blocks: Vec<usize>,
    /// Random block indices of each block row, increasing (empty for global rows).
    pub random_blocks: Vec<Vec<usize>>,
}

impl BigBird {
    /// Token range of block `b`: b·block .. min((b+1)·block, N).
    pub fn block_range(&self, b: usize) -> std::ops::Range<usize> {
        let n = self.pattern.n_queries;
        (b * self.block).min(n)..((b + 1) * self.block).min(n)
    }

    /// Why block row `row` may attend to block column `col` (global beats window beats random).
    pub fn block_kind(&self, row: usize, col: usize) -> BlockKind {
        if self.global_blocks.contains(&row) || self.global_blocks.contains(&col) {
            BlockKind::Global
        } else if row.abs_diff(col) <= 1 {
            BlockKind::Window
        } else if self.random_blocks.get(row).is_some_and(|r| r.contains(&col)) {
            BlockKind::Random
        } else {
            BlockKind::None
        }
    }
}

/// The BigBird ITC pattern for `n` tokens (module doc); random blocks come from
/// `stream(seed, "bigbird_random/<head>")`, so heads of one layer draw independently.
/// Clamps b into 1..=N, g into 0..=N_b and r into 0..=N_b.
pub fn bigbird(n: usize, config: &BigBirdConfig, seed: u64, head: usize) -> Clamped<BigBird> {
    let mut notes = Vec::new();
    let b = clamp_usize(&mut notes, Param::BlockSize, config.block, 1, n);
    let nb = n.div_ceil(b);
    let g = clamp_usize(&mut notes, Param::GlobalBlocks, config.global_blocks, 0, nb);
    let r = clamp_usize(&mut notes, Param::RandomBlocks, config.random_blocks, 0, nb);
    let mut global_blocks: Vec<usize> = (0..g.div_ceil(2)).chain(nb - g / 2..nb).collect();
    global_blocks.sort_unstable();
    global_blocks.dedup();
    let is_global = |blk: usize| global_blocks.binary_search(&blk).is_ok();

    let mut rng = stream(seed, &format!("bigbird_random/{head}"));
    let mut fewest_candidates = usize::MAX;
    let mut random_blocks = Vec::with_capacity(nb);
    for row in 0..nb {
        if is_global(row) {
            random_blocks.push(Vec::new());
            continue;
        }
        let mut candidates: Vec<usize> = (0..nb).filter(|&c| c.abs_diff(row) > 1 && !is_global(c)).collect();
        fewest_candidates = fewest_candidates.min(candidates.len());
        let take = r.min(candidates.len());
        // Partial Fisher–Yates: the first `take` entries become a uniform sample without replacement.
        for t in 0..take {
            let pick = t + below(&mut rng, candidates.len() - t);
            candidates.swap(t, pick);
        }
        let mut chosen = candidates[..take].to_vec();
        chosen.sort_unstable();
        random_blocks.push(chosen);
    }
    if fewest_candidates < r {
        notes.push(ClampNote {
            param: Param::RandomBlocks,
            requested: r as f64,
            used: Some(fewest_candidates as f64),
        });
    }

    let block_range = |blk: usize| blk * b..((blk + 1) * b).min(n);
    let pattern = SparsePattern::from_row_fn(n, n, |i, out| {
        let row = i / b;
        if is_global(row) {
            out.extend(0..n);
            return;
        }
        for blk in row.saturating_sub(1)..=(row + 1).min(nb - 1) {
            out.extend(block_range(blk));
        }
        for &blk in global_blocks.iter().chain(&random_blocks[row]) {
            out.extend(block_range(blk));
        }
    });
    Clamped {
        value: BigBird {
            pattern,
            block: b,
            n_blocks: nb,
            global_blocks,
            random_blocks,
        },
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_blocks_avoid_the_window_and_the_global_blocks() {
        let cfg = BigBirdConfig {
            block: 4,
            global_blocks: 2,
            random_blocks: 3,
        };
        let bb = bigbird(64, &cfg, 9, 0).value;
        assert_eq!((bb.n_blocks, bb.global_blocks.clone()), (16, vec![0, 15]));
        for (row, chosen) in bb.random_blocks.iter().enumerate() {
            if row == 0 || row == 15 {
                assert!(chosen.is_empty());
                continue;
            }
            assert_eq!(chosen.len(), 3);
            for &c in chosen {
                assert!(c.abs_diff(row) > 1 && c != 0 && c != 15, "row {row} drew {c}");
                assert_eq!(bb.block_kind(row, c), BlockKind::Random);
            }
        }
    }

    #[test]
    fn interior_rows_attend_to_b_times_window_global_and_random_blocks() {
        // b = 8, N = 128 → 16 blocks, g = 2, r = 2. Block row 5: window {4,5,6} ∪ global {0,15} = 5
        // blocks, plus 2 random → 7 blocks · 8 = 56 keys. Block row 1: window {0,1,2} ∪ {15} = 4 → 48.
        let cfg = BigBirdConfig {
            block: 8,
            global_blocks: 2,
            random_blocks: 2,
        };
        let bb = bigbird(128, &cfg, 1, 0).value;
        assert_eq!(bb.pattern.row_len(5 * 8 + 3), 56);
        assert_eq!(bb.pattern.row_len(8), 48);
        assert_eq!(bb.pattern.row_len(0), 128);
        assert_eq!(bb.pattern.row_len(127), 128);
    }

    #[test]
    fn too_few_candidate_blocks_are_reported_and_a_short_last_block_is_kept() {
        // N = 10, b = 3 → blocks {0..3, 3..6, 6..9, 9..10}; global {0, 3}; rows 1 and 2 have no candidate.
        let cfg = BigBirdConfig {
            block: 3,
            global_blocks: 2,
            random_blocks: 1,
        };
        let c = bigbird(10, &cfg, 0, 0);
        assert_eq!(c.value.n_blocks, 4);
        assert_eq!(c.value.block_range(3), 9..10);
        assert_eq!(c.notes.len(), 1);
        assert_eq!(c.notes[0].used, Some(0.0));
        assert_eq!(c.value.pattern.nnz(), 100); // every block row touches a global or its neighbours
        let tiny = bigbird(0, &BigBirdConfig::default(), 0, 0);
        assert_eq!(tiny.value.pattern.nnz(), 0);
    }

    #[test]
    fn heads_draw_different_random_blocks_and_seeds_reproduce() {
        let cfg = BigBirdConfig {
            block: 2,
            global_blocks: 2,
            random_blocks: 3,
        };
        let a = bigbird(200, &cfg, 4, 0).value;
        assert_eq!(a, bigbird(200, &cfg, 4, 0).value);
        assert_ne!(a.random_blocks, bigbird(200, &cfg, 4, 1).value.random_blocks);
        assert_ne!(a.random_blocks, bigbird(200, &cfg, 5, 0).value.random_blocks);
    }
}
