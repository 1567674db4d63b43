//! Starts the view's [`SdpaJob`] through the one runner whenever the parameters (other than the
//! selected head) change. Projections are reused when only the head count, mask, scale or pooling
//! changed, and the raw scores too when the head count stayed. Large layers hand their heads to the
//! Web Worker pool (`ui::workers`, started here in the background) when it is there; otherwise, or
//! when it fails, everything runs on this thread.

use std::rc::Rc;

use leptos::prelude::*;

use crate::attention::multi_head::HeadConfig;
use crate::attention::pooling::PoolMode;
use crate::ui::jobs::{drive, JobRun, SLICED};
use crate::ui::workers::{warm, Workers};
use crate::view_model::sdpa::params::SdpaParams;
use crate::view_model::sdpa::{InputKey, Reuse, SdpaJob, SdpaResult};

/// The view's running computation.
pub type SdpaRun = JobRun<SdpaResult>;

/// Starts recomputing whenever the parameters that change the layer change.
pub fn start(params: ReadSignal<SdpaParams>, tokens: Memo<std::sync::Arc<Vec<String>>>) -> SdpaRun {
    let job_key = Memo::new(move |_| {
        let p = params.get();
        let key = InputKey {
            tokens: tokens.get(),
            d_model: p.d_model,
            seed: p.seed,
        };
        let cfg = HeadConfig {
            n_heads: p.heads,
            scale: p.scale,
            causal: p.causal,
        };
        (key, cfg, p.pool)
    });
    warm();
    let cache = StoredValue::new(None::<Reuse>);
    drive(
        "sdpa",
        job_key,
        SLICED,
        move |(key, cfg, pool): &(InputKey, HeadConfig, PoolMode)| {
            SdpaJob::new(key.clone(), *cfg, *pool, cache.get_value()).map(|j| j.with_offload(Rc::new(Workers)))
        },
        move |result: &SdpaResult| cache.set_value(Some(result.reuse())),
    )
}
