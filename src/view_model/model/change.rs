//! The changed model: the same input run with the intervention's attention, compared with the model
//! as trained — per-token loss, next-token top 10, and the KL divergence of each position's
//! next-token distribution, KL(p ‖ q) = Σ_v p(v)·(ln p(v) − ln q(v)), p = trained, q = changed.

use std::rc::Rc;
use std::sync::Arc;

use crate::attention::heads::rope::RopeLayout;
use crate::attention::matrix::Matrix;
use crate::attention::model::forward::cross_entropy;
use crate::attention::model::hook::AttentionHook;
use crate::attention::model::{ForwardOptions, ForwardPass, KvCache, Logits, Model};
use crate::view_model::job::Job;
use crate::view_model::model::analysis::{candidates, Analysis, Candidate};

/// KL(p ‖ q) between softmax(p_logits) and softmax(q_logits), in nats, computed in f64 (≥ 0, and
/// finite for finite logits).
pub fn kl_divergence(p_logits: &[f32], q_logits: &[f32]) -> f64 {
    fn log_softmax(l: &[f32]) -> impl Iterator<Item = f64> + '_ {
        let m = l.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let lse = m + l.iter().map(|v| (*v as f64 - m).exp()).sum::<f64>().ln();
        l.iter().map(move |v| *v as f64 - lse)
    }
    let kl: f64 = log_softmax(p_logits)
        .zip(log_softmax(q_logits))
        .map(|(lp, lq)| if lp.is_finite() && lp > -700.0 { lp.exp() * (lp - lq) } else { 0.0 })
        .sum();
    kl.max(0.0)
}

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
        let kl = (0..out.logits.rows.min(self.base.logits.rows))
            .map(|t| kl_divergence(self.base.logits.row(t), out.logits.row(t)))
            .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kl_is_zero_for_equal_rows_positive_otherwise_and_finite_at_extremes() {
        let a = [1.0f32, 2.0, 3.0];
        assert!(kl_divergence(&a, &a).abs() < 1e-12);
        // Shifting logits changes nothing.
        assert!(kl_divergence(&a, &[11.0, 12.0, 13.0]).abs() < 1e-12);
        // p = softmax(0, ln 3) = (1/4, 3/4), q = uniform: KL = ¼ln½ + ¾ln(3/2).
        let want = 0.25 * (0.5f64).ln() + 0.75 * (1.5f64).ln();
        let got = kl_divergence(&[0.0, 3f32.ln()], &[0.0, 0.0]);
        assert!((got - want).abs() < 1e-7, "{got} vs {want}");
        let wild = kl_divergence(&[1e30, -1e30, 0.0], &[-1e30, 1e30, 0.0]);
        assert!(wild.is_finite() && wild > 1e29);
    }
}
