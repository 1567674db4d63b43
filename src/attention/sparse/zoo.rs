//! The zoo's dispatch: one [`PatternKind`] and one set of [`PatternSettings`] build the pattern from
//! its generator (window, strided/fixed, global, Longformer, BigBird, Reformer LSH, Sinkhorn, dense
//! causal), with the clamp notes of the generator and the pattern's own machinery as [`Detail`]
//! (BigBird's block kinds, LSH buckets and chunks, Sinkhorn iterates). [`mixed_heads`] is the layer
//! whose heads use different patterns with the same settings.

use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig, BlockKind};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::global::{global_positions, global_tokens};
use crate::attention::sparse::heads::{HeadAssignment, HeadPattern};
use crate::attention::sparse::longformer::longformer;
use crate::attention::sparse::lsh::{lsh_attention, LshConfig};
use crate::attention::sparse::notes::{ClampNote, Clamped};
use crate::attention::sparse::pooled::pool_pattern;
use crate::attention::sparse::sinkhorn::{sinkhorn_attention, SinkhornConfig};
use crate::attention::sparse::strided::{fixed, strided};
use crate::attention::sparse::window::{causal, local_window, Direction};

/// The patterns of the zoo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    Local,
    Strided,
    Fixed,
    Global,
    Longformer,
    BigBird,
    Lsh,
    Sinkhorn,
    Causal,
}

impl PatternKind {
    /// Whether the `causal` setting changes this pattern.
    pub fn has_causal_flag(self) -> bool {
        matches!(
            self,
            PatternKind::Local | PatternKind::Strided | PatternKind::Fixed | PatternKind::Lsh
        )
    }
}

/// Every setting a pattern of the zoo may read (each pattern reads its own).
#[derive(Clone, Debug, PartialEq)]
pub struct PatternSettings {
    /// No future keys (local, strided, fixed, LSH).
    pub causal: bool,
    /// Local window w (one-sided) or Longformer window w (½w per side).
    pub window: usize,
    /// Stride s (strided, fixed).
    pub stride: usize,
    /// Summary columns c per block (fixed).
    pub summary: usize,
    /// Longformer dilation δ.
    pub dilation: usize,
    /// Number of global tokens (global, Longformer), at [`global_positions`].
    pub globals: usize,
    /// Block size b (BigBird, Sinkhorn).
    pub block: usize,
    /// BigBird global blocks.
    pub global_blocks: usize,
    /// BigBird random blocks per block row.
    pub random_blocks: usize,
    /// LSH buckets, hash rounds and chunk length.
    pub buckets: usize,
    pub hashes: usize,
    pub chunk: usize,
    /// Sinkhorn iterations k and temperature τ.
    pub iterations: usize,
    pub temperature: f32,
    /// Seed of BigBird's random blocks, LSH rotations and the Sinkhorn sort net.
    pub seed: u64,
}

impl PatternSettings {
    fn direction(&self) -> Direction {
        if self.causal {
            Direction::Causal
        } else {
            Direction::Symmetric
        }
    }

    fn bigbird(&self) -> BigBirdConfig {
        BigBirdConfig {
            block: self.block,
            global_blocks: self.global_blocks,
            random_blocks: self.random_blocks,
        }
    }
}

/// A pattern's own machinery, for a detail panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    None,
    /// N_b × N_b block kinds: 0 none, 1 random, 2 window, 3 global.
    BigBird {
        kinds: Matrix,
        block: usize,
    },
    /// Bucket of each token per round, and the pattern with rows and columns in round 0's sorted
    /// order (pooled), where same-bucket chunks show up as blocks on the diagonal.
    Lsh {
        buckets: Vec<Vec<usize>>,
        chunks: Vec<Vec<usize>>,
        sorted_map: Matrix,
    },
    /// Soft permutations P⁰ … P^k and the chosen partner block of each block.
    Sinkhorn {
        iterations: Vec<Matrix>,
        partner: Vec<usize>,
        block: usize,
    },
}

/// A built pattern, the generator's clamp notes and its detail.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    pub pattern: SparsePattern,
    pub notes: Vec<ClampNote>,
    pub detail: Detail,
}

/// Builds pattern `kind` over `n` tokens; `x` (N × d, the queries) is read by the content-based
/// patterns (LSH, Sinkhorn). `detail_px` bounds the side of the pooled LSH sorted map.
pub fn build(kind: PatternKind, n: usize, s: &PatternSettings, x: MatRef<'_>, detail_px: usize) -> Built {
    let plain = |c: Clamped<SparsePattern>| Built {
        pattern: c.value,
        notes: c.notes,
        detail: Detail::None,
    };
    match kind {
        PatternKind::Causal => plain(Clamped {
            value: causal(n),
            notes: Vec::new(),
        }),
        PatternKind::Local => plain(local_window(n, s.window, s.direction())),
        PatternKind::Strided => plain(strided(n, s.stride, s.causal)),
        PatternKind::Fixed => plain(fixed(n, s.stride, s.summary, s.causal)),
        PatternKind::Global => plain(global_tokens(n, &global_positions(n, s.globals))),
        PatternKind::Longformer => plain(longformer(n, s.window, s.dilation, &global_positions(n, s.globals))),
        PatternKind::BigBird => {
            let c = bigbird(n, &s.bigbird(), s.seed, 0);
            let bb = c.value;
            let kinds = Matrix::from_fn(bb.n_blocks, bb.n_blocks, |i, j| match bb.block_kind(i, j) {
                BlockKind::Global => 3.0,
                BlockKind::Window => 2.0,
                BlockKind::Random => 1.0,
                BlockKind::None => 0.0,
            });
            let block = bb.block;
            Built {
                pattern: bb.pattern,
                notes: c.notes,
                detail: Detail::BigBird { kinds, block },
            }
        }
        PatternKind::Lsh => {
            let cfg = LshConfig {
                n_buckets: s.buckets,
                n_hashes: s.hashes,
                chunk: s.chunk,
                causal: s.causal,
            };
            let c = lsh_attention(x, &cfg, s.seed);
            let lsh = c.value;
            let order = lsh.rounds.first().map(|r| r.order.clone()).unwrap_or_default();
            let mut rank = vec![0; n];
            order.iter().enumerate().for_each(|(pos, &t)| rank[t] = pos);
            let sorted = SparsePattern::from_row_fn(n, n, |pos, out| {
                out.extend(lsh.pattern.row(order[pos]).iter().map(|&j| rank[j]));
            });
            let detail = Detail::Lsh {
                buckets: lsh.rounds.iter().map(|r| r.buckets.clone()).collect(),
                chunks: lsh.rounds.iter().map(|r| r.chunk_of.clone()).collect(),
                sorted_map: pool_pattern(&sorted, detail_px),
            };
            Built {
                pattern: lsh.pattern,
                notes: c.notes,
                detail,
            }
        }
        PatternKind::Sinkhorn => {
            let cfg = SinkhornConfig {
                block: s.block,
                iterations: s.iterations,
                temperature: s.temperature,
                ..SinkhornConfig::default()
            };
            let c = sinkhorn_attention(x, &cfg, s.seed);
            let sk = c.value;
            let detail = Detail::Sinkhorn {
                iterations: sk.iterations,
                partner: sk.partner,
                block: sk.block,
            };
            Built {
                pattern: sk.pattern,
                notes: c.notes,
                detail,
            }
        }
    }
}

/// A layer whose heads use different patterns with the same settings: local, strided, global tokens
/// (at least 2) and BigBird — sparse models mix patterns across heads so that together they cover
/// more. Returns the assignment and the kind of each head.
pub fn mixed_heads(n: usize, s: &PatternSettings) -> (HeadAssignment, [PatternKind; 4]) {
    let plan = HeadAssignment {
        heads: vec![
            HeadPattern::Local {
                window: s.window,
                direction: s.direction(),
            },
            HeadPattern::Strided {
                stride: s.stride,
                causal: s.causal,
            },
            HeadPattern::Global {
                indices: global_positions(n, s.globals.max(2)),
            },
            HeadPattern::BigBird(s.bigbird()),
        ],
    };
    (
        plan,
        [
            PatternKind::Local,
            PatternKind::Strided,
            PatternKind::Global,
            PatternKind::BigBird,
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::{normal_matrix, stream};

    fn settings() -> PatternSettings {
        PatternSettings {
            causal: false,
            window: 3,
            stride: 4,
            summary: 1,
            dilation: 1,
            globals: 2,
            block: 4,
            global_blocks: 1,
            random_blocks: 1,
            buckets: 4,
            hashes: 2,
            chunk: 4,
            iterations: 3,
            temperature: 0.75,
            seed: 1,
        }
    }

    #[test]
    fn every_kind_builds_a_square_pattern_with_its_detail() {
        let n = 32;
        let x = normal_matrix(&mut stream(1, "zoo-test"), n, 8, 1.0);
        for kind in [
            PatternKind::Local,
            PatternKind::Strided,
            PatternKind::Fixed,
            PatternKind::Global,
            PatternKind::Longformer,
            PatternKind::BigBird,
            PatternKind::Lsh,
            PatternKind::Sinkhorn,
            PatternKind::Causal,
        ] {
            let b = build(kind, n, &settings(), x.view(), 16);
            assert_eq!((b.pattern.n_queries, b.pattern.n_keys), (n, n), "{kind:?}");
            assert!(b.notes.is_empty(), "{kind:?}: {:?}", b.notes);
            let detail_ok = match (&b.detail, kind) {
                (Detail::BigBird { block, .. }, PatternKind::BigBird) => *block == 4,
                (
                    Detail::Lsh {
                        buckets, sorted_map, ..
                    },
                    PatternKind::Lsh,
                ) => buckets.len() == 2 && sorted_map.data.iter().sum::<f32>() > 0.0,
                (Detail::Sinkhorn { iterations, .. }, PatternKind::Sinkhorn) => iterations.len() == 4,
                (Detail::None, _) => !matches!(kind, PatternKind::BigBird | PatternKind::Lsh | PatternKind::Sinkhorn),
                _ => false,
            };
            assert!(detail_ok, "{kind:?}");
        }
        // The local window: N(2w+1) − w(w+1) pairs.
        let local = build(PatternKind::Local, n, &settings(), x.view(), 16);
        assert_eq!(local.pattern.nnz(), 32 * 7 - 12);
    }

    #[test]
    fn a_window_too_wide_is_clamped_with_a_note_and_the_mixed_layer_has_four_heads() {
        let x = Matrix::zeros(16, 4);
        let wide = PatternSettings {
            window: 300,
            ..settings()
        };
        let b = build(PatternKind::Local, 16, &wide, x.view(), 16);
        assert_eq!(b.notes.len(), 1);
        assert_eq!(b.notes[0].used, Some(15.0));
        assert_eq!(b.pattern.nnz(), 256);
        let (plan, kinds) = mixed_heads(16, &settings());
        assert_eq!(plan.heads.len(), 4);
        assert_eq!(kinds[3], PatternKind::BigBird);
    }
}
