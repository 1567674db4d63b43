//! The changed model: the same input run with the intervention's attention, compared with the model
//! as trained — per-token loss, next-token top 10, and the KL divergence of each position's
//! next-token distribution, KL(p ‖ q) = Σ_v p(v)·(ln p(v) − ln q(v)), p = trained, q = changed.

use std::rc::Rc;
use std::sync::Arc;

use crate::attention::heads::rope::RopeLayout;
use crate::attention::matrix::Matrix;
use crate::attention::model::divergence::kl_per_position;
use crate::attention::model::forward::cross_entropy;
use crate::attention::model::hook::AttentionHook;
use crate::attention::model::{ForwardOptions, ForwardPass, KvCache, Logits, Model};
use crate::view_model::job::Job;
use crate::view_model::model::analysis::{candidates, Analysis, Candidate};

/// The changed model's results beside the trained model's.
#[derive(Clone, Debug, PartialEq)]
pub struct Changed {
    pub losses: Vec<f32>,
    pub next: Vec<Candidate>,
    /// KL(trained ‖ changed) of the next-token distribution at every position.
    pub kl: Vec<f64>,
    /// The changed model's attention of the selected head (`n × n`), to compare with the trained one.
    pub attention: Vec<Vec<Matrix>>,
}

impl Changed {
    /// Mean KL over positions.
    pub fn mean_kl(&self) -> f64 {
        if self.kl.is_empty() {
            0.0
        } else {
            self.kl.iter().sum::<f64>() / self.kl.len() as f64
        }
    }
}

/// The changed model's pass over the analysed tokens, as a [`Job`].
pub struct ChangeJob {
    model: Rc<Model>,
    base: Arc<Analysis>,
    hook: Box<dyn AttentionHook>,
    cache: KvCache,
    pass: Option<ForwardPass>,
}

fn options(hook: &dyn AttentionHook) -> ForwardOptions<'_> {
    ForwardOptions {
        logits: Logits::All,
        capture_attention: true,
        hook,
        rope_layout: RopeLayout::Interleaved,
    }
}

impl ChangeJob {
    /// Runs `base`'s tokens with `hook` as every head's attention.
    pub fn new(model: Rc<Model>, base: Arc<Analysis>, hook: Box<dyn AttentionHook>) -> Self {
        let cache = KvCache::new(&model.config);
        let pass = ForwardPass::new(&model, &base.tokens.ids, &cache, &options(hook.as_ref())).ok();
        Self {
            model,
            base,
            hook,
            cache,
            pass,
        }
    }
}

impl Job for ChangeJob {
    type Output = Changed;

    fn step(&mut self) {
        if let Some(p) = self.pass.as_mut() {
            p.step(&self.model, &mut self.cache, self.hook.as_ref());
        }
    }

    fn progress(&self) -> f64 {
        self.pass.as_ref().map_or(1.0, |p| {
            p.steps_done() as f64 / p.total_steps(&self.model).max(1) as f64
        })
    }

    fn is_done(&self) -> bool {
        self.pass.as_ref().is_none_or(|p| p.is_done(&self.model))
    }

    fn finish(mut self) -> Changed {
        let Some(pass) = self.pass.take() else {
            return Changed {
                losses: Vec::new(),
                next: Vec::new(),
                kl: Vec::new(),
                attention: Vec::new(),
            };
        };
        let out = pass.finish(&self.model, &mut self.cache, self.hook.as_ref());
        let ids = &self.base.tokens.ids;
        let losses = (1..ids.len())
            .map(|t| cross_entropy(out.logits.row(t - 1), ids[t] as usize))
            .collect();
        let kl = kl_per_position(&self.base.logits, &out.logits);
        let next = if out.logits.rows > 0 {
            candidates(&self.model, out.logits.row(out.logits.rows - 1), 10)
        } else {
            Vec::new()
        };
        Changed {
            losses,
            next,
            kl,
            attention: out.attention.unwrap_or_default(),
        }
    }
}
