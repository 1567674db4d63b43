//! Every chapter's idea applied inside the trained model: one [`AttentionHook`] that gives each layer
//! its own attention function and silences chosen heads.
//!
//! Per layer ([`LayerAttention`]):
//! - **exact** — the model's own, O = softmax(QKᵀ/√d + causal)·V;
//! - **a sparse pattern** — the same exact softmax, with the causal mask replaced by a pattern of the
//!   sparse chapter drawn by its own generator and parameters and intersected with causality (j ≤ i
//!   over absolute positions, so the next token is still predicted from the past only, and every row is
//!   prefix-stable so cached decoding equals recomputing): see [`super::causal_pattern`] (window,
//!   strided, fixed, global, Longformer, BigBird) and [`super::bucket_mask`] (LSH). Sinkhorn is refused;
//! - **causal linear attention**, φ = elu + 1 (Katharopoulos et al. 2020), or **causal Performer
//!   FAVOR+** with m positive random features (Choromanski et al. 2021): [`super::kernel_attention`].
//!
//! **Ablation.** An ablated (layer, head) outputs zeros, O_h = 0 — its slice of the concatenation
//! [O_0 … O_8] that W_O reads is zero (zero ablation; Olsson et al. 2022 use it to find the heads a
//! behaviour needs). Its weights, when captured, are written as **zeros** too: the captured map then
//! shows what the head contributed (nothing), its rows summing to 0 mark it as ablated, and its head
//! scores ([`super::head_scores`]) are 0. The ablation applies whatever the layer's attention.
//!
//! [`InterventionSpec`] is the compact description (a layer range, one kind, the ablated heads) a URL
//! can carry; [`Intervention::from_spec`] builds the hook, refusing what cannot run.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::attention::mask::Causal;
use crate::attention::message::{Explain, Message};
use crate::attention::model::bucket_mask::LshHashes;
use crate::attention::model::causal_pattern::ModelPattern;
use crate::attention::model::config::ModelConfig;
use crate::attention::model::hook::{exact_with_mask, AttentionHook, HeadCall};
use crate::attention::model::kernel_attention::{FeatureMap, KernelAttention};
use crate::attention::sparse::zoo::{PatternKind, PatternSettings};

/// What the chosen layers compute.
#[derive(Clone, Debug, PartialEq)]
pub enum InterventionKind {
    /// The model's own causal exact attention.
    Exact,
    /// Exact softmax under a sparse chapter's pattern (its kind and settings), made causal. The
    /// settings' `causal` flag is ignored (always causal), and so is LSH's chunk length (module doc of
    /// [`super::bucket_mask`]).
    Sparse {
        pattern: PatternKind,
        settings: PatternSettings,
    },
    /// Causal linear attention, φ = elu + 1.
    Linear,
    /// Causal Performer FAVOR+: m = `features` positive orthogonal random features drawn with `seed`.
    Performer { features: usize, seed: u64 },
}

/// A compact description of an intervention: `kind` in layers `layers` (the others keep exact
/// attention; the range is clamped to the model's layers) and the (layer, head) pairs to ablate.
#[derive(Clone, Debug, PartialEq)]
pub struct InterventionSpec {
    /// Layers that get `kind` (from ..to, 0-based).
    pub layers: Range<usize>,
    /// What those layers compute.
    pub kind: InterventionKind,
    /// (layer, head) pairs whose output is zero, in any layer.
    pub ablate: Vec<(usize, usize)>,
}

impl InterventionSpec {
    /// No change: the model's own attention everywhere.
    pub fn none() -> Self {
        Self {
            layers: 0..0,
            kind: InterventionKind::Exact,
            ablate: Vec::new(),
        }
    }

    /// `kind` in every layer (the range is clamped to the model's layer count when built).
    pub fn everywhere(kind: InterventionKind) -> Self {
        Self {
            layers: 0..usize::MAX,
            kind,
            ablate: Vec::new(),
        }
    }

    /// Only the ablation of `heads`, exact attention elsewhere.
    pub fn ablating(heads: &[(usize, usize)]) -> Self {
        Self {
            ablate: heads.to_vec(),
            ..Self::none()
        }
    }
}

/// Why a spec cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterventionError {
    /// The pattern cannot be made causal and prefix-stable (Sinkhorn).
    NotCausal(PatternKind),
    /// An ablated head outside the model.
    NoSuchHead {
        layer: usize,
        head: usize,
        n_layers: usize,
        n_heads: usize,
    },
}

impl fmt::Display for InterventionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterventionError::NotCausal(kind) => write!(
                f,
                "{kind:?} attention cannot run inside a causal model (it reads future tokens to choose keys)"
            ),
            InterventionError::NoSuchHead {
                layer,
                head,
                n_layers,
                n_heads,
            } => write!(
                f,
                "no head {head} in layer {layer}: the model has {n_layers} layers of {n_heads} heads"
            ),
        }
    }
}

impl std::error::Error for InterventionError {}

impl Explain for InterventionError {
    fn message(&self) -> Message {
        match self {
            InterventionError::NotCausal(kind) => {
                Message::new("error.intervention_not_causal").arg("pattern", format!("{kind:?}"))
            }
            InterventionError::NoSuchHead {
                layer,
                head,
                n_layers,
                n_heads,
            } => Message::new("error.intervention_no_head")
                .arg("layer", layer)
                .arg("head", head)
                .arg("layers", n_layers)
                .arg("heads", n_heads),
        }
    }
}

/// The attention function of one layer.
#[derive(Clone)]
pub enum LayerAttention {
    /// Causal exact softmax attention.
    Exact,
    /// Exact softmax under a drawn causal pattern.
    Pattern(Arc<ModelPattern>),
    /// Exact softmax under the LSH bucket mask of each call.
    Lsh(Arc<LshHashes>),
    /// Causal kernel attention (linear or Performer) with its kept prefix states.
    Kernel(Arc<KernelAttention>),
}

impl fmt::Debug for LayerAttention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayerAttention::Exact => write!(f, "Exact"),
            LayerAttention::Pattern(p) => write!(f, "Pattern({:?})", p.kind()),
            LayerAttention::Lsh(h) => write!(f, "Lsh({} buckets × {})", h.buckets(), h.rotations.len()),
            LayerAttention::Kernel(k) => match k.map() {
                FeatureMap::Elu => write!(f, "Linear"),
                FeatureMap::Favor(r) => write!(f, "Performer(m = {})", r.projection.rows),
            },
        }
    }
}

/// Each layer's attention and the ablated heads, as an [`AttentionHook`] (module doc). A clone shares
/// the drawn patterns and the kernel states (each state is checked against the keys it is used with).
#[derive(Clone, Debug)]
pub struct Intervention {
    layers: Vec<LayerAttention>,
    /// Sorted, deduplicated.
    ablated: Vec<(usize, usize)>,
}

impl Intervention {
    /// `layers[l]` for layer l (layers past the end are exact) with `ablate` silenced.
    pub fn new(layers: Vec<LayerAttention>, ablate: &[(usize, usize)]) -> Self {
        let mut ablated = ablate.to_vec();
        ablated.sort_unstable();
        ablated.dedup();
        Self { layers, ablated }
    }

    /// Builds `spec` for a model shaped `config` (heads of width d_head).
    pub fn from_spec(spec: &InterventionSpec, config: &ModelConfig) -> Result<Self, InterventionError> {
        if let Some(&(layer, head)) = spec
            .ablate
            .iter()
            .find(|(l, h)| *l >= config.n_layers || *h >= config.n_heads)
        {
            return Err(InterventionError::NoSuchHead {
                layer,
                head,
                n_layers: config.n_layers,
                n_heads: config.n_heads,
            });
        }
        let chosen = match &spec.kind {
            InterventionKind::Exact => LayerAttention::Exact,
            InterventionKind::Sparse { pattern, settings } => match pattern {
                PatternKind::Causal => LayerAttention::Exact,
                PatternKind::Sinkhorn => return Err(InterventionError::NotCausal(*pattern)),
                PatternKind::Lsh => LayerAttention::Lsh(Arc::new(LshHashes::draw(
                    config.d_head,
                    settings.buckets,
                    settings.hashes,
                    settings.seed,
                ))),
                _ => LayerAttention::Pattern(Arc::new(
                    ModelPattern::new(*pattern, settings.clone()).expect("a positional kind"),
                )),
            },
            InterventionKind::Linear => LayerAttention::Kernel(Arc::new(KernelAttention::new(FeatureMap::Elu))),
            InterventionKind::Performer { features, seed } => LayerAttention::Kernel(Arc::new(KernelAttention::new(
                FeatureMap::favor(config.d_head, *features, *seed),
            ))),
        };
        let range = spec.layers.start.min(config.n_layers)..spec.layers.end.min(config.n_layers);
        let layers = (0..config.n_layers)
            .map(|l| {
                if range.contains(&l) {
                    chosen.clone()
                } else {
                    LayerAttention::Exact
                }
            })
            .collect();
        Ok(Self::new(layers, &spec.ablate))
    }

    /// The attention of layer `l`.
    pub fn layer(&self, l: usize) -> &LayerAttention {
        self.layers.get(l).unwrap_or(&LayerAttention::Exact)
    }

    /// True when (layer, head) is ablated.
    pub fn is_ablated(&self, layer: usize, head: usize) -> bool {
        self.ablated.binary_search(&(layer, head)).is_ok()
    }

    /// The ablated heads, sorted.
    pub fn ablated(&self) -> &[(usize, usize)] {
        &self.ablated
    }

    /// Frees the kept kernel-attention states (they are rebuilt when needed).
    pub fn clear_states(&self) {
        for l in &self.layers {
            if let LayerAttention::Kernel(k) = l {
                k.clear_states();
            }
        }
    }
}

impl AttentionHook for Intervention {
    fn attend(&self, call: &HeadCall<'_>, out: &mut [f32], weights: Option<&mut [f32]>) {
        if self.is_ablated(call.layer, call.head) {
            out.fill(0.0);
            if let Some(w) = weights {
                w.fill(0.0);
            }
            return;
        }
        match self.layer(call.layer) {
            LayerAttention::Exact => exact_with_mask(call, &Causal, out, weights),
            LayerAttention::Pattern(p) => exact_with_mask(call, &*p.for_call(call.head, call.k.rows), out, weights),
            LayerAttention::Lsh(h) => exact_with_mask(call, &h.mask(call.q, call.k, call.first_pos), out, weights),
            LayerAttention::Kernel(k) => k.attend(call, out, weights),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::matrix::Matrix;
    use crate::attention::model::hook::CausalExact;
    use crate::attention::rng::{normal_matrix, stream};

    fn settings(window: usize) -> PatternSettings {
        PatternSettings {
            causal: true,
            window,
            stride: 4,
            summary: 1,
            dilation: 1,
            globals: 1,
            block: 4,
            global_blocks: 1,
            random_blocks: 1,
            buckets: 4,
            hashes: 2,
            chunk: 4,
            iterations: 3,
            temperature: 0.75,
            seed: 1,
        }
    }

    fn sparse(pattern: PatternKind, window: usize) -> InterventionKind {
        InterventionKind::Sparse {
            pattern,
            settings: settings(window),
        }
    }

    struct Head {
        q: Matrix,
        k: Matrix,
        v: Matrix,
    }

    fn head(n: usize) -> Head {
        let mut rng = stream(11, "intervention-test");
        Head {
            q: normal_matrix(&mut rng, n, 64, 1.0),
            k: normal_matrix(&mut rng, n, 64, 1.0),
            v: normal_matrix(&mut rng, n, 64, 1.0),
        }
    }

    /// Runs `hook` as (layer, head) on all n rows; returns (output, weights).
    fn run(hook: &dyn AttentionHook, h: &Head, layer: usize, head: usize) -> (Vec<f32>, Vec<f32>) {
        let n = h.q.rows;
        let call = HeadCall {
            layer,
            head,
            kv_head: head / 3,
            q: h.q.view(),
            k: h.k.view(),
            v: h.v.view(),
            first_pos: 0,
            scale: 0.125,
        };
        let (mut out, mut w) = (vec![0.0; n * 64], vec![0.0; n * n]);
        hook.attend(&call, &mut out, Some(&mut w));
        (out, w)
    }

    #[test]
    fn a_window_at_least_n_equals_exact_and_a_narrow_one_keeps_w_plus_1_keys() {
        let cfg = ModelConfig::SMOLLM2_135M;
        let h = head(40);
        let exact = run(&CausalExact, &h, 3, 0);
        let wide =
            Intervention::from_spec(&InterventionSpec::everywhere(sparse(PatternKind::Local, 40)), &cfg).unwrap();
        assert_eq!(run(&wide, &h, 3, 0), exact, "window ≥ n: the causal mask, bit for bit");
        let narrow =
            Intervention::from_spec(&InterventionSpec::everywhere(sparse(PatternKind::Local, 5)), &cfg).unwrap();
        let (out, w) = run(&narrow, &h, 3, 0);
        assert_ne!(out, exact.0);
        for i in 0..40 {
            let kept = w[i * 40..(i + 1) * 40].iter().filter(|x| **x > 0.0).count();
            assert_eq!(kept, (i + 1).min(6), "row {i}");
        }
    }

    #[test]
    fn only_the_chosen_layers_change_and_an_ablated_head_outputs_zeros() {
        let cfg = ModelConfig::SMOLLM2_135M;
        let h = head(16);
        let exact = run(&CausalExact, &h, 0, 4);
        let spec = InterventionSpec {
            layers: 2..5,
            kind: InterventionKind::Linear,
            ablate: vec![(7, 4), (7, 4)],
        };
        let hook = Intervention::from_spec(&spec, &cfg).unwrap();
        assert_eq!(hook.ablated(), &[(7, 4)]);
        assert_eq!(run(&hook, &h, 1, 4), run(&CausalExact, &h, 1, 4));
        assert_eq!(run(&hook, &h, 5, 4), exact);
        let linear = run(&hook, &h, 2, 4);
        assert!(linear.0.iter().zip(&exact.0).any(|(a, b)| (a - b).abs() > 1e-3));
        let (out, w) = run(&hook, &h, 7, 4);
        assert!(out.iter().chain(&w).all(|x| *x == 0.0));
        assert_eq!(run(&hook, &h, 7, 5), exact, "the other heads of layer 7 are untouched");
        assert_eq!(format!("{:?}", hook.layer(3)), "Linear");
    }

    #[test]
    fn every_kind_builds_and_keeps_rows_causal_and_normalised() {
        let cfg = ModelConfig::SMOLLM2_135M;
        let h = head(24);
        let kinds = [
            sparse(PatternKind::Strided, 0),
            sparse(PatternKind::Fixed, 0),
            sparse(PatternKind::Global, 0),
            sparse(PatternKind::Longformer, 6),
            sparse(PatternKind::BigBird, 0),
            sparse(PatternKind::Lsh, 0),
            sparse(PatternKind::Causal, 0),
            InterventionKind::Linear,
            InterventionKind::Performer { features: 64, seed: 2 },
        ];
        for kind in kinds {
            let hook = Intervention::from_spec(&InterventionSpec::everywhere(kind.clone()), &cfg).unwrap();
            let (out, w) = run(&hook, &h, 0, 0);
            assert!(out.iter().all(|x| x.is_finite()), "{kind:?}");
            for i in 0..24 {
                let row = &w[i * 24..(i + 1) * 24];
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{kind:?} row {i}");
                assert!(
                    row[i + 1..].iter().all(|x| *x == 0.0),
                    "{kind:?} row {i} sees the future"
                );
            }
        }
    }

    #[test]
    fn sinkhorn_and_heads_outside_the_model_are_refused_with_a_message() {
        let cfg = ModelConfig::SMOLLM2_135M;
        let err =
            Intervention::from_spec(&InterventionSpec::everywhere(sparse(PatternKind::Sinkhorn, 4)), &cfg).unwrap_err();
        assert_eq!(err, InterventionError::NotCausal(PatternKind::Sinkhorn));
        assert_eq!(err.message().id, "error.intervention_not_causal");
        let err = Intervention::from_spec(&InterventionSpec::ablating(&[(3, 9)]), &cfg).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no head 9 in layer 3: the model has 30 layers of 9 heads"
        );
        assert_eq!(err.message().args.len(), 4);
    }
}
