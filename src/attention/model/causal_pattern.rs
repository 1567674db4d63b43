//! The sparse chapter's patterns inside a causal language model.
//!
//! A replacement mask for a generating model needs two properties over absolute positions:
//! 1. **causal**: query i may use key j only if j ≤ i — the next token is predicted from the past
//!    alone — so every zoo pattern is intersected with the causal pattern: allowed(i, j) =
//!    zoo(i, j) ∧ j ≤ i;
//! 2. **prefix-stable**: row i must not depend on how many tokens follow it, or a cached decode (row i
//!    computed when i was the last token) and a full recompute of the same text would disagree.
//!
//! Each pattern is drawn by the zoo's own generator ([`crate::attention::sparse`]) with the chapter's
//! [`PatternSettings`] over a horizon of H positions, H = [`horizon`]`(n_keys)` = max(1024, the power of
//! two ≥ n_keys), and kept as a causal bit matrix ([`CausalPattern`], H²/8 bytes: 128 KiB at H = 1024);
//! a call with n_keys ≤ H reads its first rows. Per kind:
//! - local window w: 0 ≤ i − j ≤ w (the zoo's causal window, w + 1 keys);
//! - strided s and fixed (s, c): the Sparse Transformer's causal forms;
//! - Longformer (w, δ, g): the band's past half, j = i − kδ for k ≤ ⌊w/2⌋, plus global tokens;
//! - global tokens (g): **the first g positions** instead of the zoo's evenly spread ⌊t·N/g⌋ (which
//!   moves as N grows): every query sees the first g tokens, the "attention sink" that StreamingLLM
//!   keeps beside its window (Xiao et al. 2023, "Efficient Streaming Language Models with Attention
//!   Sinks"). A row outside G sees G ∩ [0, i] only (not even itself), as in the zoo;
//! - BigBird (b, g, r, seed): drawn at H with a separate random draw per query head (the zoo's
//!   `bigbird(H, cfg, seed, head)`). Its last ⌊g/2⌋ global blocks and its random blocks depend on the
//!   length it is drawn for, so its rows are stable while the sequence stays within H (1024 tokens);
//!   past it the pattern is redrawn at 2H. Causality cuts every random block after a row's own block.
//!
//! Local, strided, fixed, global and Longformer rows depend on (i, j) only, so they are the same for
//! every H. The content-based patterns are not drawn here: LSH hashes the model's own queries and keys
//! ([`super::bucket_mask`]); Sinkhorn is not supported (its sort net reads the mean of every block,
//! future blocks included). The generators' clamp notes are dropped: they are relative to H, and the
//! view's schema bounds the parameters. A row left with no key (global tokens with g = 0) gives a zero
//! output, as the softmax of nothing does in [`crate::attention::softmax::softmax_in_place`].

use std::ops::Range;
use std::sync::{Arc, Mutex};

use crate::attention::mask::AttentionMask;
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::global::global_tokens;
use crate::attention::sparse::longformer::longformer;
use crate::attention::sparse::strided::{fixed, strided};
use crate::attention::sparse::window::{causal, local_window, Direction};
use crate::attention::sparse::zoo::{PatternKind, PatternSettings};

/// Smallest horizon a pattern is drawn for (BigBird stays prefix-stable up to it).
pub const MIN_HORIZON: usize = 1024;

/// H = max([`MIN_HORIZON`], the power of two ≥ n_keys).
pub fn horizon(n_keys: usize) -> usize {
    n_keys.next_power_of_two().max(MIN_HORIZON)
}

/// True when [`draw_for_model`] can draw `kind` (every zoo pattern but the content-based LSH, which
/// [`super::bucket_mask`] builds per call, and Sinkhorn, which the model does not support).
pub fn is_positional(kind: PatternKind) -> bool {
    !matches!(kind, PatternKind::Lsh | PatternKind::Sinkhorn)
}

/// The zoo's generator for `kind` over `h` positions (module doc), before the causal intersection;
/// None for the kinds [`is_positional`] rejects.
pub fn draw_for_model(kind: PatternKind, s: &PatternSettings, h: usize, head: usize) -> Option<SparsePattern> {
    let first_g: Vec<usize> = (0..s.globals.min(h)).collect();
    Some(match kind {
        PatternKind::Causal => causal(h),
        PatternKind::Local => local_window(h, s.window, Direction::Causal).value,
        PatternKind::Strided => strided(h, s.stride, true).value,
        PatternKind::Fixed => fixed(h, s.stride, s.summary, true).value,
        PatternKind::Global => global_tokens(h, &first_g).value,
        PatternKind::Longformer => longformer(h, s.window, s.dilation, &first_g).value,
        PatternKind::BigBird => {
            let cfg = BigBirdConfig {
                block: s.block,
                global_blocks: s.global_blocks,
                random_blocks: s.random_blocks,
            };
            bigbird(h, &cfg, s.seed, head).value.pattern
        }
        PatternKind::Lsh | PatternKind::Sinkhorn => return None,
    })
}

/// A pattern over absolute positions 0 … H−1 intersected with causality, as a bit matrix:
/// allows(i, j) ⇔ j ≤ i < H and the source pattern allows (i, j).
#[derive(Clone, Debug, PartialEq)]
pub struct CausalPattern {
    horizon: usize,
    /// u64 words per row, ⌈H / 64⌉.
    words: usize,
    bits: Vec<u64>,
    /// Per row: first allowed key .. one past the last (empty for an empty row).
    spans: Vec<Range<usize>>,
    /// Every row's allowed keys are exactly its span.
    contiguous: bool,
    nnz: usize,
}

impl CausalPattern {
    /// The causal part (j ≤ i) of the square pattern `p` (H = `p.n_queries`).
    pub fn from_pattern(p: &SparsePattern) -> Self {
        let h = p.n_queries;
        let words = h.div_ceil(64);
        let mut bits = vec![0u64; h * words];
        let mut spans = Vec::with_capacity(h);
        let (mut contiguous, mut nnz) = (true, 0);
        for i in 0..h {
            let row = p.row(i);
            let keep = &row[..row.partition_point(|&j| j <= i)];
            for &j in keep {
                bits[i * words + j / 64] |= 1 << (j % 64);
            }
            nnz += keep.len();
            spans.push(match (keep.first(), keep.last()) {
                (Some(&a), Some(&b)) => {
                    contiguous &= b + 1 - a == keep.len();
                    a..b + 1
                }
                _ => 0..0,
            });
        }
        Self {
            horizon: h,
            words,
            bits,
            spans,
            contiguous,
            nnz,
        }
    }

    /// H, the number of positions the pattern covers.
    pub fn horizon(&self) -> usize {
        self.horizon
    }

    /// Allowed pairs over all H rows.
    pub fn nnz(&self) -> usize {
        self.nnz
    }

    /// Number of keys position i may attend to (0 outside the horizon).
    pub fn row_len(&self, i: usize) -> usize {
        if i >= self.horizon {
            return 0;
        }
        self.bits[i * self.words..(i + 1) * self.words]
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum()
    }
}

impl AttentionMask for CausalPattern {
    fn allows(&self, i: usize, j: usize) -> bool {
        j <= i && i < self.horizon && self.bits[i * self.words + j / 64] >> (j % 64) & 1 == 1
    }

    fn key_range(&self, i: usize, n_keys: usize) -> Range<usize> {
        match self.spans.get(i) {
            Some(r) => r.start.min(n_keys)..r.end.min(n_keys),
            None => 0..0,
        }
    }

    fn is_contiguous(&self) -> bool {
        self.contiguous
    }
}

/// One zoo pattern for the model, drawn lazily: the first call that needs a horizon H draws it (one
/// pattern for every head, or one per query head for BigBird), and later calls reuse it until a
/// longer sequence needs 2H. Shared by every layer that uses it.
pub struct ModelPattern {
    kind: PatternKind,
    settings: PatternSettings,
    drawn: Mutex<Vec<Option<Arc<CausalPattern>>>>,
}

impl ModelPattern {
    /// The lazily drawn pattern `kind` with `settings`; None for the kinds [`is_positional`] rejects.
    pub fn new(kind: PatternKind, settings: PatternSettings) -> Option<Self> {
        is_positional(kind).then(|| Self {
            kind,
            settings,
            drawn: Mutex::new(Vec::new()),
        })
    }

    /// The pattern kind.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// The pattern query head `head` uses for a call with `n_keys` keys (H ≥ n_keys).
    pub fn for_call(&self, head: usize, n_keys: usize) -> Arc<CausalPattern> {
        let slot = if self.kind == PatternKind::BigBird { head } else { 0 };
        let mut drawn = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if drawn.len() <= slot {
            drawn.resize(slot + 1, None);
        }
        match &drawn[slot] {
            Some(p) if p.horizon() >= n_keys => p.clone(),
            _ => {
                let h = horizon(n_keys);
                let p = draw_for_model(self.kind, &self.settings, h, slot).expect("positional kind, checked by new");
                let p = Arc::new(CausalPattern::from_pattern(&p));
                drawn[slot] = Some(p.clone());
                p
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::mask::{Causal, DenseMask};

    fn settings() -> PatternSettings {
        PatternSettings {
            causal: false,
            window: 4,
            stride: 4,
            summary: 1,
            dilation: 2,
            globals: 2,
            block: 8,
            global_blocks: 2,
            random_blocks: 2,
            buckets: 4,
            hashes: 2,
            chunk: 8,
            iterations: 3,
            temperature: 0.75,
            seed: 3,
        }
    }

    #[test]
    fn every_positional_kind_is_causal_and_its_rows_do_not_depend_on_the_horizon() {
        let s = settings();
        let kinds = [
            PatternKind::Causal,
            PatternKind::Local,
            PatternKind::Strided,
            PatternKind::Fixed,
            PatternKind::Global,
            PatternKind::Longformer,
        ];
        for kind in kinds {
            let small = CausalPattern::from_pattern(&draw_for_model(kind, &s, 64, 0).unwrap());
            let big = CausalPattern::from_pattern(&draw_for_model(kind, &s, 1024, 0).unwrap());
            for i in 0..64 {
                for j in 0..64 {
                    assert_eq!(small.allows(i, j), big.allows(i, j), "{kind:?} ({i}, {j})");
                    assert!(!small.allows(i, j) || j <= i, "{kind:?} ({i}, {j}) is not causal");
                }
            }
        }
        assert!(draw_for_model(PatternKind::Sinkhorn, &s, 64, 0).is_none());
        assert!(ModelPattern::new(PatternKind::Lsh, s).is_none());
    }

    #[test]
    fn the_window_keeps_w_plus_1_past_keys_and_is_contiguous() {
        // Causal window w = 4 over H = 1024: N(w+1) − w(w+1)/2 = 5120 − 10 = 5110 pairs.
        let p = ModelPattern::new(PatternKind::Local, settings())
            .unwrap()
            .for_call(0, 10);
        assert_eq!(p.horizon(), 1024);
        assert_eq!(p.nnz(), 5110);
        assert!(p.is_contiguous());
        assert_eq!(p.key_range(9, 10), 5..10);
        assert_eq!((p.row_len(9), p.row_len(2)), (5, 3));
        assert!(p.allows(9, 5) && !p.allows(9, 4) && !p.allows(5, 9));
    }

    #[test]
    fn longformer_rows_keep_the_dilated_past_half_and_the_first_g_tokens() {
        // w = 4 → h = 2, δ = 2: row 20 keeps 16, 18, 20 and the globals 0, 1; row 1 (a global) keeps 0, 1.
        let p = ModelPattern::new(PatternKind::Longformer, settings())
            .unwrap()
            .for_call(0, 32);
        let row = |i: usize| (0..32).filter(|&j| p.allows(i, j)).collect::<Vec<_>>();
        assert_eq!(row(20), vec![0, 1, 16, 18, 20]);
        assert_eq!(row(1), vec![0, 1]);
        assert!(!p.is_contiguous());
        // Global tokens alone: every later row sees exactly positions 0 and 1.
        let g = ModelPattern::new(PatternKind::Global, settings())
            .unwrap()
            .for_call(0, 32);
        assert_eq!((0..32).filter(|&j| g.allows(30, j)).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn the_causal_kind_equals_the_causal_mask_and_bigbird_differs_per_head_and_grows_its_horizon() {
        let c = ModelPattern::new(PatternKind::Causal, settings())
            .unwrap()
            .for_call(0, 50);
        assert_eq!(DenseMask::from_mask(&*c, 50, 50), DenseMask::from_mask(&Causal, 50, 50));
        assert!(c.is_contiguous());
        let bb = ModelPattern::new(PatternKind::BigBird, settings()).unwrap();
        let (h0, h1) = (bb.for_call(0, 600), bb.for_call(1, 600));
        assert_ne!(*h0, *h1, "random blocks are drawn per head");
        assert!(Arc::ptr_eq(&h0, &bb.for_call(0, 900)), "reused within the horizon");
        let longer = bb.for_call(0, 1500);
        assert_eq!(longer.horizon(), 2048);
        for i in (0..1500).step_by(97) {
            assert!((0..=i).all(|j| !longer.allows(i, j) || j <= i));
            // Every row keeps its own block's past (the window part): i itself at least.
            assert!(longer.allows(i, i));
        }
    }
}
