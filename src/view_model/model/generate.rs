//! Generation as a [`Job`]: the prompt in one cached pass (the prefill), then one token per cached
//! pass (the decode), each pass cut into half-layer steps. Partial results stream the tokens, the
//! speed and the KV cache's size as they grow.

use std::rc::Rc;

use crate::attention::heads::rope::RopeLayout;
use crate::attention::model::hook::AttentionHook;
use crate::attention::model::sampling::{choose, Sampling as EngineSampling};
use crate::attention::model::{ForwardOptions, ForwardPass, KvCache, Logits, Model};
use crate::view_model::job::Job;
use crate::view_model::model::choices::Sampling;
use crate::view_model::model::tokens::{display, TokenChip};

/// How the next token is picked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pick {
    pub sampling: Sampling,
    pub temperature: f64,
    pub seed: u64,
}

/// Candidates a sampled token is drawn from (the largest logits).
pub const SAMPLE_TOP_K: usize = 40;

/// The next token after `logits` at generation step `step`: the argmax, or the engine's seeded
/// draw from softmax(logits/T) over the top [`SAMPLE_TOP_K`].
pub fn pick_next(logits: &[f32], pick: &Pick, step: usize) -> u32 {
    let how = match pick.sampling {
        Sampling::Greedy => EngineSampling::Greedy,
        Sampling::Sample => EngineSampling::Sample {
            temperature: pick.temperature as f32,
            top_k: SAMPLE_TOP_K,
            seed: pick.seed,
        },
    };
    choose(logits, &how, step)
}

/// What generation has produced so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub prompt_tokens: usize,
    pub new_tokens: Vec<TokenChip>,
    /// The new tokens decoded to text (bytes joined first, so split characters come out whole).
    pub text: String,
    /// Time of the prompt's pass, and of the decode passes so far, in ms.
    pub prefill_ms: f64,
    pub decode_ms: f64,
    /// Tokens decoded (each new token after the first needs one decode pass; the first comes
    /// from the prefill's logits).
    pub decoded: usize,
    pub cache_bytes: usize,
    pub cache_tokens: usize,
    /// True once every requested token is out (or the model said end-of-text).
    pub finished: bool,
}

impl Generated {
    /// Prompt tokens per second of the prefill.
    pub fn prefill_rate(&self) -> Option<f64> {
        (self.prefill_ms > 0.0).then(|| self.prompt_tokens as f64 / self.prefill_ms * 1000.0)
    }

    /// Decoded tokens per second.
    pub fn decode_rate(&self) -> Option<f64> {
        (self.decoded > 0 && self.decode_ms > 0.0).then(|| self.decoded as f64 / self.decode_ms * 1000.0)
    }
}

/// Generation as resumable steps; `clock` gives milliseconds (the page's `performance.now`).
pub struct GenerateJob {
    model: Rc<Model>,
    hook: Box<dyn AttentionHook>,
    clock: Rc<dyn Fn() -> f64>,
    pick: Pick,
    want: usize,
    cache: KvCache,
    pass: Option<ForwardPass>,
    pass_started: Option<f64>,
    produced: Vec<u32>,
    prompt_tokens: usize,
    prefill_ms: f64,
    decode_ms: f64,
    decoded: usize,
    finished: bool,
}

fn options(hook: &dyn AttentionHook) -> ForwardOptions<'_> {
    ForwardOptions {
        logits: Logits::Last,
        capture_attention: false,
        hook,
        rope_layout: RopeLayout::Interleaved,
    }
}

impl GenerateJob {
    /// Generates `want` tokens after `prompt` with `hook` as every head's attention.
    pub fn new(
        model: Rc<Model>,
        prompt: &[u32],
        want: usize,
        pick: Pick,
        hook: Box<dyn AttentionHook>,
        clock: Rc<dyn Fn() -> f64>,
    ) -> Self {
        let cache = KvCache::new(&model.config);
        let pass = if prompt.is_empty() {
            None
        } else {
            ForwardPass::new(&model, prompt, &cache, &options(hook.as_ref())).ok()
        };
        let finished = pass.is_none() || want == 0;
        Self {
            model,
            hook,
            clock,
            pick,
            want,
            cache,
            pass,
            pass_started: None,
            produced: Vec::new(),
            prompt_tokens: prompt.len(),
            prefill_ms: 0.0,
            decode_ms: 0.0,
            decoded: 0,
            finished,
        }
    }

    fn snapshot(&self) -> Generated {
        let tk = &self.model.tokenizer;
        Generated {
            prompt_tokens: self.prompt_tokens,
            new_tokens: self
                .produced
                .iter()
                .map(|&id| TokenChip {
                    id,
                    text: display(tk, id),
                })
                .collect(),
            text: tk.decode(&self.produced),
            prefill_ms: self.prefill_ms,
            decode_ms: self.decode_ms,
            decoded: self.decoded,
            cache_bytes: self.cache.bytes(),
            cache_tokens: self.cache.len(),
            finished: self.finished,
        }
    }
}

impl Job for GenerateJob {
    type Output = Generated;

    fn step(&mut self) {
        if self.finished {
            return;
        }
        let Some(pass) = self.pass.as_mut() else {
            self.finished = true;
            return;
        };
        let start = *self.pass_started.get_or_insert_with(|| (self.clock)());
        pass.step(&self.model, &mut self.cache, self.hook.as_ref());
        if !pass.is_done(&self.model) {
            return;
        }
        let pass = self.pass.take().expect("checked above");
        let out = pass.finish(&self.model, &mut self.cache, self.hook.as_ref());
        let elapsed = (self.clock)() - start;
        self.pass_started = None;
        if self.produced.is_empty() {
            self.prefill_ms = elapsed;
        } else {
            self.decode_ms += elapsed;
            self.decoded += 1;
        }
        let next = pick_next(out.logits.row(0), &self.pick, self.produced.len());
        self.produced.push(next);
        let end = self.model.tokenizer.eos == Some(next);
        if end || self.produced.len() >= self.want {
            self.finished = true;
            return;
        }
        self.pass = ForwardPass::new(&self.model, &[next], &self.cache, &options(self.hook.as_ref())).ok();
        if self.pass.is_none() {
            self.finished = true;
        }
    }

    fn progress(&self) -> f64 {
        if self.want == 0 {
            return 1.0;
        }
        let within = self.pass.as_ref().map_or(0.0, |p| {
            p.steps_done() as f64 / p.total_steps(&self.model).max(1) as f64
        });
        ((self.produced.len() as f64 + within) / self.want as f64).min(1.0)
    }

    fn is_done(&self) -> bool {
        self.finished
    }

    fn finish(mut self) -> Generated {
        while !self.finished {
            self.step();
        }
        self.snapshot()
    }

    fn partial(&self) -> Option<Generated> {
        Some(self.snapshot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::model::forward::{argmax, top_k};

    #[test]
    fn greedy_is_the_argmax_and_a_sample_is_seeded_and_stays_in_the_top_40() {
        let logits: Vec<f32> = (0..100).map(|i| ((i * 37) % 100) as f32 / 10.0).collect();
        let greedy = Pick {
            sampling: Sampling::Greedy,
            temperature: 1.0,
            seed: 0,
        };
        assert_eq!(pick_next(&logits, &greedy, 0) as usize, argmax(&logits));
        let sample = Pick {
            sampling: Sampling::Sample,
            ..greedy
        };
        let top: Vec<u32> = top_k(&logits, SAMPLE_TOP_K).iter().map(|x| x.0 as u32).collect();
        let draws: Vec<u32> = (0..200).map(|s| pick_next(&logits, &sample, s)).collect();
        assert!(draws.iter().all(|d| top.contains(d)));
        assert_eq!(
            draws,
            (0..200).map(|s| pick_next(&logits, &sample, s)).collect::<Vec<_>>()
        );
        assert!(draws.iter().collect::<std::collections::HashSet<_>>().len() > 5);
    }
}
