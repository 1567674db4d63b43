//! The head finder's display data: four scores per head, as a layer × head grid and as a table
//! sorted by any of them. (The scores themselves are the engine's, `attention::model::head_scores`.)

use crate::attention::matrix::Matrix;
use crate::attention::model::Model;
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
    /// The grid of one score, a row per head and a column per layer (as the thumbnails).
    pub fn grid(&self, score: Score) -> Matrix {
        Matrix::from_fn(self.heads, self.layers, |h, l| self.values[l * self.heads + h][score.index()])
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

/// Scores of every head from the captured weights; the induction score needs `repeat_half`.
pub fn head_scores(attention: &[Vec<Matrix>], repeat_half: Option<usize>) -> HeadScores {
    let layers = attention.len();
    let heads = attention.first().map_or(0, |l| l.len());
    let mut values = Vec::with_capacity(layers * heads);
    for layer in attention {
        for w in layer {
            let n = w.rows;
            let mean = |f: &dyn Fn(usize) -> Option<f32>, from: usize| {
                let xs: Vec<f32> = (from..n).filter_map(f).collect();
                if xs.is_empty() {
                    0.0
                } else {
                    xs.iter().sum::<f32>() / xs.len() as f32
                }
            };
            let prev = mean(&|i| Some(w.get(i, i - 1)), 1);
            let first = mean(&|i| Some(w.get(i, 0)), 1);
            let own = mean(&|i| Some(w.get(i, i)), 0);
            let induction = match repeat_half {
                Some(t) if n > t => mean(&|i| (i + 1 > t).then(|| w.get(i, i + 1 - t)), t),
                _ => 0.0,
            };
            values.push([prev, induction, first, own]);
        }
    }
    HeadScores {
        layers,
        heads,
        values,
        has_induction: repeat_half.is_some(),
    }
}

/// `half` random ordinary tokens from `seed`, then the same tokens again.
pub fn repeated_run(model: &Model, half: usize, seed: u64) -> Vec<u32> {
    let mut rng = crate::attention::rng::stream(seed, "model.repeat");
    // Skip the first 1000 ids (special tokens and single bytes) so the run is of ordinary tokens.
    let lo = 1000.min(model.config.vocab.saturating_sub(1));
    let first: Vec<u32> = (0..half)
        .map(|_| (lo + crate::attention::rng::below(&mut rng, model.config.vocab - lo)) as u32)
        .collect();
    first.iter().chain(first.iter()).copied().collect()
}
