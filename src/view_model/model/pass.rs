//! One forward pass owned by a job: the model, a fresh KV cache and the pass's steps, so the
//! analysis and the changed-model jobs share their stepping.

use std::rc::Rc;

use crate::attention::model::hook::AttentionHook;
use crate::attention::model::{ForwardOptions, ForwardOutput, ForwardPass, KvCache, Model};

/// A pass over `tokens` from an empty cache (None when the tokens are not the model's).
pub struct OwnedPass {
    pub model: Rc<Model>,
    cache: KvCache,
    pass: Option<ForwardPass>,
}

impl OwnedPass {
    /// Starts the pass of `tokens` with `opts` (its logits and capture choice; the hook is given per step).
    pub fn new(model: Rc<Model>, tokens: &[u32], opts: &ForwardOptions<'_>) -> Self {
        let cache = KvCache::new(&model.config);
        let pass = ForwardPass::new(&model, tokens, &cache, opts).ok();
        Self { model, cache, pass }
    }

    /// One half-layer (or a few logit rows).
    pub fn step(&mut self, hook: &dyn AttentionHook) {
        if let Some(p) = self.pass.as_mut() {
            p.step(&self.model, &mut self.cache, hook);
        }
    }

    /// Fraction done.
    pub fn progress(&self) -> f64 {
        self.pass.as_ref().map_or(1.0, |p| {
            p.steps_done() as f64 / p.total_steps(&self.model).max(1) as f64
        })
    }

    /// True when nothing is left (or the pass could not start).
    pub fn is_done(&self) -> bool {
        self.pass.as_ref().is_none_or(|p| p.is_done(&self.model))
    }

    /// The pass's output after its remaining steps; None when it could not start.
    pub fn finish(&mut self, hook: &dyn AttentionHook) -> Option<ForwardOutput> {
        let pass = self.pass.take()?;
        Some(pass.finish(&self.model, &mut self.cache, hook))
    }
}
