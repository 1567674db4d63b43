//! The changed model: the same input run with the intervention's attention, compared with the model
//! as trained — per-token loss, next-token top 10, and the KL divergence of each position's
//! next-token distribution, KL(p ‖ q) = Σ_v p(v)·(ln p(v) − ln q(v)), p = trained, q = changed.

use std::rc::Rc;
use std::sync::Arc;

use crate::attention::heads::rope::RopeLayout;
use crate::attention::matrix::Matrix;
use crate::attention::model::divergence::kl_per_position;
use crate::attention::model::hook::AttentionHook;
use crate::attention::model::{ForwardOptions, Logits, Model};
use crate::view_model::job::Job;
use crate::view_model::model::analysis::{losses_and_next, Analysis, Candidate};
use crate::view_model::model::pass::OwnedPass;

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
    base: Arc<Analysis>,
    hook: Box<dyn AttentionHook>,
    pass: OwnedPass,
}

impl ChangeJob {
    /// Runs `base`'s tokens with `hook` as every head's attention.
    pub fn new(model: Rc<Model>, base: Arc<Analysis>, hook: Box<dyn AttentionHook>) -> Self {
        let opts = ForwardOptions {
            logits: Logits::All,
            capture_attention: true,
            hook: hook.as_ref(),
            rope_layout: RopeLayout::Interleaved,
        };
        let pass = OwnedPass::new(model, &base.tokens.ids, &opts);
        Self { base, hook, pass }
    }
}

impl Job for ChangeJob {
    type Output = Changed;

    fn step(&mut self) {
        self.pass.step(self.hook.as_ref());
    }

    fn progress(&self) -> f64 {
        self.pass.progress()
    }

    fn is_done(&self) -> bool {
        self.pass.is_done()
    }

    fn finish(mut self) -> Changed {
        let Some(out) = self.pass.finish(self.hook.as_ref()) else {
            return Changed {
                losses: Vec::new(),
                next: Vec::new(),
                kl: Vec::new(),
                attention: Vec::new(),
            };
        };
        let (losses, next) = losses_and_next(&self.pass.model, &out.logits, &self.base.tokens.ids);
        let kl = kl_per_position(&self.base.logits, &out.logits);
        Changed {
            losses,
            next,
            kl,
            attention: out.attention.unwrap_or_default(),
        }
    }
}
