//! The analysis of one input: a forward pass that keeps every head's attention weights and every
//! position's logits, cut into half-layer steps for the page. From it come the token chips, the
//! next-token top 10, the per-token loss, the 30 × 9 maps and the head finder's scores.

use std::rc::Rc;

use crate::attention::matrix::Matrix;
use crate::attention::model::forward::{cross_entropy, top_k};
use crate::attention::model::hook::CausalExact;
use crate::attention::model::{ForwardOptions, ForwardOutput, Logits, Model};
use crate::view_model::job::Job;
use crate::view_model::model::finder::{head_scores, HeadScores};
use crate::view_model::model::params::{Source, MAX_TOKENS};
use crate::view_model::model::pass::OwnedPass;
use crate::view_model::model::tokens::{chips, display, TokenChip};

/// The tokens of a source, at most [`MAX_TOKENS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Tokens {
    pub ids: Vec<u32>,
    /// Tokens the prompt had before it was cut to [`MAX_TOKENS`] (None when it fitted).
    pub cut_from: Option<usize>,
    /// Half length when the input is a repeated run.
    pub repeat_half: Option<usize>,
}

/// Tokenizes `source` (the prompt's text, or the repeated random run).
pub fn tokens_of(model: &Model, source: &Source) -> Tokens {
    match source {
        Source::Prompt(text) => {
            let mut ids = model.tokenizer.encode(text, false);
            let cut_from = (ids.len() > MAX_TOKENS).then_some(ids.len());
            ids.truncate(MAX_TOKENS);
            Tokens {
                ids,
                cut_from,
                repeat_half: None,
            }
        }
        Source::Repeat { half, seed } => {
            let half = (*half).clamp(1, MAX_TOKENS / 2);
            Tokens {
                ids: crate::view_model::model::finder::repeated_run(half, *seed),
                cut_from: None,
                repeat_half: Some(half),
            }
        }
    }
}

/// A next-token candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: u32,
    pub text: String,
    /// softmax probability.
    pub prob: f32,
}

/// The `k` most probable next tokens after logits row `logits`.
pub fn candidates(model: &Model, logits: &[f32], k: usize) -> Vec<Candidate> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let z: f64 = logits.iter().map(|v| (*v as f64 - max).exp()).sum();
    top_k(logits, k)
        .into_iter()
        .map(|(id, v)| Candidate {
            id: id as u32,
            text: display(&model.tokenizer, id as u32),
            prob: (((v as f64 - max).exp()) / z) as f32,
        })
        .collect()
}

/// loss[t − 1] = −ln softmax(logits row t − 1)[ids[t]] for t = 1 … n−1, and the top 10 after the
/// last row: what both the trained and the changed model report.
pub fn losses_and_next(model: &Model, logits: &Matrix, ids: &[u32]) -> (Vec<f32>, Vec<Candidate>) {
    let losses = (1..ids.len().min(logits.rows + 1))
        .map(|t| cross_entropy(logits.row(t - 1), ids[t] as usize))
        .collect();
    let next = match logits.rows {
        0 => Vec::new(),
        rows => candidates(model, logits.row(rows - 1), 10),
    };
    (losses, next)
}

/// What the view shows of one input.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub tokens: Tokens,
    pub chips: Vec<TokenChip>,
    /// The 10 most probable tokens after the last one.
    pub next: Vec<Candidate>,
    /// loss[t − 1] = −ln p(token t | tokens before it), t = 1 … n−1, in nats.
    pub losses: Vec<f32>,
    /// Logits of every position (`n × vocab`): the changed model's KL divergence is against these.
    pub logits: Matrix,
    /// `attention[layer][head]`, each `n × n` (causal).
    pub attention: Vec<Vec<Matrix>>,
    /// The head finder's four scores of every head.
    pub scores: HeadScores,
}

impl Analysis {
    /// Mean of the losses of positions `range` (token indices 1 … n−1); None when empty.
    pub fn mean_loss(&self, from_token: usize, to_token: usize) -> Option<f32> {
        mean_loss(&self.losses, from_token, to_token)
    }
}

/// Mean of `losses` over tokens `from_token .. to_token` (loss index = token − 1).
pub fn mean_loss(losses: &[f32], from_token: usize, to_token: usize) -> Option<f32> {
    let lo = from_token.max(1) - 1;
    let hi = to_token.saturating_sub(1).min(losses.len());
    (hi > lo).then(|| losses[lo..hi].iter().sum::<f32>() / (hi - lo) as f32)
}

/// The analysis as a [`Job`]: one half-layer (or four rows of logits) per step.
pub struct AnalysisJob {
    tokens: Tokens,
    pass: OwnedPass,
}

const OPTIONS: ForwardOptions<'static> = ForwardOptions {
    logits: Logits::All,
    capture_attention: true,
    hook: &CausalExact,
    rope_layout: crate::attention::heads::rope::RopeLayout::Interleaved,
};

impl AnalysisJob {
    /// Starts the analysis of `tokens`.
    pub fn new(model: Rc<Model>, tokens: Tokens) -> Self {
        let pass = OwnedPass::new(model, &tokens.ids, &OPTIONS);
        Self { tokens, pass }
    }
}

impl Job for AnalysisJob {
    type Output = Analysis;

    fn step(&mut self) {
        self.pass.step(OPTIONS.hook);
    }

    fn progress(&self) -> f64 {
        self.pass.progress()
    }

    fn is_done(&self) -> bool {
        self.pass.is_done()
    }

    fn finish(mut self) -> Analysis {
        let m = Rc::clone(&self.pass.model);
        let out = self.pass.finish(OPTIONS.hook).unwrap_or_else(|| ForwardOutput {
            logits: Matrix::zeros(0, m.config.vocab),
            attention: Some(Vec::new()),
        });
        let ids = &self.tokens.ids;
        let (losses, next) = losses_and_next(&m, &out.logits, ids);
        let attention = out.attention.unwrap_or_default();
        let scores = head_scores(&attention, self.tokens.repeat_half);
        Analysis {
            chips: chips(&m.tokenizer, ids),
            tokens: self.tokens,
            next,
            losses,
            logits: out.logits,
            attention,
            scores,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_loss_indexes_tokens_not_losses() {
        // Tokens 0..5 → losses of tokens 1..4.
        let l = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mean_loss(&l, 1, 5), Some(2.5));
        assert_eq!(mean_loss(&l, 3, 5), Some(3.5), "tokens 3 and 4");
        assert_eq!(mean_loss(&l, 0, 2), Some(1.0), "token 0 has no loss");
        assert_eq!(mean_loss(&l, 4, 4), None);
        assert_eq!(mean_loss(&[], 0, 9), None);
    }
}
