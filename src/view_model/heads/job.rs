//! The toy layer's three panels (K/V sharing, MLA, low rank) as one
//! [`Job`](crate::view_model::job::Job) of whole-panel stages: each panel takes well under a frame,
//! so the runner can show the page between them.

use std::sync::Arc;

use crate::attention::heads::error::HeadsError;
use crate::attention::message::{Explain, Message};
use crate::view_model::heads::toy::{low_rank_curve, mla_toy, sharing, LowRankCurve, MlaToy, Sharing, ToyLayer};
use crate::view_model::job::Stages;

/// What the toy panels draw.
#[derive(Clone, Debug)]
pub struct ToyPanels {
    pub sharing: Arc<Sharing>,
    pub mla: Arc<MlaToy>,
    pub low_rank: Arc<LowRankCurve>,
}

/// The panels, or why the engine refused the layer.
pub type ToyOutput = Result<ToyPanels, Message>;

/// The job's state: the layer and the panels computed so far (or the first refusal).
pub struct ToyState {
    layer: ToyLayer,
    sharing: Option<Sharing>,
    mla: Option<MlaToy>,
    low_rank: Option<LowRankCurve>,
    error: Option<HeadsError>,
}

/// The toy layer's job.
pub type ToyJob = Stages<ToyState, ToyOutput>;

/// Runs `f` unless an earlier stage was refused; records a refusal.
fn stage<T>(s: &mut ToyState, f: fn(&ToyLayer) -> Result<T, HeadsError>) -> Option<T> {
    if s.error.is_some() {
        return None;
    }
    f(&s.layer).map_err(|e| s.error = Some(e)).ok()
}

fn sharing_stage(s: &mut ToyState) {
    s.sharing = stage(s, sharing);
}

fn mla_stage(s: &mut ToyState) {
    s.mla = stage(s, mla_toy);
}

fn low_rank_stage(s: &mut ToyState) {
    s.low_rank = stage(s, low_rank_curve);
}

/// The panels (Stages::finish has run every stage; a panel still missing is computed here, so this
/// never fails for want of a step).
fn panels(s: ToyState) -> ToyOutput {
    if let Some(e) = s.error {
        return Err(e.message());
    }
    let layer = s.layer;
    let explain = |e: HeadsError| e.message();
    Ok(ToyPanels {
        sharing: Arc::new(s.sharing.map_or_else(|| sharing(&layer), Ok).map_err(explain)?),
        mla: Arc::new(s.mla.map_or_else(|| mla_toy(&layer), Ok).map_err(explain)?),
        low_rank: Arc::new(s.low_rank.map_or_else(|| low_rank_curve(&layer), Ok).map_err(explain)?),
    })
}

/// The job computing the panels of `layer`: sharing, then MLA, then the low-rank curve.
pub fn toy_job(layer: ToyLayer) -> ToyJob {
    let state = ToyState {
        layer,
        sharing: None,
        mla: None,
        low_rank: None,
        error: None,
    };
    Stages::new(state, vec![sharing_stage, mla_stage, low_rank_stage], panels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::heads::params::parse;
    use crate::view_model::job::{run_to_end, Job};
    use crate::view_model::params::pairs_lookup;

    #[test]
    fn the_job_computes_all_three_panels_in_three_steps() {
        let layer = parse(&pairs_lookup(&[("n", "16")])).params.toy();
        let mut job = toy_job(layer);
        for k in 1..=3 {
            job.step();
            assert_eq!(job.progress(), k as f64 / 3.0);
        }
        assert!(job.is_done());
        let panels = job.finish().unwrap();
        assert_eq!(panels.sharing.gqa_maps.len(), 8);
        assert_eq!(panels.mla.head_map.rows, 16);
        assert_eq!(panels.low_rank.width, 128);
        let unfinished = toy_job(layer);
        assert!(unfinished.finish().is_ok(), "finish completes an unstarted job");
    }

    #[test]
    fn a_refused_layer_becomes_a_message_and_skips_the_later_panels() {
        let layer = parse(&pairs_lookup(&[])).params.toy();
        let bad = ToyLayer { n_kv_heads: 3, ..layer };
        let e = run_to_end(toy_job(bad)).unwrap_err();
        assert_eq!(e, sharing(&bad).unwrap_err().message());
    }
}
