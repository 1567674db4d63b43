//! The head finder's display data: four scores per head, as a layer × head grid and as a table
//! sorted by any of them. The scores themselves are the engine's (`attention::model::head_scores`).

use crate::attention::matrix::Matrix;
use crate::attention::model::head_scores::{repeated_random_tokens, score_heads, ORDINARY_TOKENS};
use crate::view_model::model::choices::Score;

/// [previous, induction, first, self] of every head, `layer · heads + head`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeadScores {
    pub layers: usize,
    pub heads: usize,
    pub values: Vec<[f32; 4]>,
    /// Whether the induction score means anything (the input is a repeated run).
    pub has_induction: bool,
}

impl HeadScores {
    /// The grid of one score, a row per head and a column per layer, laid out as the thumbnails: the
    /// `group` query heads that read one K/V head form a band, and an empty (NaN, painted grey) row
    /// separates two bands. [`head_of_row`] maps a row back to its head.
    pub fn grid(&self, score: Score, group: usize) -> Matrix {
        let group = group.max(1);
        let rows = self.heads + self.heads.div_ceil(group).saturating_sub(1);
        Matrix::from_fn(rows, self.layers, |r, l| match head_of_row(r, group) {
            Some(h) if h < self.heads => self.values[l * self.heads + h][score.index()],
            _ => f32::NAN,
        })
    }

    /// Every head as (layer, head, scores), the highest `score` first (ties: lower layer, head).
    pub fn ranked(&self, score: Score) -> Vec<(usize, usize, [f32; 4])> {
        let mut rows: Vec<_> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (i / self.heads, i % self.heads, *v))
            .collect();
        rows.sort_by(|a, b| b.2[score.index()].total_cmp(&a.2[score.index()]));
        rows
    }
}

/// The query head drawn in row `row` of [`HeadScores::grid`] (None on a gap between two bands).
pub fn head_of_row(row: usize, group: usize) -> Option<usize> {
    let group = group.max(1);
    let (band, offset) = (row / (group + 1), row % (group + 1));
    (offset < group).then_some(band * group + offset)
}

/// The display grid of the engine's scores ([`score_heads`]); the induction score is 0 when the
/// input is not a repeated run.
pub fn head_scores(attention: &[Vec<Matrix>], repeat_half: Option<usize>) -> HeadScores {
    let scores = score_heads(attention, repeat_half);
    let layers = scores.len();
    let heads = scores.first().map_or(0, |l| l.len());
    let values = scores
        .iter()
        .flatten()
        .map(|s| [s.previous_token, s.induction.unwrap_or(0.0), s.sink, s.itself])
        .collect();
    HeadScores {
        layers,
        heads,
        values,
        has_induction: repeat_half.is_some(),
    }
}

/// `half` random ordinary tokens ([`ORDINARY_TOKENS`]) from `seed`, then the same tokens again.
pub fn repeated_run(half: usize, seed: u64) -> Vec<u32> {
    repeated_random_tokens(seed, half, ORDINARY_TOKENS, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_heads_by_layers_and_the_ranking_sorts_by_the_chosen_score() {
        // 2 layers × 3 heads of 4 tokens: head (l, h) puts weight (l·3 + h + 1)/10 on the previous token.
        let att: Vec<Vec<Matrix>> = (0..2)
            .map(|l| {
                (0..3)
                    .map(|h| {
                        let a = (l * 3 + h + 1) as f32 / 10.0;
                        Matrix::from_fn(4, 4, |i, j| match i {
                            0 => (j == 0) as u8 as f32,
                            _ if j + 1 == i => a,
                            _ if j == i => 1.0 - a,
                            _ => 0.0,
                        })
                    })
                    .collect()
            })
            .collect();
        let s = head_scores(&att, None);
        let g = s.grid(Score::Previous, 3);
        assert_eq!((g.rows, g.cols), (3, 2));
        assert!((g.get(2, 1) - 0.6).abs() < 1e-6, "head 2 of layer 1");
        // Bands of two query heads: head 0, head 1, a gap, head 2.
        let g = s.grid(Score::Previous, 2);
        assert_eq!((g.rows, g.cols), (4, 2));
        assert!(g.get(2, 0).is_nan() && g.get(2, 1).is_nan(), "the gap row");
        assert!((g.get(3, 1) - 0.6).abs() < 1e-6, "head 2 of layer 1 below the gap");
        let heads: Vec<_> = (0..4).map(|r| head_of_row(r, 2)).collect();
        assert_eq!(heads, [Some(0), Some(1), None, Some(2)]);
        let ranked = s.ranked(Score::Previous);
        assert_eq!((ranked[0].0, ranked[0].1), (1, 2));
        assert_eq!((ranked[5].0, ranked[5].1), (0, 0));
        assert!(!s.has_induction && s.values.iter().all(|v| v[1] == 0.0));
        let run = repeated_run(5, 3);
        assert_eq!(run.len(), 10);
        assert_eq!(run[..5], run[5..]);
        assert!(run.iter().all(|t| ORDINARY_TOKENS.contains(t)));
    }
}
