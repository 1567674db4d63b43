//! The attention every head runs under the view's change: the trained model's own causal exact
//! attention, or the [`Intervention`] the change panel describes — the sparse chapter's generators
//! with the view's window and stride (each pattern cut to j ≤ i, so generation stays valid), linear
//! attention, or Performer, in layers `from` … `to`, and an ablated head.

use crate::attention::message::{Explain, Message};
use crate::attention::model::hook::{AttentionHook, CausalExact};
use crate::attention::model::intervention::{Intervention, InterventionKind, InterventionSpec};
use crate::attention::model::Model;
use crate::attention::sparse::zoo::{PatternKind, PatternSettings};
use crate::view_model::model::choices::Change;
use crate::view_model::model::params::ChangeSpec;

/// Global tokens of the Longformer change: the first 4 positions (where trained models park unused
/// attention — the attention sink of Xiao et al. 2023).
pub const LONGFORMER_GLOBALS: usize = 4;
/// Seed of BigBird's random blocks, the LSH rotations and Performer's features.
pub const CHANGE_SEED: u64 = 1;

/// The sparse chapter's settings for `spec`: `w` earlier tokens seen (Longformer's window is two-sided,
/// so it gets 2w), stride `s`, BigBird blocks of min(w, 64), 4 LSH buckets and 2 hash rounds.
pub fn pattern_settings(spec: &ChangeSpec) -> PatternSettings {
    PatternSettings {
        causal: true,
        window: if spec.change == Change::Longformer {
            2 * spec.window
        } else {
            spec.window
        },
        stride: spec.stride,
        summary: 1,
        dilation: 1,
        globals: LONGFORMER_GLOBALS,
        block: spec.window.clamp(1, 64),
        global_blocks: 1,
        random_blocks: 1,
        buckets: 4,
        hashes: 2,
        chunk: 16,
        iterations: 3,
        temperature: 0.75,
        seed: CHANGE_SEED,
    }
}

/// The engine's description of `spec`.
pub fn intervention_spec(spec: &ChangeSpec) -> InterventionSpec {
    let sparse = |pattern| InterventionKind::Sparse {
        pattern,
        settings: pattern_settings(spec),
    };
    let kind = match spec.change {
        Change::None => InterventionKind::Exact,
        Change::Local => sparse(PatternKind::Local),
        Change::Strided => sparse(PatternKind::Strided),
        Change::Longformer => sparse(PatternKind::Longformer),
        Change::BigBird => sparse(PatternKind::BigBird),
        Change::Lsh => sparse(PatternKind::Lsh),
        Change::Linear => InterventionKind::Linear,
        Change::Performer => InterventionKind::Performer {
            features: spec.features,
            seed: CHANGE_SEED,
        },
    };
    InterventionSpec {
        layers: spec.first_layer..spec.last_layer + 1,
        kind,
        ablate: spec.ablate.into_iter().collect(),
    }
}

/// The hook for `spec`; a refusal (a head outside the model) as a translated message.
pub fn hook_for(spec: &ChangeSpec, model: &Model) -> Result<Box<dyn AttentionHook>, Message> {
    if spec.is_identity() {
        return Ok(Box::new(CausalExact));
    }
    Intervention::from_spec(&intervention_spec(spec), &model.config)
        .map(|i| Box::new(i) as Box<dyn AttentionHook>)
        .map_err(|e| e.message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::model::params::parse;
    use crate::view_model::params::pairs_lookup;

    #[test]
    fn the_url_describes_the_engines_intervention() {
        let p = parse(&pairs_lookup(&[
            ("change", "longformer"),
            ("w", "16"),
            ("from", "3"),
            ("to", "5"),
            ("ablate", "4.7"),
        ]));
        let s = intervention_spec(&p.params.change);
        assert_eq!(s.layers, 3..6);
        assert_eq!(s.ablate, vec![(4, 7)]);
        match s.kind {
            InterventionKind::Sparse { pattern, settings } => {
                assert_eq!(pattern, PatternKind::Longformer);
                assert_eq!(
                    (settings.window, settings.globals),
                    (32, 4),
                    "two-sided window: 16 earlier tokens"
                );
                assert!(settings.causal);
            }
            other => panic!("{other:?}"),
        }
        let perf = parse(&pairs_lookup(&[("change", "performer"), ("m", "16")]))
            .params
            .change;
        assert!(matches!(
            intervention_spec(&perf).kind,
            InterventionKind::Performer { features: 16, .. }
        ));
        assert_eq!(
            intervention_spec(&parse(&pairs_lookup(&[])).params.change).layers,
            0..30
        );
    }
}
