//! What each head of the model does, measured on its captured attention weights.
//!
//! For a head's weights w (rows = query positions, w_ij the weight of key j; a capture from an empty
//! cache is n × n and causal):
//!
//! - **previous-token score** = mean over i ≥ 1 of w(i, i−1): a previous-token head (Olsson et al.
//!   2022, "In-context Learning and Induction Heads") puts its weight on the token just before;
//! - **induction score** on a sequence that ends with a random half of T tokens repeated once,
//!   = mean over the second half's positions i of w(i, i−T+1): the query at i is the repeat of the
//!   token at i − T, and an induction head attends to the token *after* that earlier occurrence,
//!   i − T + 1, whose identity it then predicts (Olsson et al. 2022, their "repeated random tokens"
//!   measurement; the ARENA/TransformerLens induction score reads the same diagonal, averaged from
//!   row T − 1 on rather than over the second half only);
//! - **sink score** = mean over i ≥ 1 of w(i, 0): weight parked on the first token, the "attention
//!   sink" (Xiao et al. 2023, "Efficient Streaming Language Models with Attention Sinks", §3.1);
//! - **self score** = mean over i of w(i, i).
//!
//! [`repeated_random_tokens`] builds the standard sequence with the atlas RNG and [`half_losses`]
//! compares the model's loss on its two halves: with induction heads at work the second half, a
//! verbatim repeat, costs far fewer nats than the first, which is random.

use std::ops::Range;

use crate::attention::matrix::Matrix;
use crate::attention::rng::{below, stream};

/// SmolLM2's ordinary tokens: ids 0 … 16 are control tokens (`<|endoftext|>`, `<|im_start|>`,
/// `<|im_end|>`, the `<repo_name>`/`<jupyter_*>` markers, …; GGUF token type 3), 17 … 272 are the single
/// bytes of the byte-level alphabet, and merged tokens follow. Random sequences draw from 1000 … 19 999,
/// whole words and word pieces (" properly", " Brow", "()") that a text could contain, well inside the
/// vocabulary of 49,152 and away from its rarest ids.
pub const ORDINARY_TOKENS: Range<u32> = 1000..20_000;

/// One head's scores (module doc); `induction` is None without a repeated half.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeadScores {
    /// Mean w(i, i−1).
    pub previous_token: f32,
    /// Mean w(i, i−T+1) over the repeated half.
    pub induction: Option<f32>,
    /// Mean w(i, 0).
    pub sink: f32,
    /// Mean w(i, i).
    pub itself: f32,
}

/// Mean of w(i, key(p)) over query rows i whose position p = offset + i satisfies `take(p)`, with
/// offset = cols − rows (row i of a capture after p₀ cached tokens is position p₀ + i); 0 when no row
/// qualifies.
fn mean_at(w: &Matrix, take: impl Fn(usize) -> bool, key: impl Fn(usize) -> usize) -> f32 {
    let offset = w.cols.saturating_sub(w.rows);
    let (mut sum, mut count) = (0.0f64, 0usize);
    for i in 0..w.rows {
        let p = offset + i;
        if take(p) {
            sum += w.get(i, key(p)) as f64;
            count += 1;
        }
    }
    if count == 0 {
        0.0
    } else {
        (sum / count as f64) as f32
    }
}

/// Mean over positions i ≥ 1 of w(i, i−1).
pub fn previous_token_score(w: &Matrix) -> f32 {
    mean_at(w, |p| p >= 1, |p| p - 1)
}

/// Mean over positions i ≥ 1 of w(i, 0).
pub fn sink_score(w: &Matrix) -> f32 {
    mean_at(w, |p| p >= 1, |_| 0)
}

/// Mean over positions i of w(i, i).
pub fn self_score(w: &Matrix) -> f32 {
    mean_at(w, |_| true, |p| p)
}

/// Mean over the last `half_len` positions i (the repeated half, T = `half_len`) of w(i, i−T+1);
/// the sequence must end with its two halves (a BOS before them is fine). 0 when T = 0 or the
/// sequence is shorter than 2T.
pub fn induction_score(w: &Matrix, half_len: usize) -> f32 {
    let n = w.cols;
    if half_len == 0 || n < 2 * half_len {
        return 0.0;
    }
    mean_at(w, |p| p >= n - half_len, |p| p + 1 - half_len)
}

/// Every head's scores, indexed `[layer][head]`, from `attention[layer][head]`; the induction score when
/// `half_len` is given.
pub fn score_heads(attention: &[Vec<Matrix>], half_len: Option<usize>) -> Vec<Vec<HeadScores>> {
    attention
        .iter()
        .map(|layer| {
            layer
                .iter()
                .map(|w| HeadScores {
                    previous_token: previous_token_score(w),
                    induction: half_len.map(|t| induction_score(w, t)),
                    sink: sink_score(w),
                    itself: self_score(w),
                })
                .collect()
        })
        .collect()
}

/// The `k` heads with the largest `score`, as (layer, head, value), largest first (ties: lower layer,
/// then lower head, first).
pub fn best_heads(
    scores: &[Vec<HeadScores>],
    score: impl Fn(&HeadScores) -> f32,
    k: usize,
) -> Vec<(usize, usize, f32)> {
    let mut all: Vec<(usize, usize, f32)> = scores
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| layer.iter().enumerate().map(move |(h, s)| (l, h, s)))
        .map(|(l, h, s)| (l, h, score(s)))
        .collect();
    all.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    all.truncate(k);
    all
}

/// `half_len` ids drawn uniformly from `vocab` (stream "repeated_tokens" under `seed`), then the same
/// ids again, after `bos` when given: (bos,) r₀ … r_{T−1}, r₀ … r_{T−1}. An empty `vocab` gives no
/// random ids.
pub fn repeated_random_tokens(seed: u64, half_len: usize, vocab: Range<u32>, bos: Option<u32>) -> Vec<u32> {
    let mut rng = stream(seed, "repeated_tokens");
    let span = vocab.end.saturating_sub(vocab.start) as usize;
    let half: Vec<u32> = if span == 0 {
        Vec::new()
    } else {
        (0..half_len)
            .map(|_| vocab.start + below(&mut rng, span) as u32)
            .collect()
    };
    bos.into_iter()
        .chain(half.iter().copied())
        .chain(half.iter().copied())
        .collect()
}

/// (first-half mean, second-half mean) of per-token losses for a sequence that ends with two halves
/// of `half_len` tokens; `losses[t]` is the loss of token t + 1 (as [`crate::attention::model::Model::token_losses`]
/// returns them, n − 1 values). The first token of a sequence has no loss, so without a BOS the first
/// half averages T − 1 tokens. NaN for a half with no token.
pub fn half_losses(losses: &[f32], half_len: usize) -> (f32, f32) {
    let n = losses.len() + 1;
    let mean = |positions: Range<usize>| {
        let vals: Vec<f64> = positions.filter(|&p| p >= 1).map(|p| losses[p - 1] as f64).collect();
        (vals.iter().sum::<f64>() / vals.len() as f64) as f32
    };
    if half_len == 0 || n < 2 * half_len {
        return (f32::NAN, f32::NAN);
    }
    (mean(n - 2 * half_len..n - half_len), mean(n - half_len..n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n × n causal weights where row i puts `a` on key f(i) (if ≤ i) and the rest uniformly.
    fn pattern(n: usize, a: f32, f: impl Fn(usize) -> Option<usize>) -> Matrix {
        let mut w = Matrix::zeros(n, n);
        for i in 0..n {
            match f(i).filter(|&j| j <= i) {
                Some(j) if i > 0 => {
                    for k in 0..=i {
                        w.set(i, k, (1.0 - a) / i as f32);
                    }
                    w.set(i, j, a);
                }
                _ => (0..=i).for_each(|k| w.set(i, k, 1.0 / (i + 1) as f32)),
            }
        }
        w
    }

    #[test]
    fn scores_read_their_diagonals() {
        let n = 9;
        let prev = pattern(n, 0.8, |i| i.checked_sub(1));
        assert!((previous_token_score(&prev) - 0.8).abs() < 1e-6);
        // Row 0's self weight is 1, rows i ≥ 1 give (1 − 0.8)/i to themselves.
        let want_self = (1.0 + (1..n).map(|i| 0.2 / i as f32).sum::<f32>()) / n as f32;
        assert!((self_score(&prev) - want_self).abs() < 1e-6);
        let sink = pattern(n, 0.9, |_| Some(0));
        assert!((sink_score(&sink) - 0.9).abs() < 1e-6);
        // T = 4 after a BOS: n = 9, the second half is rows 5 … 8, each attends to i − 3.
        let induction = pattern(n, 0.7, |i| (i >= 5).then(|| i - 3));
        assert!((induction_score(&induction, 4) - 0.7).abs() < 1e-6);
        assert_eq!(induction_score(&induction, 5), 0.0, "shorter than 2T");
    }

    #[test]
    fn a_capture_after_cached_tokens_reads_rows_at_their_positions() {
        // Two rows at positions 3 and 4 of a 5-key capture: previous tokens are keys 2 and 3.
        let mut w = Matrix::zeros(2, 5);
        w.set(0, 2, 0.5);
        w.set(1, 3, 0.25);
        assert!((previous_token_score(&w) - 0.375).abs() < 1e-7);
    }

    #[test]
    fn best_heads_rank_by_score_and_the_repeated_sequence_repeats() {
        let s = |p: f32| HeadScores {
            previous_token: p,
            induction: None,
            sink: 0.0,
            itself: 0.0,
        };
        let scores = vec![vec![s(0.1), s(0.9)], vec![s(0.5), s(0.9)]];
        assert_eq!(
            best_heads(&scores, |h| h.previous_token, 3),
            vec![(0, 1, 0.9), (1, 1, 0.9), (1, 0, 0.5)]
        );
        let t = repeated_random_tokens(7, 24, ORDINARY_TOKENS, Some(1));
        assert_eq!(t.len(), 49);
        assert_eq!(t[0], 1);
        assert_eq!(t[1..25], t[25..]);
        assert!(t[1..].iter().all(|id| ORDINARY_TOKENS.contains(id)));
        let distinct: std::collections::HashSet<_> = t[1..25].iter().collect();
        assert!(distinct.len() >= 23, "{} distinct of 24", distinct.len());
        assert_eq!(t, repeated_random_tokens(7, 24, ORDINARY_TOKENS, Some(1)));
        assert_ne!(t, repeated_random_tokens(8, 24, ORDINARY_TOKENS, Some(1)));
        assert!(repeated_random_tokens(7, 5, 3..3, None).is_empty());
    }

    #[test]
    fn half_losses_average_the_two_halves() {
        // [bos, a, b, a, b]: losses of tokens 1 … 4.
        let (first, second) = half_losses(&[5.0, 3.0, 1.0, 0.5], 2);
        assert_eq!((first, second), (4.0, 0.75));
        // Without BOS the first token has no loss: [a, b, a, b] → first half averages token 1 only.
        assert_eq!(half_losses(&[3.0, 1.0, 0.5], 2), (3.0, 0.75));
        assert!(half_losses(&[1.0], 2).0.is_nan());
    }
}
